"""A class recognised by a review's decision stays the household's class: classifications computed
later under the same standard are stored as results and shown beside it, never in its place."""

from datetime import date

import pytest
from django.urls import reverse

from ansinh.audit.models import AuditEvent
from ansinh.poverty.events import PovertyEventType
from ansinh.poverty.models import Classification
from ansinh.poverty.services import household_classify
from ansinh.poverty.services_runs import run_commit, run_start
from ansinh.registry.models import Household
from ansinh.registry.services import households_poverty_summary_set

from .factories import form_b, known_household

DECIDED_ON = date(2026, 10, 21)
WARNING = "khác với phân loại đã được công nhận"


def recognise(household, klass="poor", standard="2022-2025"):
    households_poverty_summary_set([(household.pk, klass)], standard_code=standard, on_date=DECIDED_ON,
                                   source="decision")  # fmt: skip


@pytest.fixture
def recognised_poor(home, users):
    form_b(home, users.commune_officer, income=5_000_000)  # the facts now say: not poor
    recognise(home)
    return home


def test_classifying_a_recognised_household_stores_the_result_and_keeps_the_class(recognised_poor, users):
    row = household_classify(actor=users.commune_officer, household=recognised_poor, on_date=date(2026, 12, 7))
    assert row.klass == "not_poor" and Classification.objects.filter(household=recognised_poor).count() == 1
    household = Household.objects.get(pk=recognised_poor.pk)
    assert (household.poverty_class, household.poverty_classified_on, household.poverty_class_source) == (
        "poor", DECIDED_ON, "decision")  # fmt: skip
    event = AuditEvent.objects.filter(event_type=PovertyEventType.HOUSEHOLD_CLASSIFIED).latest("id")
    assert event.changes["new"]["class"] == "not_poor"
    assert event.changes["new"]["recognised_class_kept"] == "poor"


def test_an_unrecognised_household_takes_the_classification(home, users):
    form_b(home, users.commune_officer, income=5_000_000)
    households_poverty_summary_set([(home.pk, "poor")], standard_code="2022-2025", on_date=DECIDED_ON)
    household_classify(actor=users.commune_officer, household=home, on_date=date(2026, 12, 7))
    household = Household.objects.get(pk=home.pk)
    assert (household.poverty_class, household.poverty_class_source) == ("not_poor", "classification")
    event = AuditEvent.objects.filter(event_type=PovertyEventType.HOUSEHOLD_CLASSIFIED).latest("id")
    assert "recognised_class_kept" not in event.changes["new"]


def test_the_pages_show_the_recognised_class_beside_a_differing_result(recognised_poor, users, officer):
    household_classify(actor=users.commune_officer, household=recognised_poor, on_date=date(2026, 12, 7))
    for url in (reverse("registry:household_detail", args=[recognised_poor.pk]),
                reverse("poverty:household", args=[recognised_poor.pk])):  # fmt: skip
        html = officer.get(url).content.decode()
        assert "Phân loại đã được công nhận" in html and "21/10/2026" in html, url
        assert "Kết quả phân loại gần nhất" in html and WARNING in html, url


def test_no_warning_when_the_result_agrees_or_nothing_was_recognised(home, users, officer):
    form_b(home, users.commune_officer, income=5_000_000)
    household_classify(actor=users.commune_officer, household=home, on_date=date(2026, 12, 7))
    html = officer.get(reverse("poverty:household", args=[home.pk])).content.decode()
    assert "Phân loại đã được công nhận" not in html and WARNING not in html
    recognise(home, klass="not_poor")
    household_classify(actor=users.commune_officer, household=home, on_date=date(2026, 12, 8))
    html = officer.get(reverse("poverty:household", args=[home.pk])).content.decode()
    assert "Phân loại đã được công nhận" in html and WARNING not in html


def test_a_bulk_run_leaves_recognised_classes(recognised_poor, units, users, standards,
                                              django_capture_on_commit_callbacks):  # fmt: skip
    other = known_household(units.tho_xuan, village=units.t2, code="K002")
    form_b(other, users.commune_officer, income=5_000_000)
    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(actor=users.commune_officer, unit=units.tho_xuan, standard=standards.s2022_2025,
                        on_date=date(2026, 12, 7))  # fmt: skip
    run.refresh_from_db()
    assert run.preview["counts"]["recognised"] == 1
    with django_capture_on_commit_callbacks(execute=True):
        run_commit(actor=users.commune_officer, run=run)
    run.refresh_from_db()
    assert run.status == "committed"
    assert set(Classification.objects.filter(run=run).values_list("household_id", "klass")) == {
        (recognised_poor.pk, "not_poor"), (other.pk, "not_poor")}  # fmt: skip
    kept, taken = Household.objects.get(pk=recognised_poor.pk), Household.objects.get(pk=other.pk)
    assert (kept.poverty_class, kept.poverty_class_source) == ("poor", "decision")
    assert (taken.poverty_class, taken.poverty_class_source) == ("not_poor", "classification")


