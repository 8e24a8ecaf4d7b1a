"""Abstract bases shared by every app. The core app has no domain tables of its own."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    """Adds creation and last-change times to a row."""

    created_at = models.DateTimeField(_("tạo lúc"), auto_now_add=True, editable=False)
    updated_at = models.DateTimeField(_("cập nhật lúc"), auto_now=True, editable=False)

    class Meta:
        abstract = True


def path_index(table: str, field: str) -> models.Index:
    """The index behind area scoping (`visible_to`: ``<field> LIKE 'prefix%'``) on a unit path column,
    and on any other column read by equality and by prefix only (a member's CCCD, decision 0026).

    ``CharField(db_index=True)`` gives two indexes on PostgreSQL, a plain btree and a
    ``varchar_pattern_ops`` one for ``LIKE``; scoping only uses the second (and equality, which it
    also serves), so the large tables declare this one alone: every index is paid for on each
    write of the row (decision 0019). On SQLite the operator class is ignored: a plain index.
    """
    return models.Index(fields=[field], name=f"{table}_{field}", opclasses=["varchar_pattern_ops"])
