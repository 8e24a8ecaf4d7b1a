"""The import services: row validation through the registry services, modes, dry runs, the batch's life."""

from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from openpyxl import load_workbook

from ansinh.audit.models import AuditEvent
from ansinh.core.exceptions import ApplicationError
from ansinh.jobs.models import Job, JobStatus
from ansinh.registry.choices import ImportStatus
from ansinh.registry.events import RegistryEventType
from ansinh.registry.import_messages import row_error_text
from ansinh.registry.importing import parse_upload
from ansinh.registry.models import Household, ImportBatch, Member, RegistrySettings
from ansinh.registry.services_import import (
    import_batch_approve,
    import_batch_cancel,
    import_batch_commit,
    import_batch_create,
    import_batch_run,
    import_rows,
)

from .data.import_files import HEADERS, ROWS, csv_bytes, upload, xlsx_bytes
from .factories import head, make_household


def _rows(sheet_bytes, name="ho.csv"):
    return parse_upload(sheet_bytes, name)


def _run(units, content, *, mode="create", write=True, actor=None, name="ho.csv"):
    return import_rows(actor=actor, commune=units.tho_xuan, sheet=_rows(content, name), mode=mode, write=write)


def _errors(result):
    return {(e["row"], e["column"]): e["message"] for e in result.error_list()}


def test_valid_file_creates_households_members_and_facts(units, users):
    result = _run(units, csv_bytes(), actor=users.commune_officer)
    assert result.counts | {} == {"created": 2, "updated": 0, "skipped": 0, "invalid": 0, "rows": 4,
                                  "invalid_rows": 0}  # fmt: skip
    h1 = Household.objects.get(code="H01")
    assert h1.village == units.t1
    assert h1.head_name == "Nguyễn Văn An"
    assert str(h1.housing_area_m2) == "45.5"
    assert h1.water_source == "piped"
    assert h1.ethnicity.code == "01"
    members = {m.full_name: m for m in h1.members.all()}
    assert members["Lê Thị Bình"].relation == "spouse" and members["Lê Thị Bình"].sex == "female"
    assert members["Lê Thị Bình"].health_insurance == "no"
    assert members["Nguyễn Văn An"].id_number == "038075001234"
    assert members["Nguyễn Văn Cường"].birth_date == date(2005, 8, 15)
    h2 = Household.objects.get(code="H02")
    assert h2.village == units.t2
    assert h2.female_head
    assert h2.is_ethnic_minority  # Mường
    assert h2.water_source == "protected_well"
    # Each household is audited by the registry service, with the importing officer as actor.
    assert AuditEvent.objects.filter(event_type=RegistryEventType.HOUSEHOLD_REGISTERED,
                                     actor=users.commune_officer).count() == 2  # fmt: skip


def test_mixed_file_keeps_valid_households_and_reports_invalid_ones_by_row_and_column(units, users):
    future = (date.today() + timedelta(days=30)).strftime("%d/%m/%Y")
    rows = [
        *ROWS,
        ["H03", "T9", "Trần Văn Em", "Chủ hộ", "Nam", "", "1960", "", "", "", "", ""],  # unknown village
        ["H04", "T1", "Phạm Văn Giang", "Chủ hộ", "Nam", "", "1980", "", "12345", "", "", ""],  # bad CCCD
        ["H05", "T1", "Đỗ Thị Hoa", "Chủ hộ", "Nữ", future, "", "", "", "", "", ""],  # future birth date
        ["H06", "T1", "Vũ Văn Ích", "Con", "Nam", "", "1990", "", "", "", "", ""],  # no head
        ["", "T1", "Không Mã", "Chủ hộ", "Nam", "", "1990", "", "", "", "", ""],  # no code
        ["H07", "T1", "Lý Văn Khoa", "Chủ hộ", "Nam", "", "1970", "Người sao Hỏa", "", "", "-5", "Sông"],
    ]
    result = _run(units, csv_bytes(rows), actor=users.commune_officer)
    assert result.counts["created"] == 2
    assert result.counts["invalid"] == 6
    assert set(Household.objects.values_list("code", flat=True)) == {"H01", "H02"}
    errors = _errors(result)
    assert "Thôn “T9” không thuộc Xã Thọ Xuân" in errors[(6, "Thôn")]
    assert "12 chữ số" in errors[(7, "Số CCCD")]
    assert "tương lai" in errors[(8, "Ngày sinh")]
    assert "Chủ hộ" in errors[(9, "Quan hệ với chủ hộ")]
    assert "mã hộ" in errors[(10, "Mã hộ")]
    assert "Dân tộc" in errors[(11, "Dân tộc")]
    assert "âm" in errors[(11, "Diện tích nhà (m²)")]
    assert "danh mục" in errors[(11, "Nguồn nước")]


