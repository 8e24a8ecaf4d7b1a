"""The compiled SQL classification stores exactly what `evaluate`/`classify` returns.

A property test over random households (members of every age around the rules' bounds, housing
facts, form B incomes around each line, answers and overrides) under every shipped standard and
random edits of their lines, on the database the suite runs on (SQLite, or PostgreSQL with
``DATABASE_URL``), plus boundary tables. Each household staged by `classify_sql` is compared field
by field with the Python evaluation of the same household.
"""

import json
import re
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansinh.poverty import classify_sql, services_runs
from ansinh.poverty.indicators import compact
from ansinh.poverty.models import Assessment, Classification, StandardVersion
from ansinh.poverty.selectors import latest_assessment
from ansinh.poverty.services import evaluate
from ansinh.registry.models import Household
from ansinh.registry.tests.factories import head, make_household, member

ON_DATE = date(2025, 6, 30)


def odd_answers_storable() -> bool:
    """Whether a form B answer other than true, false or null can be stored: PostgreSQL refuses it
    (`poverty_assessment_answers_booleans`, decision 0042) and its preview relies on that; SQLite stores
    it, and its statements send such a household to Python."""
    return connection.vendor != "postgresql"


@dataclass
class Progress:
    """Counts what the staging reports (the job's progress in a run)."""

    total: int = 0
    done: int = 0

    def set_total(self, n):
        self.total = n

    def advance(self, n=1):
        self.done += n


def staged(unit, version, on_date=ON_DATE) -> dict[int, dict]:
    """Stage the unit as a run does and return each household's staged row."""
    run = SimpleNamespace(unit=unit, standard_version=version, on_date=on_date)
    progress = Progress()
    services_runs._stage(run, progress, with_json=True)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(classify_sql.STAGE_COLUMNS)} FROM {classify_sql.STAGE}")  # noqa: S608
            rows = [dict(zip(classify_sql.STAGE_COLUMNS, row, strict=True)) for row in cursor.fetchall()]
    finally:
        services_runs._drop_stage()
    assert progress.done == progress.total == len(rows)
    return {row["household_id"]: row for row in rows}


def published(row: dict, version, on_date) -> Classification:
    """The result row `services_runs._publish_results` inserts for a staged row (unsaved; an incomplete
    household's row, which is not published, has no class, flags nor deprivations)."""
    assessment = Assessment.objects.get(pk=row["assessment_id"]) if row["assessment_id"] else None
    return Classification(
        household_id=row["household_id"], standard_version=version, standard_code=version.standard.code,
        assessment=assessment, klass=row["klass"], flags=json.loads(row["flags"] or "[]"), area=row["area"],
        farming=bool(row["farming"]), income_source=row["income_source"], income_per_capita=row["income_per_capita"],
        income_score=row["income_score"], deprivations=json.loads(row["deprivations"] or "[]"),
        indicators=json.loads(row["indicators"]), reasons=[], on_date=on_date,
    )  # fmt: skip


def assert_equal_to_python(unit, version, on_date=ON_DATE) -> dict[str, int]:
    spec = version.spec()
    states: dict[str, int] = {}
    for pk, row in staged(unit, version, on_date).items():
        household = Household.objects.get(pk=pk)
        assessment = latest_assessment(household, version.standard)
        evaluation = evaluate(spec, household, assessment, on_date=on_date)
        states[row["state"]] = states.get(row["state"], 0) + 1
        if row["state"] == "fallback":
            continue
        assert (row["state"] == "ok") == (evaluation.result is not None), (row, evaluation)
        # Each derived value and its facts are stored as the Python path stores them (decision 0028);
        # the result row made of this staged row reads back the records `evaluate` gives, the answers,
        # overrides, final values and sources built from its form B.
        assert json.loads(row["indicators"]) == compact(evaluation.indicators)
        assert published(row, version, on_date).result_indicators() == evaluation.indicators
        if evaluation.result is None:
            continue
        result = evaluation.result
        assert row["klass"] == result.klass
        assert json.loads(row["flags"]) == list(result.flags)
        # No reasons are staged or stored (decision 0027): the result row the commit makes of this
        # staged row (`services_runs._publish_results`) builds on read the reasons `evaluate` gives.
        assert published(row, version, on_date).result_reasons() == [dict(r) for r in result.reasons]
        order = [i.code for i in spec.indicators]
        assert json.loads(row["deprivations"]) == sorted(evaluation.facts.deprivations, key=order.index)
        assert row["area"] == evaluation.facts.area and bool(row["farming"]) == evaluation.facts.farming
    return states


