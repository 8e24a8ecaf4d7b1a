"""Decisions on duplicate pairs: merge journal, refusals, area rules, audit."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ansinh.audit.models import AuditEvent
from ansinh.core.exceptions import ApplicationError
from ansinh.registry.duplicates import duplicates_scan, members_in_area
from ansinh.registry.events import RegistryEventType
from ansinh.registry.models import DuplicatePair, Member
from ansinh.registry.services_duplicates import (
    duplicate_list_visible_to,
    duplicate_mark_different,
    duplicate_mark_same,
)

from .factories import head, make_household, member
from .matrix_duplicates import seed_households


def _scan() -> None:
    duplicates_scan(members=members_in_area(""))


@pytest.fixture
def spouse_pair(units):
    """Thọ Xuân: one woman entered in two households, with different facts on each record."""
    h1 = make_household(
        units.tho_xuan,
        village=units.t1,
        code="S1",
        members=[head("Nguyễn Văn An"), member("Lê Thị Bình", birth_year=1978, health_insurance="yes")],
    )
    h2 = make_household(
        units.tho_xuan,
        village=units.t2,
        code="S2",
        members=[
            head("Trần Văn Cường", birth_date=date(1960, 5, 6)),
            member("Le Thi Binh", birth_year=1978, health_insurance="no", relation="other"),
        ],
    )
    _scan()
    a = h1.members.get(relation="spouse")
    b = h2.members.get(relation="other")
    low, high = sorted((a, b), key=lambda m: m.pk)
    return DuplicatePair.objects.get(member_a=low, member_b=high)


def test_mark_same_merges_with_a_journal_of_every_differing_field(spouse_pair, users):
    a, b = spouse_pair.member_a, spouse_pair.member_b
    decided = duplicate_mark_same(
        actor=users.commune_officer, pair=spouse_pair, keep=a,
        values={"full_name": "a", "health_insurance": "b"}, reason="Cùng một người, đã hỏi trưởng thôn",
    )  # fmt: skip
    a.refresh_from_db()
    b.refresh_from_db()
    assert decided.status == "same"
    assert a.full_name == "Lê Thị Bình" and a.health_insurance == "no"
    assert (b.status, b.merged_into_id) == ("merged", a.pk)
    journal = {c["field"]: c for c in decided.conflicts}
    assert set(journal) == {"full_name", "health_insurance"}
    assert journal["full_name"] == {"field": "full_name", "a": "Lê Thị Bình", "b": "Le Thi Binh", "kept": "a",
                                    "value": "Lê Thị Bình"}  # fmt: skip
    assert journal["health_insurance"]["kept"] == "b"
    events = AuditEvent.objects.filter(event_type=RegistryEventType.DUPLICATE_MARKED_SAME)
    assert {e.target_id for e in events} == {str(a.pk), str(b.pk)}


def test_mark_same_needs_a_choice_for_every_differing_field(spouse_pair, users):
    with pytest.raises(ValidationError) as exc:
        duplicate_mark_same(actor=users.commune_officer, pair=spouse_pair, keep=spouse_pair.member_a,
                            values={"full_name": "a"}, reason="x")  # fmt: skip
    assert "health_insurance" in exc.value.message_dict
    spouse_pair.refresh_from_db()
    assert spouse_pair.status == "pending"
    assert not Member.objects.filter(status="merged").exists()


def test_mark_same_refuses_to_retire_a_household_head(units, users):
    make_household(units.tho_xuan, code="K1", members=[head("Nguyễn Văn An")])
    make_household(units.tho_xuan, code="K2", members=[head("Nguyễn Văn An")])
    _scan()
    pair = DuplicatePair.objects.get()
    with pytest.raises(ApplicationError, match="đổi chủ hộ"):
        duplicate_mark_same(actor=users.commune_officer, pair=pair, keep=pair.member_a, values={}, reason="Trùng")


def test_decisions_need_a_reason_and_are_taken_once(spouse_pair, users):
    with pytest.raises(ValidationError):
        duplicate_mark_different(actor=users.commune_officer, pair=spouse_pair, reason="  ")
    duplicate_mark_different(actor=users.commune_officer, pair=spouse_pair, reason="Hai người cùng tên")
    with pytest.raises(ApplicationError) as exc:
        duplicate_mark_different(actor=users.commune_officer, pair=spouse_pair, reason="Lần nữa")
    assert exc.value.code == "duplicate_already_decided"
    with pytest.raises(ApplicationError):
        duplicate_mark_same(actor=users.commune_officer, pair=spouse_pair, keep=spouse_pair.member_a,
                            values={"full_name": "a", "health_insurance": "a"}, reason="x")  # fmt: skip
    assert AuditEvent.objects.filter(event_type=RegistryEventType.DUPLICATE_MARKED_DIFFERENT).count() == 2


def test_out_of_area_officer_is_refused(spouse_pair, users):
    with pytest.raises(PermissionDenied):
        duplicate_mark_different(actor=users.commune_officer_dl, pair=spouse_pair, reason="Không phải")
    with pytest.raises(PermissionDenied):
        duplicate_mark_different(actor=users.auditor, pair=spouse_pair, reason="Chỉ xem")


def test_cross_province_pair_is_visible_to_both_sides_and_decided_only_over_both(units, users):
    make_household(units.tho_xuan, code="X1", members=[head("Nguyễn Văn An")])
    make_household(units.mdrak, code="X2", members=[head("Nguyễn Văn An"), member("Nguyễn Văn An",
                                                    sex="male", relation="child", birth_year=1975)])  # fmt: skip
    _scan()
    tx_head = Member.objects.get(household__code="X1")
    cross = DuplicatePair.objects.filter(member_a=tx_head).order_by("pk").first()
    assert cross is not None and cross.unit_path_a != cross.unit_path_b
    for officer in (users.commune_officer, users.commune_officer_dl, users.province_officer):
        assert cross in duplicate_list_visible_to(user=officer)
    for officer in (users.commune_officer, users.commune_officer_dl, users.province_officer):
        with pytest.raises(PermissionDenied):
            duplicate_mark_different(actor=officer, pair=cross, reason="Khác người")
    decided = duplicate_mark_different(actor=users.system_admin, pair=cross, reason="Khác người")
    assert decided.status == "different"


def test_dl_officer_never_sees_a_thanh_hoa_pair(units, users):
    seed_households(units)
    _scan()
    paths = {p for pair in duplicate_list_visible_to(user=users.commune_officer_dl)
             for p in (pair.unit_path_a, pair.unit_path_b)}  # fmt: skip
    assert paths and all(p.startswith(units.dl.path) for p in paths)
    assert all(p.startswith(units.th.path) for pair in duplicate_list_visible_to(user=users.commune_officer)
               for p in (pair.unit_path_a, pair.unit_path_b))  # fmt: skip


def test_merge_drops_other_pending_pairs_of_the_retired_record(units, users):
    make_household(units.tho_xuan, code="M1", members=[head("Nguyễn Văn An"), member("Lê Thị Bình")])
    make_household(units.tho_xuan, code="M2", members=[head("Trần Văn Cường"), member("Lê Thị Bình")])
    make_household(units.tho_xuan, code="M3", members=[head("Phạm Văn Dũng"), member("Lê Thị Bình")])
    _scan()
    spouses = list(Member.objects.filter(full_name="Lê Thị Bình").order_by("pk"))
    pair = DuplicatePair.objects.get(member_a=spouses[0], member_b=spouses[1])
    duplicate_mark_same(actor=users.commune_officer, pair=pair, keep=spouses[0], values={}, reason="Cùng người")
    remaining = DuplicatePair.objects.filter(status="pending")
    assert [(p.member_a_id, p.member_b_id) for p in remaining] == [(spouses[0].pk, spouses[2].pk)]
    _scan()  # the retired record is not proposed again
    assert not DuplicatePair.objects.filter(member_b=spouses[1], status="pending").exists()
