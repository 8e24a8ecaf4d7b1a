"""Job messages stored as source strings with parameters and rendered in the reader's language."""

import pytest
from django.utils import translation

from ansinh.jobs.models import Job
from ansinh.jobs.texts import application_error, failure_entry, job_message, job_message_text, lazy_entry, stored_text

SCAN = "Đã xếp lịch tìm người trùng trong %(unit)s."  # in the English catalogue
ATTENDEES = "%(n)s người tham dự"  # a plural in the English catalogue (singular and plural alike in Vietnamese)


def written_in(language, *args, **kwargs):
    with translation.override(language):
        return job_message(*args, **kwargs)


def read_in(language, entry):
    with translation.override(language):
        return job_message_text(entry)


def test_an_entry_keeps_its_msgid_params_and_text_in_the_writers_language():
    entry = written_in("en", SCAN, {"unit": "Xã Thọ Xuân"})
    assert entry == {"msgid": SCAN, "params": {"unit": "Xã Thọ Xuân"},
                     "text": "A duplicate scan of Xã Thọ Xuân is queued."}  # fmt: skip


@pytest.mark.parametrize(("writer", "reader", "expected"), [
    ("en", "vi", "Đã xếp lịch tìm người trùng trong Xã Thọ Xuân."),
    ("vi", "en", "A duplicate scan of Xã Thọ Xuân is queued."),
    ("vi", "vi", "Đã xếp lịch tìm người trùng trong Xã Thọ Xuân."),
])  # fmt: skip
def test_an_entry_is_read_in_the_readers_language_with_its_params(writer, reader, expected):
    assert read_in(reader, written_in(writer, SCAN, {"unit": "Xã Thọ Xuân"})) == expected


def test_an_unknown_msgid_falls_back_to_the_stored_text():
    entry = {"msgid": "Chuỗi không có trong danh mục %(n)s", "params": {"n": 3}, "text": "Not in the catalogue 3"}
    assert read_in("en", entry) == "Not in the catalogue 3"
    # In Vietnamese the msgid is its own text.
    assert read_in("vi", entry) == "Chuỗi không có trong danh mục 3"


@pytest.mark.parametrize("params", [{}, {"other": 1}, ["Xã Thọ Xuân"], {"unit": {"msgid": ""}}])
def test_an_entry_that_cannot_be_rendered_falls_back_to_the_stored_text(params):
    entry = {"msgid": SCAN, "params": params, "text": "Đã xếp lịch (văn bản lưu)."}
    assert read_in("en", entry) == "Đã xếp lịch (văn bản lưu)."


def test_a_string_without_params_is_not_formatted():
    assert read_in("vi", written_in("vi", "Đã xong 100%")) == "Đã xong 100%"


@pytest.mark.parametrize(("entry", "expected"), [
    ("Đã đọc tệp", "Đã đọc tệp"),  # written before messages were structured
    ({"text": "Chỉ có văn bản"}, "Chỉ có văn bản"),
    ({"msgid": SCAN}, SCAN),  # neither params nor text: the msgid as it is
    (None, ""),
    (42, "42"),
])  # fmt: skip
def test_old_and_odd_entries_still_display(entry, expected):
    assert read_in("en", entry) == expected


def test_old_plain_string_messages_display_beside_new_ones():
    job = Job(messages=["Đã đọc tệp", written_in("vi", SCAN, {"unit": "Xã Thọ Xuân"})])
    with translation.override("en"):
        assert job.message_texts() == ["Đã đọc tệp", "A duplicate scan of Xã Thọ Xuân is queued."]


@pytest.mark.parametrize(("count", "english"), [(1, "1 attendee"), (2, "2 attendees")])
def test_a_plural_entry_picks_the_readers_form(count, english):
    entry = written_in("vi", ATTENDEES, {"n": count}, plural=ATTENDEES, count=count)
    assert (entry["plural"], entry["count"], entry["text"]) == (ATTENDEES, count, f"{count} người tham dự")
    assert read_in("en", entry) == english
    assert read_in("vi", written_in("en", ATTENDEES, {"n": count}, plural=ATTENDEES, count=count)) == (
        f"{count} người tham dự"
    )


def test_a_plural_entry_needs_its_count():
    with pytest.raises(ValueError):
        job_message(ATTENDEES, {"n": 2}, plural=ATTENDEES)