CHOICES = {
    "health_insurance": ["", "yes", "yes", "no"],
    "schooling": ["", "none", "none", "primary", "upper_secondary", "higher"],
    "diploma": ["", "none", "primary", "lower_secondary", "lower_secondary", "upper_secondary", "university"],
    "disability": ["none", "mild", "severe", "especially_severe"],
    "labour_status": [
        "",
        "self_employed",
        "working_contract",
        "wage_no_contract",
        "self_employed",
        "unemployed",
        "student",
    ],
    "allowance": ["none", "pension", "social_allowance"],
}


@st.composite
def people(draw):
    age = draw(st.sampled_from([0, 2, 3, 5, 6, 14, 15, 16, 17, 18, 19, 29, 30, 31, 45, 59, 60, 61, 80]))
    extra = {k: draw(st.sampled_from(v)) for k, v in CHOICES.items()}
    if draw(st.booleans()):  # a full birth date, the birthday just before or after the run's date
        born = ON_DATE.replace(year=ON_DATE.year - age) + timedelta(days=draw(st.sampled_from([-1, 0, 1])))
        return dict(birth_date=born, **extra)
    return dict(birth_year=ON_DATE.year - age, **extra)


@st.composite
def households(draw, codes):
    members = draw(st.lists(people(), min_size=1, max_size=5))
    facts = {
        "housing_area_m2": draw(st.sampled_from([None, Decimal("0"), Decimal("7.9"), Decimal("8"), Decimal("16"),
                                                 Decimal("23.9"), Decimal("24.1"), Decimal("40.5")])),
        "wall_durability": draw(st.sampled_from(["", "durable", "durable", "not_durable"])),
        "column_durability": draw(st.sampled_from(["durable", "not_durable"])),
        "roof_durability": draw(st.sampled_from(["durable", "not_durable"])),
        "water_source": draw(st.sampled_from(["", "piped", "unprotected", "bought"])),
        "latrine_type": draw(st.sampled_from(["", "flush", "none"])),
        "info_devices": draw(st.lists(st.sampled_from(["tv", "radio", "smartphone", "internet"]), unique=True)),
    }  # fmt: skip
    area = draw(st.sampled_from(["rural", "urban"]))
    line = draw(st.sampled_from([700_000, 900_000, 1_000_000, 1_300_000, 1_500_000, 2_000_000, 2_250_000,
                                 3_000_000, 3_000_000, 3_833_333]))  # fmt: skip
    income = max(0, line + draw(st.sampled_from([-1, 0, 1, -300_000, 500_000])))
    codes_answered = draw(st.sampled_from([codes, []]) | st.lists(st.sampled_from(codes), unique=True))
    answers = {c: draw(st.sampled_from([True, False, False, None])) for c in codes_answered}
    overridden = draw(st.lists(st.sampled_from(codes), unique=True, max_size=2))
    overrides = {c: {"value": draw(st.booleans()), "reason": "Điều tra viên thấy khác"} for c in overridden}
    form_b = draw(st.sampled_from(["declared", "declared", "computed", "proxy_score", None]))
    score = draw(st.sampled_from([100, 140, 141, 175, 176, 200]))
    return members, facts, area, form_b, income, score, answers, overrides, draw(st.booleans())


def _register(commune, n, spec, generated):
    members, facts, area, form_b, income, score, answers, overrides, farming = generated
    rows = [head(**{"birth_date": None, **members[0]})]
    rows += [member(name=f"Thành viên {i}", **{"birth_year": None, **m}) for i, m in enumerate(members[1:])]
    household = make_household(commune, code=f"P{n:05d}", members=rows, **facts)
    Household.objects.filter(pk=household.pk).update(area_type=area)
    return household, form_b, income, score, answers, overrides, farming


