import io
from types import SimpleNamespace

import pytest
from django.urls import reverse
from docx import Document

from ansinh.reviews.models import Certificate, CommuneDecision
from ansinh.reviews.tests.helpers_decision import build_posted, build_screened


@pytest.fixture
def posted(units, users):
    c = SimpleNamespace(units=units, users=users)
    build_posted(c)
    return c


@pytest.fixture
def screened(units, users):
    c = SimpleNamespace(units=units, users=users)
    build_screened(c)
    return c


def test_decision_form_shows_readiness_and_records(posted, client):
    client.force_login(posted.users.commune_chair)
    url = reverse("reviews:decision_create", args=[posted.campaign.pk])
    page = client.get(url, {"commune": posted.units.tho_xuan.pk}).content.decode()
    assert "Tình hình của xã" in page and "Đủ điều kiện ra quyết định" in page and "05/11/2025" in page
    response = client.post(
        url,
        {
            "commune": posted.units.tho_xuan.pk,
            "number": "125/QĐ-UBND",
            "signed_on": "2025-11-20",
            "signer_name": "Lê Văn Bình",
            "signer_position": "Chủ tịch",
        },
    )
    decision = CommuneDecision.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "reviews:decision_detail", args=[decision.pk]
    )
    refused = client.post(
        url,
        {
            "commune": posted.units.tho_xuan.pk,
            "number": "126/QĐ-UBND",
            "signed_on": "2025-11-21",
            "signer_name": "X",
            "signer_position": "Chủ tịch",
        },
    )
    assert refused.status_code == 200 and "không còn hộ nào đang niêm yết" in refused.content.decode()
    bad_date = client.post(
        url,
        {
            "commune": posted.units.tho_xuan.pk,
            "number": "127/QĐ-UBND",
            "signed_on": "2025-11-04",
            "signer_name": "X",
            "signer_position": "Chủ tịch",
        },
    )
    assert bad_date.status_code == 200 and CommuneDecision.objects.count() == 1
    assert client.get(url, {"commune": posted.units.mdrak.pk}).status_code == 404


def test_decision_pages_certificates_and_panels(screened, client):
    client.force_login(screened.users.commune_chair)
    decision = screened.decision
    page = client.get(reverse("reviews:decision_detail", args=[decision.pk])).content.decode()
    assert "Danh sách hộ thoát cận nghèo (1)" in page and "125/QĐ-UBND" in page
    draft = client.get(reverse("reviews:decision_draft", args=[decision.pk]))
    assert draft["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "125/QĐ-UBND" in "\n".join(p.text for p in Document(io.BytesIO(draft.content)).paragraphs)
    listing = client.get(reverse("reviews:certificate_list", args=[decision.pk])).content.decode()
    assert "0001/2025/GCN-HN.HCN" in listing and "0003/2025/GCN-HN.HCN" in listing
    response = client.post(reverse("reviews:certificate_list", args=[decision.pk]), {})
    assert response.status_code == 302 and Certificate.objects.filter(commune=screened.units.tho_xuan).count() == 3
    h1 = screened.cases["H1"]
    printed = client.get(reverse("reviews:certificate_print", args=[h1.pk])).content.decode()
    assert "GIẤY CHỨNG NHẬN HỘ NGHÈO" in printed and "Chủ hộ H1" in printed and "Thôn 1, Xã Thọ Xuân" in printed
    assert "css/documents.css" in printed and "Lê Văn Bình" in printed and "1975" in printed
    assert client.get(reverse("reviews:certificate_print", args=[screened.cases["H2"].pk])).status_code == 404
    case_page = client.get(reverse("reviews:case_detail", args=[h1.pk])).content.decode()
    assert "0001/2025/GCN-HN.HCN" in case_page and reverse("reviews:certificate_print", args=[h1.pk]) in case_page
    campaign_page = client.get(reverse("reviews:campaign_detail", args=[screened.campaign.pk])).content.decode()
    assert "Quyết định công nhận của xã" in campaign_page and "125/QĐ-UBND" in campaign_page


def test_refusal_docx_only_for_screened_out_cases(screened, client):
    client.force_login(screened.users.commune_officer)
    response = client.get(reverse("reviews:case_refusal", args=[screened.screened.pk]))
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert "Hộ có thành viên hưởng lương thường xuyên" in text
    assert client.get(reverse("reviews:case_refusal", args=[screened.cases["H1"].pk])).status_code == 404
    page = client.get(reverse("reviews:case_detail", args=[screened.screened.pk])).content.decode()
    assert reverse("reviews:case_refusal", args=[screened.screened.pk]) in page


def test_an_approved_commune_offers_no_amendment(units, users, client):
    from ansinh.reviews.models import UnitApproval
    from ansinh.reviews.tests.helpers_decision import build_decided

    ctx = SimpleNamespace(units=units, users=users)
    build_decided(ctx)
    client.force_login(users.commune_chair)
    url = reverse("reviews:decision_detail", args=[ctx.decision.pk])
    assert "Sửa đổi quyết định" in client.get(url).content.decode()
    UnitApproval.objects.create(campaign=ctx.campaign, unit=units.tho_xuan, level="commune", state="approved",
                                unit_path=units.tho_xuan.path)  # fmt: skip
    assert "Sửa đổi quyết định" not in client.get(url).content.decode()


def test_certificate_valid_from_the_decision_to_the_end_of_its_period_with_the_title_translated(screened, client):
    """Valid from the decision (20/11/2025), not the standard's start; a yearly review's lists serve the
    next year (kind data `certificate_valid_until`), so to 31/12/2026. The known title is translated."""
    from django.conf import settings
    from django.utils import translation

    from ansinh.reviews.services_decision import certificates_issue

    certificates_issue(actor=screened.users.commune_chair, decision=screened.decision)
    client.force_login(screened.users.commune_chair)
    url = reverse("reviews:certificate_print", args=[screened.cases["H1"].pk])
    printed = client.get(url).content.decode()
    assert "Từ 20/11/2025 đến 31/12/2026" in printed and "CHỦ TỊCH" in printed
    standard = screened.campaign.standard
    assert f"Từ {standard.valid_from:%d/%m/%Y}" not in printed
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    body = client.get(url).content.decode()
    with translation.override("en"):
        chair = translation.gettext("Chủ tịch").upper()
    assert chair != "CHỦ TỊCH" and chair in body and "CHỦ TỊCH" not in body
    assert "From 20/11/2025 to 31/12/2026" in body


def test_decision_draft_filename_is_one_name_in_both_forms(screened, client):
    from ansinh.geo.models import AdminUnit

    AdminUnit.objects.filter(pk=screened.units.tho_xuan.pk).update(name="Xã Đông Thọ")
    client.force_login(screened.users.commune_chair)
    draft = client.get(reverse("reviews:decision_draft", args=[screened.decision.pk]))
    name = "quyet-dinh-cong-nhan-xa-dong-tho-2025.docx"
    assert draft["Content-Disposition"] == f"attachment; filename=\"{name}\"; filename*=UTF-8''{name}"
    refusal = client.get(reverse("reviews:case_refusal", args=[screened.screened.pk]))
    filename, starred = refusal["Content-Disposition"].split("; ")[1:]
    assert filename.removeprefix("filename=").strip('"') == starred.removeprefix("filename*=UTF-8''")
