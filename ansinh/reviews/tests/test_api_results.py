import pytest

from ansinh.audit.models import AuditEvent
from ansinh.reviews.events import ReviewsEventType
from ansinh.reviews.models import CampaignResult, ReviewCase
from ansinh.reviews.selectors_results import PROGRESS_COLUMNS
from ansinh.reviews.services_results import results_freeze
from ansinh.reviews.tests import helpers_results as hr

API = "/api/v1/reviews"


@pytest.fixture
def ctx(units, users):
    return hr.final_cases(hr.base_ctx(units, users))


def freeze(ctx):
    results_freeze(actor=ctx.users.province_officer, campaign=ctx.campaign, today=hr.TODAY)


def direct(campaign, path):
    cases = ReviewCase.objects.filter(campaign=campaign, unit_path__startswith=path)
    return {key: cases.count() if states is None else cases.filter(state__in=states).count()
            for key, states in PROGRESS_COLUMNS.items()}  # fmt: skip


def test_progress(ctx, client):
    hr.in_progress_cases(ctx)
    client.force_login(ctx.users.province_officer)
    body = client.get(f"{API}/campaigns/{ctx.campaign.pk}/progress", {"today": "2025-12-18"}).json()
    assert body["unit"]["id"] == ctx.units.th.pk and body["today"] == "2025-12-18"
    assert [r["unit"]["name"] for r in body["rows"]] == ["Phường Hạc Thành", "Xã Thọ Xuân"]
    for row in body["rows"]:
        unit = ctx.units.hac_thanh if row["unit"]["id"] == ctx.units.hac_thanh.pk else ctx.units.tho_xuan
        assert {c["key"]: c["count"] for c in row["cells"]} == direct(ctx.campaign, unit.path)
        assert row["overdue"] == 1 and row["milestones"][0]["state"] == "overdue"
    totals = {c["key"]: c for c in body["totals"]["cells"]}
    assert totals["listed"]["count"] == 15 and totals["decided"]["percent"] == round(100 * 7 / 15, 1)
    body = client.get(f"{API}/campaigns/{ctx.campaign.pk}/progress", {"unit_id": ctx.units.hac_thanh.pk}).json()
    assert [r["unit"] for r in body["rows"]] == [None]
    assert [u["id"] for u in body["breadcrumb"]] == [ctx.units.th.pk, ctx.units.hac_thanh.pk]


def test_progress_scoped_and_unit_out_of_area_is_404(ctx, client):
    client.force_login(ctx.users.commune_officer)
    body = client.get(f"{API}/campaigns/{ctx.campaign.pk}/progress").json()
    assert [r["unit"]["id"] for r in body["rows"]] == [ctx.units.tho_xuan.pk]
    response = client.get(f"{API}/campaigns/{ctx.campaign.pk}/progress", {"unit_id": ctx.units.hac_thanh.pk})
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_freeze_then_list_and_transitions(ctx, client):
    client.force_login(ctx.users.province_officer)
    before = client.get(f"{API}/campaigns/{ctx.campaign.pk}/transitions").json()
    assert before["frozen"] is False and before["total"] == 0
    response = client.post(f"{API}/campaigns/{ctx.campaign.pk}/results/freeze")
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["results"] == 10 and body["counts"] == {t: 1 for t in hr.EXPECTED.values()}
    again = client.post(f"{API}/campaigns/{ctx.campaign.pk}/results/freeze")
    assert again.status_code == 409 and again.json()["code"] == "results_already_frozen"
    assert AuditEvent.objects.filter(event_type=ReviewsEventType.RESULTS_FROZEN).count() == 1

    body = client.get(f"{API}/campaigns/{ctx.campaign.pk}/results").json()
    assert body["count"] == 10 and body["pages"] == 1
    first = body["items"][0]
    assert (first["household_code"], first["final_class"], first["transition"], first["decided_on"]) == (
        "H1", "poor", "remained_poor", "2025-11-20")  # fmt: skip
    body = client.get(f"{API}/campaigns/{ctx.campaign.pk}/results", {"klass": "poor", "page_size": 2}).json()
    assert body["count"] == 4 and body["pages"] == 2 and [i["household_code"] for i in body["items"]] == ["H1", "H5"]
    body = client.get(f"{API}/campaigns/{ctx.campaign.pk}/results", {"transition": "moved_away"}).json()
    assert [i["household_code"] for i in body["items"]] == ["H4"]
    body = client.get(f"{API}/campaigns/{ctx.campaign.pk}/results", {"unit_id": ctx.units.hac_thanh.pk}).json()
    assert [i["household_code"] for i in body["items"]] == ["K1", "K2", "K3"]

    counts = client.get(f"{API}/campaigns/{ctx.campaign.pk}/transitions", {"unit_id": ctx.units.t2.pk}).json()
    assert counts["frozen"] is True and counts["unit_id"] == ctx.units.t2.pk and counts["total"] == 3
    for code, n in counts["counts"].items():
        assert n == CampaignResult.objects.filter(campaign=ctx.campaign, transition=code,
                                                  unit_path__startswith=ctx.units.t2.path).count()  # fmt: skip


def test_results_scoped_for_a_commune_user(ctx, client):
    freeze(ctx)
    client.force_login(ctx.users.commune_officer)
    assert client.get(f"{API}/campaigns/{ctx.campaign.pk}/results").json()["count"] == 7
    assert client.get(f"{API}/campaigns/{ctx.campaign.pk}/transitions").json()["total"] == 7
    response = client.get(f"{API}/campaigns/{ctx.campaign.pk}/results", {"unit_id": ctx.units.hac_thanh.pk})
    assert response.status_code == 404


def test_freeze_refusals(ctx, client):
    hr.approvals(ctx, top_state="ready")
    client.force_login(ctx.users.province_officer)
    response = client.post(f"{API}/campaigns/{ctx.campaign.pk}/results/freeze")
    assert response.status_code == 409 and response.json()["code"] == "results_not_approved"
    client.force_login(ctx.users.commune_officer)  # has the permission, but over Thọ Xuân only
    response = client.post(f"{API}/campaigns/{ctx.campaign.pk}/results/freeze")
    assert response.status_code == 403
    client.force_login(ctx.users.commune_chair)
    assert client.post(f"{API}/campaigns/{ctx.campaign.pk}/results/freeze").status_code == 403
    assert not CampaignResult.objects.filter(campaign=ctx.campaign).exists()


def test_operations_are_documented(client):
    schema = client.get("/api/v1/openapi.json").json()
    ids = {op["operationId"] for ops in schema["paths"].values() for op in ops.values()}
    assert {"reviews_progress", "reviews_results_list", "reviews_transition_counts", "reviews_results_freeze"} <= ids
