"""Household pages: list, detail, register with members, edit, members, change of head, full CCCD.

Thin: parse the form, fetch through a selector (404 whether missing or out of area), call one
service, redirect with a message. Service refusals come back onto the form fields they name.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import FormView

from ansinh.core.exceptions import ApplicationError
from ansinh.core.templatetags.ansinh_forms import refused_fields
from ansinh.core.views import AreaPermissionRequiredMixin, ScopedDetailView, ScopedListView
from ansinh.geo.selectors import area_units_ended

from . import selectors, services
from .choices import MemberStatus, MoveStatus, Relation
from .filters import HouseholdFilterSet
from .forms_households import (
    ChangeHeadForm,
    HouseholdCreateForm,
    HouseholdEditForm,
    MemberForm,
    MemberFormSet,
    RevealForm,
)
from .identity import mask_id_number, normalise_id_number
from .models import Household
from .panels import household_panels
from .services_identity import member_identity_reveal
from .services_life import of_marriage_age
from .tables import HouseholdTable, history_entries

VIEW_PERM = selectors.VIEW_PERM
MANAGE_PERM = selectors.MANAGE_PERM
FULL_IDENTITY_PERM = selectors.FULL_IDENTITY_PERM


# -- mapping service refusals onto forms --------------------------------------------------------


def _add_form_errors(form, exc: Exception, *, member_forms: list | None = None) -> None:
    """Put a service refusal on the field it names: ``members.<i>.<field>`` goes to member row i.

    `member_forms` are the member forms in the order their data was given to the service.
    """
    member_forms = member_forms or []
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for key, errors in exc.message_dict.items():
            if key.startswith("members.") and key.count(".") == 2:
                _prefix, index, name = key.split(".")
                if index.isdigit() and int(index) < len(member_forms):
                    target = member_forms[int(index)]
                    target.add_error(name if name in target.fields else None, errors)
                    continue
            if key == "ethnicity" and member_forms and "ethnicity" not in form.fields:
                member_forms[0].add_error("ethnicity", errors)
                continue
            form.add_error(key if key in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    elif isinstance(exc, ApplicationError):
        field = (exc.details or {}).get("field")  # a code in use goes next to the code
        form.add_error(field if field in form.fields else None, exc.message)
        if exc.code == "id_duplicate":
            _ask_duplicate_reason(member_forms or [form])
    else:
        form.add_error(None, str(exc) or _("Vai trò của bạn không có quyền này."))


def _ask_duplicate_reason(member_forms: list) -> None:
    """Show "lý do xác nhận" on the rows whose CCCD is already held (or repeated within the form)."""
    numbers = [normalise_id_number(f.cleaned_data.get("id_number", "")) if f.is_bound else "" for f in member_forms]
    marked = False
    for form, number in zip(member_forms, numbers, strict=True):
        if not number:
            continue
        taken = numbers.count(number) > 1 or services.identity_conflicts(number).exists()
        if taken:
            form.show_duplicate_reason = True
            marked = True
            if not form.cleaned_data.get("id_duplicate_reason"):
                form.add_error("id_duplicate_reason", _("Hãy ghi lý do nếu đúng là nhập trùng số CCCD này."))
    if not marked:  # the conflict came from elsewhere: let the officer confirm on every numbered row
        for form, number in zip(member_forms, numbers, strict=True):
            if number:
                form.show_duplicate_reason = True


def _relation_choices(form: MemberForm, *, head: bool) -> None:
    """A head stays head (change of head has its own page); others cannot be made head here."""
    choices = [("", "—"), *Relation.choices]
    form.fields["relation"].choices = (
        [(Relation.HEAD.value, Relation.HEAD.label)] if head else [c for c in choices if c[0] != Relation.HEAD]
    )


# -- list and detail ----------------------------------------------------------------------------


class HouseholdListView(ScopedListView):
    model = Household
    permission_required = VIEW_PERM
    table_class = HouseholdTable
    filterset_class = HouseholdFilterSet
    template_name = "registry/household_list.html"
    paginate_by = 50

    def get_queryset(self):
        queryset = selectors.households_visible_to(user=self.request.user).order_by("head_sort_key", "code", "pk")
        return queryset.only(*HouseholdTable.columns_read)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = _("Hộ gia đình")
        user = self.request.user
        context["can_create"] = user.has_perm(MANAGE_PERM)
        context["can_import"] = user.has_perm("registry.import_household")
        context["can_export"] = user.has_perm("registry.export_household")
        context["can_review_duplicates"] = user.has_perm("registry.view_duplicatepair")
        # A legacy-only area (e.g. a district abolished on 30/6/2025) holds old records at most: say so.
        context["ended_areas"] = area_units_ended(user=user, perm=VIEW_PERM)
        # The export takes the list's filters; only the page number and sort are the list's own.
        query = self.request.GET.copy()
        for key in ("page", "sort", "format"):
            query.pop(key, None)
        context["export_query"] = query.urlencode()
        query["format"] = "csv"
        context["export_query_csv"] = query.urlencode()
        return context


class HouseholdDetailView(ScopedDetailView):
    model = Household
    permission_required = VIEW_PERM
    template_name = "registry/household_detail.html"
    context_object_name = "household"

    def get_object(self, queryset=None):
        return selectors.household_get_visible(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, household = self.request.user, self.object
        can_see_full_id = user.has_perm(FULL_IDENTITY_PERM, household)
        members = list(selectors.household_members(household=household))
        today = timezone.localdate()
        moves = selectors.household_moves_for(user=user, household=household)
        for m in members:
            m.masked_id = mask_id_number(m.id_number)
            m.is_head = m.pk == household.head_id
            # Leaving to marry is offered only from the legal age on (the service refuses it too).
            m.may_leave_by_marriage = not m.is_head and of_marriage_age(
                sex=m.sex, birth_date=m.birth_date, birth_year=m.birth_year, on=today
            )
        context.update(
            page_title=str(household),
            members=members,
            present_count=sum(1 for m in members if m.status == MemberStatus.PRESENT),
            can_manage=user.has_perm(MANAGE_PERM, household),
            can_see_full_id=can_see_full_id,
            head_masked_id=mask_id_number(household.head.id_number) if household.head else "",
            history=history_entries(
                selectors.household_history(household=household)[:200],
                can_see_full_id=can_see_full_id,
                user=user,
                household=household,
            ),
            # Sections of higher apps (the poverty class, …), registered in their AppConfig.ready.
            panels=household_panels(request=self.request, household=household),
            programmes=selectors.household_programmes(household=household),
            reveal_form=RevealForm(),
            moves=moves,
            # One open request at a time: while it waits, the page links to it instead of a new one.
            open_move=next((move for move in moves if move.status == MoveStatus.REQUESTED), None),
        )
        return context


# -- register a household with its members ------------------------------------------------------


class HouseholdCreateView(AreaPermissionRequiredMixin, View):
    """The household's facts and its members on one page; one `household_register` call."""

    permission_required = MANAGE_PERM
    template_name = "registry/household_form.html"

    def _communes(self):
        return selectors.communes_manageable_by(user=self.request.user)

    def _forms(self, data=None):
        communes = self._communes()
        form = HouseholdCreateForm(data, communes=communes, villages=selectors.villages_of(communes=communes))
        formset = MemberFormSet(data, prefix="members", initial=[{"relation": Relation.HEAD}])
        return form, formset

    def _render(self, form, formset, status=200):
        return render(
            self.request,
            self.template_name,
            {
                "form": form,
                "formset": formset,
                "page_title": _("Đăng ký hộ mới"),
                "is_create": True,
                "cancel_url": _list_url(),
                "field_errors": refused_fields(form) + refused_fields(formset),  # the summary line
            },
            status=status,
        )

    def get(self, request):
        form, formset = self._forms()
        return self._render(form, formset)

    def post(self, request):
        if "add_member_row" in request.POST:
            # No JavaScript needed: one more blank row, everything typed so far kept.
            data = request.POST.copy()
            total = int(data.get("members-TOTAL_FORMS") or 0)
            data["members-TOTAL_FORMS"] = str(min(total + 1, MemberFormSet.max_num))
            form, formset = self._forms(data)
            return self._render(_unvalidated(form), _unvalidated(formset))
        form, formset = self._forms(request.POST)
        if form.is_valid() & formset.is_valid():
            rows = formset.members()
            member_forms = [f for f, _data in rows]
            try:
                household = services.household_register(
                    actor=request.user,
                    commune=form.cleaned_data["commune"],
                    data=form.household_data(),
                    members=[data for _form, data in rows],
                )
            except (ApplicationError, ValidationError, PermissionDenied) as exc:
                _add_form_errors(form, exc, member_forms=member_forms)
            else:
                messages.success(request, _("Đã đăng ký hộ %(code)s.") % {"code": household.code})
                return HttpResponseRedirect(household.get_absolute_url())
        else:
            _add_rule_refusals(form, formset)
        return self._render(form, formset)


