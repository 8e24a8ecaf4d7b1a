"""The household registry: households, their members, ethnicities, identity duplicates."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.utils.translation import get_language, gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from ansinh.core.models import TimeStampedModel, path_index
from ansinh.core.scoping import ScopedQuerySet
from ansinh.core.text import fold_vietnamese, vietnamese_sort_key
from ansinh.geo.choices import AreaType
from ansinh.jobs.texts import job_message, stored_text

from .choices import (
    Allowance,
    Diploma,
    Disability,
    DuplicateKind,
    DuplicateStatus,
    Durability,
    HealthInsurance,
    HouseholdStatus,
    ImportMode,
    ImportStatus,
    LabourStatus,
    LatrineType,
    MemberStatus,
    MoveStatus,
    PovertyClass,
    PovertyClassSource,
    Relation,
    Schooling,
    Sex,
    WaterSource,
)


class Ethnicity(models.Model):
    """One of Vietnam's 54 ethnic groups (GSO code list), loaded from data/ethnicities.json."""

    code = models.CharField(_("mã"), max_length=4, unique=True)
    name = models.CharField(_("tên"), max_length=60)
    name_folded = models.CharField(max_length=60, editable=False)

    class Meta:
        verbose_name = _("dân tộc")
        verbose_name_plural = _("dân tộc")
        ordering = ["code"]

    def __str__(self) -> str:
        return self.name

    @property
    def is_minority(self) -> bool:
        return self.code != "01"  # every group but Kinh is an ethnic minority (dân tộc thiểu số)