def test_a_row_with_a_bad_cell_still_reports_its_cccd_against_its_own_sex_and_year(units, users):
    rows = [
        ["H1", "T1", "Mai Văn Tùng", "Chủ hộ", "Nam", "", "1980", "", "038180001234", "không rõ", "", ""],
        ["H1", "", "Mai Thị Lan", "Vợ", "Nữ", "31/02/1982", "", "", "038182001234", "", "", ""],
        ["H1", "", "Mai Văn Nam", "Con", "Nam", "", "2010", "", "038210001234", "", "", ""],  # valid
    ]
    errors = _errors(_run(units, csv_bytes(rows), actor=users.commune_officer))
    assert "danh mục" in errors[(2, "BHYT")]
    assert "không khớp giới tính" in errors[(2, "Số CCCD")]  # 1 is a woman born in the 1900s
    assert (3, "Ngày sinh") in errors
    assert "không khớp giới tính" not in errors.get((3, "Số CCCD"), "")  # her digit 1 is right
    assert (4, "Số CCCD") not in errors
    assert not Household.objects.exists()


def test_html_in_a_name_is_kept_as_text(units, users):
    rows = [["H1", "", "<script>alert(1)</script> An", "Chủ hộ", "Nam", "", "1970", "", "", "", "", ""]]
    result = _run(units, csv_bytes(rows), actor=users.commune_officer)
    assert result.counts["created"] == 1
    assert Member.objects.get().full_name == "<script>alert(1)</script> An"


def test_formula_text_in_a_name_is_refused_and_reported(units, users):
    rows = [["H1", "", "=cmd|' /C calc'!A0", "Chủ hộ", "Nam", "", "1970", "", "", "", "", ""]]
    result = _run(units, xlsx_bytes(rows), name="f.xlsx", actor=users.commune_officer)
    assert result.counts["invalid"] == 1
    assert "không được bắt đầu" in _errors(result)[(2, "Họ và tên")]
    assert not Household.objects.exists()


def test_a_household_with_a_bad_cell_reports_its_members_rules_in_the_same_pass(units, users):
    """The household is refused for its area; its missing name, future birth and missing year are reported
    at once, each on its cell, instead of one more upload per mistake."""
    future = (date.today() + timedelta(days=30)).strftime("%d/%m/%Y")
    rows = [
        ["H1", "", "", "Chủ hộ", "Nam", "", "1970", "", "", "", "-5", ""],
        ["H1", "", "Lê Thị Bình", "Vợ", "Nữ", future, "", "", "", "", "", ""],
        ["H1", "", "Nguyễn Văn Cường", "Con", "Nam", "31/02/2001", "", "", "", "", "", ""],
        ["H1", "", "Nguyễn Thị Dung", "Con", "Nữ", "", "", "", "", "", "", ""],
    ]
    result = _run(units, csv_bytes(rows), actor=users.commune_officer)
    errors = _errors(result)
    assert result.counts["invalid"] == 1
    assert "âm" in errors[(2, "Diện tích nhà (m²)")]
    assert errors[(2, "Họ và tên")] == "Hãy nhập họ và tên."
    assert errors[(3, "Ngày sinh")] == "Ngày sinh ở tương lai."
    assert "không tồn tại" in errors[(4, "Ngày sinh")] and (4, "Năm sinh") not in errors  # not also "missing"
    assert errors[(5, "Năm sinh")] == "Hãy nhập ngày sinh hoặc năm sinh."
    assert not Household.objects.exists()


def test_a_workbooks_number_cell_and_an_empty_name_are_reported_together(units, users):
    """In a workbook the area is a number cell (-5.0) and a formula without a stored value reads empty."""
    rows = [["H1", "", "", "Chủ hộ", "Nam", "", 1970, "", "", "", -5, ""]]
    result = _run(units, xlsx_bytes(rows, as_text=False), name="h.xlsx", actor=users.commune_officer)
    errors = _errors(result)
    assert errors[(2, "Diện tích nhà (m²)")] == "Diện tích không được âm."
    assert errors[(2, "Họ và tên")] == "Hãy nhập họ và tên."
    assert not Household.objects.exists()


