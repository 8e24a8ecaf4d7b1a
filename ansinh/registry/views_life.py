"""Pages of life events and moves. Thin: fetch in the user's area (404 otherwise), one service, redirect."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import DetailView, FormView, ListView

from ansinh.core.exceptions import ApplicationError
from ansinh.core.htmx import swapped_block, vary_on_swap
from ansinh.core.views import AreaPermissionRequiredMixin, get_visible_object_or_404

from . import forms_life as forms
from . import services_life as services
from .choices import HouseholdStatus, MoveStatus
from .models import Household, HouseholdMove, Member
from .selectors import VIEW_MOVE_PERM, moves_visible_to, moves_with_places
from .services import MANAGE_PERM


def household_url(household: Household) -> str:
    """The household page; its route belongs to the households area of the registry.

    Until that route is mounted the same path is built by hand, so a life event recorded meanwhile
    still lands on the address the page will have (``households/<pk>/``).
    """
    try:
        return household.get_absolute_url()
    except NoReverseMatch:
        return f"/households/{household.pk}/"


def _add_errors(form, exc: Exception) -> None:
    """Service refusals shown on the form, on the field the service named when the form has it."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    elif isinstance(exc, ApplicationError):
        name = exc.details.get("field")
        form.add_error(name if name in form.fields else None, exc.message)
    else:
        form.add_error(None, str(exc) or _("Vai trò của bạn không có quyền này."))


class _LifeFormView(AreaPermissionRequiredMixin, FormView):
    """A form about one object in the user's area; the service decides, refusals stay on the form."""

    permission_required = MANAGE_PERM
    template_name = "registry/life_form.html"
    title = ""
    submit_label = gettext_lazy("Ghi nhận")
    submit_class = "btn-primary"
    confirm = ""

    def get_object(self):  # pragma: no cover - each subclass defines it
        raise NotImplementedError

    def dispatch(self, request, *args, **kwargs):
        # The role check comes first (403), then the object (404 when out of area), as everywhere.
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            self.object = self.get_object()
        return super().dispatch(request, *args, **kwargs)

    def household(self) -> Household:
        return self.object if isinstance(self.object, Household) else self.object.household

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            object=self.object, household=self.household(), household_url=household_url(self.household()),
            page_title=self.title, submit_label=self.submit_label, submit_class=self.submit_class,
            confirm=self.confirm,
        )  # fmt: skip
        return context

    def form_valid(self, form):
        try:
            message, target = self.perform(form)
        except (ApplicationError, ValidationError, PermissionDenied) as exc:
            _add_errors(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, message)
        return redirect(target)


class _HouseholdFormView(_LifeFormView):
    def get_object(self) -> Household:
        return get_visible_object_or_404(
            Household.objects.select_related("commune", "village"), self.request.user, perm=MANAGE_PERM,
            pk=self.kwargs["pk"],
        )  # fmt: skip

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "household": self.object}


class _MemberFormView(_LifeFormView):
    def get_object(self) -> Member:
        return get_visible_object_or_404(
            Member.objects.select_related("household"), self.request.user, perm=MANAGE_PERM, pk=self.kwargs["pk"]
        )

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "member": self.object}


class MemberBirthView(_LifeFormView):
    form_class = forms.BirthForm
    title = gettext_lazy("Khai sinh thành viên mới")
    get_object = _HouseholdFormView.get_object

    def perform(self, form):
        person = services.member_birth_record(actor=self.request.user, household=self.object, data=form.member_data())
        return _("Đã ghi khai sinh %(name)s.") % {"name": person.full_name}, household_url(self.object)


class MemberDeathView(_MemberFormView):
    form_class = forms.DeathForm
    title = gettext_lazy("Ghi nhận thành viên mất")
    submit_class = "btn-danger"

    def perform(self, form):
        data = form.cleaned_data
        person = services.member_death_record(
            actor=self.request.user, member=self.object, death_date=data["death_date"],
            new_head=data.get("new_head"), old_head_relation=data.get("old_head_relation") or "",
        )  # fmt: skip
        return _("Đã ghi nhận %(name)s mất.") % {"name": person.full_name}, household_url(self.object.household)


