"""Navigation entries by role: a user sees only the menus they can use."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, permission needed or None for any signed-in user)
NAVIGATION = [
    ("reports:dashboard", _("Tổng quan"), None),
    ("geo:unit_list", _("Đơn vị hành chính"), "geo.view_adminunit"),
    ("audit:event_list", _("Nhật ký"), "audit.view_auditevent"),
    ("jobs:job_list", _("Công việc nền"), "jobs.view_job"),
    ("accounts:assignment_list", _("Phân quyền"), "accounts.view_roleassignment"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    items = []
    for url_name, label, perm in NAVIGATION:
        if perm is None or user.has_perm(perm):
            items.append({"url": reverse(url_name), "label": label, "active": request.path == reverse(url_name)})
    return {"nav_items": items}
