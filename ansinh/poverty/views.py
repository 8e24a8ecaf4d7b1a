"""Poverty pages: standards (reference data), one household's classification, printable results, runs.

Thin: parse the form, fetch through a selector (404 whether missing or out of area), call one
service, redirect with a message. Service refusals come back onto the form, nothing half-written.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from ansinh.core.exceptions import ApplicationError
from ansinh.core.views import AreaPermissionRequiredMixin
from ansinh.registry import selectors as registry_selectors
from ansinh.registry.models import Household

from . import scoring, selectors, services, services_runs
from .choices import PovertyClass, RunStatus
from .display import area_lines, confidence_text, indicator_rows, period_text, rule_text
from .explain import class_label, class_label_short, reason_text
from .forms import AssessmentForm, RunStartForm, StandardEditForm, StandardPickForm
from .models import Classification, PovertyStandard
from .panels import recognised_class
from .privacy import can_view_income

STANDARD_VIEW_PERM = "poverty.view_povertystandard"
VIEW_PERM = selectors.VIEW_PERM
CLASSIFY_PERM = selectors.CLASSIFY_PERM
EDIT_STANDARD_PERM = selectors.EDIT_STANDARD_PERM


def _refusal(exc: Exception) -> list[str]:
    if isinstance(exc, ApplicationError):
        return [exc.message]
    if isinstance(exc, ValidationError):
        return list(exc.messages)
    return [str(exc) or _("Vai trò của bạn không có quyền này.")]


def _add_form_errors(form, exc: Exception) -> None:
    """Put a service refusal on the field it names, or on the form."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            name = form.field_for_error(key) if hasattr(form, "field_for_error") else key
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, _refusal(exc))


def _standard_or_404(code: str) -> PovertyStandard:
    standard = selectors.standard_by_code(code)
    if standard is None:
        raise Http404
    return standard


# -- standards ----------------------------------------------------------------------------------


class StandardListView(AreaPermissionRequiredMixin, TemplateView):
    """Every standard (national and local); reference data, the same for every reader."""

    permission_required = STANDARD_VIEW_PERM
    template_name = "poverty/standard_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        today = timezone.localdate()
        rows = []
        for standard in selectors.standards_all():
            spec = standard.spec()
            rows.append({"standard": standard, "spec": spec, "in_force": spec.in_force_on(today)})
        context.update(page_title=_("Chuẩn nghèo"), rows=rows)
        return context


class StandardDetailView(AreaPermissionRequiredMixin, TemplateView):
    permission_required = STANDARD_VIEW_PERM
    template_name = "poverty/standard_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        standard = _standard_or_404(self.kwargs["code"])
        spec = standard.spec()
        dimensions: list[dict] = []
        for indicator in spec.indicators:
            if not dimensions or dimensions[-1]["code"] != indicator.dimension:
                dimensions.append({"code": indicator.dimension, "name": indicator.dimension_title, "indicators": []})
            dimensions[-1]["indicators"].append(
                {"indicator": indicator, "confidence_text": confidence_text(indicator.confidence)}
            )
        context.update(
            page_title=spec.title, standard=standard, spec=spec, rule_text=rule_text(spec), period=period_text(spec),
            lines=area_lines(spec), dimensions=dimensions, score_tables=_tables(spec),
            score_table_rows=_score_table_rows(_tables(spec)),
            versions=standard.versions.select_related("created_by").order_by("-version"),
            can_edit=self.request.user.has_perm(EDIT_STANDARD_PERM),
        )  # fmt: skip
        return context


