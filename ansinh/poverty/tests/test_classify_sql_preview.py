"""The preview's staging derives only where a derived value counts, and stages what the commit does.

The preview (``with_json=False``) reads members and computes a derivation rule only for an
indicator with neither an override nor a true/false form B answer, in a household with a form B;
the commit (``with_json=True``) derives every value (the stored record keeps it beside the
answer). Every column the preview stages (state, class, …) must equal the commit's, and the
preview job's output (counts per commune and class, transitions, changes, incomplete households,
fallbacks) must equal the one-by-one Python preview. On the database the suite runs on (SQLite,
or PostgreSQL with ``DATABASE_URL``).
"""

from types import SimpleNamespace

import pytest
from django.db import connection
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ansinh.poverty import classify_sql, services_runs
from ansinh.poverty.models import StandardVersion
from ansinh.poverty.selectors import latest_assessment
from ansinh.poverty.services import evaluate
from ansinh.registry.models import Household, Member
from ansinh.registry.tests.factories import head, make_household, member

from .test_classify_sql import ON_DATE, Progress, _assess, _form_b, _register, households, odd_answers_storable

JSON_AT = classify_sql.STAGE_COLUMNS.index("flags")


def stage_rows(unit, version, *, with_json: bool) -> dict[int, tuple]:
    run = SimpleNamespace(unit=unit, standard_version=version, on_date=ON_DATE)
    progress = Progress()
    services_runs._stage(run, progress, with_json=with_json)
    try:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {', '.join(classify_sql.STAGE_COLUMNS)} FROM {classify_sql.STAGE}")  # noqa: S608
            rows = cursor.fetchall()
    finally:
        services_runs._drop_stage()
    assert progress.done == progress.total == len(rows)
    return {row[0]: row for row in rows}


def assert_preview_stages_as_commit(unit, version) -> dict[str, int]:
    """The preview's staged rows equal the commit's up to the JSON columns (which it leaves NULL),
    and its state and class are the Python evaluation's."""
    preview = stage_rows(unit, version, with_json=False)
    commit = stage_rows(unit, version, with_json=True)
    assert preview.keys() == commit.keys()
    spec = version.spec()
    states: dict[str, int] = {}
    state_at, klass_at = classify_sql.STAGE_COLUMNS.index("state"), classify_sql.STAGE_COLUMNS.index("klass")
    for pk, row in preview.items():
        assert row[:JSON_AT] == commit[pk][:JSON_AT], (row, commit[pk])
        assert row[JSON_AT:] == (None, None, None)
        states[row[state_at]] = states.get(row[state_at], 0) + 1
        if row[state_at] == "fallback":
            continue
        household = Household.objects.get(pk=pk)
        evaluation = evaluate(spec, household, latest_assessment(household, version.standard), on_date=ON_DATE)
        assert (row[state_at] == "ok") == (evaluation.result is not None), (row, evaluation)
        assert row[klass_at] == (evaluation.result.klass if evaluation.result else None)
    return states


@pytest.mark.parametrize("code", ["2016-2020", "2022-2025", "2027-2030", "hcm-2021-2025"])
def test_preview_stages_what_the_commit_stages_for_random_households(code, standards, units, users):
    """Random households: every indicator answered, some or none answered, overrides, missing
    registry facts, members gone from the household (nothing to derive from), no form B."""
    version = StandardVersion.objects.select_related("standard").get(standard__code=code, version=1)
    spec = version.spec()
    counter = iter(range(1, 100_000))
    seen: set[str] = set()

    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), database=None)
    @given(st.lists(st.tuples(households([i.code for i in spec.indicators]), st.sampled_from(["", "some", "all"])),
                    min_size=1, max_size=4))  # fmt: skip
    def check(batch):
        for generated, gone in batch:
            household, form_b, income, score, answers, overrides, farming = _register(units.tho_xuan, next(counter),
                                                                                     spec, generated)  # fmt: skip
            if gone:  # members who left: not counted by the derivations
                members = Member.objects.filter(household=household).order_by("pk")
                ids = list(members.values_list("pk", flat=True))[: 1 if gone == "some" else None]
                Member.objects.filter(pk__in=ids).update(status="left")
            _assess(household, version, spec, form_b, income, score, answers, overrides, farming)
        seen.update(assert_preview_stages_as_commit(units.tho_xuan, version))

    check()
    assert {"ok", "incomplete"} <= seen


def _all(codes, value=False):
    return {c: value for c in codes}