def test_update_mode_reports_no_blank_name_on_a_household_already_invalid(units, users):
    make_household(units.tho_xuan, code="H1", actor=users.commune_officer)
    rows = [["H1", "", "", "Chủ hộ", "Nam", "", "", "", "038075001234", "", "-5", ""]]
    result = _run(units, csv_bytes(rows), mode="update", actor=users.commune_officer)
    errors = _errors(result)
    assert "âm" in errors[(2, "Diện tích nhà (m²)")]
    assert (2, "Họ và tên") not in errors and (2, "Năm sinh") not in errors  # blank keeps the stored value


def test_household_cells_on_member_rows_must_match_the_head_row(units, users):
    rows = [ROWS[0], ["H01", "T2", "Lê Thị Bình", "Vợ", "Nữ", "", "1978", "", "", "", "", ""]]
    result = _run(units, csv_bytes(rows), actor=users.commune_officer)
    assert result.counts["invalid"] == 1
    assert "Khác với dòng chủ hộ" in _errors(result)[(3, "Thôn")]


def test_the_same_cccd_twice_in_the_file_or_already_registered(units, users):
    make_household(units.tho_xuan, code="OLD", actor=users.commune_officer,
                   members=[head(name="Ai Đó", id_number="038075009999")])  # fmt: skip
    rows = [
        ["A1", "", "Nguyễn Văn An", "Chủ hộ", "Nam", "02/03/1975", "", "", "038075001234", "", "", ""],
        ["A2", "", "Trần Văn An", "Chủ hộ", "Nam", "02/03/1975", "", "", "038075001234", "", "", ""],
        ["A3", "", "Lê Văn Ba", "Chủ hộ", "Nam", "02/03/1975", "", "", "038075009999", "", "", ""],
    ]
    result = _run(units, csv_bytes(rows), actor=users.commune_officer)
    errors = _errors(result)
    assert "trùng với dòng 3" in errors[(2, "Số CCCD")]
    assert "trùng với dòng 2" in errors[(3, "Số CCCD")]
    assert "hộ OLD" in errors[(4, "Số CCCD")]
    assert result.counts["invalid"] == 3


def test_a_household_invalid_for_one_cccd_still_reports_another_already_registered(units, users):
    make_household(units.tho_xuan, code="OLD", actor=users.commune_officer,
                   members=[head(name="Ai Đó", id_number="038075009999")])  # fmt: skip
    rows = [
        ["B1", "", "Lê Văn Ba", "Chủ hộ", "Nam", "02/03/1975", "", "", "038075009999", "", "", ""],
        ["B1", "", "Lê Thị Hai", "Con", "Nữ", "02/03/2001", "", "", "038301001234", "", "", ""],
        ["B1", "", "Lê Thị Ba", "Con", "Nữ", "02/03/2001", "", "", "038301001234", "", "", ""],
    ]
    errors = _errors(_run(units, csv_bytes(rows), actor=users.commune_officer))
    assert "trùng với dòng 4" in errors[(3, "Số CCCD")]
    assert "hộ OLD" in errors[(2, "Số CCCD")]  # was reported only once the repeated number was fixed


def test_dry_run_writes_nothing_but_reports_what_would_happen(units, users):
    events = AuditEvent.objects.count()
    result = _run(units, csv_bytes(), write=False, actor=users.commune_officer)
    assert result.counts["created"] == 2
    assert not Household.objects.exists()
    assert not Member.objects.exists()
    assert AuditEvent.objects.count() == events


def test_create_mode_twice_changes_nothing_and_reports_existing_codes(units, users):
    _run(units, csv_bytes(), actor=users.commune_officer)
    before = list(Household.objects.order_by("pk").values_list("pk", "version"))
    again = _run(units, csv_bytes(), actor=users.commune_officer)
    assert again.counts["created"] == 0
    assert again.counts["invalid"] == 2
    assert "đã có" in _errors(again)[(2, "Mã hộ")]
    assert list(Household.objects.order_by("pk").values_list("pk", "version")) == before
    assert Member.objects.count() == 4