class MemberJoinMarriageView(_LifeFormView):
    form_class = forms.JoinMarriageForm
    title = gettext_lazy("Nhập hộ do kết hôn")
    get_object = _HouseholdFormView.get_object

    def perform(self, form):
        data = form.cleaned_data
        kwargs = {"actor": self.request.user, "household": self.object, "date": data["date"]}
        if data.get("existing_member"):
            # Someone outside the user's area is "not found", exactly like a missing number.
            try:
                existing = get_visible_object_or_404(
                    Member, self.request.user, perm=MANAGE_PERM, pk=data["existing_member"]
                )
            except Http404 as exc:
                raise ValidationError(
                    {"existing_member": _("Không tìm thấy thành viên này trên địa bàn của bạn.")}
                ) from exc
            person = services.member_join_by_marriage(**kwargs, member=existing, relation=data["relation"])
        else:
            person = services.member_join_by_marriage(**kwargs, data=form.member_data())
        return _("Đã nhập %(name)s vào hộ.") % {"name": person.full_name}, household_url(self.object)


class MemberLeaveMarriageView(_MemberFormView):
    form_class = forms.LeaveMarriageForm
    title = gettext_lazy("Rời hộ do kết hôn")

    def perform(self, form):
        data = form.cleaned_data
        person = services.member_leave_by_marriage(
            actor=self.request.user, member=self.object, date=data["date"], note=data["note"],
            new_head=data.get("new_head"), old_head_relation=data.get("old_head_relation") or "",
        )  # fmt: skip
        return _("Đã ghi nhận %(name)s rời hộ.") % {"name": person.full_name}, household_url(self.object.household)


class HouseholdSplitView(_HouseholdFormView):
    form_class = forms.SplitForm
    title = gettext_lazy("Tách hộ")

    def perform(self, form):
        data = form.cleaned_data
        new = services.household_split(
            actor=self.request.user, household=self.object, members=list(data["members"]), new_code=data["new_code"],
            new_head=data["new_head"], relations=form.relations(), village=data["village"],
        )  # fmt: skip
        return _("Đã tách hộ mới %(code)s.") % {"code": new.code}, household_url(new)


class HouseholdMergeView(_HouseholdFormView):
    form_class = forms.MergeForm
    title = gettext_lazy("Nhập hộ vào hộ khác")
    confirm = gettext_lazy("Mọi thành viên sẽ chuyển sang hộ kia và hộ này thôi quản lý. Tiếp tục?")

    def perform(self, form):
        code = form.cleaned_data["target_code"].strip()
        target = (
            Household.objects.visible_to(self.request.user, perm=MANAGE_PERM)
            .filter(commune=self.object.commune, code=code, status=HouseholdStatus.ACTIVE)
            .first()
        )
        if target is None:
            raise ValidationError({"target_code": _("Không có hộ mã %(code)s đang quản lý trong xã.") % {"code": code}})
        services.household_merge(actor=self.request.user, source=self.object, target=target, relations=form.relations())
        return _("Đã nhập hộ %(source)s vào hộ %(target)s.") % {
            "source": self.object.code,
            "target": target.code,
        }, household_url(target)


class HouseholdVillageChangeView(_HouseholdFormView):
    form_class = forms.VillageChangeForm
    title = gettext_lazy("Chuyển thôn trong xã")

    def perform(self, form):
        data = form.cleaned_data
        household = services.household_village_change(
            actor=self.request.user, household=self.object, village=data["village"], expected_version=data["version"]
        )
        return _("Đã chuyển hộ sang %(village)s.") % {"village": data["village"].name}, household_url(household)


@vary_on_swap
class MoveRequestView(_HouseholdFormView):
    """The province first, then one of its communes (`forms_life.MoveRequestForm`). Changing the province
    fetches this page for it and swaps in the commune block (htmx), which the page answers with that
    block alone (`core.htmx.swapped_block`); the household was fetched in the reader's area first."""

    form_class = forms.MoveRequestForm
    template_name = "registry/move_request_form.html"
    title = gettext_lazy("Đề nghị chuyển hộ đến xã khác")
    submit_label = gettext_lazy("Gửi đề nghị")
    commune_block = "move-commune"

    def get(self, request, *args, **kwargs):
        if swapped_block(request, self.commune_block):
            return render(request, "registry/_move_commune.html", {"form": self.get_form()})
        return super().get(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "province_id": self.request.GET.get("to_province")}

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        # Changing the province fetches this page for it and swaps in its commune list (the template).
        block = f"#{self.commune_block}"
        form.fields["to_province"].widget.attrs.update({
            "hx-get": self.request.path, "hx-trigger": "change", "hx-target": block, "hx-select": block,
            "hx-swap": "outerHTML",
        })  # fmt: skip
        return form

    def perform(self, form):
        data = form.cleaned_data
        move = services.household_move_request(
            actor=self.request.user, household=self.object, to_commune=data["to_commune"],
            move_date=data["move_date"], reason=data["reason"],
        )  # fmt: skip
        return _("Đã gửi đề nghị chuyển hộ đến %(commune)s.") % {"commune": move.to_commune.name}, reverse(
            "registry:move_detail", kwargs={"pk": move.pk}
        )