class StandardEditView(AreaPermissionRequiredMixin, View):
    """An administrator edits a standard's JSON; `standard_edit` checks it and keeps a new version."""

    permission_required = EDIT_STANDARD_PERM
    template_name = "poverty/standard_edit.html"

    def _render(self, standard, form):
        return render(
            self.request,
            self.template_name,
            {"standard": standard, "form": form, "page_title": _("Sửa chuẩn %(code)s") % {"code": standard.code}},
        )

    def get(self, request, code):
        standard = _standard_or_404(code)
        text = json.dumps(standard.definition, ensure_ascii=False, indent=2)
        return self._render(standard, StandardEditForm(initial={"definition": text}))

    def post(self, request, code):
        standard = _standard_or_404(code)
        form = StandardEditForm(request.POST)
        if form.is_valid():
            try:
                edited = services.standard_edit(
                    actor=request.user, standard=standard, definition=form.cleaned_data["definition"],
                    reason=form.cleaned_data["reason"],
                )  # fmt: skip
            except (ValidationError, ApplicationError, PermissionDenied) as exc:
                _add_form_errors(form, exc)
            else:
                if edited.version == standard.version:
                    messages.info(request, _("Nội dung không thay đổi; không tạo phiên bản mới."))
                else:
                    messages.success(
                        request,
                        _("Đã lưu chuẩn %(code)s, phiên bản %(v)s.") % {"code": edited.code, "v": edited.version},
                    )
                return HttpResponseRedirect(reverse("poverty:standard_detail", args=[edited.code]))
        return self._render(standard, form)


# -- one household ------------------------------------------------------------------------------


class _HouseholdMixin(AreaPermissionRequiredMixin):
    """The household (404 when missing or outside the area where the user holds the permission)."""

    permission_required = VIEW_PERM

    def household(self) -> Household:
        return registry_selectors.household_get_visible(
            user=self.request.user, pk=self.kwargs["pk"], perm=self.permission_required
        )

    def standard_for(self, household: Household) -> tuple[PovertyStandard | None, PovertyStandard | None]:
        """(chosen standard, standard in force today): ``?standard=CODE`` picks another one."""
        in_force = selectors.standard_in_force(timezone.localdate(), household.village or household.commune)
        code = self.request.GET.get("standard") or self.request.POST.get("standard")
        if code:
            return _standard_or_404(code), in_force
        return in_force, in_force

    def page(self, household: Household, *, form: AssessmentForm | None = None, status: int = 200):
        request = self.request
        user = request.user
        standard, in_force = self.standard_for(household)
        unit = household.village or household.commune
        # A local standard only where it reaches (decision 0039): one opened by its address is shown to
        # compare, with a notice, and neither form B nor a classification is offered under it.
        out_of_reach = standard is not None and not selectors.standard_reaches(standard, unit)
        can_classify = user.has_perm(CLASSIFY_PERM, household) and not out_of_reach
        show_income = can_view_income(user, household)
        context = {
            "household": household, "page_title": _("Phân loại hộ %(code)s") % {"code": household.code},
            "standard": standard, "in_force": in_force, "can_classify": can_classify, "show_income": show_income,
            "out_of_reach": out_of_reach,
            "pick_form": StandardPickForm(
                initial={"standard": standard.code if standard else ""},
                standards=[s for s in selectors.standards_all()
                           if s == standard or selectors.standard_reaches(s, unit)],
            ),
        }  # fmt: skip
        if standard is not None:
            spec = standard.spec()
            assessment = selectors.latest_assessment(household, standard)
            evaluation = services.evaluate(spec, household, assessment, on_date=timezone.localdate())
            region_table = _score_table(spec, household)
            if form is None and can_classify:
                initial = AssessmentForm.initial_from(assessment)
                if not show_income:  # a classifier without the income permission re-enters the figures
                    hidden = ("income_per_capita", "income_score", "score_")
                    initial = {k: v for k, v in initial.items() if not k.startswith(hidden)}
                form = AssessmentForm(
                    initial=initial,
                    spec=spec,
                    undetermined=_undetermined(evaluation),
                    score_table=region_table[1] if region_table else None,
                )
            context.update(
                score_region=region_table[0] if region_table else None, score_tables=_tables(spec),
                score_rows=_score_rows(spec, assessment) if show_income else [],
                score_region_name=scoring.region_name(_tables(spec), assessment.score_detail or {})
                if assessment else "",
            )  # fmt: skip
            context.update(
                spec=spec, assessment=assessment, evaluation=evaluation, form=form, lines=area_lines(spec),
                rows=indicator_rows(spec, evaluation.indicators), missing=_missing_names(evaluation.missing, spec),
                period=period_text(spec),
                preview_class=class_label(evaluation.result.klass) if evaluation.result else "",
                preview_reasons=[reason_text(r, spec, show_income=show_income) for r in evaluation.result.reasons]
                if evaluation.result else [],
            )  # fmt: skip
        history = list(selectors.classifications_of(user=user, household=household))
        current = history[0] if history else None
        if current is not None:
            current_spec = current.standard_version.spec()
            context.update(
                current=current, current_label=class_label(current.klass),
                current_reasons=[reason_text(r, current_spec, show_income=show_income)
                                 for r in current.result_reasons()],
            )  # fmt: skip
        for item in history:
            item.label = class_label(item.klass)
        context["history"] = history
        context["recognised"] = recognised_class(household, current)
        return render(request, "poverty/household.html", context, status=status)