def test_update_mode_is_idempotent_and_updates_what_changed(units, users):
    _run(units, csv_bytes(), actor=users.commune_officer)
    same = _run(units, csv_bytes(), mode="update", actor=users.commune_officer)
    assert same.counts | {} == {"created": 0, "updated": 0, "skipped": 2, "invalid": 0, "rows": 4,
                                "invalid_rows": 0}  # fmt: skip
    assert set(Household.objects.values_list("version", flat=True)) == {1}
    changed_rows = [list(r) for r in ROWS]
    changed_rows[0][10] = "60"  # housing area of H01
    changed_rows[1][9] = "Có"  # the spouse now has health insurance
    changed_rows.append(["H02", "", "Hà Văn Em", "Con", "Nam", "", "1980", "", "", "", "", ""])  # new member
    changed_rows.append(["H03", "T1", "Mới Toanh", "Chủ hộ", "Nam", "", "1990", "", "", "", "", ""])  # new household
    result = _run(units, csv_bytes(changed_rows), mode="update", actor=users.commune_officer)
    assert result.counts["updated"] == 2
    assert result.counts["created"] == 1
    h1 = Household.objects.get(code="H01")
    assert str(h1.housing_area_m2) == "60.0"
    assert h1.members.get(full_name="Lê Thị Bình").health_insurance == "yes"
    assert h1.members.count() == 3  # matched by name + birth year, not duplicated
    assert Household.objects.get(code="H02").members.count() == 2
    # Blank cells keep stored values: the spouse's ethnicity stays.
    assert h1.members.get(full_name="Lê Thị Bình").ethnicity.code == "01"


def test_update_mode_refuses_a_different_head(units, users):
    _run(units, csv_bytes(), actor=users.commune_officer)
    rows = [["H02", "", "Người Khác", "Chủ hộ", "Nam", "", "1960", "", "", "", "", ""]]
    result = _run(units, csv_bytes(rows), mode="update", actor=users.commune_officer)
    assert result.counts["invalid"] == 1
    assert "đổi chủ hộ" in _errors(result)[(2, "Quan hệ với chủ hộ")]
    assert Household.objects.get(code="H02").members.count() == 1


def test_skip_mode_skips_existing_households(units, users):
    _run(units, csv_bytes(), actor=users.commune_officer)
    rows = [*ROWS, ["H09", "", "Mới", "Chủ hộ", "Nam", "", "1990", "", "", "", "", ""]]
    result = _run(units, csv_bytes(rows), mode="skip", actor=users.commune_officer)
    assert (result.counts["created"], result.counts["skipped"]) == (1, 2)


# -- the batch -------------------------------------------------------------------------------------


def _create(users, units, django_capture_on_commit_callbacks, *, content=None, dry_run=False, mode="create",
            user=None):  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        batch = import_batch_create(
            actor=user or users.commune_officer, commune=units.tho_xuan, file=upload(content or csv_bytes()),
            mode=mode, dry_run=dry_run,
        )  # fmt: skip
    batch.refresh_from_db()
    return batch


def test_batch_without_approval_is_written_by_its_job(users, units, django_capture_on_commit_callbacks):
    batch = _create(users, units, django_capture_on_commit_callbacks)
    assert batch.status == ImportStatus.COMMITTED
    assert batch.counts["created"] == 2
    assert batch.file_sha256 and len(batch.file_sha256) == 64
    assert batch.job.status == JobStatus.SUCCEEDED
    assert batch.job.done == 4 and batch.job.total == 4
    assert Household.objects.count() == 2
    statuses = [e.changes["new"]["status"] for e in AuditEvent.objects.filter(target_id=str(batch.pk),
                                                                                target_type="registry.importbatch")
                .order_by("sequence")]  # fmt: skip
    assert statuses == ["uploaded", "validating", "committing", "committed"]


