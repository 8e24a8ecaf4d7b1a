"""No personal data in application logs (issue 7): while things that log happen — a failed import job,
a job that raises, failed logins, API 4xx and 5xx — no CCCD number, member name or income of the
fixtures appears in any log record's message or arguments."""

import json
import logging

import pytest
from django.urls import reverse

from ansinh.jobs.services import job_enqueue, job_run
from ansinh.jobs.tests.kinds import CRASH_KIND
from ansinh.poverty.tests.factories import form_b, known_household
from ansinh.registry import services_import
from ansinh.registry.importing import parse_upload
from ansinh.registry.services_import import import_batch_create, import_rows
from ansinh.registry.tests.data.import_files import ROWS, csv_bytes, upload
from ansinh.registry.tests.factories import head, make_household

CCCD = "038075001234"  # the head of H01 in the import file
INCOME = 1_234_000
SECRETS = [CCCD, "Nguyễn Văn An", "Lê Thị Bình", "Nguyễn Văn Cường", "Hà Thị Dung", "Trần Thị Mơ", str(INCOME),
           "1.234.000", "1,234,000"]  # fmt: skip


def _leaks(records) -> list[str]:
    found = []
    for record in records:
        texts = [str(record.msg), record.getMessage(), *(repr(a) for a in _args(record))]
        found += [f"{record.name}: {secret} in {record.getMessage()!r}" for secret in SECRETS
                  if any(secret in text for text in texts)]  # fmt: skip
    return found


def _args(record):
    if isinstance(record.args, dict):
        return list(record.args.values())
    return list(record.args or ())


def _post(client, url, data):
    return client.post(url, data=json.dumps(data), content_type="application/json")


@pytest.fixture
def logged(caplog):
    caplog.set_level(logging.DEBUG)  # the root logger, every record of every logger
    return caplog


def test_failed_import_and_crashing_jobs_log_no_personal_data(units, users, logged, monkeypatch):
    # an import whose bulk write the database refuses (a code taken meanwhile): warning with the error
    monkeypatch.setattr(services_import._HouseholdImport, "_existing", lambda self, codes: {})
    make_household(units.tho_xuan, code="H01", actor=users.commune_officer,
                   members=[head(name="Trần Thị Mơ", id_number="")])  # fmt: skip
    import_rows(actor=users.commune_officer, commune=units.tho_xuan, sheet=parse_upload(csv_bytes(), "ho.csv"),
                mode="create", write=True)  # fmt: skip
    monkeypatch.undo()
    # an import job that fails (its file changed on disk after upload)
    batch = import_batch_create(actor=users.commune_officer, commune=units.tho_xuan,
                                file=upload(csv_bytes(ROWS[:1])), mode="create", dry_run=True)  # fmt: skip
    with open(batch.file.path, "ab") as handle:
        handle.write(f"H09,T1,Hà Thị Dung,Chủ hộ,Nữ,,1950,Kinh,{CCCD},,,\n".encode())
    assert job_run(batch.job_id).status == "failed"
    # a job that raises
    job = job_enqueue(actor=users.commune_officer, kind=CRASH_KIND, label="Nguyễn Văn An")
    assert job_run(job.pk).status == "failed"
    levels = {r.levelname for r in logged.records}
    assert {"WARNING", "ERROR"} <= levels  # the scenarios did log
    assert _leaks(logged.records) == []


def test_failed_logins_log_no_personal_data(client, users, logged):
    for username in (CCCD, "Nguyễn Văn An", "commune_officer"):  # people type their CCCD or name as a username
        response = client.post(reverse("accounts:login"), {"username": username, "password": f"{INCOME}"})
        assert response.status_code == 200
    assert _leaks(logged.records) == []


def test_api_errors_log_no_personal_data(client, units, users, standards, logged, monkeypatch):
    home = known_household(units.tho_xuan, village=units.t1)
    form_b(home, users.commune_officer, income=INCOME)
    other = make_household(units.mdrak, code="DL1", members=[head(name="Hà Thị Dung", id_number=CCCD)])
    client.force_login(users.commune_officer)
    response = client.get(f"/api/v1/households/{other.pk}")  # out of the officer's area
    assert response.status_code == 404 and response.json()["code"]
    bad = {"income_source": "declared", "income_per_capita": INCOME, "note": "Nguyễn Văn An " + CCCD,
           "overrides": {"water": {"value": False, "reason": ""}}}  # fmt: skip
    assert _post(client, f"/api/v1/poverty/households/{home.pk}/assessments", bad).status_code == 422
    assert _post(client, f"/api/v1/poverty/households/{home.pk}/assessments", {"income_source": 1}).status_code == 422

    def broken(**kwargs):
        raise RuntimeError("selector failed")

    monkeypatch.setattr("ansinh.poverty.api.selectors.classifications_of", broken)
    assert client.get(f"/api/v1/poverty/households/{home.pk}/classifications").status_code == 500
    assert any(r.levelname == "ERROR" for r in logged.records)
    assert _leaks(logged.records) == []
