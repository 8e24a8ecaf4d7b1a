"""Benchmark steps. Each runs in its own process with Django set up on a throw-away database.

A step is a function ``(params: dict) -> dict`` registered in `STEPS`; `bench.run` starts it in
a child process (``python -m bench.run --step NAME``), so the peak memory it reports is the
step's own. Import, classification and synthetic-registry steps are here; later ones (dashboards,
duplicates, HTTP: issue 6) are added here and listed in a plan of `bench.run`.
"""

from __future__ import annotations

import cProfile
import io
import json
import os
import pstats
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from .generate import VILLAGES

BENCH_PROVINCE, BENCH_COMMUNE = "B9", "B9001"

STEPS: dict[str, Callable[[dict[str, Any]], dict[str, Any]]] = {}


def step(name: str):
    def register(function):
        STEPS[name] = function
        return function

    return register


def _commune():
    from ansinh.geo.choices import Level, Structure
    from ansinh.geo.models import AdminUnit

    return AdminUnit.objects.get(structure=Structure.Y2025, level=Level.COMMUNE, code=BENCH_COMMUNE)


@step("setup")
def setup(params: dict[str, Any]) -> dict[str, Any]:
    """Migrate the empty database and create the bench province, commune and villages."""
    from django.core.management import call_command

    from ansinh.geo.choices import REFORM_DATE, AreaType, Level, Structure, UnitType
    from ansinh.geo.models import AdminUnit

    call_command("migrate", verbosity=0, interactive=False)

    def unit(parent, level, unit_type, code, name, area_type=""):
        found = AdminUnit.objects.filter(parent=parent, code=code, level=level).first()
        return found or AdminUnit.objects.create(
            structure=Structure.Y2025, level=level, unit_type=unit_type, code=code, name=name, short_name=name,
            parent=parent, area_type=area_type, valid_from=REFORM_DATE,
        )  # fmt: skip

    province = unit(None, Level.PROVINCE, UnitType.PROVINCE, BENCH_PROVINCE, "Tỉnh Bench")
    commune = unit(province, Level.COMMUNE, UnitType.COMMUNE, BENCH_COMMUNE, "Xã Bench", AreaType.RURAL)
    for code in VILLAGES:
        unit(commune, Level.VILLAGE, UnitType.THON, code, f"Thôn {code}")
    return {}


@step("import")
def import_households(params: dict[str, Any]) -> dict[str, Any]:
    """The `import_households` command on the file (create mode), then `audit_verify` (timed apart)."""
    from django.core.management import call_command

    from ansinh.audit.verification import verify_all

    out = io.StringIO()
    pid, backend = _backend_cpu()
    start, cpu = time.perf_counter(), time.process_time()
    call_command("import_households", params["file"], "--commune", BENCH_COMMUNE, stdout=out)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    pid_after, backend_after = _backend_cpu()
    start = time.perf_counter()
    checked, breaks = verify_all()
    verify_seconds = time.perf_counter() - start
    # cpu_seconds: this process's own CPU time (the Python side of the import), which the other
    # work on a shared machine slows far less than the wall-clock seconds; backend_cpu_seconds: the
    # PostgreSQL backend's (checks against the registry, index upkeep of the COPY), when readable.
    same_backend = backend is not None and backend_after is not None and pid == pid_after
    return {"seconds": seconds, "cpu_seconds": cpu_seconds, "summary": json.loads(out.getvalue()),
            "backend_cpu_seconds": backend_after - backend if same_backend else None,
            "audit_events_checked": checked, "audit_chain_intact": not breaks,
            "audit_verify_seconds": verify_seconds}  # fmt: skip


@step("reimport")
def reimport_households(params: dict[str, Any]) -> dict[str, Any]:
    """The same file again in "skip" mode: must write nothing."""
    from django.core.management import call_command

    from ansinh.audit.models import AuditEvent
    from ansinh.registry.models import Household, Member

    before = (Household.objects.count(), Member.objects.count(), AuditEvent.objects.count())
    out = io.StringIO()
    start = time.perf_counter()
    call_command("import_households", params["file"], "--commune", BENCH_COMMUNE, "--mode", "skip", stdout=out)
    seconds = time.perf_counter() - start
    after = (Household.objects.count(), Member.objects.count(), AuditEvent.objects.count() - 1)  # its own run event
    return {"seconds": seconds, "summary": json.loads(out.getvalue()), "unchanged": before == after}


