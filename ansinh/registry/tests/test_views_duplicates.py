"""Pages of the duplicate queue: scope, masking, comparison form, decisions, scan."""

from datetime import date

import pytest
from django.urls import reverse

from ansinh.jobs.models import Job, JobStatus
from ansinh.registry.duplicates import duplicates_scan, members_in_area
from ansinh.registry.models import DuplicatePair, Member

from .factories import head, make_household, member

CCCD = "038075001234"


@pytest.fixture
def pair(units, users):
    make_household(
        units.tho_xuan,
        village=units.t1,
        code="V1",
        members=[head(id_number=CCCD), member("Lê Thị Bình", birth_year=1978)],
    )
    make_household(
        units.tho_xuan,
        village=units.t2,
        code="V2",
        members=[head("Trần Văn Cường"), member("Le Thi Binh", birth_date=date(1978, 2, 3))],
    )
    duplicates_scan(members=members_in_area(""))
    return DuplicatePair.objects.get()  # fmt: skip


def test_queue_shows_both_members_side_by_side(client, users, pair):
    client.force_login(users.commune_officer)
    response = client.get(reverse("registry:duplicate_list"))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Lê Thị Bình" in body and "Le Thi Binh" in body
    assert "V1" in body and "Thôn 2" in body
    assert "Họ tên giống nhau khi bỏ dấu" in body
    assert reverse("registry:duplicate_detail", kwargs={"pk": pair.pk}) in body


def test_queue_of_another_province_is_empty(client, users, pair):
    client.force_login(users.commune_officer_dl)
    response = client.get(reverse("registry:duplicate_list"))
    assert "Lê Thị Bình" not in response.content.decode()
    assert client.get(reverse("registry:duplicate_detail", kwargs={"pk": pair.pk})).status_code == 404


def test_queue_filters_by_status(client, users, pair):
    client.force_login(users.commune_officer)
    response = client.get(reverse("registry:duplicate_list"), {"status": "different"})
    assert "Lê Thị Bình" not in response.content.decode()


def test_cccd_is_masked_without_the_full_identity_permission(client, users, units):
    make_household(units.tho_xuan, code="W1", members=[head(id_number=CCCD)])
    make_household(units.tho_xuan, code="W2", members=[head()])
    duplicates_scan(members=members_in_area(""))
    pair = DuplicatePair.objects.get()
    url = reverse("registry:duplicate_detail", kwargs={"pk": pair.pk})
    client.force_login(users.province_officer)  # may decide, may not see full CCCD
    body = client.get(url).content.decode()
    assert CCCD not in body and "•••••••••234" in body
    client.force_login(users.commune_officer)
    assert CCCD in client.get(url).content.decode()


def test_detail_offers_a_choice_for_each_differing_field(client, users, pair):
    client.force_login(users.commune_officer)
    body = client.get(reverse("registry:duplicate_detail", kwargs={"pk": pair.pk})).content.decode()
    assert 'name="value_full_name"' in body and 'name="value_birth_date"' in body
    assert 'name="value_sex"' not in body
    assert "Cùng một người" in body and "Hai người khác nhau" in body


def test_mark_same_without_choices_shows_errors_and_changes_nothing(client, users, pair):
    client.force_login(users.commune_officer)
    url = reverse("registry:duplicate_mark_same", kwargs={"pk": pair.pk})
    response = client.post(url, {"keep": "a", "reason": "Cùng người"})
    assert response.status_code == 200
    assert not Member.objects.filter(status="merged").exists()
    response = client.post(url, {"keep": "b", "value_full_name": "a", "value_birth_date": "b", "reason": "Cùng người"})
    assert response.status_code == 302
    kept = Member.objects.get(pk=pair.member_b_id)
    assert (kept.full_name, kept.birth_date) == ("Lê Thị Bình", date(1978, 2, 3))
    assert Member.objects.get(pk=pair.member_a_id).merged_into_id == kept.pk


def test_mark_different_from_the_page(client, users, pair):
    client.force_login(users.commune_officer)
    response = client.post(reverse("registry:duplicate_mark_different", kwargs={"pk": pair.pk}), {"reason": "Khác"})
    assert response.status_code == 302
    pair.refresh_from_db()
    assert (pair.status, pair.decided_by) == ("different", users.commune_officer)


def test_scan_button_starts_a_job_and_redirects_to_it(client, users, pair, django_capture_on_commit_callbacks):
    client.force_login(users.commune_officer)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("registry:duplicate_scan"))
    job = Job.objects.get()
    assert response["Location"] == reverse("jobs:job_detail", kwargs={"pk": job.pk})
    job.refresh_from_db()
    assert job.status == JobStatus.SUCCEEDED and job.unit_path == users.commune_officer.area_scope(
        "registry.decide_duplicate").minimal_paths()[0]  # fmt: skip
    assert job.result["updated"] == 1


def test_every_rule_the_scoring_can_give_has_a_vietnamese_label():
    from ansinh.registry.duplicates import EVIDENCE_RULES
    from ansinh.registry.views_duplicates import _RULE_LABELS

    assert set(_RULE_LABELS) == set(EVIDENCE_RULES)


def test_both_households_history_tells_the_merge_of_two_records_in_words(client, users, pair):
    """The record kept names the one merged into it, the merged record names where it went (by name and
    household, not by id), both with the officer's reason; a year is a year ("1978", not "1.978")."""
    client.force_login(users.commune_officer)
    decision = {"keep": "b", "value_full_name": "a", "value_birth_date": "b", "reason": "Cùng giấy khai sinh"}
    client.post(reverse("registry:duplicate_mark_same", kwargs={"pk": pair.pk}), decision)
    kept, dropped = Member.objects.get(pk=pair.member_b_id), Member.objects.get(pk=pair.member_a_id)
    page = client.get(reverse("registry:household_detail", kwargs={"pk": kept.household_id})).content.decode()
    assert "Gộp với hồ sơ" in page and "Lê Thị Bình (hộ V1)" in page and "Cùng giấy khai sinh" in page
    page = client.get(reverse("registry:household_detail", kwargs={"pk": dropped.household_id})).content.decode()
    assert "Lê Thị Bình (hộ V2)" in page and "Đã gộp vào hồ sơ khác (trùng người)" in page
    assert f">{kept.pk}<" not in page
    assert ">1978<" in page and "1.978" not in page  # the member added with a birth year


def test_the_history_names_no_record_outside_the_readers_area(client, users, pair):
    """A pair can span villages: the village head of T1 reads the merged record's household (V1) but may
    not see V2, so the record it went into is not named there."""
    decision = {"keep": "b", "value_full_name": "a", "value_birth_date": "b", "reason": "Cùng giấy khai sinh"}
    client.force_login(users.commune_officer)
    client.post(reverse("registry:duplicate_mark_same", kwargs={"pk": pair.pk}), decision)
    dropped = Member.objects.get(pk=pair.member_a_id)
    client.force_login(users.village_head)
    page = client.get(reverse("registry:household_detail", kwargs={"pk": dropped.household_id})).content.decode()
    assert "một hồ sơ ngoài địa bàn của bạn" in page
    assert "(hộ V2)" not in page
