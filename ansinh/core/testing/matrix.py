"""The permission matrix every page and API operation must pass.

Each app lists its cases in ``ansinh/<app>/tests/matrix.py`` as ``CASES = [Case(...), ...]``.
`ansinh/core/tests/test_permission_matrix.py` runs every case four ways and fails if any URL
pattern or API operation has no case (or an explicit exemption with a reason):

- anonymous        → pages redirect to login, the API answers 401;
- wrong role       → 403 (`wrong_role` holds no role granting the permission);
- out of area      → 404 (`user` asks for the object given by `out_kwargs`);
- right role, in area → `ok_status`.

`ctx` is a namespace with ``units`` and ``users`` (the root conftest fixtures) plus whatever a
case's `setup` adds; `kwargs`/`out_kwargs`/`data` are callables of `ctx`.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

Ctx = Any


@dataclass(frozen=True)
class Case:
    route: str  # URL name ("geo:unit_detail") or API operation ("api:<operation_id>")
    user: str  # a user of conftest's `users` who holds the permission over the in-area object
    wrong_role: str | None = "no_role"
    method: str = "get"
    kwargs: Callable[[Ctx], dict] = field(default=lambda ctx: {})
    out_kwargs: Callable[[Ctx], dict] | None = None
    data: Callable[[Ctx], dict] | None = None
    setup: Callable[[Ctx], None] | None = None
    ok_status: int = 200
    id: str = ""

    @property
    def is_api(self) -> bool:
        return self.route.startswith("api:")

    def label(self) -> str:
        return self.id or f"{self.method.upper()} {self.route}"


# Routes that are not behind a permission, each with the reason.
EXEMPT_ROUTES: dict[str, str] = {
    "set_language": "switches the interface language; public by design",
    "accounts:login": "the login page itself",
    "accounts:logout": "ends the session; harmless for anyone",
    "api:openapi-json": "the API description is public (no data)",
    "api:openapi-view": "the API documentation page is public (no data)",
}
