"""Property-based API testing: schemathesis generates requests for every operation of /api/v1/openapi.json and
sends them in-process (Django's WSGI handler, no network) with a commune officer's bearer token over a small
registry and an open review campaign. Every answer must be documented: no 5xx, a status code the operation
declares, the declared content type and a body matching the declared schema.

The number of examples per operation is bounded (`EXAMPLES`) so the module runs in about a minute on SQLite;
it runs in `make test` on both databases."""

import os
from types import SimpleNamespace

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ansinh.accounts.services import api_token_create

EXAMPLES = 15
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def _same_connection():
    """Django's WSGI handler closes the connection after each request (pytest-django's test transaction with
    it); its test client switches that off the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def api_world(db, units, users, _same_connection):
    """Demo-like rows for the generated requests to find: households in Thọ Xuân, the standards, an open campaign."""
    from ansinh.registry.tests.factories import head, make_household, member
    from ansinh.reviews.tests.factories import load_reference_data, thanh_hoa_campaign

    load_reference_data()
    for index in range(1, 4):
        make_household(units.tho_xuan, village=units.t1, code=f"H{index:03d}", actor=users.commune_officer,
                       members=[head(f"Nguyễn Văn {index}"), member()])  # fmt: skip
    make_household(units.mdrak, village=units.b1, code="D001", actor=users.commune_officer_dl)
    thanh_hoa_campaign(SimpleNamespace(units=units, users=users), open_=True)
    secret = api_token_create(actor=users.commune_officer, name="schemathesis").secret
    # Schemathesis's WSGI client asks for gzip and does not unpack it (an HTTP client does): plain bodies
    # here; compression has its own tests (core/tests/test_middleware.py, decision 0038).
    return SimpleNamespace(headers={"Authorization": f"Bearer {secret}", "Accept-Encoding": "identity"})


def _operations():
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", WSGIHandler())
    return [result.ok() for result in schema.get_all_operations()]


def test_every_operation_answers_as_documented(api_world):
    """One test over all operations (one database set-up, not 101); every failing operation is listed."""
    failures, counts = {}, {}
    only = os.environ.get("ST_ONLY", "")  # e.g. ST_ONLY="/households/" to rerun the operations one failure names
    for operation in _operations():
        if only and only not in operation.label:
            continue

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            derandomize=True,  # the same cases on every run and in CI: a failure reproduces
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def run(case):
            counts[case.operation.label] = counts.get(case.operation.label, 0) + 1
            case.call_and_validate(headers=api_world.headers, checks=CHECKS)

        try:
            run()
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            failures[operation.label] = f"{type(exc).__name__}: {str(exc)[:1200]}"
    # The figures docs/reliability.md quotes (shown with `pytest -s`).
    print(f"\nschemathesis: {len(counts)} operations, {sum(counts.values())} generated requests")
    assert only or len(counts) >= 100, f"only {len(counts)} operations were exercised"
    if failures:
        pytest.fail(f"{len(failures)} operations failed:\n\n" + "\n\n".join(f"{k}\n{v}" for k, v in failures.items()))


def _schema_classes(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _schema_classes(sub)


def test_api_schema_names_are_unique():
    """OpenAPI components are keyed by class name: two apps' ``UnitRefOut`` would silently publish one shape
    for both (found by the run above: households' ``village`` documented with fields it never has)."""
    from ninja import Schema

    import config.api  # noqa: F401 - every router and its schemas

    seen: dict[str, str] = {}
    duplicates = []
    for cls in _schema_classes(Schema):
        if not cls.__module__.startswith("ansinh.") or ".tests." in cls.__module__:
            continue
        where = f"{cls.__module__}.{cls.__qualname__}"
        if cls.__name__ in seen and seen[cls.__name__] != where:
            duplicates.append(f"{seen[cls.__name__]} / {where}")
        seen.setdefault(cls.__name__, where)
    assert not duplicates, duplicates


@pytest.mark.django_db
def test_a_nul_character_in_a_json_body_is_refused_with_422_and_nothing_written(client, users):
    """Found by schemathesis on PostgreSQL (text cannot hold NUL): a 500 before the API's parser refused it."""
    from ansinh.accounts.models import ApiToken

    client.force_login(users.commune_officer)
    response = client.post("/api/v1/tokens", {"name": "máy\x00tính"}, content_type="application/json")
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "invalid"
    assert body["details"]["errors"][0]["loc"][-1] == "name"
    assert not ApiToken.objects.exists()
    ignored = client.post("/api/v1/tokens", {"name": "ok", "x": [{"\x00k": 1}]}, content_type="application/json")
    assert ignored.status_code == 201  # an unknown field is ignored, NUL or not