def _assess(household, version, spec, form_b, income, score, answers, overrides, farming) -> None:
    """The generated household's form B, when it has one its standard can read."""
    if form_b is None or (form_b == "proxy_score" and spec.proxy_score is None):
        return
    Assessment.objects.create(
        household=household, standard=version.standard, assessed_on=ON_DATE, income_source=form_b,
        income_per_capita=None if form_b == "proxy_score" else income,
        income_score=score if form_b == "proxy_score" else None, farming=farming, answers=answers,
        overrides=overrides, unit_path=household.unit_path,
    )  # fmt: skip


@pytest.mark.parametrize("code", ["2016-2020", "2022-2025", "2027-2030", "hcm-2021-2025"])
def test_sql_classification_equals_python_for_random_households(code, standards, units, users):
    version = StandardVersion.objects.select_related("standard").get(standard__code=code, version=1)
    spec = version.spec()
    counter = iter(range(1, 100_000))

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.lists(households([i.code for i in spec.indicators]), min_size=1, max_size=4))
    def check(batch):
        for generated in batch:
            household, form_b, income, score, answers, overrides, farming = _register(units.tho_xuan, next(counter),
                                                                                     spec, generated)  # fmt: skip
            _assess(household, version, spec, form_b, income, score, answers, overrides, farming)
        states = assert_equal_to_python(units.tho_xuan, version)
        assert "fallback" not in states
        seen.update(states)

    seen: set[str] = set()

    check()
    assert seen == {"ok", "incomplete"}  # both outcomes were compared


# (standard, area, income, deprivations, farming, expected class, expected flags)
BOUNDARIES = [
    ("2022-2025", "rural", 1_500_000, 3, False, "poor", []),  # exactly at the line
    ("2022-2025", "rural", 1_500_000, 2, False, "near_poor", []),  # 2 deprivations, not 3
    ("2022-2025", "rural", 1_500_001, 3, False, "not_poor", ["low_income"]),  # one đồng above
    ("2022-2025", "urban", 2_000_000, 0, False, "near_poor", []),
    ("2022-2025", "urban", 2_000_001, 0, True, "average", ["low_income"]),  # farming band
    ("2022-2025", "rural", 2_250_000, 0, True, "average", ["low_income"]),
    ("2022-2025", "rural", 2_250_001, 0, True, "not_poor", []),
    ("2016-2020", "rural", 700_000, 0, False, "poor", []),  # lower tier: poor whatever the deprivations
    ("2016-2020", "rural", 700_001, 3, False, "poor", []),
    ("2016-2020", "rural", 1_000_000, 2, False, "near_poor", []),
    ("2016-2020", "urban", 1_300_001, 0, True, "average", []),
    ("2016-2020", "urban", 1_950_001, 0, True, "not_poor", []),
    ("hcm-2021-2025", "urban", 3_000_000, 3, False, "poor", []),  # 36M a year
    ("hcm-2021-2025", "urban", 3_000_001, 3, False, "near_poor", []),
    ("hcm-2021-2025", "rural", 3_833_333, 0, False, "near_poor", []),  # 46M a year
    ("hcm-2021-2025", "rural", 3_833_334, 0, False, "not_poor", []),
    ("2027-2030", "urban", 2_800_000, 3, False, "poor", []),
    ("2027-2030", "urban", 2_800_001, 3, True, "not_poor", []),
]