class Household(TimeStampedModel):
    """One household (hộ gia đình) of a commune, with the facts the review forms and reports use.

    `unit_path` is the path of its village (or commune when no village is set) and
    `successor_path` that unit's successor path, copied here so scoping needs no join.
    `version` increases on every change (optimistic locking for concurrent edits).
    """

    commune = models.ForeignKey(  # led by three composite indexes below: no index of its own
        "geo.AdminUnit", verbose_name=_("xã/phường"), on_delete=models.PROTECT, related_name="+", db_index=False
    )
    village = models.ForeignKey(
        "geo.AdminUnit", verbose_name=_("thôn/tổ dân phố"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    code = models.CharField(_("mã hộ"), max_length=30)
    head = models.ForeignKey(
        "Member", verbose_name=_("chủ hộ"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    head_name = models.CharField(_("họ tên chủ hộ"), max_length=150, blank=True, editable=False)
    head_sort_key = models.CharField(max_length=600, blank=True, editable=False)
    status = models.CharField(
        _("tình trạng"), max_length=12, choices=HouseholdStatus.choices, default=HouseholdStatus.ACTIVE
    )
    area_type = models.CharField(_("khu vực"), max_length=8, choices=AreaType.choices)
    area_type_override_reason = models.CharField(_("lý do khác khu vực của xã"), max_length=255, blank=True)
    address = models.CharField(_("địa chỉ"), max_length=255, blank=True)
    phone = models.CharField(_("điện thoại"), max_length=20, blank=True)
    ethnicity = models.ForeignKey(
        Ethnicity,
        verbose_name=_("dân tộc của chủ hộ"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # Flags used by the report forms (TT 07/2021 Phụ lục VII).
    is_ethnic_minority = models.BooleanField(_("hộ dân tộc thiểu số"), default=False)
    is_local_indigenous = models.BooleanField(_("dân tộc tại chỗ"), default=False)
    has_meritorious_person = models.BooleanField(_("có người có công"), default=False)
    has_social_assistance = models.BooleanField(_("có đối tượng bảo trợ xã hội"), default=False)
    no_labour_capacity = models.BooleanField(_("hộ không có khả năng lao động"), default=False)
    female_head = models.BooleanField(_("chủ hộ là nữ"), default=False)
    lone_household = models.BooleanField(_("hộ neo đơn"), default=False)
    # Housing and services (the facts behind the deprivation indicators).
    housing_area_m2 = models.DecimalField(
        _("diện tích nhà ở (m²)"), max_digits=7, decimal_places=1, null=True, blank=True
    )
    wall_durability = models.CharField(_("tường"), max_length=12, choices=Durability.choices, blank=True)
    column_durability = models.CharField(_("cột (khung)"), max_length=12, choices=Durability.choices, blank=True)
    roof_durability = models.CharField(_("mái"), max_length=12, choices=Durability.choices, blank=True)
    water_source = models.CharField(_("nguồn nước sinh hoạt"), max_length=16, choices=WaterSource.choices, blank=True)
    latrine_type = models.CharField(_("nhà tiêu"), max_length=16, choices=LatrineType.choices, blank=True)
    info_devices = models.JSONField(_("phương tiện tiếp cận thông tin"), default=list, blank=True)
    production_land_m2 = models.DecimalField(
        _("đất sản xuất (m²)"), max_digits=10, decimal_places=1, null=True, blank=True
    )
    notes = models.TextField(_("ghi chú"), blank=True)
    # The latest classification, kept here for lists and filters (the poverty app keeps the history).
    poverty_class = models.CharField(
        _("phân loại hiện tại"), max_length=10, choices=PovertyClass.choices, blank=True, editable=False
    )
    poverty_standard = models.CharField(_("theo chuẩn"), max_length=40, blank=True, editable=False)
    poverty_classified_on = models.DateField(_("ngày phân loại"), null=True, blank=True, editable=False)
    poverty_class_source = models.CharField(
        _("căn cứ phân loại"), max_length=14, choices=PovertyClassSource.choices, blank=True, editable=False
    )
    # Scoping reads these through `path_index` (one pattern index each, decision 0019).
    unit_path = models.CharField(max_length=120, editable=False)
    successor_path = models.CharField(max_length=120, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+", db_index=False
    )

    scope_fields = ("unit_path", "successor_path")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hộ gia đình")
        verbose_name_plural = _("hộ gia đình")
        ordering = ["head_sort_key", "code"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "code"], name="registry_household_code_unique_per_commune"),
            models.CheckConstraint(
                condition=Q(housing_area_m2__isnull=True) | Q(housing_area_m2__gte=0),
                name="registry_housing_area_positive",
            ),
            models.CheckConstraint(
                condition=Q(production_land_m2__isnull=True) | Q(production_land_m2__gte=0),
                name="registry_land_area_positive",
            ),
        ]
        indexes = [
            models.Index(fields=["commune", "status"], name="registry_household_commune"),
            models.Index(fields=["commune", "poverty_class"], name="registry_household_class"),
            # The list's order (head name, code): a page is read from the index, not a sort of the area.
            models.Index(fields=["head_sort_key", "code", "id"], name="registry_household_list_order"),
            # The search's "household code" branch (`selectors.households_search`: ``code__iexact`` and
            # ``code__istartswith``); on PostgreSQL built with ``text_pattern_ops`` for the prefix (registry/0009).
            models.Index(Upper("code"), name="registry_hh_code_upper"),
            path_index("registry_hh", "unit_path"),
            path_index("registry_hh", "successor_path"),
        ]
        permissions = [
            ("manage_household", _("Thêm, sửa hộ và thành viên; ghi biến động")),
            ("import_household", _("Nhập hộ từ tệp Excel/CSV")),
            ("export_household", _("Xuất danh sách hộ")),
            ("approve_import", _("Duyệt lần nhập dữ liệu của người khác")),
            ("view_full_identity", _("Xem đầy đủ số CCCD")),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.head_name}" if self.head_name else self.code

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path, self.successor_path)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("registry:household_detail", kwargs={"pk": self.pk})


class Member(TimeStampedModel):
    """One person in a household, with the facts the deprivation indicators are derived from."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="members")
    full_name = models.CharField(_("họ và tên"), max_length=150)
    # Indexed by `registry_member_name_year` (equality leads with it) and the trigram index (search,
    # migration 0006): a plain index of its own was a third copy to write per member (decision 0026).
    name_folded = models.CharField(max_length=150, editable=False)
    sort_key = models.CharField(max_length=600, editable=False)
    sex = models.CharField(_("giới tính"), max_length=6, choices=Sex.choices)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    birth_year = models.PositiveSmallIntegerField(_("năm sinh"))
    ethnicity = models.ForeignKey(
        Ethnicity, verbose_name=_("dân tộc"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    relation = models.CharField(_("quan hệ với chủ hộ"), max_length=16, choices=Relation.choices)
    # One `varchar_pattern_ops` index (Meta): equality and the search's prefix (decision 0026).
    id_number = models.CharField(_("số CCCD/CMND"), max_length=12, blank=True)
    id_kind = models.CharField(max_length=4, blank=True, editable=False)  # "cccd", "cmnd" or ""
    health_insurance = models.CharField(_("bảo hiểm y tế"), max_length=4, choices=HealthInsurance.choices, blank=True)
    schooling = models.CharField(_("đang học"), max_length=16, choices=Schooling.choices, blank=True)
    diploma = models.CharField(_("bằng cấp cao nhất"), max_length=16, choices=Diploma.choices, blank=True)
    disability = models.CharField(_("khuyết tật"), max_length=20, choices=Disability.choices, default=Disability.NONE)
    labour_status = models.CharField(_("tình trạng việc làm"), max_length=20, choices=LabourStatus.choices, blank=True)
    allowance = models.CharField(
        _("lương hưu/trợ cấp"), max_length=20, choices=Allowance.choices, default=Allowance.NONE
    )
    status = models.CharField(_("tình trạng"), max_length=8, choices=MemberStatus.choices, default=MemberStatus.PRESENT)
    death_date = models.DateField(_("ngày mất"), null=True, blank=True)
    left_date = models.DateField(_("ngày chuyển khỏi hộ"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("thứ tự trong hộ"), default=1)
    merged_into = models.ForeignKey(
        "self", verbose_name=_("đã gộp vào"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    scope_fields = ("household__unit_path", "household__successor_path")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("thành viên hộ")
        verbose_name_plural = _("thành viên hộ")
        ordering = ["household", "order", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(death_date__isnull=True)
                | Q(birth_date__isnull=True)
                | Q(death_date__gte=models.F("birth_date")),
                name="registry_member_death_after_birth",
            ),
        ]
        indexes = [
            models.Index(fields=["name_folded", "birth_year"], name="registry_member_name_year"),
            path_index("registry_member", "id_number"),
        ]

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.set_derived_fields()
        super().save(*args, **kwargs)

    def set_derived_fields(self) -> None:
        """What `save` derives from the name and birth date (bulk inserts call it themselves)."""
        self.name_folded = fold_vietnamese(self.full_name)
        self.sort_key = member_sort_key(self.full_name)
        if self.birth_date:
            self.birth_year = self.birth_date.year

    def get_scope_paths(self) -> tuple[str, ...]:
        return self.household.get_scope_paths()

    @property
    def is_living(self) -> bool:
        return self.death_date is None and self.status != MemberStatus.DEAD


def member_sort_key(full_name: str) -> str:
    """Vietnamese name lists sort by given name, then middle and family names ("Nguyễn Văn An" under A)."""
    parts = (full_name or "").split()
    reordered = " ".join([parts[-1], *parts[:-1]]) if parts else ""
    return vietnamese_sort_key(reordered)


class IdentityOverride(TimeStampedModel):
    """An officer confirmed that a CCCD already held by another living member may be entered again.

    Kept so the duplicate stays visible in the duplicate queue with the officer's reason.
    """

    id_number = models.CharField(max_length=12, db_index=True)
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="identity_overrides")
    existing_member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(_("lý do"), max_length=255)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("xác nhận trùng số định danh")
        verbose_name_plural = _("xác nhận trùng số định danh")

    def __str__(self) -> str:
        return f"{self.id_number}: {self.member} / {self.existing_member}"


class HouseholdMove(TimeStampedModel):
    """A household moving to another commune: the sending commune asks, the receiving one accepts.

    Visible from both communes (`unit_path` is where it leaves, `to_unit_path` where it goes).
    """

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="moves")
    from_commune = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    to_commune = models.ForeignKey(
        "geo.AdminUnit", verbose_name=_("xã nơi đến"), on_delete=models.PROTECT, related_name="+"
    )
    to_village = models.ForeignKey(
        "geo.AdminUnit",
        verbose_name=_("thôn nơi đến"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    move_date = models.DateField(_("ngày chuyển"))
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    status = models.CharField(_("trạng thái"), max_length=10, choices=MoveStatus.choices, default=MoveStatus.REQUESTED)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(_("ghi chú quyết định"), max_length=255, blank=True)
    new_household = models.ForeignKey(
        Household,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )  # the household as registered in the receiving commune
    unit_path = models.CharField(max_length=120, editable=False)
    to_unit_path = models.CharField(max_length=120, editable=False)

    scope_fields = ("unit_path", "to_unit_path")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("chuyển hộ")
        verbose_name_plural = _("chuyển hộ")
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["household"], condition=Q(status="requested"), name="registry_one_open_move_per_household"
            )
        ]

    def __str__(self) -> str:
        return f"{self.household} → {self.to_commune}"

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path, self.to_unit_path)


class RegistrySettings(models.Model):
    """Registry settings of one province (e.g. imports need a second user's approval)."""

    province = models.OneToOneField("geo.AdminUnit", on_delete=models.CASCADE, related_name="+")
    import_requires_approval = models.BooleanField(_("lần nhập cần người thứ hai duyệt"), default=False)

    class Meta:
        verbose_name = _("thiết lập sổ hộ của tỉnh")
        verbose_name_plural = _("thiết lập sổ hộ của tỉnh")

    def __str__(self) -> str:
        return str(self.province)


class ImportBatch(TimeStampedModel):
    """One uploaded household file and what became of it: checked, approved, committed.

    The uploaded file and the error workbook stay on disk for the audit trail; `counts` holds
    ``{"created", "updated", "skipped", "invalid", "rows"}``.
    """

    commune = models.ForeignKey(
        "geo.AdminUnit", verbose_name=_("xã/phường"), on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    file = models.FileField(upload_to="imports/%Y/%m/", max_length=255)
    file_name = models.CharField(_("tên tệp"), max_length=255)
    file_sha256 = models.CharField(max_length=64)
    file_format = models.CharField(max_length=8)  # "xlsx" or "csv"
    encoding = models.CharField(max_length=20, blank=True)
    mode = models.CharField(_("cách nhập"), max_length=8, choices=ImportMode.choices, default=ImportMode.CREATE)
    dry_run = models.BooleanField(_("chạy thử"), default=False)
    status = models.CharField(
        _("trạng thái"), max_length=20, choices=ImportStatus.choices, default=ImportStatus.UPLOADED
    )
    requires_approval = models.BooleanField(default=False)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    counts = models.JSONField(default=dict, blank=True)
    error_file = models.FileField(upload_to="imports/errors/%Y/%m/", max_length=255, blank=True)
    # The result workbook in each other language, {"en": storage name}: `error_file` is the one in the
    # default language (before decision 0024's addendum, in the language of whoever started the pass).
    result_files = models.JSONField(default=dict, blank=True)
    job = models.ForeignKey("jobs.Job", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    # The outcome of the last pass or a failure's reason, as written (in the language of whoever started the
    # pass); `message_entry` is the same as an entry (`ansinh.jobs.texts`), read in the reader's language
    # (None for batches stored before it and for a reason that is free text: `message` is shown).
    message = models.TextField(blank=True)
    message_entry = models.JSONField(null=True, blank=True, default=None)
    unit_path = models.CharField(max_length=120, editable=False)

    scope_fields = ("unit_path",)
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("lần nhập hộ")
        verbose_name_plural = _("lần nhập hộ")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.file_name

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path,)

    def result_file_name(self, language: str | None = None) -> str:
        """The storage name of the result workbook in `language` (the active one by default): the
        default-language `error_file` when there is none in that language; "" before there is any."""
        if not self.error_file:
            return ""
        language = (language or get_language() or settings.LANGUAGE_CODE).split("-")[0].lower()
        return (self.result_files or {}).get(language) or self.error_file.name

    def summary(self) -> str:
        """What became of the batch, in the reader's language: the counts of its last pass (written
        for a committed batch, checked otherwise), or the stored message (a failure's reason), from its
        entry when it has one, as written otherwise (decision 0024's second addendum)."""
        counts = self.counts or {}
        if self.status == ImportStatus.FAILED or "created" not in counts:
            return stored_text(self.message_entry, self.message)
        return import_summary(counts, written=self.status == ImportStatus.COMMITTED)


IMPORT_SUMMARY_WRITTEN = gettext_noop(
    "Đã thêm %(created)d hộ, cập nhật %(updated)d hộ, bỏ qua %(skipped)d hộ; %(invalid)d hộ có lỗi chưa ghi."
)
IMPORT_SUMMARY_CHECKED = gettext_noop(
    "Chạy thử: sẽ thêm %(created)d hộ, cập nhật %(updated)d hộ, bỏ qua %(skipped)d hộ; %(invalid)d hộ có lỗi."
)


def import_summary_entry(counts: dict, *, written: bool) -> dict:
    """The one-line outcome of an import pass as a message entry (its text in the active language)."""
    values = {key: counts.get(key, 0) for key in ("created", "updated", "skipped", "invalid")}
    return job_message(IMPORT_SUMMARY_WRITTEN if written else IMPORT_SUMMARY_CHECKED, values)


def import_summary(counts: dict, *, written: bool) -> str:
    """The one-line outcome of an import pass, in the active language."""
    values = {key: counts.get(key, 0) for key in ("created", "updated", "skipped", "invalid")}
    return gettext(IMPORT_SUMMARY_WRITTEN if written else IMPORT_SUMMARY_CHECKED) % values


class DuplicatePair(TimeStampedModel):
    """Two member records that may be the same person, with the evidence and the officer's decision.

    `member_a` has the lower id, so a pair is stored once; a pair marked "different" is never
    proposed again. When marked "same", `conflicts` journals every field whose values differed
    and which value was kept (nothing is overwritten silently).
    """

    member_a = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    member_b = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("loại"), max_length=10, choices=DuplicateKind.choices)
    score = models.FloatField(_("điểm giống"), default=0)
    evidence = models.JSONField(default=dict, blank=True)
    # Other living people with the pair's folded name, sex and birth year (0 when the two differ in
    # one of them): among pairs of one score, the fewer, the likelier one person (decision 0025).
    namesakes = models.PositiveIntegerField(_("số người trùng tên cùng năm sinh"), default=0)
    status = models.CharField(
        _("trạng thái"), max_length=10, choices=DuplicateStatus.choices, default=DuplicateStatus.PENDING
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(_("lý do"), max_length=255, blank=True)
    conflicts = models.JSONField(default=list, blank=True)
    unit_path_a = models.CharField(max_length=120, editable=False)
    unit_path_b = models.CharField(max_length=120, editable=False)

    scope_fields = ("unit_path_a", "unit_path_b")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("cặp nghi trùng")
        verbose_name_plural = _("cặp nghi trùng")
        ordering = ["-score", "namesakes", "id"]
        constraints = [
            models.UniqueConstraint(fields=["member_a", "member_b"], name="registry_duplicate_pair_unique"),
            models.CheckConstraint(
                condition=Q(member_a__lt=models.F("member_b")), name="registry_duplicate_pair_ordered"
            ),
        ]
        permissions = [("decide_duplicate", _("Quyết định cặp nghi trùng"))]

    def __str__(self) -> str:
        return f"{self.member_a} ~ {self.member_b}"

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path_a, self.unit_path_b)