def test_a_written_batch_queues_a_duplicate_scan_of_its_commune(users, units, django_capture_on_commit_callbacks):
    from ansinh.registry.models import DuplicatePair
    from ansinh.registry.services_duplicates import SCAN_JOB_KIND

    make_household(units.tho_xuan, code="OLD", actor=users.commune_officer,
                   members=[head(name="Nguyễn Văn An", birth_date=date(1975, 3, 2), id_number="")])  # fmt: skip
    batch = _create(users, units, django_capture_on_commit_callbacks)
    scan = Job.objects.get(kind=SCAN_JOB_KIND)
    assert (scan.params["paths"], scan.created_by, scan.status) == ([units.tho_xuan.path], users.commune_officer,
                                                                     JobStatus.SUCCEEDED)  # fmt: skip
    assert batch.job.message_texts()[-1] == f"Đã xếp lịch tìm người trùng trong {units.tho_xuan.name}."
    pair = DuplicatePair.objects.get()
    assert {pair.member_a.household.code, pair.member_b.household.code} == {"OLD", "H01"}
    # A dry run writes nothing and queues nothing.
    _create(users, units, django_capture_on_commit_callbacks, dry_run=True, content=csv_bytes(ROWS[3:]))
    assert Job.objects.filter(kind=SCAN_JOB_KIND).count() == 1


