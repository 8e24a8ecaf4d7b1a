"""The page shell: language, CSP-safe markup, error pages, list tables, forms and display filters."""

import re
from datetime import UTC, date, datetime
from decimal import Decimal
from pathlib import Path

import django_tables2 as tables
import pytest
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.template import Context, Template
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import translation

from ansinh.core import views as core_views
from ansinh.core.templatetags.ansinh_format import vn_date, vn_datetime, vn_money, vn_number

# A <script> element with content, i.e. without src (the CSP would block it; it must not exist).
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>", re.IGNORECASE)
STYLE_ATTRIBUTE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)


def assert_csp_safe(html: str) -> None:
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)
    assert not STYLE_ATTRIBUTE.search(html), STYLE_ATTRIBUTE.search(html)
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html)
    assert "<style" not in html.lower()


# -- pages -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_login_page_is_vietnamese_and_csp_safe(client):
    response = client.get(reverse("accounts:login"))
    html = response.content.decode()
    assert response.status_code == 200
    assert '<html lang="vi">' in html
    assert "Content-Security-Policy" in response.headers
    assert "script-src 'self'" in response.headers["Content-Security-Policy"]
    assert "Chuyển đến nội dung chính" in html  # skip link
    assert 'href="/static/css/ansinh.css"' in html
    assert_csp_safe(html)


def test_dashboard_shows_shell_for_signed_in_user(client, users):
    client.force_login(users.commune_officer)
    response = client.get(reverse("reports:dashboard"))
    html = response.content.decode()
    assert response.status_code == 200
    assert_csp_safe(html)
    assert "Content-Security-Policy" in response.headers
    # The user's name links to their profile; logout is a POST form, not a link.
    assert f'href="{reverse("accounts:profile")}">{users.commune_officer}</a>' in html
    assert f'action="{reverse("accounts:logout")}" method="post"' in html
    # Phones get the menu in <details>, which opens without JavaScript.
    assert '<details class="phonemenu">' in html
    assert 'aria-current="page"' in html  # "Tổng quan" is marked as the current page


def test_anonymous_shell_has_no_menu(client, db):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "phonemenu" not in html
    assert "Đăng xuất" not in html


def test_switching_to_english_sets_lang_attribute(client, db):
    login = reverse("accounts:login")
    response = client.post(reverse("set_language"), {"language": "en", "next": login}, follow=True)
    html = response.content.decode()
    assert '<html lang="en">' in html
    assert 'value="vi"' in html  # the switch now offers Vietnamese back
    response = client.post(reverse("set_language"), {"language": "vi", "next": login}, follow=True)
    assert '<html lang="vi">' in response.content.decode()


