"""Runs every app's permission-matrix cases and checks that no page or API operation escapes them."""

import importlib
import json
from types import SimpleNamespace

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from ansinh.core.testing.matrix import EXEMPT_ROUTES, Case


def _all_cases() -> list[Case]:
    cases: list[Case] = []
    for config in apps.get_app_configs():
        if not config.name.startswith("ansinh."):
            continue
        try:
            module = importlib.import_module(f"{config.name}.tests.matrix")
        except ModuleNotFoundError:
            continue
        cases.extend(module.CASES)
    return cases


CASES = _all_cases()


def _page_route_names() -> set[str]:
    names: set[str] = set()

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                if entry.namespace in ("admin",) or (entry.namespace or "").startswith("api"):
                    continue
                ns = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
                walk(entry.url_patterns, ns)
            elif isinstance(entry, URLPattern) and entry.name:
                names.add(f"{namespace}{entry.name}")

    walk(get_resolver().url_patterns, "")
    return names


def _api_operation_ids(client) -> set[str]:
    schema = json.loads(client.get("/api/v1/openapi.json").content)
    ids = set()
    for operations in schema["paths"].values():
        for operation in operations.values():
            ids.add(f"api:{operation['operationId']}")
    return ids


def test_every_page_and_api_operation_has_a_matrix_case(client):
    covered = {case.route for case in CASES} | set(EXEMPT_ROUTES)
    missing_pages = sorted(_page_route_names() - covered)
    missing_api = sorted(_api_operation_ids(client) - covered)
    assert not missing_pages, f"pages without a permission-matrix case: {missing_pages}"
    assert not missing_api, f"API operations without a permission-matrix case: {missing_api}"


def _url(case: Case, ctx, kwargs_fn) -> str:
    kwargs = kwargs_fn(ctx)
    if case.is_api:
        return _api_path(case.route.removeprefix("api:"), kwargs)
    return reverse(case.route, kwargs=kwargs)


_API_PATHS: dict[str, tuple[str, str]] = {}


def _api_path(operation_id: str, kwargs: dict) -> str:
    from config.api import api

    if not _API_PATHS:
        schema = api.get_openapi_schema()
        for path, operations in schema["paths"].items():
            for method, operation in operations.items():
                _API_PATHS[operation["operationId"]] = (path, method)
    path, _method = _API_PATHS[operation_id]
    return path.format(**kwargs)


def _request(client, case: Case, url: str, ctx):
    data = case.data(ctx) if case.data else None
    method = getattr(client, case.method)
    if case.is_api and case.method in ("post", "put", "patch"):
        return method(url, data=json.dumps(data or {}), content_type="application/json")
    if case.method == "get":
        return method(url, data or {})
    return method(url, data or {})


@pytest.fixture
def ctx(units, users):
    return SimpleNamespace(units=units, users=users)


@pytest.mark.parametrize("case", CASES, ids=[c.label() for c in CASES])
def test_anonymous(case: Case, ctx, client):
    if case.setup:
        case.setup(ctx)
    response = _request(client, case, _url(case, ctx, case.kwargs), ctx)
    if case.is_api:
        assert response.status_code == 401, response.content
    else:
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]


@pytest.mark.parametrize("case", [c for c in CASES if c.wrong_role], ids=lambda c: c.label())
def test_wrong_role_is_forbidden(case: Case, ctx, client):
    if case.setup:
        case.setup(ctx)
    client.force_login(getattr(ctx.users, case.wrong_role))
    response = _request(client, case, _url(case, ctx, case.kwargs), ctx)
    assert response.status_code == 403, response.content[:500]


@pytest.mark.parametrize("case", [c for c in CASES if c.out_kwargs], ids=lambda c: c.label())
def test_out_of_area_is_not_found(case: Case, ctx, client):
    if case.setup:
        case.setup(ctx)
    client.force_login(getattr(ctx.users, case.user))
    response = _request(client, case, _url(case, ctx, case.out_kwargs), ctx)
    assert response.status_code == 404, response.content[:500]


@pytest.mark.parametrize("case", CASES, ids=[c.label() for c in CASES])
def test_right_role_in_area(case: Case, ctx, client):
    if case.setup:
        case.setup(ctx)
    client.force_login(getattr(ctx.users, case.user))
    response = _request(client, case, _url(case, ctx, case.kwargs), ctx)
    assert response.status_code == case.ok_status, response.content[:500]