@step("baseline")
def baseline(params: dict[str, Any]) -> dict[str, Any]:
    """The floors, read back from what the import wrote (not timed), each in one transaction:

    - ``seconds``: the household and member rows inserted into bare copies of their tables (same
      columns, no index, no constraint) with one ``COPY`` per table (PostgreSQL) or one
      ``executemany`` per table (SQLite). This is the issue's "raw COPY of the same rows".
    - ``indexed_seconds``: the same rows plus the import's audit events into copies that keep the
      real tables' indexes and checks (PostgreSQL ``LIKE … INCLUDING ALL``; SQLite the tables'
      ``CREATE INDEX`` statements): what writing exactly what the import writes costs the database
      with no parsing or checking at all, the ceiling of any import into the real schema.
    """
    tables = [table for table, _indexes in _imported_rows()]
    bare = _copy_tables(tables[:2], indexed=False)
    indexed = _copy_tables(tables, indexed=True)
    return {
        "seconds": bare, "indexed_seconds": indexed, "households": len(tables[0][3]),
        "members": len(tables[1][3]), "audit_events": len(tables[2][3]),
    }  # fmt: skip


@step("floors_by_table")
def floors_by_table(params: dict[str, Any]) -> dict[str, Any]:
    """`baseline`'s two floors table by table (households, members, the import's audit events), best of
    ``repeat`` (2), with each table's index count: where the indexed floor's time goes (decision 0026)."""
    result: dict[str, Any] = {}
    repeat = params.get("repeat", 2)
    for one, indexes in _imported_rows():
        _name, table, _columns, rows = one
        result[table] = {
            "rows": len(rows), "indexes": indexes,
            "bare_seconds": min(_copy_tables([one], indexed=False) for _ in range(repeat)),
            "indexed_seconds": min(_copy_tables([one], indexed=True) for _ in range(repeat)),
        }  # fmt: skip
    return result


def _imported_rows() -> list[tuple[tuple[str, str, list[str], list[tuple]], int]]:
    """What the import wrote, read back (not timed): per table ((copy's name, table, columns, rows),
    the table's index count), for households, members and the import's audit events."""
    from django.db import connection

    from ansinh.audit.models import AuditEvent
    from ansinh.registry.models import Household, Member

    households = Household.objects.count()
    tables = []
    for model in (Household, Member, AuditEvent):
        table = model._meta.db_table
        # the import's events are the newest: one per household and its run's (`import` runs just before)
        last = f" ORDER BY id DESC LIMIT {households + 1}" if model is AuditEvent else " ORDER BY id"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT * FROM {table}{last}")  # noqa: S608 - our own names, an int
            columns = [c[0] for c in cursor.description]
            rows = cursor.fetchall()
            if connection.vendor == "postgresql":
                cursor.execute("SELECT count(*) FROM pg_indexes WHERE tablename = %s", [table])
            else:
                cursor.execute("SELECT count(*) FROM sqlite_master WHERE type = 'index' AND tbl_name = %s", [table])
            indexes = cursor.fetchone()[0]
        tables.append(((f"bench_raw_{model._meta.model_name}", table, columns, rows), indexes))
    return tables


