"""Fixtures shared by the poverty app's tests."""

import pytest

from .factories import known_household


@pytest.fixture
def home(units, users, standards):
    """A household of Thôn 1 whose registry facts derive every indicator but nutrition (`known_household`)."""
    return known_household(units.tho_xuan, village=units.t1)


@pytest.fixture
def officer(client, users):
    """The test client signed in as the commune officer."""
    client.force_login(users.commune_officer)
    return client
