"""Poverty pages: standards, one household's indicators and classification, printing, bulk runs."""

import json
import re

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from ansinh.accounts.models import Role
from ansinh.poverty.choices import RunStatus
from ansinh.poverty.models import Assessment, Classification, ClassificationRun, PovertyStandard, StandardVersion
from ansinh.poverty.services import household_classify
from ansinh.registry.models import Household
from ansinh.registry.tests.factories import make_household
from conftest import make_user

from .factories import form_b, known_household

STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)


def _csp_safe(html: str) -> None:
    assert not STYLE_ATTRIBUTE.search(html)
    assert "<style" not in html.lower()
    assert "<script>" not in html.lower()


def _page(pk):
    return reverse("poverty:household", args=[pk])


# -- standards ----------------------------------------------------------------------------------


def test_nav_has_poverty_entry(officer):
    html = officer.get(reverse("reports:dashboard")).content.decode()
    assert reverse("poverty:standard_list") in html
    assert "Chuẩn nghèo" in html


def test_standard_list_and_detail(officer, standards):
    response = officer.get(reverse("poverty:standard_list"))
    html = response.content.decode()
    assert "2022-2025" in html and "2016-2020" in html
    assert "Đang áp dụng" in html
    _csp_safe(html)
    html = officer.get(reverse("poverty:standard_detail", args=["2022-2025"])).content.decode()
    assert "07/2021/NĐ-CP" in html
    assert "1.500.000" in html  # rural poor line
    assert "[V-2]" in html
    assert "member_labour_status_in" in html  # derived, with the rule named
    assert "Không: trả lời trên phiếu B" in html  # nutrition is answered on form B
    assert "Một mức chuẩn" in html  # the rule shape in words
    assert "Tệp dữ liệu" in html  # version history
    assert reverse("poverty:standard_edit", args=["2022-2025"]) not in html  # officers do not edit
    _csp_safe(html)


def test_unknown_standard_is_404(officer, standards):
    assert officer.get(reverse("poverty:standard_detail", args=["1990-1995"])).status_code == 404


def test_admin_edits_a_standard_with_reason(client, users, standards):
    client.force_login(users.system_admin)
    url = reverse("poverty:standard_edit", args=["2022-2025"])
    assert "2022-2025" in client.get(url).content.decode()
    definition = dict(PovertyStandard.objects.get(code="2022-2025").definition)
    definition["lines"] = {**definition["lines"], "rural": {**definition["lines"]["rural"], "poor": 1_600_000}}
    response = client.post(url, {"definition": json.dumps(definition), "reason": "QĐ mới số 1/2026"})
    assert response.status_code == 302
    standard = PovertyStandard.objects.get(code="2022-2025")
    assert standard.version == 2 and standard.edited_by_admin
    assert StandardVersion.objects.get(standard=standard, version=2).reason == "QĐ mới số 1/2026"
    html = client.get(response["Location"]).content.decode()
    assert "1.600.000" in html and "QĐ mới số 1/2026" in html and "Quản trị viên sửa" in html


def test_standard_edit_shows_every_problem(client, users, standards):
    client.force_login(users.system_admin)
    url = reverse("poverty:standard_edit", args=["2022-2025"])
    response = client.post(url, {"definition": "{not json", "reason": "x"})
    assert response.status_code == 200 and "Không phải JSON hợp lệ" in response.content.decode()
    definition = dict(PovertyStandard.objects.get(code="2022-2025").definition)
    definition["rule"] = "three_tier"
    definition["deprivation_threshold"] = 0
    response = client.post(url, {"definition": json.dumps(definition), "reason": "thử"})
    html = response.content.decode()
    assert "&#x27;rule&#x27; must be one of" in html
    assert "deprivation_threshold" in html
    response = client.post(url, {"definition": json.dumps(definition), "reason": ""})
    assert response.status_code == 200
    assert PovertyStandard.objects.get(code="2022-2025").version == 1


# -- one household ------------------------------------------------------------------------------