def _copy_tables(tables, *, indexed: bool) -> float:
    """Seconds to create the copies and insert the rows in one transaction (then dropped)."""
    from django.db import connection, transaction

    start = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        for name, source, columns, rows in tables:
            if connection.vendor == "postgresql":
                cursor.execute(f"CREATE TABLE {name} (LIKE {source}{' INCLUDING ALL' if indexed else ''})")
                names = ", ".join(connection.ops.quote_name(c) for c in columns)
                with cursor.cursor.copy(f"COPY {name} ({names}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
            else:
                cursor.execute(f"CREATE TABLE {name} AS SELECT * FROM {source} WHERE 0")  # noqa: S608
                if indexed:
                    for statement in _sqlite_index_sql(cursor, source, name):
                        cursor.execute(statement)
                marks = ", ".join(["%s"] * len(columns))
                cursor.executemany(f"INSERT INTO {name} VALUES ({marks})", rows)  # noqa: S608 - placeholders only
    seconds = time.perf_counter() - start
    with transaction.atomic(), connection.cursor() as cursor:
        for name, *_rest in tables:
            cursor.execute(f"DROP TABLE {name}")
    return seconds


def _sqlite_index_sql(cursor, source: str, name: str) -> list[str]:
    """The source table's ``CREATE INDEX`` statements, renamed for the copy ``name``."""
    cursor.execute(
        "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s AND sql IS NOT NULL", [source]
    )
    statements = []
    for index, sql in cursor.fetchall():
        head, _on, tail = sql.partition(f' ON "{source}"')
        statements.append(head.replace(f'"{index}"', f'"{name}_{index}"') + f' ON "{name}"' + tail)
    return statements


@step("profile_chunk")
def profile_chunk(params: dict[str, Any]) -> dict[str, Any]:
    """cProfile of importing the first chunk of the file (the fast path), top functions by own time."""
    from django.db import transaction

    from ansinh.registry import importing
    from ansinh.registry.services_import import CHUNK_HOUSEHOLDS, import_rows

    data = Path(params["file"]).read_bytes()
    start = time.perf_counter()
    sheet = importing.parse_upload(data, Path(params["file"]).name)
    parse_seconds = time.perf_counter() - start  # the whole file: reading is not chunked
    codes: list[str] = []
    for number, cells in sheet.rows:
        code = cells[0]
        if code not in codes:
            if len(codes) == CHUNK_HOUSEHOLDS:
                break
            codes.append(code)
        sheet_end = number
    sheet.rows = [(n, c) for n, c in sheet.rows if n <= sheet_end]
    profiler = cProfile.Profile()
    start = time.perf_counter()
    with transaction.atomic():
        profiler.enable()
        result = import_rows(actor=None, commune=_commune(), sheet=sheet, mode="create", write=True)
        profiler.disable()
        transaction.set_rollback(True)
    seconds = time.perf_counter() - start
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(25)
    cumulative = io.StringIO()
    pstats.Stats(profiler, stream=cumulative).sort_stats("cumulative").print_stats(40)
    return {
        "seconds": seconds, "parse_file_seconds": parse_seconds, "households": result.counts["created"],
        "tottime": text.getvalue(), "cumulative": cumulative.getvalue(),
    }  # fmt: skip


# -- classification (issue 4) -------------------------------------------------------------------

CLASSIFY_STANDARD = "2022-2025"


def _bench_admin():
    from ansinh.accounts.models import User

    user = User.objects.filter(username="bench").first()
    return user or User.objects.create_superuser("bench", password=None)


def _run_unit(params: dict[str, Any]):
    """The unit a classification step covers: the generated province, or the import's commune."""
    if params.get("province"):
        from ansinh.geo.choices import Level, Structure
        from ansinh.geo.models import AdminUnit

        return AdminUnit.objects.get(structure=Structure.Y2025, level=Level.PROVINCE, code=params["province"])
    return _commune()


@step("setup_real")
def setup_real(params: dict[str, Any]) -> dict[str, Any]:
    """Migrate the empty database and load the real administrative units (for `generate`)."""
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)
    call_command("geo_load", stdout=io.StringIO())
    return {}


@step("generate")
def generate(params: dict[str, Any]) -> dict[str, Any]:
    """`bench_generate`: a synthetic registry of one real province, written in bulk."""
    from django.core.management import call_command

    out = io.StringIO()
    start = time.perf_counter()
    arguments = ["--households", str(params["households"]), "--province", params["province"],
                 "--seed", str(params.get("seed", 1)), "--ground-truth", params["ground_truth"]]  # fmt: skip
    call_command("bench_generate", *arguments, stdout=out)
    return {"seconds": time.perf_counter() - start, "summary": json.loads(out.getvalue())}


