"""Append-only, hash-chained audit events (docs/decisions/0002-audit-chains-per-province.md)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ansinh.core.partitions import NATIONAL_KEY, province_key
from ansinh.core.scoping import ScopedQuerySet, scope_of

NATIONAL_CHAIN = NATIONAL_KEY


def chain_key_for(unit_path: str) -> str:
    """Events of one province share a chain: ``/2025/38/16000/`` → ``2025:38`` (the province key of the
    path, `core.partitions.province_key`, which also places the classification results)."""
    return province_key(unit_path)


class AuditEventQuerySet(ScopedQuerySet):
    def visible_to(self, user, *, perm: str | None = None):
        """As for any scoped model, plus the chains of the area: an event's chain follows from its unit
        path, so the condition is exact, and on PostgreSQL it reads only those chains' partitions."""
        rows = super().visible_to(user, perm=perm)
        scope = scope_of(user, perm or "audit.view_auditevent")
        if scope.is_empty or scope.national:
            return rows
        paths = scope.minimal_paths()
        if any(chain_key_for(path) == NATIONAL_CHAIN for path in paths):  # a structure-wide path
            return rows
        return rows.filter(chain_key__in=sorted({chain_key_for(path) for path in paths}))


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
    # No index (migration 0004): nothing looks an event up by its hash, and a unique hash would add
    # nothing to the unique (chain_key, sequence) the hash covers; PostgreSQL partitions the table by
    # chain (`partitions`, decision 0030) and a unique index there must hold the chain key.
    hash = models.CharField(max_length=64, editable=False)

    scope_fields = ("unit_path",)
    objects = models.Manager.from_queryset(AuditEventQuerySet)()

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
