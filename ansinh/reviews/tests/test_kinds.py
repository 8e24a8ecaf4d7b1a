import copy
import json
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from ansinh.audit.models import AuditEvent
from ansinh.core.exceptions import ApplicationError
from ansinh.reviews.events import ReviewsEventType
from ansinh.reviews.kinds import KindDefinitionError, KindSpec
from ansinh.reviews.models import CampaignKind
from ansinh.reviews.services import TEMPLATES_FILE, kind_edit, kinds_load


def shipped(code: str) -> dict:
    data = json.loads(TEMPLATES_FILE.read_text(encoding="utf-8"))
    return next(k for k in data["kinds"] if k["code"] == code)


def test_shipped_periods_follow_qd_24_2021():
    periodic = KindSpec.from_dict(shipped("periodic"))
    assert periodic.period_for(2025) == (date(2025, 9, 1), date(2025, 12, 14))  # Điều 3: 1/9–14/12
    monthly = KindSpec.from_dict(shipped("monthly"))
    assert monthly.period_for(2026, 3) == (date(2026, 3, 15), date(2026, 3, 29))  # from the 15th, 15 days
    with pytest.raises(ValueError, match="month"):
        monthly.period_for(2026)


def test_shipped_chains_and_milestones_differ_by_structure():
    periodic = KindSpec.from_dict(shipped("periodic"))
    assert periodic.chain_for("2025") == ["commune", "province"]
    assert periodic.chain_for("legacy") == ["commune", "district", "province"]
    legacy = {t.code: t.deadline_for(date(2019, 9, 1)) for t in periodic.milestones_for("legacy")}
    # KH 6828/KH-UBND of 21/8/2019 (Đắk Lắk): 30/9, 10/10, 30/10
    assert legacy["district_preliminary"] == date(2019, 9, 30)
    assert legacy["district_official"] == date(2019, 10, 10)
    assert legacy["province_approval"] == date(2019, 10, 30)
    assert all(t.level != "district" for t in periodic.milestones_for("2025"))


def test_monthly_deadlines_count_from_the_15th():
    monthly = KindSpec.from_dict(shipped("monthly"))
    deadlines = {t.code: t.deadline_for(date(2026, 12, 15)) for t in monthly.milestones_for("2025")}
    assert deadlines == {"commune_recognition": date(2026, 12, 29), "commune_report": date(2027, 1, 5)}


def test_certificates_last_to_the_end_of_the_period_the_kind_sets():
    periodic, monthly = KindSpec.from_dict(shipped("periodic")), KindSpec.from_dict(shipped("monthly"))
    # The yearly review's lists serve the next year; a monthly recognition lasts to the year's end.
    assert periodic.certificate_valid_to(date(2026, 10, 21)) == date(2027, 12, 31)
    assert monthly.certificate_valid_to(date(2026, 3, 20)) == date(2026, 12, 31)
    defaults = {code: KindSpec.from_dict({k: v for k, v in shipped(code).items() if k != "certificate_valid_until"})
                for code in ("periodic", "monthly")}  # fmt: skip
    assert defaults["periodic"].certificate_valid_to(date(2026, 10, 21)) == date(2027, 12, 31)
    assert defaults["monthly"].certificate_valid_to(date(2026, 3, 20)) == date(2026, 12, 31)
    edited = KindSpec.from_dict({**shipped("periodic"), "certificate_valid_until": {"month": 2, "day": 29}})
    assert edited.certificate_valid_to(date(2027, 10, 1)) == date(2027, 2, 28)  # a day the year lacks: its last
    for bad in ({"month": 12}, {"month": 13, "day": 1}, {"month": 12, "day": 31, "year_offset": -1}, "31/12"):
        with pytest.raises(KindDefinitionError, match="certificate_valid_until"):
            KindSpec.from_dict({**shipped("periodic"), "certificate_valid_until": bad})


def test_a_yearly_review_classifies_under_the_standard_of_the_year_its_lists_serve():
    """QĐ 24/2021 Điều 3: the review of 1/9–14/12 sets the next year's lists (decision 0040)."""
    periodic, monthly = KindSpec.from_dict(shipped("periodic")), KindSpec.from_dict(shipped("monthly"))
    start, end = periodic.period_for(2026)
    assert periodic.standard_date(start, end) == date(2027, 1, 1)
    assert periodic.standard_dates(start, end) == (date(2027, 1, 1), date(2026, 9, 1))
    start, end = monthly.period_for(2026, 12)
    assert monthly.standard_date(start, end) == date(2026, 12, 15)  # a December review decides now
    assert monthly.standard_dates(start, end) == (date(2026, 12, 15),)
    for code, day in (("periodic", date(2027, 1, 1)), ("monthly", date(2026, 3, 15))):  # the defaults
        spec = KindSpec.from_dict({k: v for k, v in shipped(code).items() if k != "standard_on"})
        assert spec.standard_date(*spec.period_for(2026, None if code == "periodic" else 3)) == day
    with pytest.raises(KindDefinitionError, match="standard_on"):
        KindSpec.from_dict({**shipped("periodic"), "standard_on": "next_year"})


