"""Poverty standards as versioned data, household assessments and classification results.

- `PovertyStandard` is one standard (e.g. ``2022-2025``); its definition (lines, rule shape,
  dimensions, indicators, derivation rules) is JSON checked by `standard.StandardSpec`. Every
  change, from the data file or by an administrator, adds a `StandardVersion`: a classification
  points at the version it used, so it stays explainable after the standard is edited.
- `Assessment` is what form B says about a household under a standard: income (score or amount;
  the score entered as a total or computed from the item answers with the standard's scoring table),
  the indicators answered directly, and the enumerator's overrides of derived answers with reasons.
  Never updated nor deleted; on PostgreSQL partitioned by `province_key` (decision 0037), and the
  references to it (a result's, a review case's) are Django's only (no database foreign key).
- `Classification` is one result, never overwritten: the class, flags, each derived indicator's
  value with the registry facts it came from, and the facts the class was decided from. Its reasons
  are built from those facts when read (`Classification.result_reasons()`, decision 0027), its
  indicator records (answer, override, final value) from its form B (`result_indicators()`, decision
  0028); rows written before keep what they stored. A household's history is its rows. On
  PostgreSQL the table is partitioned by `province_key` (decision 0034, `partitions`).
- `ClassificationRun` is a bulk classification of a unit: preview first, then commit.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ansinh.core.exceptions import ApplicationError
from ansinh.core.models import TimeStampedModel, path_index
from ansinh.core.partitions import province_key, reported_province_key
from ansinh.core.scoping import ScopedQuerySet, scope_of
from ansinh.core.text import dmy, localized
from ansinh.geo.choices import AreaType, Structure
from ansinh.jobs.texts import stored_text

from .choices import IncomeSource, PovertyClass, RunStatus


class PovertyStandard(TimeStampedModel):
    code = models.CharField(_("mã chuẩn"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True)
    valid_from = models.DateField(_("áp dụng từ"))
    valid_to = models.DateField(_("áp dụng đến"), null=True, blank=True)
    jurisdiction = models.JSONField(_("phạm vi (đơn vị hành chính)"), default=list, blank=True)
    provisional = models.BooleanField(_("tạm thời"), default=False)
    version = models.PositiveIntegerField(_("phiên bản"), default=1)
    definition = models.JSONField(_("nội dung"))
    # The `version` of the data file last loaded, and whether an administrator edited it since.
    file_version = models.PositiveIntegerField(default=0)
    edited_by_admin = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("chuẩn nghèo")
        verbose_name_plural = _("chuẩn nghèo")
        ordering = ["valid_from", "code"]
        permissions = [("classify_household", "Phân loại hộ nghèo, cận nghèo")]

    def __str__(self) -> str:
        return self.name

    @property
    def title(self) -> str:
        """The name in the reader's language (`name_en` for an English reader, Vietnamese as fallback)."""
        return localized(self.name, self.name_en)

    @property
    def is_local(self) -> bool:
        return bool(self.jurisdiction)

    def spec(self):
        from .standard import StandardSpec

        return StandardSpec.from_dict(self.definition)


class StandardVersion(models.Model):
    standard = models.ForeignKey(PovertyStandard, on_delete=models.PROTECT, related_name="versions")
    version = models.PositiveIntegerField(_("phiên bản"))
    definition = models.JSONField()
    source = models.CharField(max_length=8)  # "file" or "admin"
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phiên bản chuẩn nghèo")
        verbose_name_plural = _("phiên bản chuẩn nghèo")
        ordering = ["standard", "-version"]
        constraints = [models.UniqueConstraint(fields=["standard", "version"], name="poverty_standard_version_unique")]

    def __str__(self) -> str:
        return f"{self.standard.code} v{self.version}"

    def spec(self):
        """The parsed definition, once per saved row (rows are never changed: an edit adds a row).

        A standard with its scoring tables takes a few milliseconds to parse; pages and API lists
        show the reasons of many results of the same version.
        """
        from .standard import StandardSpec

        if self.pk is None or self.created_at is None:
            return StandardSpec.from_dict(self.definition)
        key = (self.pk, self.created_at)
        spec = _VERSION_SPECS.get(key)
        if spec is None:
            if len(_VERSION_SPECS) >= 256:
                _VERSION_SPECS.clear()
            spec = _VERSION_SPECS[key] = StandardSpec.from_dict(self.definition)
        return spec