@step("classify_prepare")
def classify_prepare(params: dict[str, Any]) -> dict[str, Any]:
    """Load the standards and give every imported household a form B under 2022–2025 (not timed as
    classification): a seeded income (about 10% at or below the line) and all twelve indicators
    answered, with more deprivations among the low incomes, so both sides classify the same facts."""
    import random

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from ansinh.core.db import analyze_tables
    from ansinh.core.partitions import reported_province_key
    from ansinh.poverty.choices import IncomeSource
    from ansinh.poverty.models import Assessment, PovertyStandard
    from ansinh.registry.models import Household

    call_command("poverty_load_standards", verbosity=0)
    standard = PovertyStandard.objects.get(code=CLASSIFY_STANDARD)
    codes = [i.code for i in standard.spec().indicators]
    lines = standard.definition["lines"]
    today = timezone.localdate()
    rng = random.Random(params.get("seed", 20261201))  # noqa: S311 - benchmark data, not security
    start = time.perf_counter()
    created, batch = 0, []
    with transaction.atomic():
        households = Household.objects.order_by("pk").values_list("pk", "area_type", "unit_path", "successor_path")
        for pk, area, unit_path, successor_path in households:
            line = lines[area or "rural"]["poor"]
            low = rng.random() < 0.10
            income = rng.randint(line // 3, line) if low else rng.randint(line + 1, line * 6)
            deprived = set(rng.sample(codes, rng.choice([0, 1, 2, 3, 4, 5] if low else [0, 0, 1, 2])))
            batch.append(Assessment(
                household_id=pk, standard=standard, assessed_on=today, income_source=IncomeSource.DECLARED,
                income_per_capita=income, farming=rng.random() < 0.4, answers={c: c in deprived for c in codes},
                unit_path=unit_path, successor_path=successor_path,
                province_key=reported_province_key(unit_path, successor_path),  # bulk_create skips `save`
            ))  # fmt: skip
            if len(batch) == 5000:
                created += len(Assessment.objects.bulk_create(batch))
                batch = []
        created += len(Assessment.objects.bulk_create(batch))
    analyze_tables(Household, Assessment)  # as a bulk writer does (`core.db.analyze_tables`)
    return {"seconds": time.perf_counter() - start, "assessments": created}


def _backend_cpu() -> tuple[int | None, float | None]:
    """(pid, CPU seconds) of this connection's PostgreSQL backend when the server runs on this
    machine (its ``/proc`` entry is readable), else (None, None): the work a statement does is
    the server's CPU, not the client's."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return None, None
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        pid = cursor.fetchone()[0]
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return pid, None
    return pid, (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def _statement_timer(totals: dict[str, float]):
    """A `connection.execute_wrapper` adding each statement's time to `totals` by kind."""
    kinds = (("INSERT INTO poverty_run_stage", "staging"), ("INSERT INTO poverty_classification", "insert_results"),
             ("UPDATE registry_household", "update_households"))  # fmt: skip

    def timer(execute, sql, params, many, context):
        kind = next((name for prefix, name in kinds if sql.lstrip().startswith(prefix)), "other")
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            totals[kind] = totals.get(kind, 0.0) + time.perf_counter() - start

    return timer


def _timed_job(job_id: int) -> dict[str, Any]:
    """Run one job in this process: wall and CPU seconds (this process's and, on a local PostgreSQL,
    its server backend's) and the time per kind of statement."""
    from django.db import connection

    from ansinh.jobs.services import job_run

    pid, backend = _backend_cpu()
    totals: dict[str, float] = {}
    start, cpu = time.perf_counter(), time.process_time()
    with connection.execute_wrapper(_statement_timer(totals)):
        job_run(job_id)
    out = {"seconds": time.perf_counter() - start, "cpu_seconds": time.process_time() - cpu,
           "statements": {k: round(v, 3) for k, v in sorted(totals.items())}}  # fmt: skip
    pid_after, backend_after = _backend_cpu()
    if backend is not None and backend_after is not None and pid_after == pid:
        out["backend_cpu_seconds"] = backend_after - backend
    return out


@step("classify")
def classify_all(params: dict[str, Any]) -> dict[str, Any]:
    """The bulk classification as a user runs it: `run_start` + its preview job, then `run_commit`
    + its commit job (one result row per household with indicators and reasons, the households'
    current class, the audit events), each job run in this process and timed apart (wall, CPU of
    this process and of its PostgreSQL backend, time per kind of statement)."""
    from ansinh.poverty.models import ClassificationRun, PovertyStandard
    from ansinh.poverty.services_runs import run_commit, run_start

    admin = _bench_admin()
    standard = PovertyStandard.objects.get(code=CLASSIFY_STANDARD)
    start = time.perf_counter()
    run = run_start(actor=admin, unit=_run_unit(params), standard=standard)
    preview = _timed_job(run.job_id)
    preview_seconds = time.perf_counter() - start
    run = ClassificationRun.objects.get(pk=run.pk)
    start = time.perf_counter()
    run = run_commit(actor=admin, run=run)
    commit = _timed_job(run.job_id)
    commit_seconds = time.perf_counter() - start
    run = ClassificationRun.objects.get(pk=run.pk)
    return {"preview_seconds": preview_seconds, "commit_seconds": commit_seconds, "status": run.status,
            "counts": run.counts, "preview": preview, "commit": commit}  # fmt: skip


@step("classify_sql")
def classify_sql(params: dict[str, Any]) -> dict[str, Any]:
    """The floor: one ``INSERT … SELECT`` that classifies every household from its latest form B
    (income against the area's line, deprivations counted from the answers, the farming band) into
    a bare table. It writes no reasons, no indicator rows, no audit event: only the class."""
    from django.db import connection, transaction

    from ansinh.poverty.models import Assessment, PovertyStandard
    from ansinh.registry.models import Household

    standard = PovertyStandard.objects.get(code=CLASSIFY_STANDARD)
    lines, threshold = standard.definition["lines"], standard.definition["deprivation_threshold"]
    postgres = connection.vendor == "postgresql"
    count_true = (
        "(SELECT count(*) FROM jsonb_each(a.answers) e WHERE e.value = 'true'::jsonb)"
        if postgres
        else "(SELECT count(*) FROM json_each(a.answers) e WHERE e.value = 1)"
    )
    assessments = Assessment._meta.db_table
    latest = f"SELECT household_id, max(id) AS id FROM {assessments} WHERE standard_id = %s GROUP BY household_id"  # noqa: S608
    sql = f"""
        INSERT INTO bench_raw_classification (household_id, klass)
        SELECT h.id, CASE
            WHEN a.income_per_capita <= (CASE WHEN h.area_type = 'urban' THEN %s ELSE %s END)
                 AND {count_true} >= %s THEN 'poor'
            WHEN a.income_per_capita <= (CASE WHEN h.area_type = 'urban' THEN %s ELSE %s END) THEN 'near_poor'
            WHEN a.farming AND a.income_per_capita <= (CASE WHEN h.area_type = 'urban' THEN %s ELSE %s END)
                 THEN 'average'
            ELSE 'not_poor' END
        FROM ({latest}) l JOIN {assessments} a ON a.id = l.id
        JOIN {Household._meta.db_table} h ON h.id = l.household_id
        WHERE h.status = 'active'
    """  # noqa: S608 - table names are ours, values are parameters
    values = [
        lines["urban"]["poor"], lines["rural"]["poor"], threshold,
        lines["urban"]["poor"], lines["rural"]["poor"],
        lines["urban"]["average"], lines["rural"]["average"], standard.pk,  # in the order they appear
    ]  # fmt: skip
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("CREATE TABLE bench_raw_classification (household_id bigint, klass varchar(10))")
    pid, backend = _backend_cpu()
    start, cpu = time.perf_counter(), time.process_time()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, values)
    seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu
    pid_after, backend_after = _backend_cpu()
    with connection.cursor() as cursor:
        cursor.execute("SELECT klass, count(*) FROM bench_raw_classification GROUP BY klass")
        counts = dict(cursor.fetchall())
        cursor.execute("DROP TABLE bench_raw_classification")
    out = {"seconds": seconds, "cpu_seconds": cpu_seconds, "counts": counts}
    if backend is not None and backend_after is not None and pid_after == pid:
        out["backend_cpu_seconds"] = backend_after - backend
    return out