def test_dry_run_batch_is_validated_then_committed_on_request(users, units, django_capture_on_commit_callbacks):
    batch = _create(users, units, django_capture_on_commit_callbacks, dry_run=True)
    assert batch.status == ImportStatus.VALIDATED
    assert not Household.objects.exists()
    assert batch.error_file
    with django_capture_on_commit_callbacks(execute=True):
        import_batch_commit(actor=users.commune_officer, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert Household.objects.count() == 2


def test_approval_required_uploader_cannot_approve_a_second_user_can(users, units,
                                                                     django_capture_on_commit_callbacks):  # fmt: skip
    RegistrySettings.objects.create(province=units.th, import_requires_approval=True)
    batch = _create(users, units, django_capture_on_commit_callbacks)
    assert batch.requires_approval
    assert batch.status == ImportStatus.AWAITING_APPROVAL
    assert not Household.objects.exists()
    with pytest.raises((ApplicationError, PermissionDenied)):
        import_batch_approve(actor=users.commune_officer, batch=batch)
    with pytest.raises(PermissionDenied):
        import_batch_approve(actor=users.commune_officer_dl, batch=batch)
    with django_capture_on_commit_callbacks(execute=True):
        import_batch_approve(actor=users.commune_chair, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.COMMITTED
    assert batch.approved_by == users.commune_chair
    assert Household.objects.count() == 2
    assert AuditEvent.objects.filter(event_type=RegistryEventType.IMPORT_APPROVED, actor=users.commune_chair).exists()


def test_an_approver_who_also_uploaded_cannot_approve_their_own_batch(users, units,
                                                                      django_capture_on_commit_callbacks):  # fmt: skip
    RegistrySettings.objects.create(province=units.th, import_requires_approval=True)
    batch = _create(users, units, django_capture_on_commit_callbacks, user=users.system_admin)
    with pytest.raises(ApplicationError, match="không được tự duyệt"):
        import_batch_approve(actor=users.system_admin, batch=batch)


def test_cancel_and_transitions_only_along_the_map(users, units, django_capture_on_commit_callbacks):
    batch = _create(users, units, django_capture_on_commit_callbacks, dry_run=True)
    import_batch_cancel(actor=users.commune_officer, batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.CANCELLED
    with pytest.raises(ApplicationError):
        import_batch_commit(actor=users.commune_officer, batch=batch)
    with pytest.raises(ApplicationError):
        import_batch_cancel(actor=users.commune_officer, batch=batch)
    assert not Household.objects.exists()


def test_create_refuses_out_of_area_and_unreadable_files_writing_nothing(users, units):
    with pytest.raises(PermissionDenied):
        import_batch_create(actor=users.commune_officer, commune=units.mdrak, file=upload(csv_bytes()), mode="create",
                            dry_run=True)  # fmt: skip
    with pytest.raises(ValidationError):
        import_batch_create(actor=users.commune_officer, commune=units.tho_xuan, file=upload(b"\x00garbage", "a.xlsx"),
                            mode="create", dry_run=True)  # fmt: skip
    with pytest.raises(ValidationError):
        import_batch_create(actor=users.commune_officer, commune=units.tho_xuan, file=upload(csv_bytes()), mode="x",
                            dry_run=True)  # fmt: skip
    assert not ImportBatch.objects.exists()
    assert not Job.objects.exists()


def test_a_file_changed_on_disk_fails_the_batch(users, units):
    batch = import_batch_create(actor=users.commune_officer, commune=units.tho_xuan, file=upload(csv_bytes()),
                                mode="create", dry_run=True)  # fmt: skip
    with open(batch.file.path, "ab") as handle:
        handle.write(b"H99,,X,Chu ho,Nam,,1990\n")
    with pytest.raises(ApplicationError):
        import_batch_run(batch=batch)
    batch.refresh_from_db()
    assert batch.status == ImportStatus.FAILED
    assert "mã băm" in batch.message


def test_result_workbook_marks_bad_cells_red_with_a_comment_and_an_error_column(
    users, units, django_capture_on_commit_callbacks
):
    rows = [*ROWS, ["H04", "T1", "Phạm Văn Giang", "Chủ hộ", "Nam", "", "1980", "", "12345", "", "", ""]]
    batch = _create(users, units, django_capture_on_commit_callbacks, content=csv_bytes(rows))
    assert batch.counts["invalid"] == 1 and batch.counts["created"] == 2
    with batch.error_file.open("rb") as handle:
        wb = load_workbook(handle)
    ws = wb["Kết quả"]
    header = [c.value for c in ws[1]]
    assert header == [*HEADERS, "Kết quả", "Lỗi"]
    bad = ws.cell(row=6, column=HEADERS.index("Số CCCD") + 1)
    assert bad.value == "12345"
    assert bad.fill.fgColor.rgb.endswith("F8CBAD")
    assert "12 chữ số" in bad.comment.text
    assert ws.cell(row=6, column=len(HEADERS) + 1).value == "Lỗi – chưa ghi"
    assert "Dòng 6" in ws.cell(row=6, column=len(HEADERS) + 2).value
    assert ws.cell(row=2, column=len(HEADERS) + 1).value == "Đã thêm"
    # The result workbook can be uploaded again: its extra columns are ignored.
    sheet = parse_upload(batch.error_file.open("rb").read(), "ket-qua.xlsx")
    assert len(sheet.rows) == 5 and sheet.keys[-2:] == [None, None]


# -- the fast path (chunks written in bulk) --------------------------------------------------------


def _many(count, *, start=0):
    """`count` households of a head and a child each; heads carry valid CCCDs."""
    rows = []
    for i in range(start, start + count):
        rows.append([f"K{i:03d}", "T1", f"Nguyễn Văn {i}", "Chủ hộ", "Nam", "", "1975", "Kinh",
                     f"03807500{i:04d}", "", "", ""])  # fmt: skip
        rows.append([f"K{i:03d}", "", f"Nguyễn Thị {i}", "Con", "Nữ", "", "2001", "Mường", "", "", "", ""])
    return rows


def test_bulk_import_writes_households_heads_and_one_verifiable_event_each(units, users):
    from ansinh.audit.verification import verify_all

    sheet = _rows(csv_bytes(_many(7)))
    result = import_rows(actor=users.commune_officer, commune=units.tho_xuan, sheet=sheet, mode="create",
                         write=True, chunk_size=3)  # fmt: skip
    assert result.counts["created"] == 7
    households = list(Household.objects.select_related("head").order_by("code"))
    assert [h.code for h in households] == [f"K{i:03d}" for i in range(7)]
    for household in households:
        assert household.head.full_name == household.head_name
        assert household.head.household_id == household.pk and household.head.relation == "head"
        assert household.ethnicity.code == "01" and household.version == 1
        assert [m.order for m in household.members.order_by("order")] == [1, 2]
    child = Member.objects.get(full_name="Nguyễn Thị 3")
    assert (child.name_folded, child.birth_year, child.ethnicity.code) == ("nguyen thi 3", 2001, "06")
    events = AuditEvent.objects.filter(event_type=RegistryEventType.HOUSEHOLD_REGISTERED)
    assert sorted(int(e.target_id) for e in events) == sorted(h.pk for h in households)
    assert {e.actor_id for e in events} == {users.commune_officer.pk}
    event = events.get(target_id=str(households[0].pk))
    assert event.target_repr == str(households[0])
    assert event.changes["new"]["members"] == ["Nguyễn Văn 0", "Nguyễn Thị 0"]
    assert verify_all()[1] == []


def test_a_crash_leaves_whole_chunks_and_running_again_completes_the_file(units, users, monkeypatch):
    from ansinh.registry import import_bulk

    real = import_bulk.audit_record_many
    calls = []

    def crash_on_second_chunk(**kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("power cut")
        return real(**kwargs)

    monkeypatch.setattr(import_bulk, "audit_record_many", crash_on_second_chunk)
    content = csv_bytes(_many(5))
    with pytest.raises(RuntimeError):
        import_rows(actor=users.commune_officer, commune=units.tho_xuan, sheet=_rows(content), mode="create",
                    write=True, chunk_size=2)  # fmt: skip
    assert sorted(Household.objects.values_list("code", flat=True)) == ["K000", "K001"]
    assert Member.objects.count() == 4
    monkeypatch.setattr(import_bulk, "audit_record_many", real)
    again = import_rows(actor=users.commune_officer, commune=units.tho_xuan, sheet=_rows(content), mode="skip",
                        write=True, chunk_size=2)  # fmt: skip
    assert (again.counts["created"], again.counts["skipped"]) == (3, 2)
    same = import_rows(actor=users.commune_officer, commune=units.tho_xuan, sheet=_rows(content), mode="skip",
                       write=True, chunk_size=2)  # fmt: skip
    assert (same.counts["created"], same.counts["skipped"]) == (0, 5)
    assert Household.objects.count() == 5 and Member.objects.count() == 10


def test_a_code_taken_meanwhile_falls_back_to_one_household_at_a_time(units, users, monkeypatch):
    from ansinh.registry import services_import

    monkeypatch.setattr(services_import._HouseholdImport, "_existing", lambda self, codes: {})
    make_household(units.tho_xuan, code="K001", actor=users.commune_officer,
                   members=[head(name="Đã Có", id_number="")])  # fmt: skip
    result = import_rows(actor=users.commune_officer, commune=units.tho_xuan, sheet=_rows(csv_bytes(_many(3))),
                         mode="create", write=True)  # fmt: skip
    assert (result.counts["created"], result.counts["invalid"]) == (2, 1)
    assert "đã có" in _errors(result)[(4, "Mã hộ")]


def test_the_fast_path_validates_with_the_service_rules_and_a_registered_cccd(units, users):
    make_household(units.tho_xuan, code="OLD", actor=users.commune_officer,
                   members=[head(name="Ai Đó", id_number="038075000002")])  # fmt: skip
    rows = _many(3)
    rows[1][6] = "1800"  # child of K000: birth year before 1880
    result = _run(units, csv_bytes(rows), actor=users.commune_officer)
    errors = _errors(result)
    assert "không hợp lệ" in errors[(3, "Năm sinh")]
    assert "hộ OLD" in errors[(6, "Số CCCD")]  # K002's head
    assert (result.counts["created"], result.counts["invalid"]) == (1, 2)


def test_bulk_rows_satisfy_their_foreign_keys_and_later_ids_follow_the_reserved_ones(units, users):
    from django.db import connection

    result = _run(units, csv_bytes(_many(3)), actor=users.commune_officer)
    assert result.counts["created"] == 3
    with connection.cursor() as cursor:  # what the commit would check (the test never commits)
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA foreign_key_check")
            assert cursor.fetchall() == []
        else:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    top_household = max(Household.objects.values_list("pk", flat=True))
    top_member = max(Member.objects.values_list("pk", flat=True))
    later = make_household(units.tho_xuan, code="LATER", actor=users.commune_officer)
    assert later.pk > top_household and min(later.members.values_list("pk", flat=True)) > top_member
    assert Household.objects.get(code="K001").head.full_name == "Nguyễn Văn 1"


def test_the_results_store_round_trips_outcomes_and_errors_exactly(monkeypatch):
    from ansinh.registry import importing, services_import

    monkeypatch.setattr(importing, "SPILL_BYTES", 1)  # every error record in the temporary file
    results = services_import._Results(6)
    recorded = {
        4: ("invalid", {None: ["Hộ chưa ghi."], "code": ["Mã “A” — sai", "Thứ hai"]}),
        0: ("invalid", {"id_number": ["Số CCCD 0380 trùng với dòng 5, 3 trong tệp."]}),
        2: ("created", {}),
        5: ("skipped", {}),
        1: ("updated", {"village": ["x"], None: ["y"]}),
        3: ("", {}),
    }
    for index, (outcome, errors) in recorded.items():
        results.record(index, outcome, errors)
    results.finish(lambda index: index)
    assert results.error_count == 3
    for index, (outcome, errors) in recorded.items():
        assert results.outcome(index) == outcome
        stored = results.errors_at(index)
        assert (stored or {}) == errors and list((stored or {}).items()) == list(errors.items())  # order kept
    assert [position for position, _errors in results.with_errors()] == [0, 1, 4]


def test_result_rows_are_views_in_row_order_with_their_cells_outcome_and_errors(units, users, monkeypatch):
    """Scattered households, a row without a code and one CCCD on three rows of two households: each
    row's errors as they were found (the CCCD's other rows household by household), whether the
    errors stay in memory or go to the temporary file, and whatever the chunk size."""
    from ansinh.registry import importing

    rows = [
        ["A1", "T1", "Nguyễn Văn An", "Chủ hộ", "Nam", "02/03/1975", "", "", "038075001234", "", "", ""],
        ["B1", "T1", "Trần Văn Bình", "Chủ hộ", "Nam", "02/03/1975", "", "", "038075001234", "", "", ""],
        ["", "T1", "Không Mã", "Chủ hộ", "Nam", "", "1990", "", "", "", "", ""],
        ["A1", "", "Nguyễn Thị Cúc", "Con", "Nữ", "", "2000", "", "038075001234", "", "", ""],
        ["C1", "T2", "Lê Văn Dũng", "Chủ hộ", "Nam", "", "1960", "", "", "", "", ""],
    ]
    views = []
    for spill, chunk in ((4 * 1024 * 1024, 2000), (1, 1), (1, 2)):
        monkeypatch.setattr(importing, "SPILL_BYTES", spill)
        result = import_rows(actor=users.commune_officer, commune=units.tho_xuan, sheet=_rows(csv_bytes(rows)),
                             mode="create", write=False, chunk_size=chunk)  # fmt: skip
        view = [(r.number, r.outcome, dict(r.errors), r.cells[2]) for r in result.rows]
        assert view == [(r.number, r.outcome, dict(r.errors), r.cells[2]) for r in result.rows[0:5]]
        assert len(result.rows) == 5 and result.counts["invalid_rows"] == 4
        views.append((view, result.error_list(), result.counts))
    assert views[0] == views[1] == views[2]
    view = views[0][0]
    assert [(n, outcome, name) for n, outcome, _errors, name in view] == [
        (2, "invalid", "Nguyễn Văn An"), (3, "invalid", "Trần Văn Bình"), (4, "invalid", "Không Mã"),
        (5, "invalid", "Nguyễn Thị Cúc"), (6, "created", "Lê Văn Dũng"),
    ]  # fmt: skip
    errors = {n: {key: list(map(row_error_text, found)) for key, found in e.items()} for n, _o, e, _name in view}
    assert errors[2]["id_number"] == ["Số CCCD 038075001234 trùng với dòng 5, 3 trong tệp."]
    assert errors[5]["id_number"] == ["Số CCCD 038075001234 trùng với dòng 2, 3 trong tệp."]
    assert errors[3]["id_number"] == ["Số CCCD 038075001234 trùng với dòng 2, 5 trong tệp."]
    assert list(errors[4]) == ["code"] and errors[6] == {}


def test_nothing_to_write_is_neither_committed_nor_sent_nor_approved(users, units,
                                                                      django_capture_on_commit_callbacks):  # fmt: skip
    RegistrySettings.objects.create(province=units.th, import_requires_approval=True)
    nothing = csv_bytes([["H9", "Thôn Không Có", "", "Chủ hộ", "Nam", "", "1970", "", "", "", "", ""]])
    dry = _create(users, units, django_capture_on_commit_callbacks, content=nothing, dry_run=True)
    assert dry.status == ImportStatus.VALIDATED
    with pytest.raises(ApplicationError, match="không có gì để ghi") as refused:
        import_batch_commit(actor=users.commune_officer, batch=dry)
    assert refused.value.code == "import_nothing_to_write"
    dry.refresh_from_db()
    assert dry.status == ImportStatus.VALIDATED
    # Not a dry run, approval required: the check keeps it "validated" instead of asking an approver.
    direct = _create(users, units, django_capture_on_commit_callbacks, content=nothing)
    assert direct.status == ImportStatus.VALIDATED
    # One already waiting (sent before this rule) is refused to the approver too.
    ImportBatch.objects.filter(pk=direct.pk).update(status=ImportStatus.AWAITING_APPROVAL)
    with pytest.raises(ApplicationError, match="không có gì để ghi"):
        import_batch_approve(actor=users.commune_chair, batch=direct)
    assert not Household.objects.exists()
