from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from .api import api

urlpatterns = [
    path("", include("ansinh.reports.urls")),
    path("accounts/", include("ansinh.accounts.urls")),
    path("units/", include("ansinh.geo.urls")),
    path("audit/", include("ansinh.audit.urls")),
    path("jobs/", include("ansinh.jobs.urls")),
    path("households/", include("ansinh.registry.urls")),
    path("poverty/", include("ansinh.poverty.urls")),
    path("reviews/", include("ansinh.reviews.urls")),
    path("i18n/setlang/", set_language, name="set_language"),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

handler400 = "ansinh.core.views.bad_request"
handler403 = "ansinh.core.views.permission_denied"
handler404 = "ansinh.core.views.page_not_found"
handler500 = "ansinh.core.views.server_error"