@step("classify_profile")
def classify_profile(params: dict[str, Any]) -> dict[str, Any]:
    """cProfile of `classify` (preview and commit jobs), top functions by own and cumulative time."""
    profiler = cProfile.Profile()
    profiler.enable()
    result = classify_all(params)
    profiler.disable()
    text, cumulative = io.StringIO(), io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("tottime").print_stats(25)
    pstats.Stats(profiler, stream=cumulative).sort_stats("cumulative").print_stats(40)
    return {**result, "tottime": text.getvalue(), "cumulative": cumulative.getvalue()}


# -- review progress dashboard (issue 6) --------------------------------------------------------

REVIEW_TODAY = "2026-10-15"  # the dashboard's "today": some commune milestones are due, none overdue yet
# A campaign in its middle weeks: (state, share); screened out only among applicants in practice.
REVIEW_STATES = [("listed", 0.10), ("surveying", 0.15), ("surveyed", 0.20), ("met", 0.15), ("posted", 0.15),
                 ("decided", 0.15), ("approved", 0.08), ("screened_out", 0.02)]  # fmt: skip
REVIEW_CLASSES = [("poor", 0.05), ("near_poor", 0.05), ("average", 0.04), ("not_poor", 0.86)]
REVIEW_WARM_CALLS = 20


def _review_province(params: dict[str, Any]):
    unit = _run_unit(params)
    return unit if params.get("province") else unit.parent


def _province_reader(province):
    """The dashboard's reader: a province officer (role `province_officer` over the province). A
    superuser sees no rows: reads are scoped by role assignments, not by `is_superuser`."""
    from datetime import date

    from ansinh.accounts.models import Role, RoleAssignment, User
    from ansinh.accounts.services import roles_load

    if not Role.objects.filter(code="province_officer").exists():
        roles_load(actor=None)
    user = User.objects.filter(username="bench_province").first()
    if user is None:
        user = User.objects.create_user("bench_province", password=None)
        RoleAssignment.objects.create(user=user, role=Role.objects.get(code="province_officer"), unit=province,
                                      valid_from=date(2026, 1, 1))  # fmt: skip
    return user


