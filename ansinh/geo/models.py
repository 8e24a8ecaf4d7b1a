"""Administrative units of both structures (2025 two-level, legacy three-level) and villages."""

from datetime import date

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from ansinh.core.models import TimeStampedModel
from ansinh.core.scoping import ScopedQuerySet
from ansinh.core.text import fold_vietnamese, vietnamese_sort_key

from .choices import AreaType, Level, Structure, UnitType


class AdminUnitQuerySet(ScopedQuerySet):
    def valid_on(self, day: date):
        """Units in force on `day` (the 2025 tree from 1/7/2025, the legacy tree before)."""
        return self.filter(Q(valid_from__isnull=True) | Q(valid_from__lte=day)).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=day)
        )


class AdminUnit(TimeStampedModel):
    """One administrative unit: a province, a (legacy) district, a commune, or a village.

    `path` is the materialised path of codes (``/2025/38/16000/``); a legacy unit also carries
    `successor_path`, the path of the 2025 unit it is reported under, so that users of the new
    structure see their predecessors' records.
    """

    structure = models.CharField(_("cơ cấu"), max_length=8, choices=Structure.choices)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices)
    unit_type = models.CharField(_("loại đơn vị"), max_length=16, choices=UnitType.choices)
    code = models.CharField(_("mã"), max_length=20)
    name = models.CharField(_("tên"), max_length=150)
    short_name = models.CharField(_("tên ngắn"), max_length=120)
    name_folded = models.CharField(max_length=150, editable=False, db_index=True)
    sort_key = models.CharField(max_length=600, editable=False)
    parent = models.ForeignKey(
        "self", verbose_name=_("đơn vị cấp trên"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="children",
    )  # fmt: skip
    path = models.CharField(_("đường dẫn"), max_length=120, unique=True, editable=False)
    successor_path = models.CharField(max_length=120, blank=True, default="", editable=False)
    area_type = models.CharField(_("khu vực"), max_length=8, choices=AreaType.choices, blank=True, default="")
    latitude = models.FloatField(_("vĩ độ"), null=True, blank=True)
    longitude = models.FloatField(_("kinh độ"), null=True, blank=True)
    area_km2 = models.FloatField(_("diện tích (km²)"), null=True, blank=True)
    valid_from = models.DateField(_("hiệu lực từ"), null=True, blank=True)
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)

    scope_fields = ("path", "successor_path")
    objects = AdminUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị hành chính")
        verbose_name_plural = _("đơn vị hành chính")
        ordering = ["sort_key"]
        constraints = [
            models.UniqueConstraint(
                fields=["structure", "code"], condition=~Q(level="village"), name="geo_unit_code_unique_per_structure"
            ),
            models.UniqueConstraint(
                fields=["parent", "code"], condition=Q(level="village"), name="geo_village_code_unique_per_commune"
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True)
                | Q(valid_from__isnull=True)
                | Q(valid_to__gte=models.F("valid_from")),
                name="geo_unit_valid_range",
            ),
        ]
        indexes = [
            models.Index(fields=["structure", "level"], name="geo_unit_structure_level"),
            models.Index(fields=["successor_path"], name="geo_unit_successor_path"),
        ]
        permissions = [
            ("manage_village", _("Thêm, sửa thôn/tổ dân phố")),
            ("set_area_type", _("Đặt khu vực thành thị/nông thôn")),
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        self.name_folded, self.sort_key = self.derived_text(self.name, self.short_name)
        self.path = self.build_path(self.parent, self.structure, self.code)
        super().save(*args, **kwargs)

    @staticmethod
    def derived_text(name: str, short_name: str) -> tuple[str, str]:
        """(`name_folded`, `sort_key`) for a name; `bulk_create` skips `save()`, so loaders call this."""
        return fold_vietnamese(name), vietnamese_sort_key(short_name or name, numbers=True)

    @staticmethod
    def build_path(parent: "AdminUnit | None", structure: str, code: str) -> str:
        return f"{parent.path}{code}/" if parent is not None else f"/{structure}/{code}/"

    def clean(self) -> None:
        if self.parent is not None and self.parent.structure != self.structure:
            raise ValidationError(_("Đơn vị cấp trên phải cùng cơ cấu hành chính."))
        if "/" in (self.code or ""):
            raise ValidationError({"code": _("Mã không được chứa dấu gạch chéo.")})

    def get_absolute_url(self) -> str:
        return reverse("geo:unit_detail", args=[self.pk])

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.path, self.successor_path)

    def is_valid_on(self, day: date) -> bool:
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or self.valid_to >= day)

    @property
    def is_legacy(self) -> bool:
        return self.structure == Structure.LEGACY

    def ancestors(self) -> list["AdminUnit"]:
        """From the province down to the parent, in one query."""
        prefixes = []
        parts = self.path.strip("/").split("/")
        for depth in range(2, len(parts)):
            prefixes.append("/" + "/".join(parts[:depth]) + "/")
        by_path = {u.path: u for u in AdminUnit.objects.filter(path__in=prefixes)}
        return [by_path[p] for p in prefixes if p in by_path]


class UnitSuccession(models.Model):
    """A legacy commune (valid to 30/6/2025) continued by a 2025 commune.

    A legacy commune split between several new communes has several rows; `is_default` marks
    the one its records are reported under when no street address decides (the package's
    converter default).
    """

    predecessor = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="successions")
    successor = models.ForeignKey(AdminUnit, on_delete=models.CASCADE, related_name="predecessions")
    is_default = models.BooleanField(default=True)

    class Meta:
        verbose_name = _("kế thừa đơn vị")
        verbose_name_plural = _("kế thừa đơn vị")
        constraints = [models.UniqueConstraint(fields=["predecessor", "successor"], name="geo_succession_unique")]

    def __str__(self) -> str:
        return f"{self.predecessor} → {self.successor}"


class GeoDatasetLoad(models.Model):
    """One load of the national unit data set: which source and checksum, and what it changed."""

    source = models.CharField(max_length=80)
    checksum = models.CharField(max_length=64)
    loaded_at = models.DateTimeField(auto_now_add=True)
    counts = models.JSONField(default=dict)

    class Meta:
        verbose_name = _("lần nạp dữ liệu đơn vị")
        verbose_name_plural = _("lần nạp dữ liệu đơn vị")
        ordering = ["-loaded_at"]

    def __str__(self) -> str:
        return f"{self.source} {self.checksum[:12]}"