def _add_rule_refusals(form, formset) -> None:
    """The registry's rules on what the form's own field checks accepted, so that one submit shows
    every refusal (a negative area no longer hides a member's future birth date; decision 0036,
    addendum). A member row the form refused gets only the rules that do not read a refused field
    (`add_member_rule_refusals`: no "birth year missing" for an unreadable birth date), and the head
    count is said only when every row's relation was read. Nothing is written."""
    commune = form.cleaned_data.get("commune") if hasattr(form, "cleaned_data") else None
    if commune is None:
        return  # the rules are the commune's
    member_forms = [f for f in formset.forms if f.has_changed()]
    refusals = services.household_register_refusals(
        commune=commune, data=form.household_data(), members=[f.member_data() for f in member_forms]
    )
    refused_rows = [f for f in member_forms if f.errors]
    rows_refused = bool(refused_rows or formset.non_form_errors())

    def said_already(key: str) -> bool:
        if key.startswith("members."):
            index = key.split(".")[1]
            return index.isdigit() and int(index) < len(member_forms) and bool(member_forms[int(index)].errors)
        if key == "members":
            return rows_refused
        return key in form.fields and form.has_error(key)

    kept = {key: messages_ for key, messages_ in refusals.items() if not said_already(key)}
    if kept:
        _add_form_errors(form, ValidationError(kept), member_forms=member_forms)
    for row in refused_rows:
        add_member_rule_refusals(row)  # the rules that do not read what the form refused


