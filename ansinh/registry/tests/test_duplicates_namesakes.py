"""Namesakes of a pair (decision 0025): counted when the pair is saved, shown, and ordering the queue."""

import importlib
from datetime import date

import pytest
from django.apps import apps
from django.urls import reverse
from django.utils import translation

from ansinh.registry.duplicates import count_namesakes, duplicates_scan, fuzzy_candidate, members_in_area
from ansinh.registry.models import DuplicatePair, Member
from ansinh.registry.services_duplicates import duplicate_list_visible_to
from ansinh.registry.views_duplicates import evidence_labels, namesakes_label

from .factories import head, make_household, member
from .test_duplicates import _pair, _record

HUNG = date(1980, 4, 7)


@pytest.fixture
def hung(units):
    """One "Nguyễn Văn Hùng" (1980) entered twice and once with a typo, and other bearers of the name."""
    make_household(units.tho_xuan, village=units.t1, code="N1", members=[head("Nguyễn Văn Hùng", birth_date=HUNG)])
    make_household(units.hac_thanh, code="N2", members=[head("Nguyen Van Hung", birth_date=HUNG)])
    make_household(units.tho_xuan, village=units.t2, code="N3", members=[head("Nguyễn Văn Hùnh", birth_date=HUNG)])
    # Namesakes: same name, sex and year, other dates (too far apart to be pairs themselves).
    others = make_household(
        units.tho_xuan, village=units.t1, code="N4",
        members=[head("Nguyễn Văn Hùng", birth_date=date(1980, 11, 23)),
                 member("Nguyễn Văn Hùng", sex="male", relation="sibling", birth_date=date(1980, 1, 30)),
                 member("Nguyễn Văn Hùng", sex="male", relation="sibling", birth_year=1981),  # another year
                 member("Nguyễn Văn Hùng", sex="male", relation="sibling", birth_date=date(1980, 6, 15),
                        death_date=date(2020, 1, 1))],  # dead: not a living bearer
    )  # fmt: skip
    members = {m.household.code: m for m in Member.objects.filter(relation="head").select_related("household")}
    return {"base": members["N1"], "plain": members["N2"], "typo": members["N3"], "others": others}


def test_a_candidate_carries_its_namesake_key_only_when_name_sex_and_year_agree():
    a = _record("Nguyễn Văn Hùng", birth_date=HUNG, pk=1)
    plain = _record("Nguyen Van Hung", birth_date=HUNG, pk=2)
    typo = _record("Nguyễn Văn Hùnh", birth_date=HUNG, pk=3)
    assert fuzzy_candidate(a, plain, 0.85).namesake_key == ("nguyen van hung", "male", 1980)
    assert fuzzy_candidate(a, typo, 0.85).namesake_key is None


def test_count_namesakes_counts_living_bearers_per_name_sex_and_year(hung):
    counts = count_namesakes([("nguyen van hung", "male", 1980), ("nguyen van hung", "female", 1980)])
    # N1, N2 and the two living namesakes of 1980; not the 1981 one, not the dead one, no woman.
    assert counts == {("nguyen van hung", "male", 1980): 4}
    assert count_namesakes([]) == {}


def test_a_scan_stores_the_namesakes_of_a_same_name_pair_and_none_for_a_typo(hung):
    duplicates_scan(members=members_in_area(""))
    plain = _pair(hung["base"], hung["plain"])
    typo = _pair(hung["base"], hung["typo"])
    assert plain.namesakes == 2 and plain.evidence["namesakes"] == 2  # the other two, not the pair itself
    assert typo.namesakes == 0 and "namesakes" not in typo.evidence


def test_a_rescan_refreshes_the_count_of_a_pending_pair(hung, units):
    duplicates_scan(members=members_in_area(""))
    make_household(units.mdrak, code="N5", members=[head("Nguyễn Văn Hùng", birth_date=date(1980, 2, 28))])
    duplicates_scan(members=members_in_area(""))
    assert _pair(hung["base"], hung["plain"]).namesakes == 3


