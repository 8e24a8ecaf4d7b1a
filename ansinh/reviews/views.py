"""Review-campaign pages: list, create, detail (plan, units, chain, milestones, committee, assignments,
trainings) and the milestone board.

Thin: parse the form, fetch through a selector (404 whether missing or out of area), call one
service, redirect with a message. Service refusals come back as messages or onto the form.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from ansinh.core.htmx import swapped_block, vary_on_swap
from ansinh.core.scoping import scope_of
from ansinh.core.views import AreaPermissionRequiredMixin, ScopedListView
from ansinh.geo.models import AdminUnit
from ansinh.geo.selectors import province_path
from ansinh.poverty.selectors import standards_offered

from . import selectors, services
from .choices import CAMPAIGN_TRANSITIONS, EDITABLE_STATUSES, STATE_BADGES, CampaignStatus, MilestoneState
from .filters import CampaignFilterSet
from .forms import (
    AssignmentForm,
    CampaignForm,
    CampaignProvinceForm,
    CancelForm,
    CompletionForm,
    SteeringMemberForm,
    TrainingForm,
)
from .models import Campaign
from .panels import campaign_panels
from .tables import CampaignTable
from .views_common import REFUSALS, add_form_errors, refusal_messages

VIEW_PERM = selectors.VIEW_PERM
MANAGE_PERM = selectors.MANAGE_PERM
COMPLETE_PERM = selectors.COMPLETE_PERM


class CampaignListView(ScopedListView):
    model = Campaign
    permission_required = VIEW_PERM
    table_class = CampaignTable
    filterset_class = CampaignFilterSet
    template_name = "reviews/campaign_list.html"

    def get_queryset(self):
        return selectors.campaigns_visible_to(user=self.request.user).order_by("-period_start", "-id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(page_title=_("Đợt rà soát"), can_create=self.request.user.has_perm(MANAGE_PERM))
        return context


@vary_on_swap
class CampaignCreateView(AreaPermissionRequiredMixin, View):
    """A new campaign. An officer whose area covers several provinces (a national one) first chooses
    the province (`CampaignProvinceForm`, by GET): the form then offers that province and its units,
    not the country's 14,000 units twice over. Other officers get every unit of their area at once.
    Choosing the province swaps in the two unit fields (htmx), which the page answers with those two
    blocks alone (`core.htmx.swapped_block`)."""

    permission_required = MANAGE_PERM
    template_name = "reviews/campaign_form.html"
    unit_block = "campaign-unit"  # swapped in place; "campaign-units" comes with it, out of band

    def _province_step(self, data) -> CampaignProvinceForm | None:
        provinces = selectors.provinces_for_campaigns(user=self.request.user)
        if not provinces.exists():  # an area of one province at most: no step
            return None
        return CampaignProvinceForm(data if data is not None and data.get("province") else None, provinces=provinces)

    @staticmethod
    def _province(step: CampaignProvinceForm, data) -> AdminUnit | None:
        """The province chosen (the page's ``?province=``, or the form's hidden field), else that of
        the posted unit, so a form sent without the province still validates."""
        province = step.chosen()
        unit_id = str(data.get("unit", "")) if data is not None else ""
        if province is None and not step.errors and unit_id.isdigit() and len(unit_id) < 19:
            path = AdminUnit.objects.filter(pk=unit_id).values_list("path", flat=True).first()
            province = step.fields["province"].queryset.filter(path=province_path(path or "")).first()
        return province

    def _page(self, data=None, *, query=None) -> tuple[CampaignForm, dict]:
        user, today = self.request.user, timezone.localdate()
        step = self._province_step(query if query is not None else data)
        province = self._province(step, data) if step is not None else None
        if step is None or province is not None:
            units = selectors.units_for_campaigns(user=user, province=province)
        else:
            units = AdminUnit.objects.none()
        form = CampaignForm(
            data, kinds=selectors.kinds_all(), units=units,
            standards=standards_offered(user=user, perm=MANAGE_PERM),
            initial={"year": today.year, "plan_date": today},
        )  # fmt: skip
        if step is not None:
            if province is not None and not step.is_bound:
                step = CampaignProvinceForm(
                    initial={"province": province.pk}, provinces=step.fields["province"].queryset
                )
            elif province is None:
                form.fields["unit"].help_text = _(
                    "Hãy chọn tỉnh/thành phố ở trên: danh sách có các đơn vị của tỉnh đó."
                )
            # Choosing a province fetches this page for it and swaps in its units (the template).
            step.fields["province"].widget.attrs.update({
                "hx-get": self.request.path, "hx-trigger": "change", "hx-target": f"#{self.unit_block}",
                "hx-select": f"#{self.unit_block}", "hx-select-oob": "#campaign-units", "hx-swap": "outerHTML",
            })  # fmt: skip
        return form, {
            "form": form, "province_form": step, "province": province,
            "page_title": _("Tạo đợt rà soát"), "cancel_url": reverse("reviews:campaign_list"),
        }  # fmt: skip

    def get(self, request):
        _form, context = self._page(query=request.GET)
        if swapped_block(request, self.unit_block):  # the province step's htmx fetch: the unit fields alone
            return render(request, "reviews/_campaign_units.html", context)
        return render(request, self.template_name, context)

    def post(self, request):
        form, context = self._page(request.POST)
        if form.is_valid():
            try:
                campaign = services.campaign_create(actor=request.user, data=form.campaign_data())
            except REFUSALS as exc:
                add_form_errors(form, exc)
            else:
                messages.success(request, _("Đã tạo đợt rà soát “%(name)s”.") % {"name": campaign.name})
                return HttpResponseRedirect(reverse("reviews:campaign_detail", args=[campaign.pk]))
        return render(request, self.template_name, context)


def _managed_units(user, campaign: Campaign) -> list[AdminUnit]:
    """The campaign's unit and covered units where `user` may manage the campaign's plan."""
    scope = scope_of(user, MANAGE_PERM)
    units = [campaign.unit, *selectors.covered_units(campaign)]
    return [u for u in dict.fromkeys(units) if scope.covers(u.path, u.successor_path)]


def _unit_queryset(units: list[AdminUnit]):
    return AdminUnit.objects.filter(pk__in=[u.pk for u in units]).order_by("sort_key")


class CampaignDetailView(AreaPermissionRequiredMixin, TemplateView):
    permission_required = VIEW_PERM
    template_name = "reviews/campaign_detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        campaign = selectors.campaign_get_visible(user=user, pk=self.kwargs["pk"])
        managed = _managed_units(user, campaign) if campaign.status in EDITABLE_STATUSES else []
        can_transition = user.has_perm(MANAGE_PERM, campaign.unit)
        allowed = CAMPAIGN_TRANSITIONS[CampaignStatus(campaign.status)]
        cancellable = CampaignStatus.CANCELLED in allowed and not selectors.campaign_has_decisions(campaign)
        villages = selectors.villages_of(campaign, user=user) if managed else AdminUnit.objects.none()
        board = selectors.milestone_board(user=user, campaign=campaign, today=timezone.localdate())
        can_view_cases = user.has_perm(selectors.VIEW_CASE_PERM)
        context.update(
            can_view_cases=can_view_cases,
            case_counts=selectors.case_counts(user=user, campaign=campaign) if can_view_cases else [],
        )
        context.update(
            page_title=campaign.name, campaign=campaign, covered=selectors.covered_units(campaign),
            chain=[_level_label(level) for level in campaign.approval_chain],
            milestones=campaign.milestones.order_by("deadline", "order"), totals=_totals(board.totals),
            steering=campaign.steering_members.select_related("unit").order_by("unit__sort_key", "committee_role"),
            assignments=campaign.assignments.select_related("village", "user").order_by("village__sort_key", "role"),
            trainings=campaign.trainings.select_related("unit").order_by("held_on", "id"),
            can_open=can_transition and CampaignStatus.OPEN in allowed,
            can_close=can_transition and CampaignStatus.CLOSED in allowed,
            can_cancel=can_transition and cancellable,
            can_manage=bool(managed), cancel_form=CancelForm(), panels=campaign_panels(self.request, campaign),
            same_period=list(selectors.campaigns_same_period(user=user, campaign=campaign)),
            steering_form=SteeringMemberForm(units=_unit_queryset(managed)) if managed else None,
            training_form=TrainingForm(units=_unit_queryset(managed)) if managed else None,
            assignment_form=AssignmentForm(villages=villages) if managed and villages.exists() else None,
        )  # fmt: skip
        return context


def _level_label(level: str) -> str:
    from ansinh.geo.choices import Level

    return str(Level(level).label) if level in Level.values else level


def _totals(totals: dict[str, int]) -> list[dict]:
    return [
        {"state": s.value, "label": s.label, "badge": STATE_BADGES[s], "count": totals.get(s.value, 0)}
        for s in MilestoneState
    ]


class _CampaignActionView(AreaPermissionRequiredMixin, View):
    """POST on one campaign: fetch it (404 out of area), call `perform`, come back to the detail page."""

    permission_required = MANAGE_PERM
    http_method_names = ["post"]
    back_to = "reviews:campaign_detail"

    def post(self, request, pk, **kwargs):
        campaign = selectors.campaign_get_visible(user=request.user, pk=pk)
        try:
            message = self.perform(campaign, **kwargs)
        except REFUSALS as exc:
            for text in refusal_messages(exc):
                messages.error(request, text)
        else:
            messages.success(request, message)
        return HttpResponseRedirect(reverse(self.back_to, args=[campaign.pk]))

    def perform(self, campaign: Campaign, **kwargs) -> str:  # pragma: no cover - each subclass defines it
        raise NotImplementedError

    def form_or_refuse(self, form):
        if not form.is_valid():
            raise ValidationError([f"{form.fields[k].label if k in form.fields else ''}: {' '.join(v)}".lstrip(": ")
                                   for k, v in form.errors.items()])  # fmt: skip
        return form.cleaned_data


class CampaignOpenView(_CampaignActionView):
    def perform(self, campaign, **kwargs) -> str:
        services.campaign_open(actor=self.request.user, campaign=campaign)
        return _("Đã mở đợt rà soát; các đơn vị có thể ghi hoàn thành mốc.")


class CampaignCloseView(_CampaignActionView):
    def perform(self, campaign, **kwargs) -> str:
        services.campaign_close(actor=self.request.user, campaign=campaign)
        return _("Đã kết thúc đợt rà soát.")


class CampaignCancelView(_CampaignActionView):
    def perform(self, campaign, **kwargs) -> str:
        services.campaign_cancel(actor=self.request.user, campaign=campaign, reason=self.request.POST.get("reason", ""))
        return _("Đã hủy đợt rà soát.")


class SteeringMemberAddView(_CampaignActionView):
    def perform(self, campaign, **kwargs) -> str:
        data = self.form_or_refuse(
            SteeringMemberForm(self.request.POST, units=_unit_queryset(_managed_units(self.request.user, campaign)))
        )
        member = services.steering_member_add(actor=self.request.user, campaign=campaign, **data)
        return _("Đã thêm %(name)s vào Ban Chỉ đạo.") % {"name": member.full_name}


class SteeringMemberRemoveView(_CampaignActionView):
    def perform(self, campaign, member_pk=None, **kwargs) -> str:
        member = campaign.steering_members.select_related("unit").filter(pk=member_pk).first()
        if member is None:
            raise Http404
        services.steering_member_remove(actor=self.request.user, member=member)
        return _("%(name)s đã thôi tham gia Ban Chỉ đạo.") % {"name": member.full_name}


class AssignmentAddView(_CampaignActionView):
    def perform(self, campaign, **kwargs) -> str:
        villages = selectors.villages_of(campaign, user=self.request.user)
        data = self.form_or_refuse(AssignmentForm(self.request.POST, villages=villages))
        assignment = services.assignment_add(actor=self.request.user, campaign=campaign, **data)
        return _("Đã phân công %(name)s tại %(village)s.") % {
            "name": assignment.person_name, "village": assignment.village.name,
        }  # fmt: skip


class AssignmentEndView(_CampaignActionView):
    def perform(self, campaign, assignment_pk=None, **kwargs) -> str:
        assignment = campaign.assignments.select_related("village").filter(pk=assignment_pk).first()
        if assignment is None:
            raise Http404
        services.assignment_end(actor=self.request.user, assignment=assignment)
        return _("Đã kết thúc phân công của %(name)s.") % {"name": assignment.person_name}


class TrainingAddView(_CampaignActionView):
    def perform(self, campaign, **kwargs) -> str:
        form = TrainingForm(self.request.POST, units=_unit_queryset(_managed_units(self.request.user, campaign)))
        data = self.form_or_refuse(form)
        session = services.training_record(
            actor=self.request.user, campaign=campaign, unit=data["unit"], held_on=data["held_on"],
            topic=data["topic"], place=data["place"], attendees=form.attendee_list(),
        )  # fmt: skip
        return _("Đã ghi buổi tập huấn ngày %(day)s (%(n)s người).") % {
            "day": session.held_on.strftime("%d/%m/%Y"), "n": len(session.attendees),
        }  # fmt: skip


class MilestoneBoardView(AreaPermissionRequiredMixin, TemplateView):
    """Rows = units, columns = milestones; each cell a state with its text (not colour only)."""

    permission_required = VIEW_PERM
    template_name = "reviews/milestone_board.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign = selectors.campaign_get_visible(user=self.request.user, pk=self.kwargs["pk"])
        board = selectors.milestone_board(user=self.request.user, campaign=campaign, today=timezone.localdate())
        labels = {s.value: s.label for s in MilestoneState}
        for row in board.rows:
            for cell in row.cells:
                cell.label = labels.get(cell.state, "")
                cell.badge = STATE_BADGES.get(cell.state, "")
        context.update(
            page_title=_("Bảng theo dõi mốc: %(name)s") % {"name": campaign.name}, campaign=campaign, board=board,
            totals=_totals(board.totals),
        )  # fmt: skip
        return context


class MilestoneCompleteView(_CampaignActionView):
    permission_required = COMPLETE_PERM
    back_to = "reviews:milestone_board"

    def perform(self, campaign, milestone_pk=None, **kwargs) -> str:
        milestone = campaign.milestones.filter(pk=milestone_pk).first()
        if milestone is None:
            raise Http404
        units = AdminUnit.objects.filter(pk__in=[campaign.unit_id, *campaign.covered.values_list("unit_id", flat=True)])
        data = self.form_or_refuse(CompletionForm(self.request.POST, units=units))
        completion = services.milestone_complete(
            actor=self.request.user, milestone=milestone, unit=data["unit"], done_on=data["done_on"],
            note=data["note"],
        )  # fmt: skip
        late = _(" (trễ hạn)") if completion.late else ""
        return _("%(unit)s: đã ghi hoàn thành “%(m)s”%(late)s.") % {
            "unit": completion.unit.name, "m": milestone.title, "late": late,
        }  # fmt: skip
