"""Registry pages. Each area of the registry keeps its own routes module."""

from .urls_duplicates import urlpatterns as duplicate_patterns
from .urls_households import urlpatterns as household_patterns
from .urls_imports import urlpatterns as import_patterns
from .urls_life import urlpatterns as life_patterns

app_name = "registry"
urlpatterns = household_patterns + life_patterns + import_patterns + duplicate_patterns