@pytest.mark.parametrize(
    ("case", "state"),
    [
        ("all_answered", "ok"),  # nothing derived in the preview
        ("all_answered_no_members", "ok"),  # … even with no present member to derive from
        ("none_answered", "incomplete"),  # nutrition has no rule: missing
        ("all_but_nutrition_unanswered", "ok"),  # every derived indicator from the registry
        ("null_answers", "ok"),  # a JSON null is no answer: derived
        ("all_overridden", "ok"),  # overrides beat the derivation
        ("unanswered_missing_facts", "incomplete"),  # derived from blank facts: missing
        ("unanswered_no_members", "incomplete"),
        ("no_form_b", "incomplete"),
        ("odd_answer", "fallback"),
    ],
)
def test_preview_derives_only_where_needed_and_stages_the_same(case, state, standards, units):
    version = StandardVersion.objects.select_related("standard").get(standard__code="2022-2025", version=1)
    spec = version.spec()
    codes = [i.code for i in spec.indicators]
    derived = [i.code for i in spec.indicators if i.derived]
    facts = {"housing_area_m2": 30, "wall_durability": "durable", "column_durability": "durable",
             "roof_durability": "durable", "water_source": "piped", "latrine_type": "flush",
             "info_devices": ["tv"]}  # fmt: skip
    if case == "unanswered_missing_facts":
        facts = {"wall_durability": "", "water_source": "", "latrine_type": ""}
    people = [head(labour_status="self_employed", health_insurance="yes"),
              member(labour_status="self_employed", health_insurance="yes")]  # fmt: skip
    if case == "unanswered_missing_facts":
        people = [head(labour_status="", health_insurance=""), member(name="Con", birth_year=ON_DATE.year - 10)]
    household = make_household(units.tho_xuan, code="W0001", members=people, **facts)
    if case.endswith("no_members"):
        Member.objects.filter(household=household).update(status="dead")
    answers = {
        "all_answered": _all(codes), "all_answered_no_members": _all(codes, True), "none_answered": {},
        "all_but_nutrition_unanswered": {"nutrition": True}, "null_answers": _all(codes) | _all(derived, None),
        "all_overridden": {"nutrition": False}, "unanswered_missing_facts": {"nutrition": False},
        "unanswered_no_members": {"nutrition": False}, "odd_answer": _all(codes) | {"nutrition": 1},
    }.get(case)  # fmt: skip
    overrides = {c: {"value": True, "reason": "r"} for c in derived} if case == "all_overridden" else {}
    if case == "odd_answer" and not odd_answers_storable():
        pytest.skip("PostgreSQL refuses such a form B: test_postgresql_refuses_an_answer_that_is_not_a_boolean")
    if case != "no_form_b":
        _form_b(household, version, answers=answers, overrides=overrides)
    assert assert_preview_stages_as_commit(units.tho_xuan, version) == {state: 1}


def test_the_preview_statement_reads_members_only_for_households_needing_a_derivation(standards):
    version = StandardVersion.objects.get(standard__code="2022-2025", version=1)
    tables = services_runs._tables()
    spec = version.spec()
    sql = {j: classify_sql.stage_sql(spec, vendor=connection.vendor, on_date=ON_DATE, tables=tables, with_json=j)
           for j in (False, True)}  # fmt: skip
    if connection.vendor == "postgresql":  # the members' aggregates, read only where a bit says so
        assert "(CASE WHEN (h.assessment_id IS NOT NULL AND (h.fbits & " in sql[False]
        assert ") THEN (SELECT ARRAY[count(*), " in sql[False] and "LATERAL (SELECT h.g_values[1] AS n" in sql[False]
        assert "MATERIALIZED" not in sql[False] and "jsonb_to_record" not in sql[False]
        assert "a.answers ->> 'water' WHEN 'false' THEN 0" in sql[False]  # answers read as text (0042)
        assert "a2.* " not in sql[False] and "a2.* " not in sql[True]  # only the form B columns read
        assert "MATERIALIZED" not in sql[True] and "jsonb_to_record" not in sql[True]  # the commit's too
    else:
        assert "IN (SELECT n.household_id FROM la n WHERE (n.assessment_id IS NOT NULL AND (n.fbits & " in sql[False]
    assert " la " not in sql[True] and "FROM la" not in sql[True]  # the commit derives every value