def _tables(spec):
    return spec.proxy_score.tables if spec.proxy_score else None


def _score_table(spec, household: Household):
    """(region, table) of form B's scored items for this household, or None (no table, unknown region)."""
    return scoring.table_for(_tables(spec), unit_path=household.unit_path, area=household.area_type or "rural")


def _score_rows(spec, assessment) -> list[dict]:
    if assessment is None or not assessment.score_detail:
        return []
    return scoring.breakdown_rows(_tables(spec), assessment.score_detail)


def _score_table_rows(tables) -> list[dict]:
    """Each region × area table with its items and the points of every answer (standard page)."""
    if tables is None:
        return []
    areas = {"rural": _("Nông thôn"), "urban": _("Thành thị")}
    rows = []
    for region in tables.regions:
        for area in scoring.AREAS:
            table = tables.table(region.code, area)
            items = [
                {"item": item, "answers": [(o.title, o.points) for o in item.options]
                 or [(f"{b.label()} {item.unit_title}".strip(), b.points) for b in item.brackets]}
                for item in table.items
            ]  # fmt: skip
            rows.append({"region": region, "area": areas[area], "base": table.base, "items": items,
                         "unit_count": len(region.units)})  # fmt: skip
    return rows


def _undetermined(evaluation) -> frozenset[str]:
    """Derived indicators the registry cannot decide (a fact is missing): form B answers them."""
    return frozenset(row["code"] for row in evaluation.indicators if row["facts"].get("missing"))


def _missing_names(missing: list[str], spec) -> list[str]:
    names = []
    for code in missing:
        if code == "income":
            names.append(_("Thu nhập (phiếu B)"))
            continue
        try:
            names.append(spec.indicator(code).title)  # in the reader's language
        except KeyError:
            names.append(code)
    return names


class HouseholdClassificationView(_HouseholdMixin, View):
    """The indicator table, form B, the current class with its reasons and the history."""

    def get(self, request, pk):
        return self.page(self.household())


class HouseholdAssessView(_HouseholdMixin, View):
    """POST form B facts (`assessment_record`); errors come back on the household page."""

    permission_required = CLASSIFY_PERM
    http_method_names = ["post"]

    def post(self, request, pk):
        household = self.household()
        standard, _in_force = self.standard_for(household)
        if standard is None:
            messages.error(request, _("Không có chuẩn nghèo nào áp dụng vào ngày này."))
            return HttpResponseRedirect(_household_url(household))
        spec = standard.spec()
        derived_only = services.evaluate(spec, household, None, on_date=timezone.localdate())
        region_table = _score_table(spec, household)
        form = AssessmentForm(
            request.POST, spec=spec, undetermined=_undetermined(derived_only),
            score_table=region_table[1] if region_table else None,
        )  # fmt: skip
        if form.is_valid():
            try:
                services.assessment_record(
                    actor=request.user, household=household, standard=standard, data=form.assessment_data()
                )
            except (ValidationError, ApplicationError, PermissionDenied) as exc:
                _add_form_errors(form, exc)
            else:
                messages.success(request, _("Đã ghi phiếu B của hộ %(code)s.") % {"code": household.code})
                return HttpResponseRedirect(_household_url(household, standard))
        messages.error(request, _("Chưa ghi được phiếu B: hãy sửa các lỗi bên dưới."))
        return self.page(household, form=form)


