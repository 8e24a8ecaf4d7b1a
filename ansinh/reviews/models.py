"""Review campaigns (đợt rà soát hộ nghèo, hộ cận nghèo) and their plan.

- `CampaignKind` is one kind of review (yearly periodic, monthly regular, average-standard
  farming households) as data: period rule, approval chains, default milestones, due-soon window.
- `Campaign` is one review run by a province (or a commune) under a plan, with the units it
  covers, its milestones copied from the kind at creation (later edits of the kind leave it alone),
  the steering committee, the enumerators and supervisors of each village, and the trainings held.
- `FormAChecklist` is one version of phiếu A's exclusion criteria (data, editable by an administrator).
- `ReviewCase` is one household in one campaign, moving through the procedure (`choices.CASE_TRANSITIONS`).
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ansinh.core.models import TimeStampedModel
from ansinh.core.scoping import ScopedQuerySet
from ansinh.geo.choices import Level

from .choices import ApplicationChannel, AssignmentRole, CampaignStatus, CaseOrigin, CaseState, CommitteeRole


class CampaignKind(TimeStampedModel):
    """One kind of review; `definition` is checked by `kinds.KindSpec` (an entry of the data file)."""

    code = models.CharField(_("mã"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    order = models.PositiveIntegerField(_("thứ tự"), default=100)
    definition = models.JSONField(_("nội dung"))
    # The data file's `version` last loaded, and whether an administrator edited the kind since.
    file_version = models.PositiveIntegerField(default=0)
    edited_by_admin = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("loại đợt rà soát")
        verbose_name_plural = _("loại đợt rà soát")
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return self.name

    def spec(self):
        from .kinds import KindSpec

        return KindSpec.from_dict(self.definition)


class Campaign(TimeStampedModel):
    """One review campaign of a unit (usually a province) under its plan (kế hoạch)."""

    name = models.CharField(_("tên đợt"), max_length=200)
    kind = models.ForeignKey(CampaignKind, verbose_name=_("loại rà soát"), on_delete=models.PROTECT,
                             related_name="campaigns")  # fmt: skip
    year = models.PositiveIntegerField(_("năm"))
    month = models.PositiveSmallIntegerField(_("tháng"), null=True, blank=True)
    period_start = models.DateField(_("bắt đầu"))
    period_end = models.DateField(_("kết thúc"))
    plan_number = models.CharField(_("số kế hoạch"), max_length=60)
    plan_date = models.DateField(_("ngày kế hoạch"))
    standard = models.ForeignKey("poverty.PovertyStandard", verbose_name=_("chuẩn nghèo"), on_delete=models.PROTECT,
                                 related_name="+")  # fmt: skip
    unit = models.ForeignKey("geo.AdminUnit", verbose_name=_("đơn vị chủ trì"), on_delete=models.PROTECT,
                             related_name="+")  # fmt: skip
    structure = models.CharField(_("cơ cấu đơn vị"), max_length=8)
    approval_chain = models.JSONField(_("trình tự báo cáo, phê duyệt"), default=list)
    due_soon_days = models.PositiveSmallIntegerField(_("báo sắp đến hạn trước (ngày)"))
    status = models.CharField(_("trạng thái"), max_length=12, choices=CampaignStatus.choices,
                              default=CampaignStatus.DRAFT)  # fmt: skip
    note = models.TextField(_("ghi chú"), blank=True)
    cancel_reason = models.CharField(_("lý do hủy"), max_length=255, blank=True)
    unit_path = models.CharField(max_length=120, db_index=True)
    successor_path = models.CharField(max_length=120, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    scope_fields = ("unit_path", "successor_path")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("đợt rà soát")
        verbose_name_plural = _("đợt rà soát")
        ordering = ["-period_start", "-id"]
        permissions = [
            ("manage_campaign", "Quản lý đợt rà soát"),
            ("complete_milestone", "Ghi hoàn thành mốc rà soát"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(period_end__gte=models.F("period_start")),
                                   name="reviews_campaign_period_order"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path, self.successor_path)


class CampaignUnit(models.Model):
    """A unit (district, commune) the campaign covers; it reports on the milestones of its level."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="covered")
    unit = models.ForeignKey("geo.AdminUnit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+")
    unit_path = models.CharField(max_length=120, db_index=True)
    successor_path = models.CharField(max_length=120, blank=True, db_index=True)

    scope_fields = ("unit_path", "successor_path")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("đơn vị tham gia rà soát")
        verbose_name_plural = _("đơn vị tham gia rà soát")
        ordering = ["campaign", "unit__sort_key"]
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="reviews_campaign_unit_unique")]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.unit_id}"

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path, self.successor_path)