def _pick(rng, weighted: list[tuple[str, float]]) -> str:
    return rng.choices([v for v, _w in weighted], weights=[w for _v, w in weighted])[0]


@step("review_prepare")
def review_prepare(params: dict[str, Any]) -> dict[str, Any]:
    """One open yearly review campaign over the run's province (the communes that hold households, or
    the import's commune) and one ReviewCase per household, written in bulk (`core.db.insert_rows`:
    COPY on PostgreSQL) with a seeded state mix of a campaign half way through and classes (the
    household's current class when it has one, else a seeded one), placed by the household's paths.
    The case table's triggers fill the campaign's count table (`CaseCount`) in the same COPY statements;
    `seconds` includes that, and the table is then checked against the cases (not timed)."""
    import random
    from datetime import date

    from django.core.management import call_command
    from django.db import transaction
    from django.db.models import Count

    from ansinh.core.db import analyze_tables, insert_rows, reserve_ids
    from ansinh.geo.choices import Level
    from ansinh.geo.models import AdminUnit
    from ansinh.poverty.models import PovertyStandard
    from ansinh.poverty.services import standards_load
    from ansinh.registry.models import Household
    from ansinh.reviews.models import CampaignKind, CaseCount, ReviewCase
    from ansinh.reviews.services import CampaignData, campaign_create, campaign_open
    from ansinh.reviews.services_counts import case_counts_diff

    start = time.perf_counter()
    call_command("reviews_load_templates", stdout=io.StringIO())
    if not PovertyStandard.objects.exists():
        standards_load()
    admin, province = _bench_admin(), _review_province(params)
    if params.get("province"):
        with_households = Household.objects.filter(commune__parent=province).values("commune_id")
        units = list(AdminUnit.objects.filter(parent=province, level=Level.COMMUNE, pk__in=with_households))
    else:
        units = [_run_unit(params)]
    campaign = campaign_create(
        actor=admin, today=date(2026, 8, 25),
        data=CampaignData(kind=CampaignKind.objects.get(code="periodic"), year=2026, unit=province, units=units,
                          plan_number="1/KH-BENCH", plan_date=date(2026, 8, 20)),
    )  # fmt: skip
    campaign = campaign_open(actor=admin, campaign=campaign)
    _province_reader(province)
    setup_seconds = time.perf_counter() - start
    rng = random.Random(params.get("seed", 20261215))  # noqa: S311 - benchmark data, not security
    origins = {"poor": "poor_list", "near_poor": "near_poor_list"}
    decided, surveyed = {"decided", "approved"}, {"surveyed", "met", "posted", "decided", "approved"}
    start = time.perf_counter()
    created, batch = 0, []
    rows = Household.objects.order_by("pk").values_list("pk", "poverty_class", "unit_path", "successor_path")

    def flush(batch: list) -> int:
        for obj, pk in zip(batch, reserve_ids(ReviewCase, len(batch)), strict=True):
            obj.pk = pk
        insert_rows(ReviewCase, batch)
        return len(batch)

    with transaction.atomic():
        for pk, current, unit_path, successor_path in rows.iterator(chunk_size=5000):
            previous = current or _pick(rng, REVIEW_CLASSES)
            state = _pick(rng, REVIEW_STATES)
            origin = "applied" if state == "screened_out" else origins.get(previous, "applied")
            provisional = _pick(rng, REVIEW_CLASSES) if rng.random() < 0.2 else previous
            batch.append(ReviewCase(
                campaign_id=campaign.pk, household_id=pk, origin=origin, state=state, previous_class=previous,
                provisional_class=provisional if state in surveyed else "",
                final_class=provisional if state in decided else "",
                unit_path=unit_path, successor_path=successor_path, created_by_id=admin.pk,
            ))  # fmt: skip
            if len(batch) == 5000:
                created += flush(batch)
                batch = []
        if batch:
            created += flush(batch)
    analyze_tables(ReviewCase, CaseCount)
    seconds = time.perf_counter() - start
    states = dict(ReviewCase.objects.filter(campaign=campaign).order_by().values_list("state").annotate(n=Count("pk")))
    # The count table was filled by the case table's triggers during the COPY (decision 0015): check it.
    differences = case_counts_diff(campaign=campaign)
    assert not differences, differences[:5]  # noqa: S101 - the bench's own check
    return {"seconds": seconds, "setup_seconds": setup_seconds, "cases": created, "campaign": campaign.pk,
            "communes": len(units), "states": states,
            "count_rows": CaseCount.objects.filter(campaign=campaign).count()}  # fmt: skip


