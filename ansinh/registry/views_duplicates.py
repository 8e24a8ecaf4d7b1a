"""Pages of the duplicate queue: the list, one pair side by side, the two decisions, the scan.

Thin: parse, fetch through the selectors of `services_duplicates` (404 when the pair is missing
or out of area), call one service, render or redirect.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views import View
from django.views.generic import ListView

from ansinh.core.exceptions import ApplicationError
from ansinh.core.templatetags.ansinh_format import vn_number
from ansinh.core.views import AreaPermissionRequiredMixin

from . import services_duplicates as svc
from .choices import DuplicateKind, DuplicateStatus
from .identity import mask_id_number

REASON_MAX = 255


class DuplicateFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Loại"), required=False, choices=[("", gettext_lazy("Tất cả")), *DuplicateKind.choices]
    )
    status = forms.ChoiceField(
        label=gettext_lazy("Trạng thái"),
        required=False,
        choices=[*DuplicateStatus.choices, ("all", gettext_lazy("Tất cả"))],
        initial=DuplicateStatus.PENDING,  # what the queue shows when nothing is chosen
    )


class MarkDifferentForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Lý do (vì sao là hai người khác nhau)"), max_length=REASON_MAX, widget=forms.Textarea
    )


class MarkSameForm(forms.Form):
    """Which record stays, whose value each differing field keeps, and why."""

    keep = forms.ChoiceField(label=gettext_lazy("Giữ lại hồ sơ"), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=gettext_lazy("Lý do (căn cứ xác định cùng một người)"), max_length=REASON_MAX, widget=forms.Textarea
    )

    def __init__(self, *args, pair, user, **kwargs):
        super().__init__(*args, **kwargs)
        a, b = pair.member_a, pair.member_b
        self.fields["keep"].choices = [
            ("a", _("A: %(m)s") % {"m": _describe(a)}),
            ("b", _("B: %(m)s") % {"m": _describe(b)}),
        ]
        self.differing = svc.differing_fields(a, b)
        for name in self.differing:
            self.fields[f"value_{name}"] = forms.ChoiceField(
                label=_("Giữ giá trị “%(field)s”") % {"field": svc.MERGE_FIELDS[name]},
                widget=forms.RadioSelect,
                choices=[
                    ("a", _("A: %(v)s") % {"v": _shown(user, a, name) or "—"}),
                    ("b", _("B: %(v)s") % {"v": _shown(user, b, name) or "—"}),
                ],
            )
        order = ["keep", *[f"value_{n}" for n in self.differing], "reason"]
        self.order_fields(order)

    def values(self) -> dict[str, str]:
        return {name: self.cleaned_data[f"value_{name}"] for name in self.differing}


def _shown(user, member, name: str) -> str:
    """A field as this user may see it: the CCCD masked without ``registry.view_full_identity``."""
    if name == "id_number" and not svc.shows_full_identity(user, member):
        return mask_id_number(member.id_number)
    return svc.field_display(member, name)


def _describe(member) -> str:
    return f"{member.full_name} — {member.household.code}"


def _add_errors(form: forms.Form, exc: Exception) -> None:
    """Service refusals on the form, on the field the service named when the form has it."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            target = name if name in form.fields else f"value_{name}" if f"value_{name}" in form.fields else None
            form.add_error(target, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    elif isinstance(exc, ApplicationError):
        form.add_error(None, exc.message)
    else:
        form.add_error(None, str(exc) or _("Vai trò của bạn không có quyền này."))


def member_card(user, member) -> dict:
    """What the list and the comparison show of one member (CCCD masked without the permission)."""
    household = member.household
    full = svc.shows_full_identity(user, member)
    return {
        "member": member,
        "birth": svc.field_display(member, "birth_date"),
        "id_number": member.id_number if full else mask_id_number(member.id_number),
        "household_code": household.code,
        "village": household.village.name if household.village_id else "",
        "commune": household.commune.name,
        "status": member.get_status_display(),
    }


_RULE_LABELS = {
    "same_id_number": gettext_lazy("Trùng số CCCD"),
    "same_date": gettext_lazy("Trùng ngày sinh"),
    "day_month_swapped": gettext_lazy("Ngày và tháng sinh bị đảo"),
    "same_year": gettext_lazy("Trùng năm sinh"),
    "year_off_by_one": gettext_lazy("Năm sinh lệch 1 năm"),
    "dates_differ": gettext_lazy("Ngày sinh khác nhau"),
    "same_name": gettext_lazy("Trùng họ tên"),
    "lost_diacritics": gettext_lazy("Họ tên giống nhau khi bỏ dấu"),
    "one_letter_typo": gettext_lazy("Họ tên lệch một chữ"),
    "name_order_differs": gettext_lazy("Họ tên đảo thứ tự"),
    "family_names_differ": gettext_lazy("Họ khác nhau"),
    "given_names_differ": gettext_lazy("Tên khác nhau"),
    "middle_names_differ": gettext_lazy("Tên đệm khác nhau"),
    "common_names_differ": gettext_lazy("Hai tên phổ biến khác nhau một chữ (không phải gõ nhầm)"),
    "sex_differs": gettext_lazy("Giới tính khác nhau"),
    "id_numbers_differ": gettext_lazy("Số CCCD khác nhau"),
    "same_commune": gettext_lazy("Cùng xã"),
    "different_communes": gettext_lazy("Khác xã"),
}


def evidence_labels(pair) -> list[str]:
    evidence = pair.evidence or {}
    labels = [str(_RULE_LABELS.get(rule, rule)) for rule in evidence.get("rules", [])]
    namesakes = evidence.get("namesakes")
    if namesakes is not None:  # the two share name, sex and birth year (decision 0025)
        labels.append(namesakes_label(namesakes))
    return labels


def namesakes_label(count: int) -> str:
    """How many other people bear the pair's name, sex and birth year: with none, the pair is
    hardly a coincidence; with dozens, two people born the same day is not unusual."""
    if not count:
        return str(_("Không ai khác cùng họ tên, giới tính và năm sinh"))
    return ngettext(
        "%(count)s người khác cùng họ tên, giới tính và năm sinh",
        "%(count)s người khác cùng họ tên, giới tính và năm sinh",
        count,
    ) % {"count": vn_number(count)}


class DuplicateListView(AreaPermissionRequiredMixin, ListView):
    """The queue: pending pairs of the user's area, best score first, both members side by side."""

    permission_required = svc.VIEW_PERM
    template_name = "registry/duplicate_list.html"
    paginate_by = 50

    def get_queryset(self):
        self.filter_form = DuplicateFilterForm(self.request.GET or None)
        kind, status = "", DuplicateStatus.PENDING
        if self.filter_form.is_valid():
            kind = self.filter_form.cleaned_data["kind"]
            status = self.filter_form.cleaned_data["status"] or DuplicateStatus.PENDING
        return svc.duplicate_list_visible_to(
            user=self.request.user, kind=kind, status="" if status == "all" else status
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        context["rows"] = [
            {
                "pair": pair,
                "a": member_card(user, pair.member_a),
                "b": member_card(user, pair.member_b),
                "rules": evidence_labels(pair),
            }
            for pair in context["object_list"]
        ]
        context["filter_form"] = self.filter_form
        context["can_scan"] = user.has_perm(svc.DECIDE_PERM)
        context["page_title"] = _("Hàng đợi nghi trùng người")
        return context


def _detail_context(request, pair, *, same_form=None, different_form=None) -> dict:
    user = request.user
    a, b = pair.member_a, pair.member_b
    rows = [
        {
            "label": label,
            "a": _shown(user, a, name),
            "b": _shown(user, b, name),
            "differs": name in svc.differing_fields(a, b),
        }
        for name, label in svc.MERGE_FIELDS.items()
    ]
    decidable = pair.status == DuplicateStatus.PENDING and svc.can_decide(user, pair)
    return {
        "pair": pair,
        "a": member_card(user, a),
        "b": member_card(user, b),
        "rows": rows,
        "rules": evidence_labels(pair),
        "decidable": decidable,
        "same_form": same_form or (MarkSameForm(pair=pair, user=user) if decidable else None),
        "different_form": different_form or (MarkDifferentForm() if decidable else None),
        "page_title": _("Cặp nghi trùng #%(id)s") % {"id": pair.pk},
    }


class DuplicateDetailView(AreaPermissionRequiredMixin, View):
    """The two records side by side, with the two decisions when the user may take them."""

    permission_required = svc.VIEW_PERM

    def get(self, request, pk):
        pair = svc.duplicate_get_visible(user=request.user, pk=pk)
        return render(request, "registry/duplicate_detail.html", _detail_context(request, pair))


class _DecisionView(AreaPermissionRequiredMixin, View):
    permission_required = svc.DECIDE_PERM
    http_method_names = ["post"]

    def post(self, request, pk):
        pair = svc.duplicate_get_visible(user=request.user, pk=pk, perm=svc.DECIDE_PERM)
        form = self.make_form(pair)
        if form.is_valid():
            try:
                message = self.perform(pair, form)
            except (ApplicationError, ValidationError, PermissionDenied) as exc:
                _add_errors(form, exc)
            else:
                messages.success(request, message)
                return redirect("registry:duplicate_list")
        context = _detail_context(request, pair, **{self.form_name: form})
        return render(request, "registry/duplicate_detail.html", context)


class DuplicateMarkSameView(_DecisionView):
    form_name = "same_form"

    def make_form(self, pair):
        return MarkSameForm(self.request.POST, pair=pair, user=self.request.user)

    def perform(self, pair, form) -> str:
        keep = pair.member_a if form.cleaned_data["keep"] == "a" else pair.member_b
        svc.duplicate_mark_same(
            actor=self.request.user, pair=pair, keep=keep, values=form.values(), reason=form.cleaned_data["reason"]
        )
        return _("Đã gộp hai hồ sơ: giữ lại hồ sơ của %(name)s.") % {"name": keep.full_name}


class DuplicateMarkDifferentView(_DecisionView):
    form_name = "different_form"

    def make_form(self, pair):
        return MarkDifferentForm(self.request.POST)

    def perform(self, pair, form) -> str:
        svc.duplicate_mark_different(actor=self.request.user, pair=pair, reason=form.cleaned_data["reason"])
        return _("Đã ghi nhận: hai người khác nhau. Cặp này sẽ không được đề xuất lại.")


class DuplicateScanView(AreaPermissionRequiredMixin, View):
    """Start a scan of the user's decide area as a background job and follow it on the job page."""

    permission_required = svc.DECIDE_PERM
    http_method_names = ["post"]

    def post(self, request):
        try:
            job = svc.duplicate_scan_start(actor=request.user)
        except (ApplicationError, ValidationError) as exc:
            messages.error(request, exc.message if isinstance(exc, ApplicationError) else " ".join(exc.messages))
            return redirect("registry:duplicate_list")
        messages.success(request, _("Đã bắt đầu tìm người trùng trên địa bàn của bạn."))
        return redirect(reverse("jobs:job_detail", kwargs={"pk": job.pk}))