def test_a_malformed_kind_lists_every_problem():
    bad = copy.deepcopy(shipped("periodic"))
    bad["period"] = {"type": "weekly"}
    bad["due_soon_days"] = -1
    bad["chains"]["2025"] = ["commune", "district"]  # no districts after 1/7/2025
    bad["milestones"]["2025"][0]["deadline"] = {"month": 2, "day": 30}
    with pytest.raises(KindDefinitionError) as info:
        KindSpec.from_dict(bad)
    assert len(info.value.problems) == 4


@pytest.mark.django_db
def test_load_is_idempotent_and_audited(tmp_path):
    assert kinds_load()["created"] == ["periodic", "monthly", "average_farming"]
    assert kinds_load() == {"created": [], "updated": [], "unchanged": ["periodic", "monthly", "average_farming"],
                            "kept": []}  # fmt: skip
    assert AuditEvent.objects.filter(event_type=ReviewsEventType.KIND_LOADED).count() == 3
    data = json.loads(TEMPLATES_FILE.read_text(encoding="utf-8"))
    data["version"] += 1
    data["kinds"][0]["due_soon_days"] = 10
    newer = tmp_path / "t.json"
    newer.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    assert kinds_load(path=newer)["updated"] == ["periodic", "monthly", "average_farming"]
    assert CampaignKind.objects.get(code="periodic").spec().due_soon_days == 10


@pytest.mark.django_db
def test_a_malformed_file_writes_nothing(tmp_path):
    data = json.loads(TEMPLATES_FILE.read_text(encoding="utf-8"))
    data["kinds"][1]["period"] = {}
    path = tmp_path / "bad.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ApplicationError):
        kinds_load(path=path)
    assert not CampaignKind.objects.exists()
    assert not AuditEvent.objects.exists()


@pytest.mark.django_db
def test_command_loads_and_reports(capsys):
    call_command("reviews_load_templates")
    assert json.loads(capsys.readouterr().out)["created"] == ["periodic", "monthly", "average_farming"]


def test_admin_edit_is_audited_and_survives_a_newer_file(users, tmp_path):
    kinds_load()
    kind = CampaignKind.objects.get(code="periodic")
    definition = copy.deepcopy(kind.definition)
    definition["due_soon_days"] = 14
    kind_edit(actor=users.system_admin, kind=kind, definition=definition, reason="Kế hoạch tỉnh 2026")
    event = AuditEvent.objects.get(event_type=ReviewsEventType.KIND_EDITED)
    assert event.changes["new"] == {"due_soon_days": 14} and event.changes["old"] == {"due_soon_days": 7}
    data = json.loads(TEMPLATES_FILE.read_text(encoding="utf-8"))
    data["version"] += 1
    path = tmp_path / "t.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert "periodic" in kinds_load(path=path)["kept"]
    assert CampaignKind.objects.get(code="periodic").spec().due_soon_days == 14


def test_admin_edit_refusals_write_nothing(users):
    kinds_load()
    kind = CampaignKind.objects.get(code="periodic")
    renamed = {**kind.definition, "code": "other"}
    before = AuditEvent.objects.count()
    with pytest.raises(PermissionDenied):
        kind_edit(actor=users.province_officer, kind=kind, definition=kind.definition, reason="x")
    with pytest.raises(ValidationError):
        kind_edit(actor=users.system_admin, kind=kind, definition=kind.definition, reason=" ")
    with pytest.raises(ValidationError):
        kind_edit(actor=users.system_admin, kind=kind, definition=renamed, reason="đổi mã")
    with pytest.raises(ValidationError):
        kind_edit(actor=users.system_admin, kind=kind, definition={**kind.definition, "period": {}}, reason="x")
    assert AuditEvent.objects.count() == before
    assert CampaignKind.objects.get(pk=kind.pk).definition == kind.definition


@pytest.mark.django_db
def test_a_kinds_title_is_in_the_readers_language():
    from django.utils import translation

    kinds_load()
    periodic = CampaignKind.objects.get(code="periodic")
    with translation.override("en"):
        assert periodic.title == "Yearly periodic review"
    with translation.override("vi"):
        assert periodic.title == periodic.name == "Rà soát định kỳ hằng năm"
    periodic.definition = {**periodic.definition, "name_en": ""}  # no English name: the Vietnamese one
    with translation.override("en"):
        assert periodic.title == "Rà soát định kỳ hằng năm"
