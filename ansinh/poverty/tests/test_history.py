"""The poverty app's events in the household page's history (`poverty.history`): the app's words,
and form B's figures masked for readers who may not see incomes (village heads, the Front's
supervisor), as on every other page."""

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape

from ansinh.poverty.models import PovertyStandard
from ansinh.poverty.privacy import income_mask
from ansinh.poverty.services import AssessmentData, assessment_record, household_classify
from ansinh.registry.selectors import household_history
from ansinh.registry.tables import history_entries

from .factories import form_b, known_household
from .test_scoring_flow import ITEMS

INCOME = 1_234_567


@pytest.fixture
def home(units, users, standards):
    household = known_household(units.tho_xuan, village=units.t1)
    form_b(household, users.commune_officer, income=INCOME, answers={"nutrition": True},
           overrides={"latrine": {"value": False, "reason": "Nhà vệ sinh mới xây tháng 6"}})  # fmt: skip
    household_classify(actor=users.commune_officer, household=household)
    return household


def _page(client, user, household, language="vi") -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(reverse("registry:household_detail", args=[household.pk]))
    assert response.status_code == 200
    return response.content.decode()


def _rows(user, household) -> dict[str, dict[str, str]]:
    entries = history_entries(household_history(household=household), can_see_full_id=False, user=user,
                              household=household)  # fmt: skip
    return {change["field"]: change for entry in entries for change in entry["changes"]}


def test_an_officer_reads_form_b_and_the_classification_in_words(users, home):
    rows = _rows(users.commune_officer, home)
    assert rows["Chuẩn nghèo"]["new"].startswith("2022-2025")
    assert rows["Nguồn thu nhập"]["new"] == "Thu nhập kê khai"
    assert rows["Thu nhập bình quân (đồng/người/tháng)"]["new"] == "1.234.567"
    assert rows["Trả lời trực tiếp"]["new"] == "Dinh dưỡng: Có"
    assert rows["Sửa chỉ số suy ra"]["new"] == ("Nhà tiêu hợp vệ sinh: Không (lý do: Nhà vệ sinh mới xây tháng 6)")
    assert rows["Phân loại"] == {"field": "Phân loại", "old": "—", "new": "Hộ nghèo"}
    # No raw keys or Python values reach the page.
    assert not {"income_source", "income_per_capita", "answers", "overrides", "assessment"} & set(rows)


def test_the_page_masks_the_income_for_a_reader_without_the_permission(client, users, home):
    officer = _page(client, users.commune_officer, home)
    assert "1.234.567" in officer
    village_head = _page(client, users.village_head, home)
    assert "1.234.567" not in village_head and "1234567" not in village_head
    assert escape(income_mask()) in village_head
    assert "Hộ nghèo" in village_head  # the class is not personal data: it is posted publicly


def test_score_items_read_by_their_names_and_are_masked_too(users, units, standards):
    household = known_household(units.tho_xuan, village=units.t1, code="K002")
    standard = PovertyStandard.objects.get(code="2022-2025")
    data = AssessmentData(income_source="proxy_score", answers={"nutrition": False}, score_answers=ITEMS)
    assessment_record(actor=users.commune_officer, household=household, standard=standard, data=data)
    officer = _rows(users.commune_officer, household)
    assert officer["Điểm thu nhập"]["new"] == "96"
    assert "Số người trong hộ: 5" in officer["Trả lời các mục chấm điểm"]["new"]
    head = _rows(users.village_head, household)
    assert head["Điểm thu nhập"]["new"] == head["Trả lời các mục chấm điểm"]["new"] == income_mask()


def test_the_history_follows_the_readers_language(client, users, home):
    english = _page(client, users.commune_officer, home, language="en")
    assert "Declared income" in english and "Nutrition: Yes" in english