@pytest.mark.parametrize(("code", "area", "income", "deprived", "farming", "klass", "flags"), BOUNDARIES)
def test_boundaries_agree_and_classify_as_the_rules_say(code, area, income, deprived, farming, klass, flags,
                                                        standards, units):  # fmt: skip
    version = StandardVersion.objects.select_related("standard").get(standard__code=code, version=1)
    codes = [i.code for i in version.spec().indicators]
    household = make_household(units.tho_xuan, code="B0001")
    Household.objects.filter(pk=household.pk).update(area_type=area)
    Assessment.objects.create(
        household=household, standard=version.standard, assessed_on=ON_DATE, income_source="declared",
        income_per_capita=income, farming=farming, answers={c: i < deprived for i, c in enumerate(codes)},
        unit_path=household.unit_path,
    )  # fmt: skip
    assert assert_equal_to_python(units.tho_xuan, version) == {"ok": 1}
    row = staged(units.tho_xuan, version)[household.pk]
    assert (row["klass"], json.loads(row["flags"])) == (klass, flags)


def test_odd_answers_fall_back_to_python_for_that_household_only(standards, units, users,
                                                                 django_capture_on_commit_callbacks):  # fmt: skip
    from ansinh.poverty.models import Classification
    from ansinh.poverty.services_runs import run_commit, run_start

    if not odd_answers_storable():
        pytest.skip("PostgreSQL refuses such a form B: test_postgresql_refuses_an_answer_that_is_not_a_boolean")
    version = StandardVersion.objects.select_related("standard").get(standard__code="2022-2025", version=1)
    codes = [i.code for i in version.spec().indicators]
    for n, odd in enumerate([False, True]):
        household = make_household(units.tho_xuan, code=f"F{n}")
        answers = {c: False for c in codes} | ({"nutrition": 1} if odd else {})  # 1, not true: Python's truthiness
        Assessment.objects.create(household=household, standard=version.standard, assessed_on=ON_DATE,
                                  income_source="declared", income_per_capita=1_000_000, answers=answers,
                                  unit_path=household.unit_path)  # fmt: skip
    assert assert_equal_to_python(units.tho_xuan, version) == {"ok": 1, "fallback": 1}
    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(actor=users.commune_officer, unit=units.tho_xuan, standard=version.standard, on_date=ON_DATE)
    run.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        run_commit(actor=users.commune_officer, run=run)
    run.refresh_from_db()
    assert run.status == "committed" and run.counts["households"] == 2
    stored = {c.household.code: c for c in Classification.objects.filter(run=run).select_related("household")}
    assert set(stored) == {"F0", "F1"}
    assert stored["F1"].klass == stored["F0"].klass == "near_poor"
    assert stored["F1"].deprivations == ["nutrition"] and stored["F0"].deprivations == []
    assert run.preview["counts"] == run.counts


@pytest.mark.parametrize("answers", [{"water": "true"}, {"water": "false"}, {"water": 1}, {"water": [True]},
                                     {"water": {"value": True}}, ["water"], "water"])  # fmt: skip
def test_postgresql_refuses_an_answer_that_is_not_a_boolean(answers, standards, units):
    """The check the preview's statement relies on: an answer is true, false or null, in an object
    (a text "true" would read as the boolean). The service writes only booleans anyway."""
    if odd_answers_storable():
        pytest.skip("PostgreSQL only: SQLite's statements test each answer's JSON type")
    version = StandardVersion.objects.select_related("standard").get(standard__code="2022-2025", version=1)
    household = make_household(units.tho_xuan, code="R0001")
    codes = [i.code for i in version.spec().indicators]
    mixed = {c: False for c in codes} | answers if isinstance(answers, dict) else answers
    with pytest.raises(IntegrityError, match="poverty_assessment_answers_booleans"), transaction.atomic():
        _form_b(household, version, answers=mixed)
    assert not Assessment.objects.filter(household=household).exists()
    _form_b(household, version, answers={c: False for c in codes} | {"water": None, "nutrition": True})  # accepted
    assert Assessment.objects.filter(household=household).count() == 1


def _form_b(household, version, **kw):
    codes = [i.code for i in version.spec().indicators]
    values = {"answers": {c: False for c in codes}, "income_source": "declared", "income_per_capita": 1_000_000}
    Assessment.objects.create(household=household, standard=version.standard, assessed_on=ON_DATE,
                              unit_path=household.unit_path, **(values | kw))  # fmt: skip


