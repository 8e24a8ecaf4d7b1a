import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command

from ansinh.audit.models import AuditEvent
from ansinh.core.exceptions import ApplicationError
from ansinh.poverty.choices import RunStatus
from ansinh.poverty.events import PovertyEventType
from ansinh.poverty.indicators import compact
from ansinh.poverty.models import Classification, ClassificationRun
from ansinh.poverty.services_runs import run_cancel, run_commit, run_start
from ansinh.registry.models import Household

from .factories import form_b, known_household


@pytest.fixture
def homes(standards, units, users):
    """Three households of Thọ Xuân: poor, near-poor (a form B answer), and one without form B."""
    poor = known_household(units.tho_xuan, village=units.t1, code="R1")
    form_b(poor, users.commune_officer, income=1_200_000)
    near = known_household(units.tho_xuan, village=units.t2, code="R2")
    form_b(near, users.commune_officer, income=1_200_000, overrides={"water": {"value": False, "reason": "Có giếng"}})
    known_household(units.tho_xuan, code="R3")  # no form B: cannot be classified yet
    known_household(units.mdrak, code="OUT")  # another province: never part of the run
    return poor, near


def run_jobs(callbacks):
    for callback in callbacks:
        callback()


def test_preview_writes_nothing_then_commit_writes_every_result(homes, units, users, standards,
                                                                django_capture_on_commit_callbacks):  # fmt: skip
    poor, near = homes
    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(actor=users.commune_officer, unit=units.tho_xuan, standard=standards.s2022_2025,
                        on_date=date(2026, 11, 1))  # fmt: skip
    run.refresh_from_db()
    assert run.status == RunStatus.PREVIEWED
    preview = run.preview
    assert preview["counts"] == {"households": 3, "poor": 1, "near_poor": 1, "incomplete": 1, "changed": 2}
    assert preview["per_commune"] == {"Xã Thọ Xuân": {"poor": 1, "near_poor": 1, "incomplete": 1}}
    assert preview["transitions"] == {"->poor": 1, "->near_poor": 1}
    assert preview["incomplete"][0]["code"] == "R3" and "income" in preview["incomplete"][0]["missing"]
    assert not Classification.objects.exists()
    assert not Household.objects.exclude(poverty_class="").exists()

    with django_capture_on_commit_callbacks(execute=True):
        run_commit(actor=users.commune_officer, run=run)
    run.refresh_from_db()
    assert run.status == RunStatus.COMMITTED
    assert run.counts["poor"] == 1 and run.counts["near_poor"] == 1 and run.counts["changed"] == 2
    assert set(Classification.objects.values_list("household__code", "klass")) == {("R1", "poor"),
                                                                                  ("R2", "near_poor")}  # fmt: skip
    assert Household.objects.get(pk=poor.pk).poverty_class == "poor"
    assert Household.objects.get(pk=near.pk).poverty_class == "near_poor"
    assert AuditEvent.objects.filter(event_type=PovertyEventType.RUN_COMMITTED).count() == 1
    with pytest.raises(ApplicationError) as excinfo:
        run_commit(actor=users.commune_officer, run=run)
    assert excinfo.value.code == "run_transition_refused"


def test_a_second_run_keeps_the_first_results(homes, units, users, standards, django_capture_on_commit_callbacks):
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            run = run_start(actor=users.commune_officer, unit=units.tho_xuan, standard=standards.s2022_2025)
        with django_capture_on_commit_callbacks(execute=True):
            run_commit(actor=users.commune_officer, run=run)
    assert Classification.objects.count() == 4  # history: nothing overwritten
    assert ClassificationRun.objects.latest("id").counts["changed"] == 0