_VERSION_SPECS: dict[tuple, object] = {}  # (StandardVersion pk, created_at) → StandardSpec


class ProvinceKeyedQuerySet(ScopedQuerySet):
    """Rows of a table partitioned by `province_key` (decisions 0034, 0037), read by province where the
    province is known, so that PostgreSQL reads one partition. Each added condition is exact: it follows
    from what already selects the rows."""

    def visible_to(self, user, *, perm: str | None = None):
        """As for any scoped model, plus the provinces of the area when every path of it lies inside a
        province of today's structure: a row under ``/2025/38/…`` by its unit path is a 2025 unit's
        (no successor), by its successor path a legacy unit's reported there, so its key is ``2025:38``
        either way. A national reader, or an area holding a legacy unit (reported under successors the
        path does not name), reads every partition."""
        rows = super().visible_to(user, perm=perm)
        opts = self.model._meta
        scope = scope_of(user, perm or f"{opts.app_label}.view_{opts.model_name}")
        if scope.is_empty or scope.national:
            return rows
        keys = set()
        for path in scope.minimal_paths():
            key = province_key(path)
            if not key.startswith(f"{Structure.Y2025}:"):
                return rows
            keys.add(key)
        return rows.filter(province_key__in=sorted(keys))

    def of_household(self, household):
        """The household's rows. A household never leaves its commune (a move registers a new
        household in the receiving one, `registry.services_life.household_move_accept`), a village
        change stays in it, and a legacy commune's successors lie in the province its own province
        became: every row of a household carries the key of the household's paths."""
        return self.filter(
            household=household, province_key=reported_province_key(household.unit_path, household.successor_path)
        )


class ClassificationQuerySet(ProvinceKeyedQuerySet):
    """Results, read by province where the province is known (decision 0034)."""


class AssessmentQuerySet(ProvinceKeyedQuerySet):
    """Form Bs, read by province where the province is known (decision 0037)."""

    def require(self, ids, *, province_keys=None) -> None:
        """Refuse (`ApplicationError` ``form_b_missing``) when a form B of `ids` does not exist: the check
        a database foreign key made before form B was partitioned (decision 0037), for the writers of a
        reference to one (results, review cases). ``None`` ids are no reference. `province_keys`: the keys
        those form Bs carry when the writer knows them (a result's form B is its household's, so it has the
        result's key): PostgreSQL then looks in those partitions only, not in all 35."""
        wanted = {int(pk) for pk in ids if pk is not None}
        if not wanted:
            return
        rows = self.model._default_manager.all()
        if province_keys is not None:
            rows = rows.filter(province_key__in=sorted(set(province_keys)))
        found: set[int] = set()
        listed = sorted(wanted)
        for start in range(0, len(listed), 900):  # SQLite's limit on bound parameters
            found.update(rows.filter(pk__in=listed[start : start + 900]).values_list("pk", flat=True))
        missing = sorted(wanted - found)
        if missing:
            raise ApplicationError(
                _("Không tìm thấy phiếu B số %(ids)s: phiếu đã bị xóa hoặc không tồn tại.")
                % {"ids": ", ".join(str(pk) for pk in missing[:5])},
                code="form_b_missing",
                details={"assessments": missing[:20]},
            )