def _unvalidated(form_or_formset):
    """Show a bound form without its errors (after "add a row", nothing was submitted yet)."""
    form_or_formset._errors = {} if hasattr(form_or_formset, "fields") else []
    if hasattr(form_or_formset, "forms"):
        form_or_formset._non_form_errors = form_or_formset.error_class()
        for form in form_or_formset.forms:
            form._errors = {}
    return form_or_formset


def _list_url() -> str:
    return reverse("registry:household_list")


# -- forms acting on one household or member ----------------------------------------------------


class _HouseholdFormView(AreaPermissionRequiredMixin, FormView):
    """A form on one household the user may manage (404 otherwise); the service checks the rest."""

    permission_required = MANAGE_PERM
    title = ""

    def get_household(self) -> Household:
        return selectors.household_get_visible(user=self.request.user, pk=self.kwargs["pk"], perm=MANAGE_PERM)

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            self.household = self.get_household()
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(household=self.household, page_title=self.title, cancel_url=self.get_success_url())
        return context

    def form_valid(self, form):
        try:
            message = self.perform(form)
        except (ApplicationError, ValidationError, PermissionDenied) as exc:
            _add_form_errors(form, exc, member_forms=[form] if isinstance(form, MemberForm) else None)
            form.refused_by_service = True
            return self.form_invalid(form)
        messages.success(self.request, message)
        return HttpResponseRedirect(self.get_success_url())

    def get_success_url(self) -> str:
        return self.household.get_absolute_url()

    def perform(self, form) -> str:  # pragma: no cover - each subclass defines it
        raise NotImplementedError


class HouseholdEditView(_HouseholdFormView):
    form_class = HouseholdEditForm
    template_name = "registry/household_form.html"
    title = gettext_lazy("Sửa thông tin hộ")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["villages"] = selectors.villages_of(communes=[self.household.commune])
        return kwargs

    def get_initial(self):
        return HouseholdEditForm.initial_from(self.household)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        return {**context, "field_errors": refused_fields(context["form"])}

    def form_invalid(self, form):
        if not getattr(form, "refused_by_service", False):
            # The form's field checks refused something: the registry's rules on the rest, as on the
            # registration page (decision 0036, addendum).
            refusals = services.household_update_refusals(household=self.household, data=form.household_data())
            kept = {key: messages_ for key, messages_ in refusals.items() if not form.has_error(key)}
            if kept:
                _add_form_errors(form, ValidationError(kept))
        return super().form_invalid(form)

    def perform(self, form) -> str:
        household = services.household_update(
            actor=self.request.user,
            household=self.household,
            expected_version=form.cleaned_data["version"],
            data=form.household_data(),
        )
        return _("Đã lưu thông tin hộ %(code)s.") % {"code": household.code}