def test_cancel_and_permissions(homes, units, users, standards, django_capture_on_commit_callbacks):
    with pytest.raises(PermissionDenied):
        run_start(actor=users.commune_officer_dl, unit=units.tho_xuan, standard=standards.s2022_2025)
    with pytest.raises(PermissionDenied):
        run_start(actor=users.auditor, unit=units.tho_xuan, standard=standards.s2022_2025)
    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(actor=users.commune_officer, unit=units.tho_xuan, standard=standards.s2022_2025)
    with pytest.raises(PermissionDenied):
        run_cancel(actor=users.commune_officer_dl, run=run)
    run_cancel(actor=users.commune_officer, run=run)
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    with pytest.raises(ApplicationError):
        run_commit(actor=users.commune_officer, run=run)
    assert not Classification.objects.exists()


def test_a_failing_commit_leaves_nothing_and_marks_the_run(homes, units, users, standards, monkeypatch,
                                                           django_capture_on_commit_callbacks):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(actor=users.commune_officer, unit=units.tho_xuan, standard=standards.s2022_2025)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr("ansinh.poverty.services_runs._publish_households", broken)
    with django_capture_on_commit_callbacks(execute=True):
        run_commit(actor=users.commune_officer, run=run)
    run.refresh_from_db()
    assert run.status == RunStatus.FAILED and "disk full" in run.error
    assert run.error_entry is None  # an exception's own text: kept as written
    assert not Classification.objects.exists()


REFUSED = {
    "vi": "Đợt phân loại đang ở trạng thái “Đã hủy”, không chuyển sang “Đã ghi kết quả” được.",
    "en": "The classification run is in status “Canceled” and cannot change to “Results committed”.",
}


@pytest.mark.parametrize(("starter", "reader"), [("en", "vi"), ("vi", "en")])
def test_a_refused_run_shows_its_reason_and_its_jobs_label_in_the_readers_language(
    homes, units, users, standards, monkeypatch, client, settings, django_capture_on_commit_callbacks, starter, reader
):
    from types import SimpleNamespace

    from django.urls import reverse
    from django.utils import translation

    from ansinh.poverty import services_runs

    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(actor=users.commune_officer, unit=units.tho_xuan, standard=standards.s2022_2025)

    def refused(*args, **kwargs):  # our own refusal, raised while the job runs
        services_runs._transition(SimpleNamespace(status=RunStatus.CANCELLED), RunStatus.COMMITTED)

    monkeypatch.setattr("ansinh.poverty.services_runs._publish_households", refused)
    with translation.override(starter), django_capture_on_commit_callbacks(execute=True):
        run_commit(actor=users.commune_officer, run=run)
    run.refresh_from_db()
    assert (run.status, run.error) == (RunStatus.FAILED, REFUSED[starter])  # as written, in the starter's language
    client.force_login(users.commune_chair)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = reader
    page = client.get(reverse("poverty:run_detail", args=[run.pk])).content.decode()
    assert f'<dd class="errorlist">{REFUSED[reader]}</dd>' in page  # the run's card
    assert f'<p class="error" role="alert">{REFUSED[reader]}</p>' in page  # its job's card
    assert client.get(f"/api/v1/poverty/runs/{run.pk}").json()["error"] == REFUSED[reader]
    label = {
        "vi": "Ghi kết quả phân loại hộ: Xã Thọ Xuân",
        "en": "Commit household classification results: Xã Thọ Xuân",
    }
    assert client.get(f"/api/v1/jobs/{run.job_id}").json()["label"] == label[reader]