def test_preview_job_output_equals_the_python_preview(standards, units, users, monkeypatch):
    """Counts per commune and class, transitions, changes, incomplete households and fallbacks:
    the SQL preview gives what the one-by-one Python preview gives."""
    version = StandardVersion.objects.select_related("standard").get(standard__code="2022-2025", version=1)
    codes = [i.code for i in version.spec().indicators]
    odd = 1 if odd_answers_storable() else True  # 1: a fallback to Python; PostgreSQL refuses it (0042)
    rows = [
        (900_000, _all(codes, True), {}, "poor"),  # all answered
        (900_000, {"nutrition": False}, {}, ""),  # derived from the registry
        (3_000_000, {}, {}, "near_poor"),  # nutrition unanswered: incomplete
        (1_400_000, {"nutrition": True}, {"water": {"value": True, "reason": "r"}}, "poor"),
        (1_400_000, _all(codes) | {"nutrition": odd}, {}, "not_poor"),  # fallback to Python
        (2_000_000, {"nutrition": False, "water": None}, {}, "average"),
        (None, None, None, "poor"),  # no form B
    ]
    # Classes a recognition decision gave: kept by the commit (under this standard), so counted apart
    # from the changes when the result differs; under another standard, changed as any other class.
    recognised = [
        (900_000, _all(codes, True), {}, "not_poor", "2022-2025"),  # kept: not_poor > poor
        (900_000, _all(codes, True), {}, "poor", "2022-2025"),  # the result agrees
        (900_000, _all(codes, True), {}, "not_poor", "2016-2020"),  # changed: not_poor > poor
        (1_400_000, _all(codes) | {"nutrition": odd}, {}, "poor", "2022-2025"),  # a fallback, kept
        (3_000_000, {}, {}, "poor", "2022-2025"),  # incomplete
    ]
    rows = [(*row, "") for row in rows] + recognised
    for n, (income, answers, overrides, old, decided_under) in enumerate(rows):
        household = make_household(units.tho_xuan, code=f"Q{n:04d}",
                                   members=[head(labour_status="self_employed", health_insurance="no")],
                                   water_source="piped", latrine_type="none", info_devices=["tv"],
                                   housing_area_m2=12, wall_durability="durable", column_durability="durable",
                                   roof_durability="not_durable")  # fmt: skip
        Household.objects.filter(pk=household.pk).update(poverty_class=old)
        if decided_under:
            Household.objects.filter(pk=household.pk).update(poverty_standard=decided_under,
                                                             poverty_class_source="decision")  # fmt: skip
        if income is not None:
            _form_b(household, version, income_per_capita=income, answers=answers, overrides=overrides)
    outputs = {}
    monkeypatch.setattr(services_runs, "_preview_save", lambda run, progress, *out: out)
    run = SimpleNamespace(unit=units.tho_xuan, standard_version=version, on_date=ON_DATE)
    outputs["sql"] = services_runs._preview_sql(run, Progress())
    outputs["python"] = services_runs._preview_python(run, Progress())
    counts, per_commune, transitions, changes, incomplete, kept_transitions = outputs["sql"]
    assert counts == outputs["python"][0] and counts["households"] == len(rows)
    assert dict(per_commune) == dict(outputs["python"][1])
    assert transitions == outputs["python"][2]
    assert changes == outputs["python"][3] and len(changes) >= 3
    assert incomplete == outputs["python"][4] and len(incomplete) == 3
    assert kept_transitions == outputs["python"][5]
    assert counts["recognised"] == 4 and counts["kept"] == sum(kept_transitions.values()) == 2
    assert kept_transitions["not_poor>poor"] == 1 and transitions["not_poor>poor"] == 1
    assert counts["changed"] == sum(transitions.values())
    decided = set(Household.objects.filter(poverty_class_source="decision", poverty_standard="2022-2025")
                  .values_list("pk", flat=True))  # fmt: skip
    assert not decided & {c["household"] for c in changes}


# Odd facts `evaluate` refuses (so no Python comparison: the commit's typed columns are the reference).
ODD = [
    ({"water": "true"}, {}),  # a text, not a boolean
    ({"water": 1}, {}),
    ({"water": [True]}, {}),
    ({"water": {"value": True}}, {}),
    ({"water": None, "nutrition": None}, {}),  # no answers to two: one derived, one missing
    ({}, {"water": {"value": True, "reason": "r"}, "latrine": {"value": False, "reason": ""}}),
    ({"water": 1}, {"water": {"value": True, "reason": "r"}}),  # an override beside an odd answer
    ({"water": None}, {"water": {"value": None, "reason": "r"}}),
    ({}, {"water": {"value": "true", "reason": "r"}}),
    ({}, {"water": {"value": True, "reason": None}}),
    ({}, {"water": []}),
    ({}, {"water": True}),
    ({}, {"unknown_code": 5}),  # not an indicator: ignored
    ({"nutrition": None}, {"nutrition": {"value": True, "reason": "r"}}),  # overridden where nothing derives
]


