"""The admin edits a campaign kind through the audited service; a malformed definition is refused."""

import json

from django.urls import reverse

from ansinh.accounts.models import User
from ansinh.audit.models import AuditEvent
from ansinh.reviews.events import ReviewsEventType
from ansinh.reviews.models import CampaignKind
from ansinh.reviews.services import kinds_load


def _superuser():
    return User.objects.create_superuser("root", password="Gốc-rễ-vững-chắc-2025")


def test_kind_admin_save_goes_through_the_audited_service(client, db):
    kinds_load()
    kind = CampaignKind.objects.get(code="monthly")
    client.force_login(_superuser())
    url = reverse("admin:reviews_campaignkind_change", args=[kind.pk])
    assert client.get(url).status_code == 200
    definition = {**kind.definition, "due_soon_days": 5}
    response = client.post(url, {"definition": json.dumps(definition, ensure_ascii=False), "reason": "KH tỉnh 2026"})
    assert response.status_code == 302, response.content[:2000]
    kind.refresh_from_db()
    assert kind.edited_by_admin and kind.spec().due_soon_days == 5
    event = AuditEvent.objects.get(event_type=ReviewsEventType.KIND_EDITED)
    assert event.changes["reason"] == "KH tỉnh 2026"


def test_kind_admin_refuses_a_malformed_definition(client, db):
    kinds_load()
    kind = CampaignKind.objects.get(code="monthly")
    client.force_login(_superuser())
    bad = {**kind.definition, "period": {"type": "weekly"}}
    response = client.post(reverse("admin:reviews_campaignkind_change", args=[kind.pk]),
                           {"definition": json.dumps(bad), "reason": "thử"})  # fmt: skip
    assert response.status_code == 200 and "period" in response.content.decode()
    assert not AuditEvent.objects.filter(event_type=ReviewsEventType.KIND_EDITED).exists()
    assert CampaignKind.objects.get(pk=kind.pk).definition == kind.definition