def test_commands_list_standards_and_classify_records(standards, tmp_path, capsys):
    call_command("poverty_standards")
    listed = json.loads(capsys.readouterr().out)
    assert [s["code"] for s in listed] == ["2016-2020", "hcm-2021-2025", "2022-2025", "2027-2030"]
    assert listed[2]["legal_basis"][0]["number"] == "07/2021/NĐ-CP"
    assert len(listed[2]["indicators"]) == 12
    records = [
        {"id": "a", "area": "rural", "income_per_capita": 1_500_000, "deprivations": ["water", "latrine", "telecom"],
         "farming": False},
        {"id": "b", "area": "urban", "income_per_capita": 2_500_000, "deprivations": [], "farming": True},
    ]  # fmt: skip
    source = tmp_path / "in.json"
    source.write_text(json.dumps(records), encoding="utf-8")
    call_command("poverty_classify", "--standard", "2022-2025", "--input", str(source))
    out = json.loads(capsys.readouterr().out)
    assert [(r["id"], r["class"], r["flags"]) for r in out] == [("a", "poor", []), ("b", "average", ["low_income"])]
    assert all(reason["text"] for reason in out[0]["reasons"])
    call_command("poverty_classify", "--date", "2019-05-01", "--input", str(source))
    # Under the 2016–2020 lines (1.0M rural, 1.3M urban) both incomes are above the near-poor line.
    assert [r["class"] for r in json.loads(capsys.readouterr().out)] == ["not_poor", "not_poor"]


@pytest.mark.parametrize(
    ("records", "message"),
    [
        ([{"id": 1, "area": "rural", "income_per_capita": -1, "deprivations": [], "farming": False}], "âm"),
        ([{"id": 2, "area": "rural", "deprivations": [], "farming": False}], "income_per_capita"),
        ([{"id": 3, "area": "rural", "income_per_capita": 1, "deprivations": ["x"], "farming": False}], "x"),
    ],
)
def test_classify_command_refuses_bad_records(standards, tmp_path, capsys, records, message):
    source = tmp_path / "in.json"
    source.write_text(json.dumps(records), encoding="utf-8")
    with pytest.raises(SystemExit) as excinfo:
        call_command("poverty_classify", "--standard", "2022-2025", "--input", str(source))
    assert excinfo.value.code == 2
    captured = capsys.readouterr()
    assert message in captured.err and str(records[0]["id"]) in captured.err
    assert captured.out == ""


@pytest.mark.parametrize("path", ["sql", "python"])
def test_bulk_results_equal_one_by_one_evaluation_across_chunks(path, homes, units, users, standards, monkeypatch,
                                                                django_capture_on_commit_callbacks):  # fmt: skip
    """The run reads members a chunk at a time as plain rows: it must derive exactly what the
    household page derives from the model objects, also where a chunk ends mid-unit. Both commit
    paths store no reasons; those built on read are `evaluate`'s (decision 0027)."""
    from ansinh.poverty import classify_sql, services_runs
    from ansinh.poverty.selectors import latest_assessment
    from ansinh.poverty.services import evaluate

    monkeypatch.setattr(services_runs, "CHUNK", 1)
    if path == "python":

        def not_compilable(*args, **kwargs):
            raise classify_sql.NotCompilable("test")

        monkeypatch.setattr(services_runs, "_commit_sql", not_compilable)
    on_date = date(2026, 11, 1)
    run = _start_and_commit(users, units, standards, on_date, django_capture_on_commit_callbacks)
    results = Classification.objects.filter(run=run).select_related("household")
    assert results.count() == 2
    spec = standards.s2022_2025.spec()
    for result in results:
        household = result.household
        alone = evaluate(spec, household, latest_assessment(household, standards.s2022_2025), on_date=on_date)
        assert any(row["derived"] is not None for row in result.result_indicators())
        # Both paths store each derived value with its facts (decision 0028) and read back `evaluate`'s records.
        assert result.indicators == compact(alone.indicators)
        assert result.result_indicators() == alone.indicators
        assert result.klass == alone.result.klass
        assert result.reasons == []
        assert result.result_reasons() == [dict(r) for r in alone.result.reasons]


