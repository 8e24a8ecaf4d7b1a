"""Navigation entries by role: a user sees only the menus they can use."""

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _

# (url name, label, permission needed or None for any signed-in user)
NAVIGATION = [
    ("reports:dashboard", _("Tổng quan"), None),
    ("registry:household_list", _("Hộ gia đình"), "registry.view_household"),
    ("poverty:standard_list", _("Chuẩn nghèo"), "poverty.view_povertystandard"),
    ("reviews:campaign_list", _("Rà soát"), "reviews.view_campaign"),
    ("geo:unit_list", _("Đơn vị hành chính"), "geo.view_adminunit"),
    ("audit:event_list", _("Nhật ký"), "audit.view_auditevent"),
    ("jobs:job_list", _("Công việc nền"), "jobs.view_job"),
    ("accounts:assignment_list", _("Phân quyền"), "accounts.view_roleassignment"),
]


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    # Once per request: a template rendered inside the page with the request (a django-tables2
    # table) runs the context processors again.
    cached = getattr(request, "_ansinh_nav_items", None)
    if cached is not None:
        return {"nav_items": cached}
    items = []
    for url_name, label, perm in NAVIGATION:
        if perm is not None and not user.has_perm(perm):
            continue
        try:
            url = reverse(url_name)
        except NoReverseMatch:  # a module not installed in this deployment
            continue
        items.append({"url": url, "label": label, "active": request.path == url})
    request._ansinh_nav_items = items
    return {"nav_items": items}