class _MoveFormView(_LifeFormView):
    def get_object(self) -> HouseholdMove:
        return get_visible_object_or_404(
            HouseholdMove.objects.select_related("household", "from_commune", "to_commune", "to_village"),
            self.request.user, perm=MANAGE_PERM, pk=self.kwargs["pk"],
        )  # fmt: skip

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["move"] = moves_with_places([self.object])[0]
        # The receiving commune may not see the household yet: back to the request, not its page.
        context["back_url"] = self.move_url()
        return context

    def move_url(self) -> str:
        return reverse("registry:move_detail", kwargs={"pk": self.object.pk})


class MoveAcceptView(_MoveFormView):
    form_class = forms.MoveAcceptForm
    title = gettext_lazy("Tiếp nhận hộ chuyển đến")
    submit_label = gettext_lazy("Tiếp nhận")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "to_commune": self.object.to_commune}

    def get_initial(self):
        return {"village": self.object.to_village_id}

    def perform(self, form):
        data = form.cleaned_data
        move = services.household_move_accept(
            actor=self.request.user, move=self.object, new_code=data["new_code"], village=data["village"]
        )
        return _("Đã tiếp nhận hộ, mã hộ mới %(code)s.") % {"code": move.new_household.code}, household_url(
            move.new_household
        )


class MoveRefuseView(_MoveFormView):
    form_class = forms.MoveRefuseForm
    title = gettext_lazy("Từ chối tiếp nhận hộ")
    submit_label = gettext_lazy("Từ chối")

    def perform(self, form):
        services.household_move_refuse(actor=self.request.user, move=self.object, note=form.cleaned_data["note"])
        return _("Đã từ chối tiếp nhận hộ."), self.move_url()


class MoveCancelView(_MoveFormView):
    form_class = forms.MoveCancelForm
    title = gettext_lazy("Hủy đề nghị chuyển hộ")
    submit_label = gettext_lazy("Hủy đề nghị")

    def perform(self, form):
        services.household_move_cancel(actor=self.request.user, move=self.object, note=form.cleaned_data["note"])
        return _("Đã hủy đề nghị chuyển hộ."), self.move_url()


class MoveListView(AreaPermissionRequiredMixin, ListView):
    """Moves into and out of the user's area: ``?direction=in`` (to receive) or ``out`` (sent)."""

    permission_required = VIEW_MOVE_PERM
    template_name = "registry/move_list.html"
    paginate_by = 50

    def direction(self) -> str:
        return "out" if self.request.GET.get("direction") == "out" else "in"

    def get_queryset(self):
        moves = moves_visible_to(
            user=self.request.user, direction=self.direction(), status=self.request.GET.get("status", "")
        )
        return moves.select_related("household", "from_commune", "to_commune", "to_village")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(
            **kwargs, direction=self.direction(), statuses=MoveStatus.choices, status=self.request.GET.get("status", "")
        )
        context["object_list"] = moves_with_places(list(context["object_list"]))
        return context


class MoveDetailView(AreaPermissionRequiredMixin, DetailView):
    permission_required = VIEW_MOVE_PERM
    template_name = "registry/move_detail.html"
    context_object_name = "move"

    def get_object(self, queryset=None):
        return get_visible_object_or_404(
            HouseholdMove.objects.select_related(
                "household", "from_commune", "to_commune", "to_village", "new_household", "requested_by", "decided_by"
            ),
            self.request.user, perm=VIEW_MOVE_PERM, pk=self.kwargs["pk"],
        )  # fmt: skip

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        move, user = self.object, self.request.user
        moves_with_places([move])
        is_open = move.status == MoveStatus.REQUESTED
        # Buttons only for who may act: the receiving commune decides, the sending one may withdraw.
        context.update(
            can_decide=is_open and user.has_perm(MANAGE_PERM, move.to_village or move.to_commune),
            can_cancel=is_open and user.has_perm(MANAGE_PERM, move.household),
            household_url=household_url(move.household),
            new_household_url=household_url(move.new_household) if move.new_household_id else "",
        )  # fmt: skip
        return context
