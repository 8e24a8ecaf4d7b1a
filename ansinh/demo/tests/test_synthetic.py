import json
from collections import Counter
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from ansinh.audit.models import AuditEvent
from ansinh.core.text import fold_vietnamese
from ansinh.demo.events import DemoEventType
from ansinh.demo.synthetic import DUPLICATE_FIELD_CHANGES, GenerationError, synthetic_registry_generate
from ansinh.geo.models import AdminUnit
from ansinh.poverty.models import Assessment, PovertyStandard
from ansinh.poverty.services import evaluate
from ansinh.registry.identity import validate_id_number
from ansinh.registry.models import Household, Member

ON = date(2026, 3, 2)


def _generate(tmp_path, n, *, seed=1, province="38", **kwargs):
    ground_truth = tmp_path / kwargs.pop("gt", f"gt-{seed}.json")
    return synthetic_registry_generate(
        province_code=province, households=n, seed=seed, today=ON, ground_truth=ground_truth,
        chunk_size=kwargs.pop("chunk_size", 150), **kwargs,
    )  # fmt: skip


def _content():
    households = list(
        Household.objects.order_by("commune__code", "code").values_list(
            "commune__code", "village__code", "code", "head_name", "housing_area_m2", "water_source", "info_devices"
        )
    )
    members = list(
        Member.objects.order_by("household__commune__code", "household__code", "order").values_list(
            "full_name", "sex", "birth_date", "relation", "id_number", "labour_status"
        )
    )
    incomes = list(Assessment.objects.order_by("household__commune__code", "household__code").values_list(
        "income_per_capita", "answers"))  # fmt: skip
    return households, members, incomes


def _wipe():
    Assessment.objects.all().delete()
    Household.objects.update(head=None)
    Member.objects.all().delete()
    Household.objects.all().delete()


def test_registry_is_consistent_and_valid(units, tmp_path):
    summary = _generate(tmp_path, 600)

    assert summary.households == Household.objects.count() == 600
    assert summary.members == Member.objects.count()
    assert summary.assessments == Assessment.objects.filter(standard__code="2022-2025").count() == 600
    assert 3.2 <= summary.members / summary.households <= 3.8
    # Hạc Thành had no villages: the generator gave it some, with the paths AdminUnit.save gives.
    created = AdminUnit.objects.filter(parent=units.hac_thanh, level="village")
    assert created.count() == summary.villages_created >= 4
    assert all(v.path == f"{units.hac_thanh.path}{v.code}/" for v in created)
    # Households spread over both communes, in their villages, with unique codes per commune.
    per_commune = Counter(Household.objects.values_list("commune_id", flat=True))
    assert set(per_commune) == {units.tho_xuan.pk, units.hac_thanh.pk}
    for household in Household.objects.select_related("village", "head"):
        assert household.village.parent_id == household.commune_id
        assert household.unit_path == household.village.path
        assert household.head.household_id == household.pk and household.head.relation == "head"
        assert household.head_name == household.head.full_name
    assert Household.objects.values("commune", "code").distinct().count() == 600

    members = list(Member.objects.all())
    numbers = Counter()
    for member in members:
        assert member.name_folded == fold_vietnamese(member.full_name)
        assert member.birth_year == member.birth_date.year and member.birth_date <= ON
        if member.id_number:
            validate_id_number(member.id_number, sex=member.sex, birth_date=member.birth_date)  # raises if invalid
            assert member.id_kind == ("cccd" if len(member.id_number) == 12 else "cmnd")
            numbers[member.id_number] += 1
    assert Counter(m.id_kind for m in members)["cmnd"] > 0
    # Ages agree with relations: one head, children 18–40 years younger than head and spouse.
    by_household: dict[int, list[Member]] = {}
    for member in members:
        by_household.setdefault(member.household_id, []).append(member)
    for people in by_household.values():
        heads = [m for m in people if m.relation == "head"]
        assert len(heads) == 1
        parents = [m for m in people if m.relation in ("head", "spouse")]
        for child in (m for m in people if m.relation == "child"):
            for parent in parents:
                assert 17 <= child.birth_year - parent.birth_year <= 41, (parent.full_name, child.full_name)
        for elder in (m for m in people if m.relation == "parent"):
            assert 19 <= heads[0].birth_year - elder.birth_year <= 39

    # Seeded duplicates: the pairs exist, and they are the only shared CCCDs.
    truth = json.loads((tmp_path / "gt-1.json").read_text(encoding="utf-8"))
    assert len(truth["pairs"]) == summary.duplicates > 0
    ids = {m.pk: m for m in members}
    in_pairs = set()
    for pair in truth["pairs"]:
        a, b = ids[pair["a"]], ids[pair["b"]]
        assert a.household_id != b.household_id and pair["kind"] in {
            "two_communes", "typo", "no_diacritics", "swapped_day_month"}  # fmt: skip
        if pair["kind"] == "two_communes":
            assert a.household.commune_id != b.household.commune_id and a.id_number == b.id_number
            assert (a.full_name, a.birth_date) == (b.full_name, b.birth_date)
        if pair["kind"] == "no_diacritics":
            assert b.full_name == b.name_folded.title() or fold_vietnamese(a.full_name) == b.name_folded
        if pair["kind"] == "swapped_day_month":
            assert (b.birth_date.day, b.birth_date.month) == (a.birth_date.month, a.birth_date.day)
        if a.id_number:
            in_pairs.add(a.id_number)
    # A copy keeps the sex and most other fields, but not all of them verbatim (another enumerator,
    # years apart): the fields must not look like stronger evidence than they are.
    fields = [name for name, _rate in DUPLICATE_FIELD_CHANGES]
    copies = [(ids[p["a"]], ids[p["b"]]) for p in truth["pairs"]]
    assert all(a.sex == b.sex for a, b in copies)
    agreeing = [sum(getattr(a, f) == getattr(b, f) for f in fields) for a, b in copies]
    assert sum(agreeing) >= 0.8 * len(fields) * len(copies)
    assert any(n < len(fields) for n in agreeing)
    shared = {number for number, count in numbers.items() if count > 1}
    assert shared <= in_pairs

    # One audit event for the run.
    events = AuditEvent.objects.filter(event_type=DemoEventType.SYNTHETIC_REGISTRY_GENERATED)
    assert events.count() == 1 and events.get().changes["new"]["households"] == 600