def _raw_progress_sql(vendor: str, campaign_id: int, unit_path: str, whole_campaign: bool) -> tuple[str, list]:
    """The floor: one ``GROUP BY`` over the campaign's cases by the path component below the unit,
    with one filtered count per dashboard column (`PROGRESS_COLUMNS`), no scoping, no ORM."""
    from ansinh.reviews.models import ReviewCase
    from ansinh.reviews.selectors_results import PROGRESS_COLUMNS

    position = "strpos" if vendor == "postgresql" else "instr"
    rest = f"substr(unit_path, {len(unit_path) + 1})"
    child = f"CASE WHEN unit_path = %s THEN '' ELSE substr({rest}, 1, {position}({rest}, '/') - 1) END"
    counts, values = [], [unit_path]
    for key, states in PROGRESS_COLUMNS.items():
        if states is None:
            counts.append(f"count(*) AS {key}")
        else:
            counts.append(f"count(*) FILTER (WHERE state IN ({', '.join(['%s'] * len(states))})) AS {key}")
            values += sorted(states)
    where = "campaign_id = %s" + ("" if whole_campaign else " AND unit_path LIKE %s")
    values += [campaign_id] if whole_campaign else [campaign_id, unit_path + "%"]
    sql = f"SELECT {child} AS child, {', '.join(counts)} FROM {ReviewCase._meta.db_table} WHERE {where} GROUP BY 1"  # noqa: S608
    return sql, values


def _time_calls(call: Callable[[], Any]) -> tuple[float, float, Any]:
    """(cold ms: the first call on a fresh connection, warm ms: median of the next calls, result)."""
    import statistics

    from django.db import connection

    connection.close()
    start = time.perf_counter()
    result = call()
    cold = (time.perf_counter() - start) * 1000
    warm = []
    for _ in range(REVIEW_WARM_CALLS):
        start = time.perf_counter()
        call()
        warm.append((time.perf_counter() - start) * 1000)
    return round(cold, 2), round(statistics.median(warm), 2), result


@step("review_dashboard")
def review_dashboard(params: dict[str, Any]) -> dict[str, Any]:
    """`progress_by_unit` as a province officer (`_province_reader`) for the province and for its largest commune (the
    drill-down; both read the count table, decision 0015), next to one raw ``GROUP BY`` query over the
    cases giving the same counts (so the totals check also checks the count table): each timed cold (first
    call on a fresh connection in this fresh process; the database's own page cache is not emptied)
    and warm (median of 20 more calls). On PostgreSQL, the ``EXPLAIN ANALYZE`` of the dashboard's
    aggregate query is kept in the result."""
    from datetime import date

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from ansinh.geo.models import AdminUnit
    from ansinh.reviews.models import Campaign
    from ansinh.reviews.selectors_results import PROGRESS_COLUMNS, progress_by_unit

    province = _review_province(params)
    reader = _province_reader(province)
    campaign = Campaign.objects.get(plan_number="1/KH-BENCH")
    today = date.fromisoformat(REVIEW_TODAY)
    vendor = connection.vendor
    with connection.cursor() as cursor:  # the largest commune (not timed)
        cursor.execute(*_raw_progress_sql(vendor, campaign.pk, province.path, True))
        names = [c[0] for c in cursor.description]
        biggest = max(cursor.fetchall(), key=lambda r: r[names.index("listed")])[0]
    commune = AdminUnit.objects.get(path=f"{province.path}{biggest}/")
    result: dict[str, Any] = {"campaign": campaign.pk}
    for level, unit in (("province", province), ("commune", commune)):

        def dashboard(unit=unit):
            return progress_by_unit(user=reader, campaign=campaign, unit=unit, today=today)

        sql, values = _raw_progress_sql(vendor, campaign.pk, unit.path, level == "province")

        def raw(sql=sql, values=values):
            with connection.cursor() as cursor:
                cursor.execute(sql, values)
                return [c[0] for c in cursor.description], cursor.fetchall()

        cold, warm, progress = _time_calls(dashboard)
        raw_cold, raw_warm, (names, raw_rows) = _time_calls(raw)
        totals = {key: progress.totals.counts[key] for key in PROGRESS_COLUMNS}
        raw_totals = {key: sum(row[names.index(key)] for row in raw_rows) for key in PROGRESS_COLUMNS}
        assert totals == raw_totals, (level, totals, raw_totals)  # noqa: S101 - the bench's own check
        by_child = {(r.unit.path[len(unit.path) : -1] if r.unit else None): r.counts["listed"] for r in progress.rows}
        with CaptureQueriesContext(connection) as captured:
            dashboard()
        queries = [q["sql"] for q in captured.captured_queries]
        entry = {
            "unit": unit.path, "rows": len(progress.rows), "raw_rows": len(raw_rows), "totals": totals,
            "dashboard_cold_ms": cold, "dashboard_warm_ms": warm, "raw_cold_ms": raw_cold, "raw_warm_ms": raw_warm,
            "ratio_warm": round(warm / raw_warm, 2) if raw_warm else None, "queries": len(queries),
            "largest_row": max(by_child.values()) if by_child else 0,
        }  # fmt: skip
        aggregate = next((q for q in queries if "GROUP BY" in q), None)
        if vendor == "postgresql" and aggregate:
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {aggregate}")
                entry["plan"] = "\n".join(r[0] for r in cursor.fetchall())
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {connection.ops.compose_sql(sql, values)}")
                entry["raw_plan"] = "\n".join(r[0] for r in cursor.fetchall())
        result[level] = entry
    return result


