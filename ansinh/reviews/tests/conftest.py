"""The count-table guard (decision 0015): after every reviews test that touched the database, the count
table must equal a ``GROUP BY`` over the cases. So every service, view and API test of this app also
proves that whatever it did to cases (listing, steps, bulk approval updates, withdrawals…) kept the
counts exact."""

import pytest

from ansinh.reviews.services_counts import case_counts_diff, triggers_missing


def _database_fixture(request) -> str | None:
    marker = request.node.get_closest_marker("django_db")
    transactional = "transactional_db" in request.fixturenames or (
        marker is not None and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    )
    if transactional:
        return "transactional_db"
    if marker is not None or "db" in request.fixturenames:
        return "db"
    return None


@pytest.fixture(autouse=True)
def _case_counts_exact(request):
    fixture = _database_fixture(request)
    if fixture is None:
        yield
        return
    request.getfixturevalue(fixture)  # set up first, so the database is still there after the test
    yield
    assert triggers_missing() == [], "count-table triggers missing"
    differences = case_counts_diff()
    assert differences == [], f"CaseCount differs from the cases: {differences[:5]}"