def test_not_found_page_for_signed_in_user_is_vietnamese(client, users):
    client.force_login(users.commune_officer)
    response = client.get("/khong-co-trang-nay/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Không tìm thấy" in html
    assert "Trang hoặc bản ghi không tồn tại, hoặc không thuộc địa bàn của bạn." in html
    assert "Lỗi 404" in html
    assert "Mã yêu cầu" in html
    assert reverse("reports:dashboard") in html
    assert_csp_safe(html)


def test_not_found_page_for_anonymous_offers_login(client, db):
    html = client.get("/khong-co-trang-nay/").content.decode()
    assert reverse("accounts:login") in html
    assert_csp_safe(html)


def test_csrf_failure_page(db):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:login"), {"username": "x", "password": "y"})
    html = response.content.decode()
    assert response.status_code == 403
    assert "Phiên làm việc đã hết hạn" in html
    assert_csp_safe(html)


def test_server_error_page_renders(db):
    from django.contrib.auth.models import AnonymousUser

    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    response = core_views.server_error(request)
    html = response.content.decode()
    assert response.status_code == 500
    assert "Lỗi hệ thống" in html
    assert_csp_safe(html)


def test_bare_500_template_needs_no_request_or_database():
    # Rendered without a request: no context processors, no user, no queries.
    html = render_to_string("500.html")
    assert "Lỗi hệ thống" in html
    assert '<html lang="vi">' in html
    assert_csp_safe(html)


def test_messages_are_styled_by_level(users):
    request = RequestFactory().get("/")
    request.user = users.commune_officer
    request._messages = CookieStorage(request)
    messages.success(request, "Đã lưu hộ gia đình.")
    messages.error(request, "Không lưu được.")
    html = render_to_string("core/error.html", {"title": "x", "message": "y"}, request=request)
    assert '<p class="msg msg-success" role="status">Đã lưu hộ gia đình.</p>' in html
    assert '<p class="msg msg-error" role="alert">Không lưu được.</p>' in html


# -- tables and pagination -------------------------------------------------------------------


class VillageTable(tables.Table):
    name = tables.Column(verbose_name="Tên")
    households = tables.Column(verbose_name="Số hộ")


def _render_table(query: str, rows: int = 120) -> str:
    request = RequestFactory().get("/units/" + query)
    data = [{"name": f"Thôn {i}", "households": i} for i in range(rows)]
    table = VillageTable(data)
    tables.RequestConfig(request, paginate={"per_page": 50}).configure(table)
    return Template("{% load django_tables2 %}{% render_table table %}").render(
        Context({"table": table, "request": request})
    )


def test_table_uses_project_template_with_vietnamese_pagination():
    assert settings.DJANGO_TABLES2_TEMPLATE == "core/table.html"
    html = _render_table("?q=thon&page=2")
    assert 'class="table-scroll"' in html
    assert "Trang 2/3" in html
    assert "Trước" in html and "Sau" in html
    assert "Tổng: 120 dòng" in html
    assert_csp_safe(html)


def test_table_links_keep_filters():
    html = _render_table("?q=thon&page=2")
    # Paging keeps the filter ...
    assert 'href="?q=thon&amp;page=3"' in html
    # ... and sorting keeps it too but starts again at page 1.
    assert 'href="?q=thon&amp;sort=name"' in html


def test_table_total_uses_vietnamese_thousands_and_marks_sorted_column():
    html = _render_table("?sort=-households", rows=1234)
    assert "Tổng: 1.234 dòng" in html
    assert 'aria-sort="descending"' in html


def test_single_page_table_shows_total_without_page_links():
    html = _render_table("", rows=3)
    assert "Tổng: 3 dòng" in html
    assert "Trang 1/1" not in html
    assert 'class="pagination"' not in html


def test_table_total_agrees_with_its_number_in_english():
    with translation.override("en"):
        one, three = _render_table("", rows=1), _render_table("", rows=3)
    assert "Total: 1 row<" in one
    assert "Total: 3 rows<" in three
    assert "Tổng: 1 dòng" in _render_table("", rows=1)


def test_empty_table_says_so():
    assert "Không có dòng nào." in _render_table("", rows=0)


# -- form include ----------------------------------------------------------------------------


class HouseholdForm(forms.Form):
    head_name = forms.CharField(label="Chủ hộ", help_text="Theo CCCD")
    note = forms.CharField(label="Ghi chú", required=False)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def clean(self):
        raise forms.ValidationError("Hộ đã được duyệt, không sửa được.")


def test_form_include_renders_errors_csrf_and_label(rf):
    request = rf.post("/")
    form = HouseholdForm(data={"head_name": "", "version": "x"})
    form.is_valid()
    html = render_to_string(
        "core/_form.html",
        {"form": form, "submit_label": "Gửi duyệt", "confirm": "Gửi hồ sơ lên xã?", "cancel_url": "/"},
        request=request,
    )
    assert "csrfmiddlewaretoken" in html
    assert "Hộ đã được duyệt, không sửa được." in html
    assert 'class="field required has-error"' in html
    assert "Theo CCCD" in html
    assert '<div class="form-errors" role="alert">Version:' in html  # hidden-field error is shown
    assert ">Gửi duyệt</button>" in html
    assert 'data-confirm="Gửi hồ sơ lên xã?"' in html
    assert_csp_safe(html)


def test_form_include_get_has_no_csrf_token(rf):
    html = render_to_string("core/_form.html", {"form": HouseholdForm(), "method": "GET"}, request=rf.get("/"))
    assert "csrfmiddlewaretoken" not in html
    assert ">Lưu</button>" in html  # the default label


# -- static assets ---------------------------------------------------------------------------


def test_static_assets_stay_small():
    """A budget, raised with care: 12 KB of CSS until phone layouts of the form B and the overview's
    figures (2026-12-07) took it to 12.2 KB; served compressed it is under 4 KB."""
    static = Path(settings.BASE_DIR) / "static"
    assert (static / "css" / "ansinh.css").stat().st_size < 13 * 1024
    assert (static / "js" / "ansinh.js").stat().st_size < 6 * 1024


# -- display filters -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1234567, "1.234.567"),
        (-1234567, "-1.234.567"),
        (0, "0"),
        (999, "999"),
        (1000, "1.000"),
        ("1234", "1.234"),
        (1234.5, "1.234,5"),
        (0.1 + 0.2, "0,3"),
        (Decimal("12.50"), "12,50"),
        (None, ""),
        ("", ""),
        ("không rõ", "không rõ"),
    ],
)
def test_vn_number(value, expected):
    assert vn_number(value) == expected


