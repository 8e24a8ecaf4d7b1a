"""Append-only, hash-chained audit events (docs/decisions/0002-audit-chains-per-province.md)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ansinh.core.scoping import ScopedManager

# `actor_label` of events written with no signed-in user (commands, the job worker); part of the hash.
SYSTEM_ACTOR_LABEL = "system"


class AuditChain(models.Model):
    """The head of one hash chain: events of one province (or the national chain) link here.

    Services lock this row while appending, so events of one chain are strictly ordered while
    provinces write in parallel.
    """

    key = models.CharField(max_length=40, unique=True)
    last_event_id = models.BigIntegerField(null=True, blank=True)
    last_hash = models.CharField(max_length=64, default="")
    length = models.BigIntegerField(default=0)

    class Meta:
        verbose_name = _("chuỗi nhật ký")
        verbose_name_plural = _("chuỗi nhật ký")

    def __str__(self) -> str:
        return self.key


class AuditEvent(models.Model):
    """One recorded state change: who did what to which object, in which area, old → new.

    Rows are never updated or deleted (a database trigger refuses it); `hash` covers every field
    and `prev_hash` links to the previous event of the same chain, so `audit_verify` finds any
    edited, inserted or removed row.
    """

    chain_key = models.CharField(max_length=40, editable=False)
    sequence = models.BigIntegerField(editable=False)
    occurred_at = models.DateTimeField(editable=False, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+", editable=False
    )
    actor_label = models.CharField(max_length=150, blank=True, editable=False)
    request_id = models.CharField(max_length=64, blank=True, editable=False)
    event_type = models.PositiveIntegerField(editable=False, db_index=True)
    target_type = models.CharField(max_length=80, blank=True, editable=False)
    target_id = models.CharField(max_length=64, blank=True, editable=False)
    target_repr = models.CharField(max_length=255, blank=True, editable=False)
    unit_path = models.CharField(max_length=120, blank=True, editable=False)
    changes = models.JSONField(default=dict, editable=False)
    prev_hash = models.CharField(max_length=64, editable=False)
    # unique; its `varchar_pattern_ops` twin (PostgreSQL) is dropped by migration 0003: no reader
    hash = models.CharField(max_length=64, unique=True, editable=False)

    scope_fields = ("unit_path",)
    objects = ScopedManager()

    class Meta:
        verbose_name = _("sự kiện kiểm toán")
        verbose_name_plural = _("sự kiện kiểm toán")
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["chain_key", "sequence"], name="audit_event_chain_sequence_unique"),
        ]
        indexes = [
            models.Index(fields=["target_type", "target_id"], name="audit_event_target"),
            models.Index(fields=["unit_path"], name="audit_event_unit_path"),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.event_type} {self.target_repr}"

    @property
    def actor_name(self) -> str:
        """Who did it, for people: the user's full name (else login name), "Hệ thống" without a user.

        `actor_label` stays the recorded login name (it is hashed); select_related("actor") first."""
        if self.actor_id is not None:
            return self.actor.full_name or self.actor.get_username()
        if self.actor_label in ("", SYSTEM_ACTOR_LABEL):
            return str(_("Hệ thống"))
        return self.actor_label

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path,)