@pytest.mark.parametrize(
    ("answers", "overrides", "devices", "state"),
    [
        ({"water": None}, {}, ["tv"], "ok"),  # a JSON null answer is no answer: the derived value counts
        ({"nutrition": None}, {}, ["tv"], "incomplete"),  # … and nothing to derive nutrition from
        ({}, {"housing_quality": {"value": True, "reason": "Nhà 50% dột, 'tạm' \"sửa\" \\ %s"}}, ["tv"], "ok"),
        ({}, {"housing_quality": {"value": False, "reason": ""}, "water": {"value": True, "reason": "r"}}, [], "ok"),
        ({}, {"housing_quality": None}, ["tv"], "fallback"),  # an override that is not {value, reason}
        ({}, {"housing_quality": {"value": True}}, ["tv"], "fallback"),
        ({}, {"housing_quality": {"value": True, "reason": 5}}, ["tv"], "fallback"),
        ({}, {"unknown_code": {"value": True, "reason": "r"}}, ["tv"], "ok"),  # not an indicator: ignored
        ({}, {}, ["tv", "tv", 1, "internet"], "ok"),  # only the list's text items are devices
        ({}, {}, "tv", "fallback"),  # devices that are not a list
    ],
)
def test_answers_overrides_and_devices_as_python_reads_them(answers, overrides, devices, state, standards, units):
    """Facts the compiled statement reads in one pass (answer and override types, the devices as a
    bit mask on SQLite, the answers as one record on PostgreSQL) mean what `evaluate` reads."""
    version = StandardVersion.objects.select_related("standard").get(standard__code="2022-2025", version=1)
    codes = [i.code for i in version.spec().indicators]
    household = make_household(units.tho_xuan, code="O0001", water_source="piped", latrine_type="flush")
    Household.objects.filter(pk=household.pk).update(info_devices=devices)
    _form_b(household, version, answers={c: False for c in codes} | answers, overrides=overrides)
    if state == "fallback":  # (facts the services never write: `evaluate` itself fails on them)
        assert [row["state"] for row in staged(units.tho_xuan, version).values()] == ["fallback"]
        return
    assert assert_equal_to_python(units.tho_xuan, version) == {state: 1}
    if state == "ok" and overrides.get("housing_quality"):
        row = staged(units.tho_xuan, version)[household.pk]
        records = published(row, version, ON_DATE).result_indicators()
        housing = next(i for i in records if i["code"] == "housing_quality")
        assert (housing["source"], housing["reason"]) == ("override", overrides["housing_quality"]["reason"])


def test_a_preview_stages_the_same_classes_without_the_json(standards, units):
    """The preview's statement (no JSON columns, no facts read) stages what the commit's does."""
    version = StandardVersion.objects.select_related("standard").get(standard__code="2022-2025", version=1)
    codes = [i.code for i in version.spec().indicators]
    for n, (income, deprived) in enumerate([(900_000, 4), (900_000, 0), (3_000_000, 2), (1_500_000, 3)]):
        household = make_household(units.tho_xuan, code=f"V{n:04d}")
        _form_b(household, version, income_per_capita=income, answers={c: i < deprived for i, c in enumerate(codes)},
                overrides={codes[-1]: {"value": True, "reason": "r"}} if n == 3 else {})  # fmt: skip
    make_household(units.tho_xuan, code="V0009")  # no form B: incomplete
    run = SimpleNamespace(unit=units.tho_xuan, standard_version=version, on_date=ON_DATE)
    stages = {}
    for with_json in (True, False):
        services_runs._stage(run, Progress(), with_json=with_json)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {classify_sql.STAGE} ORDER BY household_id")  # noqa: S608
            stages[with_json] = cursor.fetchall()
        services_runs._drop_stage()
    json_at = classify_sql.STAGE_COLUMNS.index("flags")
    assert [row[:json_at] for row in stages[False]] == [row[:json_at] for row in stages[True]]
    assert {row[json_at:] for row in stages[False]} == {(None, None, None)}
    states = [row[classify_sql.STAGE_COLUMNS.index("state")] for row in stages[True]]
    assert sorted(states) == ["incomplete", "ok", "ok", "ok", "ok"]