def test_the_packed_form_b_codes_stage_what_the_typed_columns_stage(standards, units):
    """The preview reads each indicator's answer and override into one packed integer per household
    (`fbits`), the commit into typed columns: every odd answer and override gives both the same
    state and class (fallback, incomplete or ok)."""
    version = StandardVersion.objects.select_related("standard").get(standard__code="2022-2025", version=1)
    codes = [i.code for i in version.spec().indicators]
    # (PostgreSQL refuses an answer that is not true, false or null: only the odd overrides there.)
    plain = lambda answers: all(v is True or v is False or v is None for v in answers.values())  # noqa: E731 (1 == True)
    cases = [(a, o) for a, o in ODD if odd_answers_storable() or plain(a)]
    for n, (answers, overrides) in enumerate(cases):
        for deprived in (0, 5):
            household = make_household(units.tho_xuan, code=f"P{n:02d}{deprived}", water_source="piped",
                                       latrine_type="none", members=[head(labour_status="self_employed",
                                                                          health_insurance="yes")])  # fmt: skip
            base = {c: i < deprived for i, c in enumerate(codes)}
            _form_b(household, version, income_per_capita=900_000, answers=base | answers, overrides=overrides)
    preview = stage_rows(units.tho_xuan, version, with_json=False)
    commit = stage_rows(units.tho_xuan, version, with_json=True)
    assert preview.keys() == commit.keys() and len(preview) == 2 * len(cases)
    assert len(cases) == len(ODD) - (0 if odd_answers_storable() else 5)
    assert {pk: row[:JSON_AT] for pk, row in preview.items()} == {pk: row[:JSON_AT] for pk, row in commit.items()}
    states = {row[classify_sql.STAGE_COLUMNS.index("state")] for row in preview.values()}
    assert states == {"ok", "incomplete", "fallback"}


def test_a_standard_with_more_indicators_than_the_packed_codes_hold_previews_in_python(standards):
    """The packed codes hold 31 indicators: a standard with more is not compiled for the preview (the
    run then previews in Python, `_preview_body`), while the commit's statement still compiles."""
    import dataclasses

    spec = StandardVersion.objects.get(standard__code="2022-2025", version=1).spec()
    wide = dataclasses.replace(spec, indicators=(spec.indicators * 3)[:32])
    tables = services_runs._tables()
    with pytest.raises(classify_sql.NotCompilable):
        classify_sql.stage_sql(wide, vendor=connection.vendor, on_date=ON_DATE, tables=tables, with_json=False)
    assert classify_sql.stage_sql(wide, vendor=connection.vendor, on_date=ON_DATE, tables=tables, with_json=True)
    narrow = dataclasses.replace(spec, indicators=(spec.indicators * 3)[:31])
    assert classify_sql.stage_sql(narrow, vendor=connection.vendor, on_date=ON_DATE, tables=tables, with_json=False)


def test_the_preview_reads_a_sample_only_when_its_count_says_there_is_one(standards, units, monkeypatch):
    """One pass over the staging table gives the counts, the transitions and the fallbacks' number;
    the samples (changes, incomplete households, fallbacks) are read only when there are some, and
    the output still equals the Python preview. The preview's staging table has no primary key."""
    from django.test.utils import CaptureQueriesContext

    version = StandardVersion.objects.select_related("standard").get(standard__code="2022-2025", version=1)
    codes = [i.code for i in version.spec().indicators]
    for n, (income, klass) in enumerate([(900_000, "poor"), (3_000_000, "not_poor")]):
        household = make_household(units.tho_xuan, code=f"S{n:04d}")
        Household.objects.filter(pk=household.pk).update(poverty_class=klass)  # already its class: no change
        _form_b(household, version, income_per_capita=income, answers={c: i < 5 for i, c in enumerate(codes)})
    monkeypatch.setattr(services_runs, "_preview_save", lambda run, progress, *out: out)
    monkeypatch.setattr(services_runs, "_drop_stage", lambda: None)  # keep the table to look at it
    run = SimpleNamespace(unit=units.tho_xuan, standard_version=version, on_date=ON_DATE)
    with CaptureQueriesContext(connection) as queries:
        sql = services_runs._preview_sql(run, Progress())
    staged = [q["sql"] for q in queries.captured_queries if f"FROM {classify_sql.STAGE}" in q["sql"]]
    assert len(staged) == 1 and "GROUP BY" in staged[0]  # no sample read: nothing to sample
    with connection.cursor() as cursor:
        keys = connection.introspection.get_primary_key_columns(cursor, classify_sql.STAGE)
    monkeypatch.undo()
    services_runs._drop_stage()
    assert not keys
    monkeypatch.setattr(services_runs, "_preview_save", lambda run, progress, *out: out)
    python = services_runs._preview_python(run, Progress())
    assert sql == python
    counts, _per_commune, transitions, changes, incomplete, _kept = sql
    assert (counts["poor"], counts["not_poor"], counts["changed"], changes, incomplete) == (1, 1, 0, [], [])
    assert not transitions
