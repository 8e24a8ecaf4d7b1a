import pytest
from django.db import transaction
from django.urls import reverse

from ansinh.jobs.services import job_enqueue, job_run
from ansinh.jobs.tests.kinds import COUNT_KIND, SPEAK_KIND


def make(user, unit_path="/2025/38/16000/", label="Đếm"):
    with transaction.atomic():
        return job_enqueue(actor=user, kind=COUNT_KIND, label=label, unit_path=unit_path, params={"n": 4})


def run_now(job):
    # What the worker does once the task is picked up (enqueueing is tested in test_services).
    job_run(job.pk)
    job.refresh_from_db()
    return job


def test_detail_polls_while_unfinished(client, users):
    job = make(users.commune_officer)
    client.force_login(users.commune_officer)
    html = client.get(reverse("jobs:job_detail", kwargs={"pk": job.pk})).content.decode()
    progress_url = reverse("jobs:job_progress", kwargs={"pk": job.pk})
    assert f'hx-get="{progress_url}"' in html
    assert 'hx-trigger="every 2s"' in html
    assert "<progress" in html


def test_progress_partial_stops_polling_when_finished(client, users):
    job = make(users.commune_officer)
    client.force_login(users.commune_officer)
    url = reverse("jobs:job_progress", kwargs={"pk": job.pk})
    before = client.get(url).content.decode()
    assert 'hx-trigger="every 2s"' in before
    assert "<html" not in before  # a fragment, not a page

    run_now(job)
    after = client.get(url).content.decode()
    assert "hx-trigger" not in after
    assert "hx-get" not in after
    assert 'value="100"' in after
    assert "4 / 4" in after
    assert "Đã đếm 4" in after
    assert "counted 4" in after
    assert "Hoàn thành" in after


def test_out_of_area_job_is_not_found(client, users):
    job = make(users.commune_officer_dl, unit_path="/2025/66/24000/")
    client.force_login(users.commune_officer)
    for name in ("jobs:job_detail", "jobs:job_progress"):
        assert client.get(reverse(name, kwargs={"pk": job.pk})).status_code == 404


def test_someone_elses_job_without_permission_is_not_found(client, users):
    # The inspector works in Thanh Hóa but holds no jobs.view_job: area alone does not open the job.
    job = make(users.commune_officer)
    for username in ("inspector", "no_role"):
        client.force_login(getattr(users, username))
        assert client.get(reverse("jobs:job_detail", kwargs={"pk": job.pk})).status_code == 404
        listed = client.get(reverse("jobs:job_list")).context["table"].paginated_rows
        assert [row.record.pk for row in listed] == []


def test_own_job_is_visible_without_permission(client, users):
    job = make(users.inspector, unit_path="")
    client.force_login(users.inspector)
    assert client.get(reverse("jobs:job_detail", kwargs={"pk": job.pk})).status_code == 200
    listed = client.get(reverse("jobs:job_list")).context["table"].paginated_rows
    assert [row.record.pk for row in listed] == [job.pk]


def test_list_shows_own_and_area_jobs_only(client, users):
    own = make(users.commune_officer, unit_path="")
    area = make(users.commune_chair)
    other_commune = make(users.province_officer, unit_path="/2025/38/16001/")
    other_province = make(users.commune_officer_dl, unit_path="/2025/66/24000/")
    client.force_login(users.commune_officer)
    response = client.get(reverse("jobs:job_list"))
    shown = {row.record.pk for row in response.context["table"].paginated_rows}
    assert shown == {own.pk, area.pk}
    assert other_commune.pk not in shown and other_province.pk not in shown
    client.force_login(users.auditor)
    shown = {row.record.pk for row in client.get(reverse("jobs:job_list")).context["table"].paginated_rows}
    assert shown == {own.pk, area.pk, other_commune.pk, other_province.pk}


def test_list_filters_by_status(client, users):
    done = run_now(make(users.commune_officer))
    waiting = make(users.commune_officer)
    client.force_login(users.commune_officer)
    for status, expected in (("succeeded", done), ("queued", waiting)):
        response = client.get(reverse("jobs:job_list"), {"status": status})
        assert [row.record.pk for row in response.context["table"].paginated_rows] == [expected.pk]


def test_a_job_without_a_total_shows_queued_then_running(client, users):
    from django.utils import timezone

    job = make(users.commune_officer)
    client.force_login(users.commune_officer)
    url = reverse("jobs:job_progress", kwargs={"pk": job.pk})
    assert "Đang chờ" in client.get(url).content.decode()
    job.status, job.started_at, job.done = "running", timezone.now(), 17  # counting blocks, total not known yet
    job.save(update_fields=["status", "started_at", "done"])
    html = client.get(url).content.decode()
    assert "Đang chạy" in html and "Đang chờ" not in html
    assert '<span class="muted">17</span>' in html and "0 %" not in html


