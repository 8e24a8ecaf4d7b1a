"""Sessions expire after SESSION_COOKIE_AGE of inactivity, and activity slides the expiry (issue 7)."""

from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import timezone

PAGE = "reports:dashboard"


@pytest.fixture
def logged_in(client, users):
    client.force_login(users.commune_officer)
    return client


def _get_at(client, moment):
    with mock.patch("django.utils.timezone.now", return_value=moment):
        return client.get(reverse(PAGE))


def _is_login_redirect(response) -> bool:
    return response.status_code == 302 and response["Location"].startswith(reverse(settings.LOGIN_URL))


def test_settings_make_sessions_short_sliding_and_browser_bound():
    assert settings.SESSION_COOKIE_AGE <= 8 * 60 * 60
    assert settings.SESSION_SAVE_EVERY_REQUEST and settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
    assert settings.SESSION_COOKIE_HTTPONLY


def test_session_older_than_cookie_age_is_refused(logged_in):
    start = timezone.now()
    assert _get_at(logged_in, start + timedelta(minutes=1)).status_code == 200
    late = start + timedelta(minutes=1, seconds=settings.SESSION_COOKIE_AGE + 60)
    assert _is_login_redirect(_get_at(logged_in, late))
    # the refused session is not revived by a later request
    assert _is_login_redirect(_get_at(logged_in, late + timedelta(seconds=1)))


def test_activity_slides_the_expiry(logged_in):
    age = timedelta(seconds=settings.SESSION_COOKIE_AGE)
    moment = timezone.now()
    for _ in range(3):  # each visit within the age keeps the session; together they span 2.25 ages
        moment += age * 3 / 4
        assert _get_at(logged_in, moment).status_code == 200
    assert _is_login_redirect(_get_at(logged_in, moment + age + timedelta(seconds=60)))


def test_session_cookie_ends_with_the_browser(client, users):
    client.force_login(users.commune_officer)
    response = client.get(reverse(PAGE))
    cookie = response.cookies[settings.SESSION_COOKIE_NAME]
    assert cookie["max-age"] == "" and cookie["expires"] == ""  # no persistent cookie
    assert cookie["httponly"]
