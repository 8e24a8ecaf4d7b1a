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


def test_label_error_and_summary_are_in_the_callers_language(client, users, settings):
    from django.utils import translation

    from ansinh.jobs.models import Job
    from ansinh.jobs.tests.kinds import ENTRY_REFUSE_KIND

    with translation.override("en"), transaction.atomic():
        job = job_enqueue(actor=users.commune_officer, kind=ENTRY_REFUSE_KIND, label="Nhập hộ từ tệp %(name)s",
                          label_params={"name": "ho.xlsx"}, unit_path="/2025/38/16000/")  # fmt: skip
    job_run(job.pk)
    client.force_login(users.commune_officer)
    body = client.get(f"{URL}{job.pk}").json()
    assert body["label"] == "Nhập hộ từ tệp ho.xlsx"
    assert body["error"] == "Công việc #7 đã chạy (trạng thái: Hoàn thành), không chạy lại."
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(f"{URL}{job.pk}").json()
    assert body["label"] == "Import households from file ho.xlsx"
    assert body["error"] == "Job #7 has already run (status: Completed); it will not run again."
    # A summary stored with its entry is answered in the caller's language, without the entry.
    entry = {"msgid": "Hoàn thành", "params": {}, "text": "Hoàn thành"}
    Job.objects.filter(pk=job.pk).update(result={"n": 1, "summary": "Hoàn thành", "summary_entry": entry})
    assert client.get(f"{URL}{job.pk}").json()["result"] == {"n": 1, "summary": "Completed"}


def test_a_job_written_before_entries_answers_its_texts_as_written(client, users, settings):
    from ansinh.jobs.models import Job

    job = make(users.commune_officer)
    Job.objects.filter(pk=job.pk).update(label="Đếm (cũ)", label_entry=None, error="Lỗi cũ.", error_entry=None)
    client.force_login(users.commune_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(f"{URL}{job.pk}").json()
    assert (body["label"], body["error"]) == ("Đếm (cũ)", "Lỗi cũ.")