def _commune_reader(commune):
    """A commune officer of `commune` (role `commune_officer`), the overview dashboard's reader."""
    from datetime import date

    from ansinh.accounts.models import Role, RoleAssignment, User
    from ansinh.accounts.services import roles_load

    if not Role.objects.filter(code="commune_officer").exists():
        roles_load(actor=None)
    user, _created = User.objects.get_or_create(username=f"bench_commune_{commune.code}")
    RoleAssignment.objects.get_or_create(user=user, role=Role.objects.get(code="commune_officer"), unit=commune,
                                         defaults={"valid_from": date(2026, 1, 1)})  # fmt: skip
    return user


@step("overview_dashboard")
def overview_dashboard(params: dict[str, Any]) -> dict[str, Any]:
    """The overview dashboard's household figures (`registry.selectors.household_class_counts`, the area
    card of a commune or a village) as the commune officer of the province's largest commune, for that
    commune and for its largest village, next to one raw ``GROUP BY`` of the same households by class:
    each cold (first call on a fresh connection) and warm (median of 20 more). Also the whole area card
    read (`reports.selectors.dashboard_areas`: the unit counts and the figures) warm."""
    from django.db import connection
    from django.db.models import Count

    from ansinh.geo.models import AdminUnit
    from ansinh.registry.models import Household
    from ansinh.registry.selectors import household_class_counts
    from ansinh.reports.selectors import dashboard_areas

    province = _review_province(params)
    active = Household.objects.filter(status="active")
    biggest = active.filter(commune__parent=province).values("commune").annotate(n=Count("pk")).order_by("-n")[0]
    commune = AdminUnit.objects.get(pk=biggest["commune"])
    village_row = active.filter(commune=commune, village__isnull=False).values("village").annotate(n=Count("pk"))
    village_row = village_row.order_by("-n").first()
    levels = [("commune", commune)]
    if village_row:  # a registry whose households all sit in the commune itself has no village card
        levels.append(("village", AdminUnit.objects.get(pk=village_row["village"])))
    reader = _commune_reader(commune)
    table = Household._meta.db_table
    result: dict[str, Any] = {}
    for level, unit in levels:

        def figures(unit=unit):
            return household_class_counts(user=reader, units=[unit])[unit.pk]

        def raw(unit=unit):
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT poverty_class, count(*) FROM {table} WHERE status = 'active' "  # noqa: S608
                    "AND (unit_path LIKE %s OR successor_path LIKE %s) GROUP BY 1",
                    [unit.path + "%", unit.path + "%"],
                )
                return dict(cursor.fetchall())

        cold, warm, counts = _time_calls(figures)
        raw_cold, raw_warm, raw_counts = _time_calls(raw)
        expected = {"total": sum(raw_counts.values()), "unclassified": raw_counts.get("", 0)}
        expected.update({k: raw_counts.get(k, 0) for k in ("poor", "near_poor", "average", "not_poor")})
        assert counts == expected, (level, counts, expected)  # noqa: S101 - the bench's own check
        result[level] = {
            "unit": unit.path, "households": counts["total"], "counts": counts, "figures_cold_ms": cold,
            "figures_warm_ms": warm, "raw_cold_ms": raw_cold, "raw_warm_ms": raw_warm,
            "ratio_warm": round(warm / raw_warm, 2) if raw_warm else None,
        }  # fmt: skip
    areas_cold, areas_warm, _areas = _time_calls(lambda: dashboard_areas(user=reader))
    result["area_card"] = {"cold_ms": areas_cold, "warm_ms": areas_warm}
    return result


from . import steps_duplicates, steps_http  # noqa: E402, F401 - registers its @step functions (issue 6)