@pytest.mark.django_db
@pytest.mark.parametrize("pieces", [2, 5, 200])
def test_concatenation_by_one_call_is_the_same_text_as_by_bars(pieces):
    """`_cat` (printf/format) gives what `||` gives: literals with `%` and quotes, NULL making NULL,
    more pieces than a function takes arguments."""
    d = classify_sql._Dialect(connection.vendor)
    parts = []
    for i in range(pieces):
        parts += [classify_sql.lit(f"{i}%'s,"), f"t.c{i}"]
    expr = classify_sql._cat(d, *parts)
    assert d.format in expr
    values = ", ".join(f"CAST(%s AS TEXT) AS c{i}" for i in range(pieces))
    with connection.cursor() as cursor:
        texts = [f"v{i}%d" for i in range(pieces)]
        cursor.execute(f"SELECT {expr}, {' || '.join(parts)} FROM (SELECT {values}) t", texts)  # noqa: S608
        by_call, by_bars = cursor.fetchone()
        assert by_call == by_bars == "".join(f"{i}%'s,v{i}%d" for i in range(pieces))
        cursor.execute(f"SELECT {expr} FROM (SELECT {values}) t", [*texts[:-1], None])  # noqa: S608
        assert cursor.fetchone()[0] is None


@pytest.mark.parametrize("with_json", [False, True])
def test_stage_params_fill_every_placeholder_of_the_statement(with_json, standards):
    """PostgreSQL's preview reads a household's members by its id (no members' id range): its
    statement has two placeholders fewer, and `stage_params` gives as many values as it has."""
    version = StandardVersion.objects.get(standard__code="2022-2025", version=1)
    for vendor in ("sqlite", "postgresql"):
        sql = classify_sql.stage_sql(version.spec(), vendor=vendor, on_date=ON_DATE, tables=services_runs._tables(),
                                     with_json=with_json)  # fmt: skip
        params = classify_sql.stage_params(standard_id=1, low=1, high=9, unit_path="/2025/38/", vendor=vendor,
                                           with_json=with_json)  # fmt: skip
        placeholders = re.findall(r"%%|%s", sql).count("%s")  # ("%%": a literal %, as in printf's formats)
        assert placeholders == len(params), (vendor, with_json)
    assert len(classify_sql.stage_params(standard_id=1, low=1, high=9, unit_path="/2025/38/")) == 11  # the commit's


def test_staging_raises_work_mem_on_postgresql_and_puts_it_back(standards, units, settings, monkeypatch):
    """The staging statements run with `ANSINH_BULK_WORK_MEM` (their sorts stay in memory); the
    session's own value comes back after them, and after a statement that fails."""
    version = StandardVersion.objects.select_related("standard").get(standard__code="2022-2025", version=1)
    household = make_household(units.tho_xuan, code="M0001")
    _form_b(household, version)
    run = SimpleNamespace(unit=units.tho_xuan, standard_version=version, on_date=ON_DATE)
    settings.ANSINH_BULK_WORK_MEM = "24MB"
    seen: list[str] = []

    def spy(execute, sql, params, many, context):
        if sql.startswith("INSERT INTO poverty_run_stage") and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SHOW work_mem")
                seen.append(cursor.fetchone()[0])
        return execute(sql, params, many, context)

    def work_mem() -> str | None:
        if connection.vendor != "postgresql":
            return None
        with connection.cursor() as cursor:
            cursor.execute("SHOW work_mem")
            return cursor.fetchone()[0]

    before = work_mem()
    with connection.execute_wrapper(spy):
        services_runs._stage(run, Progress(), with_json=False)
    services_runs._drop_stage()
    assert work_mem() == before
    assert seen == (["24MB"] if connection.vendor == "postgresql" else [])
    monkeypatch.setattr(classify_sql, "stage_params", lambda **kw: [])  # the statement then fails
    with pytest.raises(DatabaseError), transaction.atomic():  # (a savepoint: the test's transaction goes on)
        services_runs._stage(run, Progress(), with_json=False)
    services_runs._drop_stage()
    assert work_mem() == before
