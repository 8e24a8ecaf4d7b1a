from django.db import transaction

from ansinh.jobs.services import job_enqueue, job_run
from ansinh.jobs.tests.kinds import COUNT_KIND

URL = "/api/v1/jobs/"


def make(user, unit_path="/2025/38/16000/"):
    with transaction.atomic():
        return job_enqueue(actor=user, kind=COUNT_KIND, label="Đếm", unit_path=unit_path, params={"n": 3})


def test_get_returns_progress_and_result(client, users):
    job = make(users.commune_officer)
    job_run(job.pk)
    client.force_login(users.commune_officer)
    body = client.get(f"{URL}{job.pk}").json()
    assert body["status"] == "succeeded"
    assert body["status_label"] == "Hoàn thành"
    assert (body["percent"], body["done"], body["total"]) == (100, 3, 3)
    assert body["messages"] == ["counted 3"]
    assert body["result"] == {"counted": 3, "summary": "Đã đếm 3"}
    assert body["created_by"] == "commune_officer"


def test_messages_are_in_the_callers_language(client, users, settings):
    from django.utils import translation

    from ansinh.jobs.tests.kinds import SPEAK_KIND

    with translation.override("en"), transaction.atomic():
        job = job_enqueue(actor=users.commune_officer, kind=SPEAK_KIND, label="Nói", unit_path="/2025/38/16000/",
                          params={"n": 2})  # fmt: skip
    job_run(job.pk)
    client.force_login(users.commune_officer)
    assert client.get(f"{URL}{job.pk}").json()["messages"] == ["Thất bại", "2 người tham dự"]
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert client.get(f"{URL}{job.pk}").json()["messages"] == ["Failed", "2 attendees"]


def test_list_is_scoped_and_paginated(client, users):
    mine = make(users.commune_officer)
    other = make(users.commune_officer_dl, unit_path="/2025/66/24000/")
    client.force_login(users.commune_officer)
    page = client.get(URL).json()
    assert [item["id"] for item in page["items"]] == [mine.pk]
    assert (page["count"], page["page"], page["pages"]) == (1, 1, 1)
    response = client.get(f"{URL}{other.pk}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_someone_elses_job_without_permission_is_not_found(client, users):
    job = make(users.commune_officer)
    client.force_login(users.no_role)
    assert client.get(f"{URL}{job.pk}").status_code == 404
    assert client.get(URL).json()["items"] == []