def _two_pairs_of_one_score(units):
    """Two lost-diacritics pairs (score 1): "Hồ Văn Mlô" (no one else) and "Lê Thị Hoa" (three others)."""
    rare = [make_household(units.tho_xuan, code=f"R{i}", members=[head(name, birth_date=date(1990, 5, 5))])
            for i, name in enumerate(("Hồ Văn Mlô", "Ho Van Mlo"))]  # fmt: skip
    common = [
        make_household(units.tho_xuan, code=f"C{i}", members=[head(name, sex="female", birth_date=date(1990, 5, 5))])
        for i, name in enumerate(("Lê Thị Hoa", "Le Thi Hoa"))
    ]
    make_household(
        units.tho_xuan, code="C9",
        members=[head("Lê Thị Hoa", sex="female", birth_date=date(1990, 1, 20)),
                 member("Lê Thị Hoa", sex="female", relation="sibling", birth_date=date(1990, 3, 9)),
                 member("Lê Thị Hoa", sex="female", relation="sibling", birth_date=date(1990, 12, 1))],
    )  # fmt: skip
    duplicates_scan(members=members_in_area(""))
    rare_pair = _pair(*(h.members.get() for h in rare))
    common_pair = _pair(*(h.members.get() for h in common))
    assert rare_pair.score == common_pair.score == 1.0
    assert (rare_pair.namesakes, common_pair.namesakes) == (0, 3)
    # Created in this order, so the ids alone would put the common name first.
    DuplicatePair.objects.filter(pk=rare_pair.pk).update(id=common_pair.pk + 100)
    return DuplicatePair.objects.get(pk=common_pair.pk + 100), common_pair


def test_queue_puts_fewer_namesakes_first_among_pairs_of_one_score(units, users):
    rare_pair, common_pair = _two_pairs_of_one_score(units)
    ids = list(duplicate_list_visible_to(user=users.commune_officer).values_list("pk", flat=True))
    assert ids.index(rare_pair.pk) < ids.index(common_pair.pk)


def test_queue_page_and_api_follow_the_same_order_and_show_the_count(client, users, units):
    rare_pair, common_pair = _two_pairs_of_one_score(units)
    client.force_login(users.commune_officer)
    body = client.get(reverse("registry:duplicate_list")).content.decode()
    assert body.index("Hồ Văn Mlô") < body.index("Lê Thị Hoa")
    assert "Không ai khác cùng họ tên, giới tính và năm sinh" in body
    assert "3 người khác cùng họ tên, giới tính và năm sinh" in body
    items = client.get("/api/v1/households/duplicates/").json()["items"]
    assert [(i["id"], i["namesakes"]) for i in items] == [(rare_pair.pk, 0), (common_pair.pk, 3)]
    detail = client.get(reverse("registry:duplicate_detail", kwargs={"pk": common_pair.pk})).content.decode()
    assert "3 người khác cùng họ tên, giới tính và năm sinh" in detail


def test_namesakes_label_in_both_languages():
    assert namesakes_label(0) == "Không ai khác cùng họ tên, giới tính và năm sinh"
    assert namesakes_label(1234) == "1.234 người khác cùng họ tên, giới tính và năm sinh"
    with translation.override("en"):
        assert namesakes_label(0) == "Nobody else has this name, sex and birth year"
        assert namesakes_label(1) == "1 other person has this name, sex and birth year"
        assert namesakes_label(12) == "12 other people have this name, sex and birth year"


def test_evidence_without_a_count_shows_no_namesake_line():
    pair = DuplicatePair(evidence={"rules": ["same_date"]})
    assert evidence_labels(pair) == ["Trùng ngày sinh"]


def test_migration_counts_the_namesakes_of_pending_pairs_only(hung, users):
    duplicates_scan(members=members_in_area(""))
    DuplicatePair.objects.update(namesakes=0, evidence={"rules": ["same_date"]})  # as before the migration
    decided = _pair(hung["base"], hung["typo"])
    DuplicatePair.objects.filter(pk=decided.pk).update(status="different")
    migration = importlib.import_module("ansinh.registry.migrations.0010_duplicate_pair_namesakes")
    migration.count_pending(apps, None)
    plain = _pair(hung["base"], hung["plain"])
    assert plain.namesakes == 2 and plain.evidence == {"rules": ["same_date"], "namesakes": 2}
    decided.refresh_from_db()
    assert decided.namesakes == 0 and decided.evidence == {"rules": ["same_date"]}


def test_the_benchmark_measures_the_queue_order_against_the_truth():
    from bench.steps_duplicates import queue_precision

    truth = {(1, 2): "typo", (3, 4): "typo"}
    best = queue_precision([(1, 2), (3, 4), (5, 6), (7, 8)], truth)
    worst = queue_precision([(5, 6), (7, 8), (1, 2), (3, 4)], truth)
    assert best == {"precision_first_10pct": 1.0, "precision_first_25pct": 1.0, "precision_first_50pct": 1.0,
                    "average_precision": 1.0}  # fmt: skip
    assert worst["precision_first_50pct"] == 0.0 and worst["average_precision"] == round((1 / 3 + 2 / 4) / 2, 4)
    assert queue_precision([], truth)["average_precision"] == 0.0