class Milestone(models.Model):
    """One deadline of the campaign for every unit of one level (e.g. district official report by 10/10)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="milestones")
    code = models.CharField(_("mã"), max_length=60)
    name = models.CharField(_("tên mốc"), max_length=200)
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices)
    deadline = models.DateField(_("hạn"))
    order = models.PositiveSmallIntegerField(default=0)
    source = models.CharField(_("căn cứ"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("mốc rà soát")
        verbose_name_plural = _("mốc rà soát")
        ordering = ["campaign", "deadline", "order"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="reviews_milestone_code_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.deadline})"


class MilestoneCompletion(models.Model):
    """One unit has done one milestone (on `done_on`); late when after the deadline."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="completions")
    unit = models.ForeignKey("geo.AdminUnit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+")
    done_on = models.DateField(_("ngày hoàn thành"))
    note = models.CharField(_("ghi chú"), max_length=255, blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    unit_path = models.CharField(max_length=120, db_index=True)
    successor_path = models.CharField(max_length=120, blank=True, db_index=True)

    scope_fields = ("unit_path", "successor_path")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hoàn thành mốc")
        verbose_name_plural = _("hoàn thành mốc")
        ordering = ["milestone", "unit"]
        constraints = [
            models.UniqueConstraint(fields=["milestone", "unit"], name="reviews_completion_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.milestone_id}/{self.unit_id}: {self.done_on}"

    @property
    def late(self) -> bool:
        return self.done_on > self.milestone.deadline

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path, self.successor_path)


class SteeringMember(models.Model):
    """A member of the review steering committee (Ban Chỉ đạo) of one level of the campaign."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="steering_members")
    unit = models.ForeignKey("geo.AdminUnit", verbose_name=_("cấp"), on_delete=models.PROTECT, related_name="+")
    full_name = models.CharField(_("họ và tên"), max_length=150)
    position = models.CharField(_("chức vụ, cơ quan"), max_length=200)
    committee_role = models.CharField(_("nhiệm vụ trong Ban"), max_length=10, choices=CommitteeRole.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+")  # fmt: skip
    removed_on = models.DateField(_("thôi tham gia từ"), null=True, blank=True)
    unit_path = models.CharField(max_length=120, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("thành viên Ban Chỉ đạo")
        verbose_name_plural = _("thành viên Ban Chỉ đạo")
        ordering = ["campaign", "unit__sort_key", "committee_role", "full_name"]

    def __str__(self) -> str:
        return f"{self.full_name} ({self.get_committee_role_display()})"

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path,)


class Assignment(models.Model):
    """An enumerator or supervisor assigned to a village for the campaign (a user or just a name)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="assignments")
    village = models.ForeignKey("geo.AdminUnit", verbose_name=_("thôn/tổ dân phố"), on_delete=models.PROTECT,
                                related_name="+")  # fmt: skip
    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("tài khoản"), null=True, blank=True,
                             on_delete=models.PROTECT, related_name="+")  # fmt: skip
    person_name = models.CharField(_("họ và tên"), max_length=150)
    role = models.CharField(_("nhiệm vụ"), max_length=12, choices=AssignmentRole.choices)
    start_on = models.DateField(_("từ ngày"))
    end_on = models.DateField(_("đến ngày"), null=True, blank=True)
    unit_path = models.CharField(max_length=120, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("phân công rà soát")
        verbose_name_plural = _("phân công rà soát")
        ordering = ["campaign", "village__sort_key", "role", "person_name"]

    def __str__(self) -> str:
        return f"{self.person_name} ({self.get_role_display()})"

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path,)