def test_a_param_may_itself_be_an_entry():
    # The audit chain check: the reason of a break is translatable text inside the message.
    reason = "nội dung không khớp với mã băm đã lưu (đã bị sửa)"
    message = "Chuỗi %(chain)s: sự kiện #%(id)s (số thứ tự %(seq)s) — %(reason)s."
    entry = written_in("vi", message, {"chain": "38", "id": 7, "seq": 3, "reason": written_in("vi", reason)})
    assert read_in("en", entry) == (
        "Chain 38: event #7 (sequence number 3) — the content does not match the stored hash (modified)."
    )
    assert read_in("vi", entry) == entry["text"]
    # A part without a translation makes the whole message fall back to its stored text.
    entry["params"]["reason"] = {"msgid": "lý do mới chưa dịch", "text": "new reason"}
    assert read_in("en", entry) == entry["text"]


def test_lazy_and_other_values_are_stored_as_text():
    from datetime import date

    from django.utils.translation import gettext_lazy

    entry = written_in("en", "%(what)s %(on)s", {"what": gettext_lazy("Thất bại"), "on": date(2026, 12, 6)})
    assert entry["params"] == {"what": "Failed", "on": "2026-12-06"}


def test_a_wrong_call_fails_where_it_is_written():
    with pytest.raises(KeyError):
        job_message(SCAN, {"other": 1})


# -- a job's label and failure reason (decision 0024's second addendum) ----------------------------

ALREADY_RUN = "Công việc #%(id)s đã chạy (trạng thái: %(status)s), không chạy lại."
KIND_UNKNOWN = "Loại công việc không tồn tại: %(kind)s"


def test_a_lazy_msgid_is_stored_as_its_source_string():
    from django.utils.translation import gettext_lazy

    entry = written_in("en", gettext_lazy("Thất bại"))
    assert (entry["msgid"], entry["text"]) == ("Thất bại", "Failed")
    assert read_in("vi", entry) == "Thất bại"


@pytest.mark.parametrize(("entry", "text", "expected"), [
    (None, "Nhãn cũ", "Nhãn cũ"),  # written before entries
    ({}, "Nhãn cũ", "Nhãn cũ"),
    ([], "", ""),
    ({"msgid": "Thất bại", "params": {}, "text": "Thất bại"}, "Thất bại", "Failed"),
    ([{"msgid": "Thất bại", "params": {}, "text": "Thất bại"}, "Câu tự do."], "Thất bại Câu tự do.",
     "Failed Câu tự do."),  # parts: each in the reader's language, a free text as written
])  # fmt: skip
def test_stored_text_reads_the_entry_else_the_text(entry, text, expected):
    with translation.override("en"):
        assert stored_text(entry, text) == expected


def test_an_application_error_carries_its_entry_with_translatable_parameters():
    from ansinh.jobs.models import JobStatus

    with translation.override("en"):
        exc = application_error(ALREADY_RUN, {"id": 7, "status": lazy_entry(JobStatus.SUCCEEDED.label)}, code="x")
    assert exc.message == "Job #7 has already run (status: Completed); it will not run again."
    assert (exc.code, exc.entry["msgid"], exc.entry["text"]) == ("x", ALREADY_RUN, exc.message)
    assert failure_entry(exc) is exc.entry
    with translation.override("vi"):
        assert stored_text(exc.entry, exc.message) == "Công việc #7 đã chạy (trạng thái: Hoàn thành), không chạy lại."


@pytest.mark.parametrize("writer", ["vi", "en"])
def test_our_refusals_texts_are_read_back_to_entries(writer):
    from django.core.exceptions import ValidationError
    from django.utils.translation import gettext

    from ansinh.core.exceptions import ApplicationError

    with translation.override(writer):
        text = gettext(KIND_UNKNOWN) % {"kind": "tests.none"}
        single = failure_entry(ApplicationError(text))
        parts = failure_entry(ValidationError([text, "Câu tự do."]))
    assert single == {"msgid": KIND_UNKNOWN, "params": {"kind": "tests.none"}, "text": text}
    assert parts == [single, "Câu tự do."]
    with translation.override("vi"):
        assert stored_text(parts, "") == "Loại công việc không tồn tại: tests.none Câu tự do."
    with translation.override("en"):
        assert stored_text(parts, "") == "Job type does not exist: tests.none Câu tự do."


def test_a_free_text_or_an_unexpected_exception_has_no_entry():
    from django.core.exceptions import ValidationError

    from ansinh.core.exceptions import ApplicationError

    with translation.override("vi"):
        assert failure_entry(ApplicationError("Tệp nhập không có cột CCCD.")) is None
        assert failure_entry(ValidationError(["Câu tự do.", "Câu khác."])) is None
        assert failure_entry(RuntimeError("Thất bại")) is None  # an internal text, even a catalogued one