def test_poor_and_near_poor_shares_under_the_real_rules(units, tmp_path):
    _generate(tmp_path, 2000, chunk_size=700)
    spec = PovertyStandard.objects.get(code="2022-2025").spec()
    assessments = {a.household_id: a for a in Assessment.objects.all()}
    classes = Counter()
    for household in Household.objects.prefetch_related("members"):
        result = evaluate(spec, household, assessments[household.pk], on_date=ON,
                          members=list(household.members.all())).result  # fmt: skip
        classes[result.klass] += 1
    assert 0.035 <= classes["poor"] / 2000 <= 0.065
    assert 0.035 <= classes["near_poor"] / 2000 <= 0.065
    assert classes["not_poor"] > classes["average"] > 0


def test_same_seed_gives_the_same_registry(units, tmp_path):
    first = _generate(tmp_path, 250, seed=7)
    content = _content()
    truth = json.loads((tmp_path / "gt-7.json").read_text(encoding="utf-8"))
    _wipe()
    second = _generate(tmp_path, 250, seed=7, append=False)
    assert second.digest == first.digest
    assert _content() == content
    again = json.loads((tmp_path / "gt-7.json").read_text(encoding="utf-8"))
    assert [(p["kind"], p["a_name"], p["b_name"]) for p in again["pairs"]] == [
        (p["kind"], p["a_name"], p["b_name"]) for p in truth["pairs"]
    ]
    _wipe()
    assert _generate(tmp_path, 250, seed=8).digest != first.digest


def test_append_adds_households_with_fresh_codes_and_numbers(units, tmp_path):
    _generate(tmp_path, 100, seed=2)
    _generate(tmp_path, 100, seed=2, append=True, gt="gt-2b.json")
    assert Household.objects.count() == 200
    assert Household.objects.values("commune", "code").distinct().count() == 200
    copies = {
        p["b"] for name in ["gt-2.json", "gt-2b.json"] for p in json.loads((tmp_path / name).read_text())["pairs"]
    }
    numbers = Counter(Member.objects.filter(id_kind="cccd").exclude(pk__in=copies).values_list("id_number", flat=True))
    assert numbers and max(numbers.values()) == 1  # the second run replaced the numbers the first had issued


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--households", "0", "--province", "38"], "at least 1"),
        (["--households", "10", "--province", "99"], "Unknown 2025 province"),
    ],
)
def test_command_refuses_bad_input_and_writes_nothing(units, tmp_path, args, message):
    villages = AdminUnit.objects.filter(level="village").count()
    with pytest.raises(CommandError, match=message):
        call_command("bench_generate", *args, "--ground-truth", str(tmp_path / "gt.json"))
    assert not Household.objects.exists() and not (tmp_path / "gt.json").exists()
    assert AdminUnit.objects.filter(level="village").count() == villages
    assert not AuditEvent.objects.filter(event_type=DemoEventType.SYNTHETIC_REGISTRY_GENERATED).exists()


def test_command_refuses_a_populated_province_without_append(units, tmp_path, capsys):
    call_command("bench_generate", "--households", "20", "--province", "38", "--seed", "4",
                 "--ground-truth", str(tmp_path / "gt.json"), "--on-date", ON.isoformat())  # fmt: skip
    summary = json.loads(capsys.readouterr().out)
    assert summary["households"] == 20 and summary["ground_truth"] == str(tmp_path / "gt.json")
    assert {"households", "members", "assessments", "duplicates", "seconds", "ground_truth"} <= set(summary)
    with pytest.raises(CommandError, match="already holds households"):
        call_command("bench_generate", "--households", "5", "--province", "38", "--ground-truth",
                     str(tmp_path / "other.json"))  # fmt: skip
    assert Household.objects.count() == 20 and not (tmp_path / "other.json").exists()
    assert AuditEvent.objects.filter(event_type=DemoEventType.SYNTHETIC_REGISTRY_GENERATED).count() == 1
    # Another province is still free.
    call_command("bench_generate", "--households", "5", "--province", "66", "--ground-truth",
                 str(tmp_path / "dl.json"), "--on-date", ON.isoformat())  # fmt: skip
    assert Household.objects.filter(unit_path__startswith=units.dl.path).count() == 5


def test_refusal_raises_generation_error(units, tmp_path):
    with pytest.raises(GenerationError):
        _generate(tmp_path, -3)