class HouseholdClassifyView(_HouseholdMixin, View):
    """POST: classify the household under the chosen standard (`household_classify`)."""

    permission_required = CLASSIFY_PERM
    http_method_names = ["post"]

    def post(self, request, pk):
        household = self.household()
        standard, _in_force = self.standard_for(household)
        try:
            row = services.household_classify(actor=request.user, household=household, standard=standard)
        except (ValidationError, ApplicationError, PermissionDenied) as exc:
            for text in _refusal(exc):
                messages.error(request, text)
        else:
            messages.success(
                request,
                _("Hộ %(code)s: %(label)s theo chuẩn %(standard)s.")
                % {"code": household.code, "label": class_label(row.klass), "standard": row.standard_code},
            )
        return HttpResponseRedirect(_household_url(household, standard))


def _household_url(household: Household, standard: PovertyStandard | None = None) -> str:
    url = reverse("poverty:household", args=[household.pk])
    return f"{url}?standard={standard.code}" if standard is not None else url


class ClassificationPrintView(AreaPermissionRequiredMixin, TemplateView):
    """One result, printable for posting in the village and for complaints (no menus)."""

    permission_required = VIEW_PERM
    template_name = "poverty/classification_print.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        item: Classification = selectors.classification_get_visible(user=self.request.user, pk=self.kwargs["pk"])
        spec = item.standard_version.spec()
        lines = spec.lines[item.area]
        show_income = can_view_income(self.request.user, item)
        context.update(
            item=item, household=item.household, spec=spec, label=class_label(item.klass), show_income=show_income,
            rows=indicator_rows(spec, item.result_indicators()),
            reasons=[reason_text(r, spec, show_income=show_income) for r in item.result_reasons()],
            line_poor=lines.poor, line_near_poor=lines.near_poor, period=period_text(spec),
            score_threshold=spec.proxy_score.income_thresholds[item.area] if spec.proxy_score else None,
            score_detail=item.assessment.score_detail if item.assessment_id else {},
            score_rows=_score_rows(spec, item.assessment) if item.assessment_id and show_income else [],
            score_region_name=scoring.region_name(_tables(spec), item.assessment.score_detail or {})
            if item.assessment_id else "",
            page_title=_("Kết quả phân loại hộ %(code)s") % {"code": item.household.code},
        )  # fmt: skip
        return context


# -- bulk runs ----------------------------------------------------------------------------------


class RunListView(AreaPermissionRequiredMixin, TemplateView):
    permission_required = VIEW_PERM
    template_name = "poverty/run_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = Paginator(selectors.runs_visible_to(user=self.request.user), 50).get_page(self.request.GET.get("page"))
        context.update(
            page_title=_("Phân loại hàng loạt"), page_obj=page, runs=page.object_list,
            can_start=self.request.user.has_perm(CLASSIFY_PERM),
        )  # fmt: skip
        return context


class RunCreateView(AreaPermissionRequiredMixin, View):
    permission_required = CLASSIFY_PERM
    template_name = "poverty/run_form.html"

    def _form(self, data=None):
        today = timezone.localdate()
        return RunStartForm(
            data, units=services_runs.units_for_runs(user=self.request.user).valid_on(today),
            standards=selectors.standards_offered(user=self.request.user, perm=CLASSIFY_PERM),
            initial={"on_date": today, "standard": selectors.standard_in_force(today)},
        )  # fmt: skip

    def _render(self, form):
        return render(
            self.request,
            self.template_name,
            {"form": form, "page_title": _("Phân loại hàng loạt: tính thử"), "cancel_url": reverse("poverty:run_list")},
        )

    def get(self, request):
        return self._render(self._form())

    def post(self, request):
        form = self._form(request.POST)
        if form.is_valid():
            try:
                run = services_runs.run_start(
                    actor=request.user, unit=form.cleaned_data["unit"], standard=form.cleaned_data["standard"],
                    on_date=form.cleaned_data["on_date"],
                )  # fmt: skip
            except (ValidationError, ApplicationError, PermissionDenied) as exc:
                _add_form_errors(form, exc)
            else:
                messages.success(request, _("Đã bắt đầu tính thử; kết quả hiện ở trang này khi xong."))
                return HttpResponseRedirect(reverse("poverty:run_detail", args=[run.pk]))
        return self._render(form)