class TrainingSession(models.Model):
    """A training held for the campaign (tập huấn) and who attended it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="trainings")
    unit = models.ForeignKey("geo.AdminUnit", verbose_name=_("đơn vị tổ chức"), on_delete=models.PROTECT,
                             related_name="+")  # fmt: skip
    held_on = models.DateField(_("ngày tập huấn"))
    topic = models.CharField(_("nội dung"), max_length=255)
    place = models.CharField(_("địa điểm"), max_length=200, blank=True)
    attendees = models.JSONField(_("người tham dự"), default=list, blank=True)  # ["Họ tên — chức vụ", …]
    unit_path = models.CharField(max_length=120, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("buổi tập huấn")
        verbose_name_plural = _("buổi tập huấn")
        ordering = ["campaign", "held_on", "id"]

    def __str__(self) -> str:
        return f"{self.topic} ({self.held_on})"

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path,)


class FormAChecklist(TimeStampedModel):
    """One version of phiếu A (TT 07/2021 Phụ lục II): the exclusion criteria an applicant household is
    screened with. `criteria` is a list of {code, text, source, provisional}; loaded from
    data/form_a.json, an administrator may edit it (audited)."""

    version = models.CharField(_("phiên bản"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    source = models.CharField(_("căn cứ"), max_length=255, blank=True)
    valid_from = models.DateField(_("áp dụng từ"))
    criteria = models.JSONField(_("tiêu chí loại trừ"), default=list)
    file_checksum = models.CharField(max_length=64, blank=True, editable=False)
    edited_by_admin = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("phiếu A (tiêu chí loại trừ)")
        verbose_name_plural = _("phiếu A (tiêu chí loại trừ)")
        ordering = ["-valid_from", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.version})"


class ReviewCase(TimeStampedModel):
    """One household in one review campaign: why it is reviewed (`origin`), where it stands in the
    procedure (`state`), its application (Mẫu 01) when it applied, and its phiếu A answers.
    Placed by the household's unit paths (copied at creation, like the household's own)."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("đợt rà soát"), on_delete=models.PROTECT,
                                 related_name="cases")  # fmt: skip
    household = models.ForeignKey("registry.Household", verbose_name=_("hộ gia đình"), on_delete=models.PROTECT,
                                  related_name="review_cases")  # fmt: skip
    origin = models.CharField(_("lý do rà soát"), max_length=16, choices=CaseOrigin.choices)
    state = models.CharField(_("tình trạng"), max_length=16, choices=CaseState.choices, default=CaseState.LISTED)
    # The application (Giấy đề nghị, Mẫu số 01 of QĐ 24/2021), only for origin "applied".
    channel = models.CharField(_("hình thức nộp"), max_length=12, choices=ApplicationChannel.choices, blank=True)
    received_on = models.DateField(_("ngày nhận giấy đề nghị"), null=True, blank=True)
    applicant_name = models.CharField(_("người đề nghị"), max_length=150, blank=True)
    reason = models.TextField(_("lý do đề nghị"), blank=True)
    # Phiếu A: the checklist version used, the answers ({code: true/false}) and the criteria matched.
    form_a = models.ForeignKey(FormAChecklist, verbose_name=_("phiếu A"), null=True, blank=True,
                               on_delete=models.PROTECT, related_name="+")  # fmt: skip
    form_a_answers = models.JSONField(_("trả lời phiếu A"), default=dict, blank=True)
    screened_out_reason = models.JSONField(_("tiêu chí loại trừ"), default=list, blank=True)
    form_a_on = models.DateField(_("ngày làm phiếu A"), null=True, blank=True)
    unit_path = models.CharField(max_length=120, db_index=True)
    successor_path = models.CharField(max_length=120, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    scope_fields = ("unit_path", "successor_path")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hộ trong đợt rà soát")
        verbose_name_plural = _("hộ trong đợt rà soát")
        ordering = ["campaign", "unit_path", "id"]
        permissions = [("record_case", "Ghi nhận hộ trong đợt rà soát")]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "household"], name="reviews_case_household_unique"),
        ]
        indexes = [models.Index(fields=["campaign", "state"], name="reviews_case_state")]

    def __str__(self) -> str:
        return f"{self.campaign_id}: {self.household}"

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path, self.successor_path)
