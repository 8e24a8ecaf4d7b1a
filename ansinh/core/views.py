"""Base views: every page reads through a user's area scope, and actions check their permission.

Answers follow one rule everywhere (pages, API, admin): not signed in → login; signed in but no
role grants the permission anywhere → 403; the object exists but lies outside the user's area →
404, exactly as if it did not exist.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponseServerError
from django.shortcuts import render
from django.template import loader
from django.utils.translation import gettext as _
from django.views.generic import DetailView
from django_filters.views import FilterView
from django_tables2 import SingleTableMixin

from .pagination import CappedPaginator, counted


def get_visible_object_or_404(queryset_or_model, user, *, perm: str | None = None, **lookup):
    """The object matching `lookup` inside `user`'s area; 404 when missing or out of area alike."""
    manager = getattr(queryset_or_model, "objects", queryset_or_model)
    try:
        return manager.visible_to(user, perm=perm).get(**lookup)
    except (manager.model.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404(_("Không tìm thấy hoặc không thuộc địa bàn của bạn.")) from exc


class AreaPermissionRequiredMixin(LoginRequiredMixin):
    """Login required, then `permission_required` must be granted by some active role (else 403)."""

    permission_required: str = ""

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not self.permission_required:
            raise ImproperlyConfiguredError(type(self).__name__)
        if not request.user.has_perm(self.permission_required):
            raise PermissionDenied(_("Vai trò của bạn không có quyền này."))
        return super().dispatch(request, *args, **kwargs)


class ImproperlyConfiguredError(RuntimeError):
    def __init__(self, view_name: str):
        super().__init__(f"{view_name} must set permission_required (default deny).")


class ScopedQuerysetMixin(AreaPermissionRequiredMixin):
    """`get_queryset` returns only rows inside the area where the user holds `permission_required`."""

    model = None
    queryset_related: tuple[str, ...] = ()

    def get_queryset(self):
        qs = self.model.objects.visible_to(self.request.user, perm=self.permission_required)
        if self.queryset_related:
            qs = qs.select_related(*self.queryset_related)
        return qs


class ScopedListView(ScopedQuerysetMixin, SingleTableMixin, FilterView):
    """A filtered, paginated table of the rows a user may see (declare model, table, filterset).

    Rows are counted once per page, and only up to `LIST_COUNT_CAP` (`CappedPaginator`): the
    view's paginator (which answers 404 for a page past the end) counts, and the table's reuses
    that count instead of a second ``COUNT(*)``.
    """

    paginate_by = 50
    paginator_class = CappedPaginator
    template_name = "core/list.html"

    def paginate_queryset(self, queryset, page_size):
        paginator, page, object_list, is_paginated = super().paginate_queryset(queryset, page_size)
        self._row_count = paginator.count
        return paginator, page, object_list, is_paginated

    def get_table_pagination(self, table):
        paginate = super().get_table_pagination(table)
        count = getattr(self, "_row_count", None)
        if isinstance(paginate, dict) and count is not None:
            paginate["paginator_class"] = counted(paginate.get("paginator_class", CappedPaginator), count)
        return paginate


class ScopedDetailView(ScopedQuerysetMixin, DetailView):
    """One row, 404 when it lies outside the user's area."""


def csrf_failure(request, reason=""):
    return render(
        request,
        "core/error.html",
        {
            "status": 403,
            "title": _("Phiên làm việc đã hết hạn hoặc biểu mẫu không hợp lệ"),
            "message": _("Vui lòng tải lại trang rồi gửi lại biểu mẫu. Không có dữ liệu nào được ghi."),
        },
        status=403,
    )


def page_not_found(request, exception=None):
    return render(
        request,
        "core/error.html",
        {
            "status": 404,
            "title": _("Không tìm thấy"),
            "message": _("Trang hoặc bản ghi không tồn tại, hoặc không thuộc địa bàn của bạn."),
        },
        status=404,
    )


def permission_denied(request, exception=None):
    return render(
        request,
        "core/error.html",
        {
            "status": 403,
            "title": _("Không có quyền"),
            "message": str(exception) if exception and str(exception) else _("Vai trò của bạn không có quyền này."),
        },
        status=403,
    )


def server_error(request):
    try:
        return render(
            request,
            "core/error.html",
            {
                "status": 500,
                "title": _("Lỗi hệ thống"),
                "message": _(
                    "Đã có lỗi. Không có dữ liệu nào bị ghi dở. Vui lòng thử lại hoặc báo quản trị viên kèm mã yêu cầu."
                ),
            },
            status=500,
        )
    except Exception:  # the error may come from the database or a context processor itself
        return HttpResponseServerError(loader.get_template("500.html").render())


def bad_request(request, exception=None):
    return render(
        request,
        "core/error.html",
        {"status": 400, "title": _("Yêu cầu không hợp lệ"), "message": _("Dữ liệu gửi lên không hợp lệ.")},
        status=400,
    )
