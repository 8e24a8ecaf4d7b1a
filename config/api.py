"""The REST API at /api/v1/ (Django Ninja). Each app contributes one router from its api.py."""

from ninja import NinjaAPI

from ansinh.accounts.api import router as accounts_router
from ansinh.accounts.api_auth import api_auth
from ansinh.audit.api import router as audit_router
from ansinh.core.api import TextSafeJSONParser, install_error_handlers
from ansinh.geo.api import router as geo_router
from ansinh.jobs.api import router as jobs_router
from ansinh.poverty.api import router as poverty_router
from ansinh.registry.api import router as registry_router
from ansinh.reviews.api import router as reviews_router

api = NinjaAPI(
    title="ansinh API",
    version="1",
    description="API của hệ thống ansinh. Xác thực bằng phiên đăng nhập (kèm CSRF) hoặc mã truy cập cá nhân "
    "(Authorization: Bearer ansinh_…). Mọi lỗi có dạng {code, message, details}.",
    auth=api_auth,
    urls_namespace="api",
    parser=TextSafeJSONParser(),
)
install_error_handlers(api)
api.add_router("/", accounts_router)
api.add_router("/units", geo_router)
api.add_router("/audit-events", audit_router)
api.add_router("/jobs", jobs_router)
api.add_router("/households", registry_router)
api.add_router("/poverty", poverty_router)
api.add_router("/reviews", reviews_router)