def test_indicator_table_shows_values_derived_from_the_registry(officer, home):
    response = officer.get(_page(home.pk))
    assert response.status_code == 200
    rows = {row["indicator"].code: row for row in response.context["rows"]}
    assert rows["water"]["derived"] == "Có" and rows["water"]["source"] == "derived"
    assert "không hợp vệ sinh" in rows["water"]["facts"]
    assert rows["housing_area"]["derived"] == "Không" and "10 m²/người" in rows["housing_area"]["facts"]
    assert rows["nutrition"]["derived_rule"] is False and rows["nutrition"]["source"] == "missing"
    html = response.content.decode()
    assert "Suy ra từ sổ hộ" in html
    assert "Chưa phân loại được; còn thiếu" in html and "Thu nhập (phiếu B)" in html
    assert 'name="answer_nutrition"' in html  # answered on form B
    assert 'name="override_water"' in html and 'name="override_water_reason"' in html
    assert 'name="answer_water"' not in html
    assert response.context["standard"].code == "2022-2025"
    _csp_safe(html)


def test_read_only_role_sees_no_forms(client, users, home):
    client.force_login(users.village_head)
    html = client.get(_page(home.pk)).content.decode()
    assert reverse("poverty:household_assess", args=[home.pk]) not in html
    assert reverse("poverty:household_classify", args=[home.pk]) not in html


def test_override_of_a_derived_indicator_needs_a_reason(officer, home):
    url = reverse("poverty:household_assess", args=[home.pk]) + "?standard=2022-2025"
    data = {"income_source": "declared", "income_per_capita": "1000000", "answer_nutrition": "no",
            "override_water": "no"}  # fmt: skip
    response = officer.post(url, data)
    assert response.status_code == 200
    assert "phải ghi lý do" in response.content.decode()
    assert not Assessment.objects.exists()
    response = officer.post(url, {**data, "override_water_reason": "Đã lắp lọc nước"})
    assert response.status_code == 302
    assessment = Assessment.objects.get()
    assert assessment.overrides == {"water": {"value": False, "reason": "Đã lắp lọc nước"}}
    rows = {row["indicator"].code: row for row in officer.get(_page(home.pk)).context["rows"]}
    assert rows["water"]["source"] == "override" and rows["water"]["final"] is False
    assert rows["nutrition"]["source"] == "form_b"


def test_derived_indicator_the_registry_cannot_decide_is_answered_without_reason(officer, units, standards):
    # No water source recorded: "water" cannot be derived, so form B answers it like "nutrition".
    home = make_household(units.tho_xuan, code="NW1", water_source="")
    response = officer.get(_page(home.pk))
    html = response.content.decode()
    assert 'name="answer_water"' in html and 'name="override_water"' not in html
    assert 'name="override_latrine"' not in html  # latrine is also unknown for this household
    url = reverse("poverty:household_assess", args=[home.pk])
    response = officer.post(url, {"income_source": "declared", "income_per_capita": "900000", "answer_water": "yes"})
    assert response.status_code == 302
    assert Assessment.objects.get().answers == {"water": True}
    rows = {row["indicator"].code: row for row in officer.get(_page(home.pk)).context["rows"]}
    assert rows["water"]["source"] == "form_b" and rows["water"]["final"] is True


def test_assessment_form_refusals_are_shown(officer, home):
    url = reverse("poverty:household_assess", args=[home.pk])
    response = officer.post(url, {"income_source": "declared", "answer_nutrition": "no"})
    assert response.status_code == 200
    assert "Hãy nhập thu nhập bình quân" in response.content.decode()
    assert not Assessment.objects.exists()


def test_record_then_classify_shows_class_and_reasons(officer, home):
    url = reverse("poverty:household_assess", args=[home.pk])
    officer.post(url, {"income_source": "declared", "income_per_capita": "1000000", "answer_nutrition": "no"})
    response = officer.get(_page(home.pk))
    assert response.context["preview_class"] == "Hộ nghèo"  # what a classification would give
    response = officer.post(reverse("poverty:household_classify", args=[home.pk]), follow=True)
    html = response.content.decode()
    assert Classification.objects.get().klass == "poor"
    assert "Kết quả phân loại hiện tại" in html and "Hộ nghèo" in html
    assert "Thiếu hụt 3 chỉ số" in html and "Nguồn nước sinh hoạt" in html
    assert "1.000.000 đồng/người/tháng" in html
    assert Household.objects.get(pk=home.pk).poverty_class == "poor"
    # A second classification adds a row; the history lists both, newest first.
    officer.post(reverse("poverty:household_assess", args=[home.pk]),
                 {"income_source": "declared", "income_per_capita": "1800000", "answer_nutrition": "no"})  # fmt: skip
    officer.post(reverse("poverty:household_classify", args=[home.pk]))
    history = officer.get(_page(home.pk)).context["history"]
    assert [item.klass for item in history] == ["not_poor", "poor"]


