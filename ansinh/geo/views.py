"""Pages of administrative units and villages. Thin: parse, fetch through a selector, call one service."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import FormView
from django_tables2 import RequestConfig

from ansinh.core.exceptions import ApplicationError
from ansinh.core.views import AreaPermissionRequiredMixin, ScopedDetailView, ScopedListView

from . import selectors, services
from .choices import Level
from .filters import UnitFilterSet
from .forms import AreaTypeForm, VillageForm, VillageImportForm
from .models import AdminUnit
from .tables import ChildTable, UnitTable

VIEW_PERM = selectors.VIEW_PERM


def _add_errors(form, exc: Exception) -> None:
    """Service refusals shown on the form, field by field where the service named the field."""
    if isinstance(exc, ValidationError) and hasattr(exc, "error_dict"):
        for field_name, errors in exc.message_dict.items():
            form.add_error(field_name if field_name in form.fields else None, errors)
    elif isinstance(exc, ValidationError):
        form.add_error(None, exc.messages)
    elif isinstance(exc, ApplicationError):
        field_name = exc.details.get("field")
        form.add_error(field_name if field_name in form.fields else None, exc.message)
    else:
        form.add_error(None, str(exc) or _("Vai trò của bạn không có quyền này."))


class UnitListView(ScopedListView):
    model = AdminUnit
    permission_required = VIEW_PERM
    table_class = UnitTable
    filterset_class = UnitFilterSet
    template_name = "geo/unit_list.html"
    paginate_by = 50

    def get_queryset(self):
        return selectors.unit_list_visible_to(user=self.request.user, filters={})

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["page_title"] = _("Đơn vị hành chính")
        return context


class UnitDetailView(ScopedDetailView):
    model = AdminUnit
    permission_required = VIEW_PERM
    template_name = "geo/unit_detail.html"
    context_object_name = "unit"

    def get_object(self, queryset=None):
        return selectors.unit_get_visible(user=self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user, unit = self.request.user, self.object
        ancestors = unit.ancestors()
        children = list(selectors.unit_children(user=user, unit=unit))
        predecessors = list(selectors.unit_predecessors(unit=unit))
        successors = list(selectors.unit_successors(unit=unit))
        reported_under = selectors.unit_successor(unit=unit)
        linkable = selectors.unit_ids_visible_to(
            user=user,
            ids=[a.pk for a in ancestors]
            + [s.predecessor_id for s in predecessors]
            + [s.successor_id for s in successors]
            + [reported_under.pk if reported_under else None],
        )
        is_commune = unit.level == Level.COMMUNE
        # An abolished commune keeps its villages (they can still be corrected) but takes no new one
        # and no new area type (services.check_unit_in_force).
        in_force = services.unit_in_force(unit)
        non_villages = [c for c in children if c.level != Level.VILLAGE]
        child_table = ChildTable(non_villages) if non_villages else None
        if child_table is not None:
            RequestConfig(self.request, paginate=False).configure(child_table)
        context.update(
            ancestors=ancestors,
            child_table=child_table,
            villages=[c for c in children if c.level == Level.VILLAGE],
            predecessors=predecessors,
            successors=successors,
            reported_under=reported_under,
            linkable=linkable,
            is_commune=is_commune,
            can_manage_villages=is_commune and user.has_perm(services.MANAGE_VILLAGE_PERM, unit),
            can_add_villages=is_commune and in_force and user.has_perm(services.MANAGE_VILLAGE_PERM, unit),
            can_set_area_type=is_commune and in_force and user.has_perm(services.SET_AREA_TYPE_PERM, unit),
        )
        return context


def _form_page_context(user, unit: AdminUnit) -> dict:
    """Breadcrumb (the unit's ancestors and the unit) and the page to go back to (a village's commune)."""
    crumbs = [*unit.ancestors(), unit]
    return {
        "crumbs": crumbs,
        "linkable": selectors.unit_ids_visible_to(user=user, ids=[u.pk for u in crumbs]),
        "back": unit.parent if unit.level == Level.VILLAGE else unit,
    }


class _UnitFormView(AreaPermissionRequiredMixin, FormView):
    """A form acting on one unit the user can see (404 otherwise); the service checks the action."""

    title = ""
    in_force_only = False  # adds to the unit: a unit no longer in force sends back to its page

    def get_unit(self) -> AdminUnit:
        return selectors.unit_get_visible(user=self.request.user, pk=self.kwargs["pk"])

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and request.user.has_perm(self.permission_required):
            self.unit = self.get_unit()
            if self.in_force_only:
                try:
                    services.check_unit_in_force(self.unit)
                except ApplicationError as exc:
                    messages.error(request, exc.message)
                    return redirect(self.unit.get_absolute_url())
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(unit=self.unit, page_title=self.title, **_form_page_context(self.request.user, self.unit))
        return context

    def form_valid(self, form):
        try:
            message = self.perform(form.cleaned_data)
        except (ApplicationError, ValidationError, PermissionDenied) as exc:
            _add_errors(form, exc)
            return self.form_invalid(form)
        if isinstance(message, str):
            messages.success(self.request, message)
            return redirect(self.get_success_url())
        return message

    def get_success_url(self) -> str:
        target = self.unit.parent if self.unit.level == Level.VILLAGE else self.unit
        return target.get_absolute_url()

    def perform(self, data: dict):  # pragma: no cover - each subclass defines it
        raise NotImplementedError


class VillageCreateView(_UnitFormView):
    permission_required = services.MANAGE_VILLAGE_PERM
    form_class = VillageForm
    template_name = "geo/village_form.html"
    title = gettext_lazy("Thêm thôn/tổ dân phố")
    in_force_only = True

    def perform(self, data: dict) -> str:
        village = services.village_create(
            actor=self.request.user,
            commune=self.unit,
            code=data["code"],
            name=data["name"],
            unit_type=data["unit_type"],
        )
        return _("Đã thêm %(name)s.") % {"name": village.name}


class VillageUpdateView(_UnitFormView):
    permission_required = services.MANAGE_VILLAGE_PERM
    form_class = VillageForm
    template_name = "geo/village_form.html"
    title = gettext_lazy("Sửa thôn/tổ dân phố")

    def get_unit(self) -> AdminUnit:
        village = super().get_unit()
        if village.level != Level.VILLAGE:
            raise Http404(_("Không tìm thấy thôn/tổ dân phố."))
        return village

    def get_initial(self):
        return {"code": self.unit.code, "name": self.unit.name, "unit_type": self.unit.unit_type}

    def perform(self, data: dict) -> str:
        village = services.village_update(
            actor=self.request.user,
            village=self.unit,
            code=data["code"],
            name=data["name"],
            unit_type=data["unit_type"],
        )
        return _("Đã lưu %(name)s.") % {"name": village.name}


class VillageImportView(_UnitFormView):
    permission_required = services.MANAGE_VILLAGE_PERM
    form_class = VillageImportForm
    template_name = "geo/village_import.html"
    title = gettext_lazy("Nhập danh sách thôn từ tệp CSV")
    in_force_only = True

    def perform(self, data: dict):
        result = services.villages_import_csv(actor=self.request.user, commune=self.unit, file=data["file"])
        # The per-row result is the answer itself (nothing to redirect to: it is not stored).
        return render(
            self.request,
            "geo/village_import_result.html",
            {
                "unit": self.unit,
                "result": result,
                "page_title": _("Kết quả nhập danh sách thôn"),
                **_form_page_context(self.request.user, self.unit),
            },
        )


class AreaTypeView(_UnitFormView):
    permission_required = services.SET_AREA_TYPE_PERM
    form_class = AreaTypeForm
    template_name = "geo/area_type_form.html"
    title = gettext_lazy("Đặt khu vực thành thị/nông thôn")
    in_force_only = True

    def get_initial(self):
        return {"area_type": self.unit.area_type}

    def perform(self, data: dict) -> str:
        unit = services.unit_set_area_type(
            actor=self.request.user, unit=self.unit, area_type=data["area_type"], reason=data["reason"]
        )
        return _("Đã đặt khu vực của %(name)s: %(area)s.") % {"name": unit.name, "area": unit.get_area_type_display()}