def test_a_run_whose_job_recovery_gives_up_on_is_failed_and_audited(homes, units, users, standards,
                                                                    django_capture_on_commit_callbacks):  # fmt: skip
    from ansinh.audit.models import AuditEvent
    from ansinh.jobs.models import Job
    from ansinh.jobs.recovery import ABANDONED_ERROR
    from ansinh.jobs.services import abandon_hook
    from ansinh.poverty.events import PovertyEventType

    with django_capture_on_commit_callbacks(execute=False):
        run = run_start(actor=users.commune_officer, unit=units.tho_xuan, standard=standards.s2022_2025)
    job = Job.objects.get(params__run_id=run.pk)
    job.error_entry = {"msgid": ABANDONED_ERROR, "params": {"n": 3}, "text": "Công việc bị gián đoạn 3 lần."}
    abandon_hook(job.kind)(job, "Công việc bị gián đoạn 3 lần.")
    run.refresh_from_db()
    assert (run.status, run.error) == (RunStatus.FAILED, "Công việc bị gián đoạn 3 lần.")
    assert run.error_entry == job.error_entry  # recovery's entry: read in the reader's language
    assert AuditEvent.objects.filter(event_type=PovertyEventType.RUN_FAILED, target_id=str(run.pk)).count() == 1


def test_a_commit_writes_only_the_households_whose_class_changes(homes, users, units, standards, monkeypatch,
                                                                 django_capture_on_commit_callbacks):  # fmt: skip
    """A second commit on the same date with unchanged data updates no household row, yet stores a
    complete result per household again (history), equal to the first; a changed household alone is
    written by the third."""
    from ansinh.poverty import services_runs

    written = []
    publish = services_runs._publish_households
    monkeypatch.setattr(services_runs, "_publish_households", lambda *a, **kw: written.append(publish(*a, **kw)))
    poor, near = homes
    on_date = date(2026, 11, 1)

    def run_once():
        run = _start_and_commit(users, units, standards, on_date, django_capture_on_commit_callbacks)
        assert run.status == RunStatus.COMMITTED
        return run

    first = run_once()
    second = run_once()
    assert written == [2, 0]
    assert second.counts == first.counts | {"changed": 0}
    results = {run.pk: {c.household_id: c for c in Classification.objects.filter(run=run)} for run in (first, second)}
    assert results[first.pk].keys() == results[second.pk].keys() == {poor.pk, near.pk}
    for pk, result in results[second.pk].items():
        before = results[first.pk][pk]
        assert (result.klass, result.result_indicators(), result.result_reasons(), result.flags,
                result.deprivations) == (before.klass, before.result_indicators(), before.result_reasons(),
                                         before.flags, before.deprivations)  # fmt: skip
    households = Household.objects.filter(pk__in=[poor.pk, near.pk])
    assert {(h.pk, h.poverty_class, h.poverty_standard, h.poverty_classified_on) for h in households} == {
        (poor.pk, "poor", "2022-2025", on_date), (near.pk, "near_poor", "2022-2025", on_date)}  # fmt: skip

    Household.objects.filter(pk=near.pk).update(poverty_standard="2016-2020")  # stale: written again
    third = run_once()
    assert written == [2, 0, 1] and third.counts["changed"] == 0
    assert Household.objects.get(pk=near.pk).poverty_standard == "2022-2025"
    assert Classification.objects.filter(run=third).count() == 2


def _start_and_commit(users, units, standards, on_date, django_capture_on_commit_callbacks):
    """A run of Thọ Xuân under 2022–2025 on `on_date`, previewed and committed by its jobs."""
    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(actor=users.commune_officer, unit=units.tho_xuan, standard=standards.s2022_2025,
                        on_date=on_date)  # fmt: skip
    run.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        run_commit(actor=users.commune_officer, run=run)
    run.refresh_from_db()
    return run


def test_poverty_standards_command_keeps_its_shape_with_the_english_names_beside(standards, capsys):
    call_command("poverty_standards")
    listed = {s["code"]: s for s in json.loads(capsys.readouterr().out)}
    standard = listed["2022-2025"]
    assert {"code", "name", "legal_basis", "valid_from", "valid_to", "indicators"} <= set(standard)
    assert standard["name_en"] == "Multidimensional poverty standard 2022–2025"
    assert set(standard["legal_basis"][0]) == {"number", "date", "title"}
    assert standard["indicators"][0] == {"code": "employment", "name": "Việc làm", "name_en": "Employment"}