def test_classify_without_form_b_is_refused_with_a_message(officer, home):
    response = officer.post(reverse("poverty:household_classify", args=[home.pk]), follow=True)
    assert "Chưa có thông tin thu nhập" in response.content.decode()
    assert not Classification.objects.exists()


def test_another_standard_can_be_picked(officer, home):
    response = officer.get(_page(home.pk), {"standard": "2016-2020"})
    assert response.context["standard"].code == "2016-2020"
    assert response.context["in_force"].code == "2022-2025"
    assert officer.get(_page(home.pk), {"standard": "nope"}).status_code == 404


def test_a_local_standard_is_offered_only_where_it_reaches(officer, home):
    """Hồ Chí Minh City's standard is not offered for a Thanh Hóa household; picked by address, the page
    shows it (to compare) but classifying under it is refused with the reason (decision 0039)."""
    offered = [code for code, _label in _picker(officer.get(_page(home.pk)))]
    assert "hcm-2021-2025" not in offered and {"2016-2020", "2022-2025", "2027-2030"} <= set(offered)
    picked = officer.get(_page(home.pk), {"standard": "hcm-2021-2025"})
    assert "hcm-2021-2025" in [code for code, _label in _picker(picked)]
    assert picked.context["out_of_reach"] and not picked.context["can_classify"]  # no form B, no button
    assert "không áp dụng trên địa bàn của hộ này" in picked.content.decode()
    response = officer.post(reverse("poverty:household_classify", args=[home.pk]), {"standard": "hcm-2021-2025"},
                            follow=True)  # fmt: skip
    assert "Chuẩn hcm-2021-2025 là chuẩn địa phương, chỉ áp dụng trên địa bàn" in response.content.decode()
    assert not Classification.objects.exists()


def _picker(response):
    return response.context["pick_form"].fields["standard"].choices


def test_registry_household_page_shows_current_class(officer, users, home):
    detail = reverse("registry:household_detail", args=[home.pk])
    html = officer.get(detail).content.decode()
    assert "Phân loại hộ nghèo, cận nghèo" in html and "Chưa có dữ liệu phân loại." in html
    assert _page(home.pk) in html
    form_b(home, users.commune_officer)
    household_classify(actor=users.commune_officer, household=home)
    html = officer.get(detail).content.decode()
    assert "Hộ nghèo" in html


def test_registry_page_hides_panel_without_poverty_permission(client, users, units, roles):
    hh = make_household(units.tho_xuan, code="X1")
    # A registry-only reader: a role with household view but without poverty permissions.
    role = Role.objects.create(code="registry_only", name="Chỉ xem sổ hộ")
    role.permissions.set(Permission.objects.filter(codename__in=["view_household", "view_member"]))
    user = make_user("registry_reader", role="registry_only", unit=units.tho_xuan, roles={"registry_only": role})
    client.force_login(user)
    html = client.get(reverse("registry:household_detail", args=[hh.pk])).content.decode()
    assert "Phân loại hộ nghèo, cận nghèo" not in html