def test_vn_number_fixed_places():
    assert vn_number(1234.5678, 2) == "1.234,57"
    assert vn_number(3, 1) == "3,0"


@pytest.mark.parametrize(
    ("value", "expected"),
    [(1234567, "1.234.567 đ"), (Decimal("1500000.4"), "1.500.000 đ"), (Decimal("0.5"), "1 đ"), (None, "")],
)
def test_vn_money(value, expected):
    assert vn_money(value) == expected


def test_vn_date():
    assert vn_date(date(2019, 8, 21)) == "21/08/2019"
    # 20:30 UTC on 20 August is already 21 August in Vietnam (UTC+7).
    assert vn_date(datetime(2019, 8, 20, 20, 30, tzinfo=UTC)) == "21/08/2019"
    assert vn_date(None) == ""
    assert vn_date("không rõ") == "không rõ"


def test_vn_datetime_is_shown_in_vietnam_time():
    assert vn_datetime(datetime(2019, 8, 21, 7, 5, tzinfo=UTC)) == "21/08/2019 14:05"
    assert vn_datetime(datetime(2019, 8, 21, 14, 5)) == "21/08/2019 14:05"  # naive: taken as local
    assert vn_datetime(date(2019, 8, 21)) == "21/08/2019"
    assert vn_datetime(None) == ""


def test_filters_work_in_templates():
    rendered = Template(
        "{% load ansinh_format %}{{ n|vn_number }}|{{ m|vn_money }}|{{ d|vn_date }}|{{ t|vn_datetime }}"
    ).render(Context({"n": 1234567, "m": 50000, "d": date(2025, 7, 1), "t": datetime(2025, 7, 1, 1, 0, tzinfo=UTC)}))
    assert rendered == "1.234.567|50.000 đ|01/07/2025|01/07/2025 08:00"


def test_no_template_carries_inline_script_style_or_handler():
    """The CSP (script-src and style-src 'self') would silently break such markup in the browser."""
    roots = [Path(settings.BASE_DIR) / "templates", *Path(settings.BASE_DIR, "ansinh").glob("*/templates")]
    problems = []
    for template in (t for root in roots for t in root.rglob("*.html")):
        text = template.read_text(encoding="utf-8")
        for pattern in (INLINE_SCRIPT, STYLE_ATTRIBUTE, INLINE_HANDLER, re.compile(r"<style", re.IGNORECASE)):
            if pattern.search(text):
                problems.append(f"{template.relative_to(settings.BASE_DIR)}: {pattern.search(text).group(0)}")
    assert not problems, problems


def test_page_actions_wrap_below_the_title_when_they_do_not_fit_beside_it():
    # A two-column grid gave the title only what six English buttons left over (nothing at 1024 px).
    css = (Path(settings.BASE_DIR) / "static" / "css" / "ansinh.css").read_text()
    assert "main {display: flex; flex-wrap: wrap;" in css
    assert ".page-actions:not(:empty) + * {order: 0; flex: auto}" in css
    assert "grid-template-columns: minmax(0, 1fr) auto" not in css