class Assessment(models.Model):
    """Form B facts of one household under one standard (the latest one is used)."""

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="assessments")
    standard = models.ForeignKey(PovertyStandard, on_delete=models.PROTECT, related_name="+")
    assessed_on = models.DateField(_("ngày thu thập"))
    income_source = models.CharField(_("nguồn thu nhập"), max_length=12, choices=IncomeSource.choices)
    income_per_capita = models.BigIntegerField(_("thu nhập bình quân (đồng/người/tháng)"), null=True, blank=True)
    income_score = models.PositiveIntegerField(_("điểm thu nhập"), null=True, blank=True)
    # Form B item answers ({item: option code or number}) when the score was computed from the
    # standard's scoring table; `score_detail` keeps the table used (standard version, region,
    # area) and the points of each item. Both empty when the total score was entered directly.
    score_answers = models.JSONField(_("trả lời các mục chấm điểm"), default=dict, blank=True)
    score_detail = models.JSONField(_("cách tính điểm"), default=dict, blank=True)
    farming = models.BooleanField(_("hộ làm nông, lâm, ngư, diêm nghiệp"), default=False)
    answers = models.JSONField(_("trả lời trực tiếp"), default=dict, blank=True)  # {code: bool}
    overrides = models.JSONField(_("sửa chỉ số suy ra"), default=dict, blank=True)  # {code: {"value", "reason"}}
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    unit_path = models.CharField(max_length=120, db_index=True)
    successor_path = models.CharField(max_length=120, blank=True, db_index=True)
    # The province the form B is reported under (``2025:38``: its successor's for a legacy unit,
    # `core.partitions.reported_province_key`), derived from its paths when saved: the partition key on
    # PostgreSQL (decision 0037). The primary key there is ``(id, province_key)``; ids stay unique.
    province_key = models.CharField(max_length=40, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    scope_fields = ("unit_path", "successor_path")
    objects = AssessmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("phiếu thu thập thông tin hộ")
        verbose_name_plural = _("phiếu thu thập thông tin hộ")
        ordering = ["-assessed_on", "-id"]
        # Incomes and form B scores are personal data: shown only to roles holding this (see privacy.py).
        permissions = [("view_income", "Xem thu nhập, điểm thu nhập của hộ")]
        indexes = [models.Index(fields=["household", "standard", "-assessed_on", "-id"], name="poverty_assess_latest")]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(income_per_capita__isnull=True) | models.Q(income_per_capita__gte=0),
                name="poverty_assessment_income_not_negative",
            ),
            # Every writer sets the key (a forgotten one would put rows in the default partition unseen).
            models.CheckConstraint(condition=~models.Q(province_key=""), name="poverty_assess_province_set"),
        ]

    def __str__(self) -> str:
        return f"{self.household}: {self.standard.code} ({dmy(self.assessed_on)})"

    def save(self, *args, **kwargs):
        # Derived from the row's own paths on every ORM save, so that the key (the partition) follows the
        # paths if a form B were ever re-placed; the bulk writers set it themselves (`keyed`).
        self.province_key = reported_province_key(self.unit_path, self.successor_path)
        if kwargs.get("update_fields") is not None and {"unit_path", "successor_path"} & set(kwargs["update_fields"]):
            kwargs["update_fields"] = {*kwargs["update_fields"], "province_key"}
        super().save(*args, **kwargs)

    def keyed(self) -> "Assessment":
        """The row with its province key set from its paths (for writers that bypass `save`)."""
        self.province_key = reported_province_key(self.unit_path, self.successor_path)
        return self

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path, self.successor_path)


class ClassificationRun(TimeStampedModel):
    """A bulk classification of every household of a unit under one standard version."""

    unit = models.ForeignKey("geo.AdminUnit", verbose_name=_("địa bàn"), on_delete=models.PROTECT, related_name="+")
    standard_version = models.ForeignKey(StandardVersion, on_delete=models.PROTECT, related_name="+")
    on_date = models.DateField(_("tính đến ngày"))
    status = models.CharField(_("trạng thái"), max_length=12, choices=RunStatus.choices, default=RunStatus.PREVIEWING)
    preview = models.JSONField(default=dict, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    unit_path = models.CharField(max_length=120, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    committed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    error = models.TextField(blank=True)
    # The failure reason as an entry (`ansinh.jobs.texts`), read in the reader's language through
    # `error_text`; None for an exception's free text and runs failed before it (`error` is shown).
    error_entry = models.JSONField(null=True, blank=True, default=None)

    scope_fields = ("unit_path",)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("đợt phân loại hàng loạt")
        verbose_name_plural = _("đợt phân loại hàng loạt")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.unit.name} – {self.standard_version}"

    def error_text(self) -> str:
        """The failure reason in the reader's language when stored as an entry; as written otherwise."""
        return stored_text(self.error_entry, self.error)

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path,)