def _transition_rows(transitions: dict[str, int] | None) -> list[dict]:
    """``{"old>new": n}`` of a run's preview as table rows, the most households first."""
    rows = []
    for key, count in sorted((transitions or {}).items(), key=lambda kv: -kv[1]):
        old, _sep, new = key.partition(">")
        rows.append({"old": class_label_short(old) if old != "-" else _("Chưa phân loại"),
                     "new": class_label_short(new), "count": count})  # fmt: skip
    return rows


class RunDetailView(AreaPermissionRequiredMixin, TemplateView):
    permission_required = VIEW_PERM
    template_name = "poverty/run_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        run = selectors.run_get_visible(user=self.request.user, pk=self.kwargs["pk"])
        spec = run.standard_version.spec()
        preview = run.preview or {}
        counts = preview.get("counts") or run.counts or {}  # the commit's counts have no "changed"
        # The count tables and cards name the average band short, its legal name in a tooltip.
        classes = [(c.value, class_label_short(c.value)) for c in PovertyClass]
        per_commune = [
            {
                "name": name,
                "counts": [counts.get(c, 0) for c, _label in classes],
                "incomplete": counts.get("incomplete", 0),
            }
            for name, counts in (preview.get("per_commune") or {}).items()
        ]
        # The classes the commit changes, and apart from them the recognised classes it keeps although
        # the result differs (a decision's class changes only by a later decision).
        transitions = _transition_rows(preview.get("transitions"))
        kept = _transition_rows(preview.get("kept_transitions"))
        changes = [
            {
                **c,
                "old_label": class_label_short(c["old"]) if c["old"] else _("Chưa phân loại"),
                "new_label": class_label_short(c["new"]),
            }
            for c in preview.get("changes") or []
        ]
        incomplete = [
            {**c, "missing_names": _missing_names(c["missing"], spec)} for c in preview.get("incomplete") or []
        ]
        can_act = self.request.user.has_perm(CLASSIFY_PERM, run.unit) and run.status == RunStatus.PREVIEWED
        context.update(
            run=run, job=run.job, page_title=_("Đợt phân loại %(unit)s") % {"unit": run.unit.name},
            counts=counts, class_counts=[(label, counts.get(c, 0)) for c, label in classes],
            classes=classes, per_commune=per_commune, transitions=transitions, kept_transitions=kept, changes=changes,
            incomplete=incomplete, can_act=can_act,
            in_progress=run.status in (RunStatus.PREVIEWING, RunStatus.COMMITTING),
        )  # fmt: skip
        return context


class _RunActionView(AreaPermissionRequiredMixin, View):
    permission_required = CLASSIFY_PERM
    http_method_names = ["post"]

    def post(self, request, pk):
        run = selectors.run_get_visible(user=request.user, pk=pk)
        try:
            message = self.perform(run)
        except (ValidationError, ApplicationError, PermissionDenied) as exc:
            for text in _refusal(exc):
                messages.error(request, text)
        else:
            messages.success(request, message)
        return HttpResponseRedirect(reverse("poverty:run_detail", args=[run.pk]))

    def perform(self, run) -> str:  # pragma: no cover - each subclass defines it
        raise NotImplementedError


class RunCommitView(_RunActionView):
    def perform(self, run) -> str:
        services_runs.run_commit(actor=self.request.user, run=run)
        return _("Đang ghi kết quả phân loại; trang này cập nhật khi xong.")


class RunCancelView(_RunActionView):
    def perform(self, run) -> str:
        services_runs.run_cancel(actor=self.request.user, run=run)
        return _("Đã hủy đợt phân loại; không có kết quả nào được ghi.")