def test_printable_explanation(officer, users, home):
    form_b(home, users.commune_officer)
    item = household_classify(actor=users.commune_officer, household=home)
    response = officer.get(reverse("poverty:classification_print", args=[item.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert home.code in html and "Nguyễn Văn An" in html and "Thôn 1" in html and "Xã Thọ Xuân" in html
    assert "07/2021/NĐ-CP" in html and "Hộ nghèo" in html
    assert "Người lập biểu" in html and "Chủ tịch UBND xã" in html
    assert "Thiếu hụt" in html and "1.500.000" in html
    assert "mainnav" not in html  # no menus on the printed sheet
    _csp_safe(html)


def test_out_of_area_household_pages_are_404(officer, users, units, standards):
    other = known_household(units.mdrak, code="DL1")
    form_b(other, users.commune_officer_dl)
    item = household_classify(actor=users.commune_officer_dl, household=other)
    assert officer.get(_page(other.pk)).status_code == 404
    assert officer.post(reverse("poverty:household_assess", args=[other.pk]), {}).status_code == 404
    assert officer.post(reverse("poverty:household_classify", args=[other.pk])).status_code == 404
    assert officer.get(reverse("poverty:classification_print", args=[item.pk])).status_code == 404
    assert Classification.objects.count() == 1


# -- bulk runs ----------------------------------------------------------------------------------


def test_run_preview_then_commit(officer, users, units, home, django_capture_on_commit_callbacks):
    form_b(home, users.commune_officer)
    incomplete = make_household(units.tho_xuan, code="INC1")
    standard = PovertyStandard.objects.get(code="2022-2025")
    assert officer.get(reverse("poverty:run_create")).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(
            reverse("poverty:run_create"), {"unit": units.tho_xuan.pk, "standard": standard.pk, "on_date": "2026-01-15"}
        )
    assert response.status_code == 302
    run = ClassificationRun.objects.get()
    assert run.status == RunStatus.PREVIEWED
    assert not Classification.objects.exists()  # a preview writes nothing
    response = officer.get(response["Location"])
    html = response.content.decode()
    assert response.context["counts"]["households"] == 2
    assert "Xã Thọ Xuân" in html  # per-commune table
    assert "Chưa phân loại" in html  # transition from no class
    assert reverse("poverty:household", args=[home.pk]) in html  # sample of changed households
    assert reverse("poverty:household", args=[incomplete.pk]) in html and "Thu nhập (phiếu B)" in html
    assert reverse("jobs:job_detail", args=[run.job_id]) in html or "job-progress" in html
    assert reverse("poverty:run_commit", args=[run.pk]) in html and "data-confirm" in html
    _csp_safe(html)
    with django_capture_on_commit_callbacks(execute=True):
        response = officer.post(reverse("poverty:run_commit", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.COMMITTED
    assert Classification.objects.get().household_id == home.pk
    assert Household.objects.get(pk=home.pk).poverty_class == "poor"
    html = officer.get(reverse("poverty:run_list")).content.decode()
    assert "Đã ghi kết quả" in html
    # A committed run cannot be cancelled: the refusal is a message, nothing changes.
    response = officer.post(reverse("poverty:run_cancel", args=[run.pk]), follow=True)
    assert "không chuyển sang" in response.content.decode()


def test_run_cancel(officer, users, units, home, django_capture_on_commit_callbacks):
    standard = PovertyStandard.objects.get(code="2022-2025")
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(reverse("poverty:run_create"), {"unit": units.tho_xuan.pk, "standard": standard.pk,
                                                     "on_date": "2026-01-15"})  # fmt: skip
    run = ClassificationRun.objects.get()
    response = officer.post(reverse("poverty:run_cancel", args=[run.pk]))
    assert response.status_code == 302
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED
    assert not Classification.objects.exists()


def test_run_form_offers_only_units_where_user_classifies(officer, units, standards):
    form = officer.get(reverse("poverty:run_create")).context["form"]
    offered = set(form.fields["unit"].queryset)
    assert units.tho_xuan in offered
    assert units.mdrak not in offered and units.t1 not in offered
    response = officer.post(reverse("poverty:run_create"), {"unit": units.mdrak.pk, "on_date": "2026-01-01",
                                                           "standard": PovertyStandard.objects.first().pk})  # fmt: skip
    assert response.status_code == 200 and not ClassificationRun.objects.exists()


def test_run_future_date_is_refused_on_the_form(officer, units, standards):
    standard = PovertyStandard.objects.get(code="2022-2025")
    response = officer.post(reverse("poverty:run_create"), {"unit": units.tho_xuan.pk, "standard": standard.pk,
                                                           "on_date": "2099-01-01"})  # fmt: skip
    assert response.status_code == 200
    assert "Ngày tính ở tương lai" in response.content.decode()
    assert not ClassificationRun.objects.exists()


@pytest.mark.parametrize("typed", ["1.500.000", "1,500,000", "1 500 000", "1500000"])
def test_form_b_takes_the_income_as_people_write_it(officer, home, typed):
    url = reverse("poverty:household_assess", args=[home.pk]) + "?standard=2022-2025"
    response = officer.post(url, {"income_source": "declared", "income_per_capita": typed, "answer_nutrition": "no"})
    assert response.status_code == 302
    assert Assessment.objects.get().income_per_capita == 1_500_000


def test_form_b_refuses_an_income_that_is_not_whole_dong(officer, home):
    url = reverse("poverty:household_assess", args=[home.pk]) + "?standard=2022-2025"
    response = officer.post(url, {"income_source": "declared", "income_per_capita": "1.5", "answer_nutrition": "no"})
    assert response.status_code == 200 and not Assessment.objects.exists()
    assert 'inputmode="numeric"' in response.content.decode()


def test_form_b_shows_the_previous_income_with_thousands_separators(officer, home):
    url = reverse("poverty:household_assess", args=[home.pk]) + "?standard=2022-2025"
    officer.post(url, {"income_source": "declared", "income_per_capita": "1050000", "answer_nutrition": "no"})
    page = officer.get(reverse("poverty:household", args=[home.pk])).content.decode()
    assert 'name="income_per_capita" value="1.050.000"' in page
    response = officer.post(url, {"income_source": "declared", "income_per_capita": "1.5", "answer_nutrition": "no"})
    assert 'name="income_per_capita" value="1.5"' in response.content.decode()  # typed text comes back as typed


def test_form_b_indicators_stack_on_a_phone_with_their_labels(officer, home):
    """The indicator table is a `.stack` table: on a narrow screen each indicator is a block whose answer
    and reason cells carry their column's name (static/css/ansinh.css), not a row wider than the phone."""
    page = officer.get(reverse("poverty:household", args=[home.pk])).content.decode()
    assert '<table class="data stack">' in page
    assert page.count('data-label="Trả lời / sửa"') == page.count('data-label="Lý do sửa"') == 12


def test_run_page_names_the_average_band_short_with_its_legal_name_in_a_tooltip(
    officer, users, units, home, django_capture_on_commit_callbacks
):
    """The count cards, the per-commune table and the transitions say "Mức sống trung bình" (as the
    household list does), the legal sentence in a tooltip, in both languages."""
    standard = PovertyStandard.objects.get(code="2022-2025")
    from ansinh.poverty.services import AssessmentData, assessment_record

    assessment_record(actor=users.commune_officer, household=home, standard=standard, data=AssessmentData(
        income_source="declared", income_per_capita=2_000_000, farming=True, answers={"nutrition": False}))  # fmt: skip
    make_household(units.tho_xuan, code="INC1")  # nothing known: listed with what it misses
    with django_capture_on_commit_callbacks(execute=True):
        officer.post(reverse("poverty:run_create"), {"unit": units.tho_xuan.pk, "standard": standard.pk,
                                                     "on_date": "2026-01-15"})  # fmt: skip
    run = ClassificationRun.objects.get()
    assert run.preview["counts"]["average"] == 1
    html = officer.get(reverse("poverty:run_detail", args=[run.pk])).content.decode()
    legal = "Hộ làm nông, lâm, ngư, diêm nghiệp có mức sống trung bình"
    short = f'<span title="{legal}">Mức sống trung bình</span>'
    # A stat card, the per-commune heading and the transition "Chưa phân loại → average".
    assert html.count(short) >= 3
    assert f">{legal}<" not in html
    officer.cookies["django_language"] = "en"
    html = officer.get(reverse("poverty:run_detail", args=[run.pk])).content.decode()
    assert html.count('">Average living standard</span>') >= 3
    assert 'title="Farming, forestry, fishery or salt-making household with an average living standard"' in html
    # What an incomplete household misses is named in English too (the indicators' names of the data).
    assert "Employment" in html and "Nutrition" in html and "Việc làm" not in html and "Dinh dưỡng" not in html