@pytest.mark.parametrize("path", ["sql", "python"])
def test_a_bulk_run_counts_as_changes_only_the_classes_its_commit_changes(
    path, recognised_poor, units, users, standards, monkeypatch, django_capture_on_commit_callbacks
):
    """The preview's "changed" and transitions are the households whose class the commit changes; the
    recognised ones whose result differs are counted apart as kept. The same on the SQL path and on
    the household-by-household Python path, and the commit's counts say what it did."""
    from ansinh.poverty import classify_sql, services_runs

    if path == "python":

        def not_compilable(*args, **kwargs):
            raise classify_sql.NotCompilable("test")

        monkeypatch.setattr(services_runs, "_preview_sql", not_compilable)
        monkeypatch.setattr(services_runs, "_commit_sql", not_compilable)
    officer = users.commune_officer
    # recognised_poor: recognised poor, the facts now say not poor: kept.
    agreeing = known_household(units.tho_xuan, village=units.t2, code="K002")
    form_b(agreeing, officer, income=5_000_000)
    recognise(agreeing, klass="not_poor")  # recognised, and the result agrees: nothing to count
    earlier = known_household(units.tho_xuan, village=units.t2, code="K003")
    form_b(earlier, officer, income=5_000_000)
    recognise(earlier, standard="2016-2020")  # recognised under another standard: the commit changes it
    fresh = known_household(units.tho_xuan, village=units.t2, code="K004")
    form_b(fresh, officer, income=5_000_000)  # never classified: changed
    undecided = known_household(units.tho_xuan, village=units.t2, code="K005")  # no form B: incomplete
    recognise(undecided, klass="near_poor")
    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(actor=officer, unit=units.tho_xuan, standard=standards.s2022_2025, on_date=date(2026, 12, 7))
    run.refresh_from_db()
    preview = run.preview
    assert preview["counts"] == {"households": 5, "not_poor": 4, "incomplete": 1, "changed": 2, "kept": 1,
                                 "recognised": 3}  # fmt: skip
    assert preview["transitions"] == {"poor>not_poor": 1, "->not_poor": 1}
    assert preview["kept_transitions"] == {"poor>not_poor": 1}
    assert sorted(c["household"] for c in preview["changes"]) == [earlier.pk, fresh.pk]
    before = dict(Household.objects.values_list("pk", "poverty_class"))
    with django_capture_on_commit_callbacks(execute=True):
        run_commit(actor=officer, run=run)
    run.refresh_from_db()
    after = dict(Household.objects.values_list("pk", "poverty_class"))
    assert {pk for pk, klass in after.items() if before[pk] != klass} == {earlier.pk, fresh.pk}
    assert run.counts == preview["counts"]
    assert (after[recognised_poor.pk], after[agreeing.pk], after[undecided.pk]) == ("poor", "not_poor", "near_poor")


def test_the_run_page_shows_the_kept_classes_apart_from_the_changes(recognised_poor, units, users, standards, officer,
                                                                    django_capture_on_commit_callbacks):  # fmt: skip
    other = known_household(units.tho_xuan, village=units.t2, code="K002")
    form_b(other, users.commune_officer, income=5_000_000)
    with django_capture_on_commit_callbacks(execute=True):
        run = run_start(actor=users.commune_officer, unit=units.tho_xuan, standard=standards.s2022_2025,
                        on_date=date(2026, 12, 7))  # fmt: skip
    response = officer.get(reverse("poverty:run_detail", args=[run.pk]))
    html = response.content.decode()
    assert "1 hộ có phân loại đã được công nhận theo quyết định" in html
    assert "Trong đó 1 hộ có kết quả tính khác phân loại đã công nhận" in html
    assert "có thể tính cả" not in html  # the changed counts no longer include them
    assert "<strong>1</strong><span>hộ thay đổi phân loại</span>" in html
    assert "<strong>1</strong><span>hộ giữ phân loại theo quyết định công nhận</span>" in html
    assert "Giữ phân loại theo quyết định công nhận (kết quả tính khác)" in html
    changed = [(t["old"], t["new"], t["count"]) for t in response.context["transitions"]]
    kept = [(t["old"], t["new"], t["count"]) for t in response.context["kept_transitions"]]
    assert changed == [("Chưa phân loại", "Không nghèo", 1)]
    assert kept == [("Hộ nghèo", "Không nghèo", 1)]
    assert [c["household"] for c in response.context["changes"]] == [other.pk]
