"""Registry API, mounted at /api/v1/households (one sub-router per area of the registry)."""

from ninja import Router

from .api_duplicates import router as duplicates_router
from .api_households import router as households_router
from .api_imports import router as imports_router
from .api_life import router as life_router

router = Router(tags=["registry"])
router.add_router("/imports", imports_router)
router.add_router("/duplicates", duplicates_router)
router.add_router("", life_router)
router.add_router("", households_router)
