"""List filters in a <details> (core/_filters.html) and the active-filter count (ansinh_lists)."""

import re
from pathlib import Path

import pytest
from django import forms
from django.conf import settings
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from ansinh.core.templatetags.ansinh_lists import active_filter_count
from ansinh.registry import selectors as registry_selectors
from ansinh.registry.filters import HouseholdFilterSet
from ansinh.reviews.services_results import results_freeze
from ansinh.reviews.tests import helpers_results as hr

SUMMARY = re.compile(r"<summary>(.*?)</summary>")


class SampleFilterForm(forms.Form):
    q = forms.CharField(required=False)
    kind = forms.ChoiceField(required=False, choices=[("", "Tất cả"), ("a", "A"), ("b", "B")])
    year = forms.IntegerField(required=False)
    lone = forms.BooleanField(required=False)
    period = forms.SplitDateTimeField(required=False)  # two inputs: period_0, period_1
    tab = forms.CharField(required=False, widget=forms.HiddenInput)


def _render(form, query=""):
    request = RequestFactory().get("/list/" + query)
    return render_to_string("core/_filters.html", {"form": form}, request=request)


# -- the count ----------------------------------------------------------------------------------


def test_no_filter_counts_zero():
    assert active_filter_count(SampleFilterForm()) == 0  # unbound: the page opened without a query
    assert active_filter_count(SampleFilterForm({})) == 0
    assert active_filter_count(SampleFilterForm({"q": "  ", "kind": "", "year": "", "period_0": ""})) == 0
    assert active_filter_count(None) == 0


def test_two_filters_count_two_and_paging_sorting_do_not_count():
    data = {"q": "nguyen", "kind": "a", "page": "3", "sort": "-year", "per_page": "100", "tab": "in"}
    assert active_filter_count(SampleFilterForm(data)) == 2


def test_a_ticked_box_a_half_range_and_a_rejected_value_count_once_each():
    assert active_filter_count(SampleFilterForm({"lone": "on"})) == 1
    assert active_filter_count(SampleFilterForm({"period_0": "2026-01-01", "period_1": ""})) == 1
    rejected = SampleFilterForm({"year": "two thousand"})
    assert not rejected.is_valid() and active_filter_count(rejected) == 1  # on screen with its error


def test_a_field_left_at_its_default_does_not_count():
    from ansinh.registry.views_duplicates import DuplicateFilterForm

    assert active_filter_count(DuplicateFilterForm({"kind": "", "status": "pending"})) == 0  # what "Lọc" sends
    assert active_filter_count(DuplicateFilterForm({"kind": "", "status": "all"})) == 1
    assert active_filter_count(DuplicateFilterForm({"kind": "fuzzy", "status": "different"})) == 2


def test_household_filters_count_from_the_query_string(users, units):
    request = RequestFactory().get(
        "/households/", {"q": "an", "poverty_class": "poor", "commune": "", "page": "2", "sort": "code"}
    )
    request.user = users.commune_officer
    queryset = registry_selectors.households_visible_to(user=users.commune_officer)
    form = HouseholdFilterSet(request.GET, request=request, queryset=queryset).form
    assert active_filter_count(form) == 2


# -- the summary --------------------------------------------------------------------------------


def test_summary_says_how_many_filters_in_vietnamese():
    assert SUMMARY.findall(_render(SampleFilterForm())) == ["Bộ lọc"]
    assert SUMMARY.findall(_render(SampleFilterForm({"page": "2"}), "?page=2")) == ["Bộ lọc"]
    html = _render(SampleFilterForm({"q": "an", "kind": "b"}), "?q=an&kind=b")
    assert SUMMARY.findall(html) == ["Bộ lọc (2)"]


def test_summary_says_how_many_filters_in_english():
    with translation.override("en"):
        assert SUMMARY.findall(_render(SampleFilterForm())) == ["Filters"]
        assert SUMMARY.findall(_render(SampleFilterForm({"q": "an", "kind": "b"}), "?q=an&kind=b")) == ["Filters (2)"]


def test_details_come_open_and_only_forms_without_errors_close_on_phones():
    html = _render(SampleFilterForm({"q": "an"}), "?q=an")
    assert '<details class="filters-box no-print" open data-close-narrow>' in html
    assert 'role="search" aria-label="Bộ lọc"' in html
    assert 'href="/list/">Xóa bộ lọc</a>' in html
    assert 'type="hidden" name="tab"' in html
    html = _render(SampleFilterForm({"year": "x"}), "?year=x")
    assert '<details class="filters-box no-print" open>' in html  # the error must stay in sight
    assert "data-close-narrow" not in html


# -- the pages ----------------------------------------------------------------------------------

INCLUDE = re.compile(r"""\{%\s*include\s+["']core/_filters\.html["']""")


def _templates_using_the_include() -> set[str]:
    found = set()
    for root in [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR, "ansinh").glob("*/templates")]:
        for path in root.rglob("*.html"):
            if INCLUDE.search(path.read_text(encoding="utf-8")):
                found.add(path.relative_to(root).as_posix())
    return found


@pytest.fixture
def campaign_ctx(units, users):
    ctx = hr.final_cases(hr.base_ctx(units, users))
    results_freeze(actor=users.province_officer, campaign=ctx.campaign, today=hr.TODAY)
    return ctx


def _list_urls(campaign) -> list[str]:
    pk = campaign.pk
    return [
        reverse("registry:household_list"),
        reverse("registry:duplicate_list"),
        reverse("geo:unit_list"),
        reverse("audit:event_list"),
        reverse("jobs:job_list"),
        reverse("accounts:assignment_list"),
        reverse("reviews:campaign_list"),
        reverse("reviews:case_list", args=[pk]),
        reverse("reviews:complaint_list", args=[pk]),
        reverse("reviews:campaign_results", args=[pk]),
    ]


def test_every_list_page_using_the_include_renders_the_details(campaign_ctx, client, users):
    client.force_login(users.system_admin)
    rendered = set()
    for url in _list_urls(campaign_ctx.campaign):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        assert html.count('<details class="filters-box no-print" open') == 1, url
        assert SUMMARY.search(html.split('class="filters-box', 1)[1]).group(1) == "Bộ lọc", url
        assert '<form method="get" class="filters" role="search"' in html, url
        rendered.update(t.name for t in response.templates)
    # A page that starts using the include must be added above.
    assert _templates_using_the_include() <= rendered, _templates_using_the_include() - rendered
    html = client.get(reverse("registry:household_list"), {"poverty_class": "poor", "page": "1"}).content.decode()
    assert SUMMARY.search(html.split('class="filters-box', 1)[1]).group(1) == "Bộ lọc (1)"


def test_anonymous_and_roleless_readers_are_still_turned_away(campaign_ctx, client, users):
    urls = _list_urls(campaign_ctx.campaign)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302 and response.url.startswith(reverse("accounts:login")), url
    client.force_login(users.no_role)
    job_list = reverse("jobs:job_list")  # one's own jobs need no permission (see jobs.selectors)
    for url in urls:
        response = client.get(url)
        assert response.status_code == (200 if url == job_list else 403), url
        assert ("filters-box" in response.content.decode()) is (url == job_list), url