def test_finished_htmx_poll_reloads_the_page_once(client, users):
    # The page around the fragment (the import batch page) shows the outcome only after a reload.
    job = make(users.commune_officer)
    client.force_login(users.commune_officer)
    url = reverse("jobs:job_progress", kwargs={"pk": job.pk})
    assert "HX-Refresh" not in client.get(url, headers={"HX-Request": "true"})
    run_now(job)
    polled = client.get(url, headers={"HX-Request": "true"})
    assert polled["HX-Refresh"] == "true"
    # The reloaded page carries the finished fragment, which does not poll: no loop.
    assert "hx-get" not in polled.content.decode()
    page = client.get(reverse("jobs:job_detail", kwargs={"pk": job.pk})).content.decode()
    assert "hx-get" not in page and "hx-trigger" not in page
    # A plain request of the fragment (no HTMX) is not told to refresh anything.
    assert "HX-Refresh" not in client.get(url)


def test_job_page_links_back_to_what_its_kind_declares(client, users):
    from ansinh.jobs import links

    job = make(users.commune_officer)
    client.force_login(users.commune_officer)
    url = reverse("jobs:job_detail", kwargs={"pk": job.pk})
    assert client.get(url).context["job_link"] is None  # the kind declares no link
    saved = dict(links._LINKS)
    try:
        links.register_job_link(COUNT_KIND, lambda j: (f"/counted/{j.params['n']}/", "Xem kết quả đếm"))
        html = client.get(url).content.decode()
        assert '<a class="btn" href="/counted/4/">Xem kết quả đếm</a>' in html
        links.register_job_link(COUNT_KIND, lambda j: j.params["missing"])  # a broken link: no link, no error
        response = client.get(url)
        assert response.status_code == 200 and response.context["job_link"] is None
    finally:
        links._LINKS.clear()
        links._LINKS.update(saved)


def shown_messages(html: str) -> list[str]:
    import re

    listed = re.search(r'<ol class="messages">(.*?)</ol>', html, re.S)
    return re.findall(r"<li>(.*?)</li>", listed.group(1)) if listed else []