def add_member_rule_refusals(form: MemberForm) -> None:
    """The registry's member rules (`services.member_rules`: name, dates, birth year, CCCD against sex and
    birth, ethnicity) on what a member form's own field checks accepted, when they refused something:
    one submit shows every refusal (decision 0036, addendum). A rule that reads a refused field is not
    run on a guess: without a readable birth date or sex, neither the birth year nor the CCCD is judged."""
    refused = {name for name in form.errors if name != NON_FIELD_ERRORS}
    if not refused:
        return
    depends = {"birth_year": {"birth_date"}, "id_number": {"sex", "birth_date", "birth_year"}}
    rules = services.member_rules(form.member_data(), today=timezone.localdate())
    for name, messages_ in rules.errors.items():
        if name in refused or depends.get(name, set()) & refused or name not in form.fields:
            continue
        form.add_error(name, messages_)


class _MemberFormView(_HouseholdFormView):
    def form_invalid(self, form):
        if not getattr(form, "refused_by_service", False):
            add_member_rule_refusals(form)
        return super().form_invalid(form)


class MemberCreateView(_MemberFormView):
    form_class = MemberForm
    template_name = "registry/member_form.html"
    title = gettext_lazy("Thêm thành viên")

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        _relation_choices(form, head=False)
        return form

    def perform(self, form) -> str:
        member = services.member_add(actor=self.request.user, household=self.household, data=form.member_data())
        return _("Đã thêm %(name)s vào hộ.") % {"name": member.full_name}


class MemberEditView(_MemberFormView):
    form_class = MemberForm
    template_name = "registry/member_form.html"
    title = gettext_lazy("Sửa thông tin thành viên")

    def get_household(self) -> Household:
        self.member = selectors.member_get_visible(user=self.request.user, pk=self.kwargs["pk"], perm=MANAGE_PERM)
        return self.member.household

    def get_initial(self):
        return MemberForm.initial_from(self.member)

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        _relation_choices(form, head=self.household.head_id == self.member.pk)
        return form

    def get_context_data(self, **kwargs):
        return {**super().get_context_data(**kwargs), "member": self.member}

    def perform(self, form) -> str:
        # Death is recorded by its own life-event page; an edit keeps the recorded date.
        member = services.member_update(
            actor=self.request.user, member=self.member, data=form.member_data(death_date=self.member.death_date)
        )
        return _("Đã lưu thông tin %(name)s.") % {"name": member.full_name}


class HouseholdChangeHeadView(_HouseholdFormView):
    form_class = ChangeHeadForm
    template_name = "registry/household_head_form.html"
    title = gettext_lazy("Đổi chủ hộ")

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["candidates"] = self.household.members.filter(status=MemberStatus.PRESENT).exclude(
            pk=self.household.head_id
        )
        return kwargs

    def perform(self, form) -> str:
        household = services.household_change_head(
            actor=self.request.user,
            household=self.household,
            new_head=form.cleaned_data["new_head"],
            old_head_relation=form.cleaned_data["old_head_relation"],
        )
        return _("Chủ hộ mới: %(name)s.") % {"name": household.head_name}


# -- full identity number -----------------------------------------------------------------------


class MemberRevealIdView(AreaPermissionRequiredMixin, View):
    """POST only: shows one member's full CCCD and records that this user looked at it."""

    permission_required = FULL_IDENTITY_PERM
    http_method_names = ["post"]

    def post(self, request, pk):
        member = selectors.member_get_visible(user=request.user, pk=pk)
        try:
            number = member_identity_reveal(actor=request.user, member=member)
        except ApplicationError as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(member.household.get_absolute_url())
        template = (
            "registry/member_id_full.html" if request.headers.get("HX-Request") else "registry/member_reveal_id.html"
        )
        response = render(
            request,
            template,
            {"member": member, "household": member.household, "id_number": number, "page_title": _("Số CCCD")},
        )
        response["Cache-Control"] = "no-store"  # the full number must not stay in a browser or proxy cache
        return response