class Classification(models.Model):
    # Indexes: each is paid for on every result row a bulk run writes (decision 0019), so only those
    # with a reader are kept: the latest per household (`poverty_class_latest`, which also serves
    # lookups by household), the run's results, scoping by path, the standard code.
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="classifications", db_index=False
    )
    standard_version = models.ForeignKey(StandardVersion, on_delete=models.PROTECT, related_name="+", db_index=False)
    standard_code = models.CharField(max_length=40)
    # Not a database foreign key (decision 0037): form B is partitioned by province on PostgreSQL, and a
    # foreign key to a partitioned table would need its whole primary key ``(id, province_key)``. PROTECT is
    # Django's (a form B a result names is not deleted); the writers check the form Bs they name exist
    # (`Assessment.objects.require`).
    assessment = models.ForeignKey(
        Assessment, null=True, blank=True, on_delete=models.PROTECT, related_name="+", db_constraint=False
    )
    run = models.ForeignKey(
        ClassificationRun, null=True, blank=True, on_delete=models.PROTECT, related_name="classifications"
    )
    klass = models.CharField(_("phân loại"), max_length=10, choices=PovertyClass.choices)
    flags = models.JSONField(default=list, blank=True)
    area = models.CharField(_("khu vực"), max_length=5, choices=AreaType.choices)
    farming = models.BooleanField(default=False)
    income_source = models.CharField(max_length=12, choices=IncomeSource.choices)
    income_per_capita = models.BigIntegerField(null=True, blank=True)
    income_score = models.PositiveIntegerField(null=True, blank=True)
    deprivations = models.JSONField(default=list)  # indicator codes, in the standard's order
    # New rows: [[derived, facts], …] in the standard's order (decision 0028); rows written before: the
    # whole records [{code, derived, facts, answer, override, reason, final, source}]. Read
    # `result_indicators()`.
    indicators = models.JSONField(default=list)
    # Stored only by results written before decision 0027 (new rows: []); read `result_reasons()`.
    reasons = models.JSONField(default=list)
    on_date = models.DateField(_("tính đến ngày"))
    unit_path = models.CharField(max_length=120)
    successor_path = models.CharField(max_length=120, blank=True)
    # The province the result is reported under (``2025:38``: its successor's for a legacy unit,
    # `core.partitions.reported_province_key`), set when written: the partition key on PostgreSQL
    # (decision 0034). The primary key there is ``(id, province_key)``; ids stay unique.
    province_key = models.CharField(max_length=40, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", db_index=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    scope_fields = ("unit_path", "successor_path")
    objects = ClassificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("kết quả phân loại hộ")
        verbose_name_plural = _("kết quả phân loại hộ")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["household", "-created_at", "-id"], name="poverty_class_latest"),
            models.Index(fields=["standard_code"], name="poverty_class_standard"),
            path_index("poverty_class", "unit_path"),
            path_index("poverty_class", "successor_path"),
        ]
        # Every writer sets the key (a forgotten one would put rows in the default partition unseen).
        constraints = [models.CheckConstraint(condition=~models.Q(province_key=""), name="poverty_class_province_set")]

    def __str__(self) -> str:
        return f"{self.household_id}: {self.klass} ({self.standard_code})"

    def save(self, *args, **kwargs):
        # Derived from the row's own paths, like `AdminUnit.path`; the bulk writers set it themselves.
        if not self.province_key:
            self.province_key = reported_province_key(self.unit_path, self.successor_path)
        super().save(*args, **kwargs)

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path, self.successor_path)

    def result_reasons(self) -> list[dict]:
        """The reasons of this result: every reader of a result's reasons goes through here.

        Results written before decision 0027 keep the reasons they stored. Newer results store none
        (``reasons = []``): they are built again from the facts this row keeps (area, farming, income,
        deprivations, date) under its pinned standard version, plus the score-table reason from its
        form B's `score_detail`, exactly as `services.evaluate` gave them (`reasons.result_reasons`).
        Lists: select the standard version and the assessment with the rows (`selectors`); the parsed
        standard is cached per version. Computed once per instance.
        """
        cached = getattr(self, "_result_reasons", None)
        if cached is None:
            from .reasons import result_reasons

            cached = self._result_reasons = result_reasons(self)
        return [dict(r) for r in cached]

    def result_indicators(self) -> list[dict]:
        """The indicator records of this result: every reader of a result's indicators goes through here.

        ``[{code, derived, facts, answer, override, reason, final, source}]`` in the standard's order,
        exactly as `services.evaluate` gave them. Results written before decision 0028 stored them (a
        list of objects) and keep them. Newer results store ``[[derived, facts], …]``: the answer, override
        and reason come from this row's form B (never updated), the final value and source follow
        (`indicators.result_indicators`). Lists: select the standard version and the assessment with
        the rows (`selectors`). Computed once per instance.
        """
        cached = getattr(self, "_result_indicators", None)
        if cached is None:
            from .indicators import result_indicators

            cached = self._result_indicators = result_indicators(self)
        return [{**r, "facts": dict(r["facts"])} if isinstance(r.get("facts"), dict) else dict(r) for r in cached]

    def as_result(self) -> dict:
        return {"class": self.klass, "flags": list(self.flags), "reasons": self.result_reasons()}