@pytest.mark.parametrize(("starter", "reader", "expected"), [
    ("en", "vi", ["Thất bại", "2 người tham dự"]),
    ("vi", "en", ["Failed", "2 attendees"]),
    ("en", "en", ["Failed", "2 attendees"]),
])  # fmt: skip
def test_messages_are_shown_in_the_readers_language(client, users, settings, starter, reader, expected):
    from django.utils import translation

    with translation.override(starter), transaction.atomic():
        job = job_enqueue(actor=users.commune_chair, kind=SPEAK_KIND, label="Nói", unit_path="/2025/38/16000/",
                          params={"n": 2})  # fmt: skip
    run_now(job)
    # A colleague of the same commune reads it in their own language.
    client.force_login(users.commune_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = reader
    for name in ("jobs:job_detail", "jobs:job_progress"):
        html = client.get(reverse(name, kwargs={"pk": job.pk})).content.decode()
        assert shown_messages(html) == expected


def test_messages_written_before_they_were_structured_are_shown_as_written(client, users, settings):
    from ansinh.jobs.models import Job

    job = run_now(make(users.commune_officer))
    Job.objects.filter(pk=job.pk).update(messages=["Đã đọc tệp (cũ)", {"msgid": "Không có %(x)s", "text": "Cũ"}])
    client.force_login(users.commune_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    html = client.get(reverse("jobs:job_progress", kwargs={"pk": job.pk})).content.decode()
    assert shown_messages(html) == ["Đã đọc tệp (cũ)", "Cũ"]


# -- the label and the failure reason in the reader's language (decision 0024's second addendum) -----

IMPORT_FROM = "Nhập hộ từ tệp %(name)s"
LABELS = {"vi": "Nhập hộ từ tệp ho.xlsx", "en": "Import households from file ho.xlsx"}
ERRORS = {
    "vi": "Công việc #7 đã chạy (trạng thái: Hoàn thành), không chạy lại.",
    "en": "Job #7 has already run (status: Completed); it will not run again.",
}


def failed_job(user, kind, *, language, label=IMPORT_FROM, label_params=None):
    from django.utils import translation

    with translation.override(language), transaction.atomic():
        job = job_enqueue(actor=user, kind=kind, label=label, label_params=label_params or {"name": "ho.xlsx"},
                          unit_path="/2025/38/16000/")  # fmt: skip
    return run_now(job)


def shown_error(html: str) -> str:
    import re

    found = re.search(r'<p class="error" role="alert">(.*?)</p>', html, re.S)
    return found.group(1) if found else ""


def read_as(client, users, settings, reader):
    client.force_login(users.commune_officer)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = reader


@pytest.mark.parametrize(("starter", "reader"), [("en", "vi"), ("vi", "en"), ("en", "en")])
def test_the_label_and_error_are_shown_in_the_readers_language(client, users, settings, starter, reader):
    import html as markup

    from ansinh.jobs.tests.kinds import ENTRY_REFUSE_KIND

    job = failed_job(users.commune_chair, ENTRY_REFUSE_KIND, language=starter)
    assert (job.label, job.error) == (LABELS[starter], ERRORS[starter])  # stored in the starter's language
    read_as(client, users, settings, reader)
    page = markup.unescape(client.get(reverse("jobs:job_detail", kwargs={"pk": job.pk})).content.decode())
    assert f"<title>{LABELS[reader]}" in page and f"<h1>{LABELS[reader]}</h1>" in page
    assert shown_error(page) == ERRORS[reader]
    fragment = markup.unescape(client.get(reverse("jobs:job_progress", kwargs={"pk": job.pk})).content.decode())
    assert shown_error(fragment) == ERRORS[reader]
    listed = markup.unescape(client.get(reverse("jobs:job_list")).content.decode())
    assert f">{LABELS[reader]}</a>" in listed
    assert LABELS[starter] not in listed or starter == reader


def test_a_read_back_reason_follows_the_reader_and_free_text_stays_as_written(client, users, settings):
    from ansinh.jobs.tests.kinds import FREE_TEXT, READ_BACK_REFUSE_KIND, REFUSE_KIND

    job = failed_job(users.commune_chair, READ_BACK_REFUSE_KIND, language="vi")
    refused = failed_job(users.commune_chair, REFUSE_KIND, language="vi")
    read_as(client, users, settings, "en")
    page = client.get(reverse("jobs:job_detail", kwargs={"pk": job.pk})).content.decode()
    assert shown_error(page) == f"Job type does not exist: tests.none {FREE_TEXT}"
    page = client.get(reverse("jobs:job_detail", kwargs={"pk": refused.pk})).content.decode()
    assert shown_error(page) == "Tệp nhập không có cột CCCD."  # free text: as written


def test_a_job_written_before_entries_shows_its_label_and_error_as_written(client, users, settings):
    from ansinh.jobs.models import Job
    from ansinh.jobs.tests.kinds import ENTRY_REFUSE_KIND

    job = failed_job(users.commune_chair, ENTRY_REFUSE_KIND, language="vi")
    Job.objects.filter(pk=job.pk).update(label="Nhập hộ (cũ)", label_entry=None, error="Lỗi cũ.", error_entry=None)
    read_as(client, users, settings, "en")
    page = client.get(reverse("jobs:job_detail", kwargs={"pk": job.pk})).content.decode()
    assert "<h1>Nhập hộ (cũ)</h1>" in page and shown_error(page) == "Lỗi cũ."
    assert ">Nhập hộ (cũ)</a>" in client.get(reverse("jobs:job_list")).content.decode()


@pytest.mark.parametrize(
    ("reader", "first"), [("vi", "Nhập hộ từ tệp b.xlsx"), ("en", "Find duplicate people: Thọ Xuân")]
)
def test_the_list_sorts_labels_as_the_reader_reads_them(client, users, settings, reader, first):
    """ "Nhập …" comes before "Tìm …" in Vietnamese, "Find …" before "Import …" in English; within a kind
    the stored text (its file name) orders the jobs, and a job written before entries by its text."""
    import html as markup
    import re

    from ansinh.jobs.models import Job

    from .kinds import COUNT_KIND

    with transaction.atomic():
        for label, params in ((IMPORT_FROM, {"name": "c.xlsx"}), ("Tìm người trùng: %(area)s", {"area": "Thọ Xuân"}),
                              (IMPORT_FROM, {"name": "b.xlsx"})):  # fmt: skip
            job_enqueue(actor=users.commune_chair, kind=COUNT_KIND, label=label, label_params=params,
                        unit_path="/2025/38/16000/", params={"n": 1})  # fmt: skip
        old = job_enqueue(actor=users.commune_chair, kind=COUNT_KIND, label="Ấn định", unit_path="/2025/38/16000/",
                          params={"n": 1})  # fmt: skip
    Job.objects.filter(pk=old.pk).update(label="A cũ", label_entry=None)
    read_as(client, users, settings, reader)

    def labels(sort):
        page = markup.unescape(client.get(reverse("jobs:job_list"), {"sort": sort}).content.decode())
        return [t for t in re.findall(r'<a href="/jobs/\d+/">([^<]*)</a>', page) if not t.isdigit()]

    ascending = labels("label")
    assert ascending[0] == "A cũ"
    assert ascending[1] == first
    assert labels("-label") == ascending[::-1]
    imports = [t for t in ascending if t.endswith(".xlsx")]
    assert imports == sorted(imports)
