"""API rate limits: a budget per bearer token and per client address, over it 429 {code, message, details}."""

import pytest
from django.core.cache import cache

from ansinh.accounts.ratelimit import Limit, RateLimited, charge
from ansinh.accounts.services import api_token_create

API = "/api/v1"


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


def _get(client, secret, ip="10.0.0.1"):
    return client.get(f"{API}/me", HTTP_AUTHORIZATION=f"Bearer {secret}", REMOTE_ADDR=ip)


def test_token_over_its_budget_gets_429_with_retry_after(client, users, settings):
    settings.ANSINH_API_RATE_PER_TOKEN = 3
    secret = api_token_create(actor=users.province_officer, name="x").secret
    assert [_get(client, secret).status_code for _ in range(3)] == [200, 200, 200]
    refused = _get(client, secret)
    assert refused.status_code == 429
    body = refused.json()
    assert body["code"] == "rate_limited"
    assert "Quá nhiều yêu cầu" in body["message"]
    assert 1 <= body["details"]["retry_after"] <= settings.ANSINH_API_RATE_WINDOW
    assert refused["Retry-After"] == str(body["details"]["retry_after"])
    # Another token of the same user from the same address has its own budget.
    other = api_token_create(actor=users.province_officer, name="y").secret
    assert _get(client, other).status_code == 200


def test_address_budget_counts_forged_tokens_too(client, users, settings):
    settings.ANSINH_API_RATE_PER_IP = 2
    secret = api_token_create(actor=users.province_officer, name="x").secret
    assert _get(client, "ansinh_deadbeef_guess").status_code == 401
    assert _get(client, "not-even-a-token").status_code == 401
    # The address has spent its budget: even a valid token is refused from it, but not from another one.
    assert _get(client, secret).status_code == 429
    assert _get(client, secret, ip="10.0.0.2").status_code == 200


def test_browser_session_is_not_counted(client, users, settings):
    settings.ANSINH_API_RATE_PER_IP = 1
    client.force_login(users.province_officer)
    assert [client.get(f"{API}/me", REMOTE_ADDR="10.0.0.1").status_code for _ in range(3)] == [200, 200, 200]


def test_zero_turns_a_limit_off(client, users, settings):
    settings.ANSINH_API_RATE_PER_TOKEN = 0
    settings.ANSINH_API_RATE_PER_IP = 0
    secret = api_token_create(actor=users.province_officer, name="x").secret
    assert {_get(client, secret).status_code for _ in range(5)} == {200}


def test_the_window_resets_the_budget():
    limit = Limit("token", 2, 60)
    charge(limit, "abc", now=120.0)
    charge(limit, "abc", now=150.0)
    with pytest.raises(RateLimited) as info:
        charge(limit, "abc", now=179.5)
    assert info.value.wait == 1  # 0.5 s left, rounded up
    assert info.value.status_code == 429
    charge(limit, "abc", now=180.0)  # a new window
