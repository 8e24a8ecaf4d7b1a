"""Review campaigns (đợt rà soát hộ nghèo, hộ cận nghèo) and their plan.

- `CampaignKind` is one kind of review (yearly periodic, monthly regular, average-standard
  farming households) as data: period rule, approval chains, default milestones, due-soon window.
- `Campaign` is one review run by a province (or a commune) under a plan, with the units it
  covers, its milestones copied from the kind at creation (later edits of the kind leave it alone),
  the steering committee, the enumerators and supervisors of each village, and the trainings held.
- `FormAChecklist` is one version of phiếu A's exclusion criteria (data, editable by an administrator).
- `ReviewCase` is one household in one campaign, moving through the procedure (`choices.CASE_TRANSITIONS`).
- `CaseCount` counts a campaign's cases per place and state (kept by database triggers, decision 0015).
- Steps 4–10 (QĐ 24/2021/QĐ-TTg Điều 4): `VillageMeeting` with one `MeetingResult` per household,
  `Posting` (niêm yết) and the `Complaint`s raised during it, `Reinspection` (phúc tra) with its
  `ReinspectionSample`s, the commune's `CommuneDecision` and the `Certificate`s, `UnitApproval` (one
  row per unit of the approval chain) and `CampaignResult`, the frozen result of each household.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from ansinh.core.models import TimeStampedModel
from ansinh.core.scoping import ScopedQuerySet
from ansinh.core.text import dmy, localized
from ansinh.geo.choices import Level
from ansinh.registry.choices import PovertyClass

from .choices import (
    ApplicationChannel,
    ApprovalState,
    AssignmentRole,
    CampaignStatus,
    CaseOrigin,
    CaseState,
    CommitteeRole,
    ComplaintChannel,
    ComplaintStatus,
    ReinspectionStatus,
    Transition,
)  # fmt: skip

CLASS_CHOICES = PovertyClass.choices


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

    @property
    def title(self) -> str:
        """The name in the reader's language (the data file's `name_en` for an English reader)."""
        return localized(self.name, str((self.definition or {}).get("name_en") or ""))

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
        return f"{self.campaign}: {self.unit.name}"

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path, self.successor_path)


class Milestone(models.Model):
    """One deadline of the campaign for every unit of one level (e.g. district official report by 10/10)."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="milestones")
    code = models.CharField(_("mã"), max_length=60)
    name = models.CharField(_("tên mốc"), max_length=200)
    name_en = models.CharField(_("tên mốc tiếng Anh"), max_length=200, blank=True, default="")
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices)
    deadline = models.DateField(_("hạn"))
    order = models.PositiveSmallIntegerField(default=0)
    source = models.CharField(_("căn cứ"), max_length=200, blank=True)
    source_en = models.CharField(_("căn cứ tiếng Anh"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("mốc rà soát")
        verbose_name_plural = _("mốc rà soát")
        ordering = ["campaign", "deadline", "order"]
        constraints = [models.UniqueConstraint(fields=["campaign", "code"], name="reviews_milestone_code_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({dmy(self.deadline)})"

    @property
    def title(self) -> str:
        """The name in the reader's language (the template's `name_en` for an English reader)."""
        return localized(self.name, self.name_en)

    @property
    def source_title(self) -> str:
        """The grounds in the reader's language (the template's `source_en` for an English reader)."""
        return localized(self.source, self.source_en)


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

    def __str__(self) -> str:  # the audit log's "object": words a person reads, not ids
        return f"{self.milestone.name} – {self.unit.name}: {self.done_on:%d/%m/%Y}"

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
        return f"{self.topic} ({dmy(self.held_on)})"

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path,)


class FormAChecklist(TimeStampedModel):
    """One version of phiếu A (TT 07/2021 Phụ lục II): the exclusion criteria an applicant household is
    screened with. `criteria` is a list of {code, text, text_en, source, source_en, provisional}; loaded
    from data/form_a.json, an administrator may edit it (audited)."""

    version = models.CharField(_("phiên bản"), max_length=40, unique=True)
    name = models.CharField(_("tên"), max_length=200)
    name_en = models.CharField(_("tên tiếng Anh"), max_length=200, blank=True, default="")
    source = models.CharField(_("căn cứ"), max_length=255, blank=True)
    source_en = models.CharField(_("căn cứ tiếng Anh"), max_length=255, blank=True, default="")
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

    @property
    def title(self) -> str:
        """The name in the reader's language (the data file's `name_en` for an English reader)."""
        return localized(self.name, self.name_en)

    @property
    def source_title(self) -> str:
        return localized(self.source, self.source_en)

    def criterion_text(self, code: str, text: str) -> str:
        """A criterion's text in the reader's language (`text`, the Vietnamese one kept, as fallback)."""
        found = next((c for c in self.criteria if c.get("code") == code), {})
        return localized(text, str(found.get("text_en") or "") if found.get("text") == text else "")


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
    # The household's class when the review started (from the registry), the base of its transition.
    previous_class = models.CharField(_("phân loại trước rà soát"), max_length=10, choices=CLASS_CHOICES, blank=True)
    # Phiếu B (step 3): the poverty app's Assessment and the provisional class it gives.
    # Not a database foreign key: form B is partitioned by province on PostgreSQL (decision 0037); PROTECT
    # is Django's, and `services_survey.form_b_record` checks the form B it names exists.
    assessment = models.ForeignKey("poverty.Assessment", verbose_name=_("phiếu B"), null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+", db_constraint=False)  # fmt: skip
    provisional_class = models.CharField(_("kết quả sơ bộ"), max_length=10, choices=CLASS_CHOICES, blank=True)
    provisional_flags = models.JSONField(default=list, blank=True)
    provisional_reasons = models.JSONField(default=list, blank=True)
    deprivations = models.JSONField(default=list, blank=True)  # indicator codes lacking, standard's order
    surveyed_on = models.DateField(_("ngày rà soát phiếu B"), null=True, blank=True)
    surveyed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")  # fmt: skip
    # The meeting that agreed, the posting, the decision and the final class.
    meeting = models.ForeignKey("VillageMeeting", verbose_name=_("họp dân"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="+")  # fmt: skip
    posting = models.ForeignKey("Posting", verbose_name=_("niêm yết"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="cases")  # fmt: skip
    decision = models.ForeignKey("CommuneDecision", verbose_name=_("quyết định của xã"), null=True, blank=True,
                                 on_delete=models.PROTECT, related_name="cases")  # fmt: skip
    final_class = models.CharField(_("kết quả công nhận"), max_length=10, choices=CLASS_CHOICES, blank=True)
    withdrawn_reason = models.CharField(_("lý do rút khỏi đợt"), max_length=255, blank=True)
    unit_path = models.CharField(max_length=120, db_index=True)
    successor_path = models.CharField(max_length=120, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    scope_fields = ("unit_path", "successor_path")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("hộ trong đợt rà soát")
        verbose_name_plural = _("hộ trong đợt rà soát")
        ordering = ["campaign", "unit_path", "id"]
        permissions = [
            ("record_case", "Ghi nhận hộ trong đợt rà soát"),
            ("handle_complaint", "Tiếp nhận, xác minh khiếu nại trong rà soát"),
            ("reinspect", "Phúc tra kết quả rà soát"),
            ("record_decision", "Ghi quyết định công nhận, cấp giấy chứng nhận"),
            ("submit_results", "Trình kết quả rà soát"),
            ("approve_results", "Phê duyệt kết quả rà soát"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "household"], name="reviews_case_household_unique"),
        ]
        indexes = [models.Index(fields=["campaign", "state"], name="reviews_case_state")]

    def __str__(self) -> str:
        return str(self.household)

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path, self.successor_path)

    @property
    def screened_out_texts(self) -> list[str]:
        """The phiếu A criteria the household has, in the reader's language: the English text stored with
        the answer, or (answers recorded before the English texts) the checklist's for the same text."""
        texts = []
        for item in self.screened_out_reason or []:
            if item.get("text_en") or self.form_a is None:
                texts.append(localized(item["text"], str(item.get("text_en") or "")))
            else:
                texts.append(self.form_a.criterion_text(item.get("code"), item["text"]))
        return texts


class CaseCount(models.Model):
    """How many cases of one campaign sit in one state at one place (the case's unit and successor paths):
    the progress dashboard reads these rows (about villages × states) instead of the cases.

    Written only by database triggers on `ReviewCase` (migration 0004, decision 0015), in the same
    statement as the case change; never by Python. `services_counts` rebuilds and checks it."""

    campaign = models.ForeignKey(Campaign, on_delete=models.CASCADE, related_name="+")
    unit_path = models.CharField(max_length=120)
    successor_path = models.CharField(max_length=120, blank=True)
    state = models.CharField(max_length=16, choices=CaseState.choices)
    n = models.IntegerField()

    scope_fields = ("unit_path", "successor_path")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("số hộ theo tình trạng")
        verbose_name_plural = _("số hộ theo tình trạng")
        constraints = [
            models.UniqueConstraint(fields=["campaign", "unit_path", "successor_path", "state"],
                                    name="reviews_casecount_key"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.campaign_id} {self.unit_path} {self.state}: {self.n}"


# -- steps 4–10 ---------------------------------------------------------------------------------


class VillageMeeting(TimeStampedModel):
    """The village meeting (họp dân, step 4) that discusses the surveyed households of one village.

    Minutes (biên bản, Mẫu 04 of TT 07/2021) are generated from these fields in two copies."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("đợt rà soát"), on_delete=models.PROTECT,
                                 related_name="meetings")  # fmt: skip
    village = models.ForeignKey("geo.AdminUnit", verbose_name=_("thôn/tổ dân phố"), on_delete=models.PROTECT,
                                related_name="+")  # fmt: skip
    held_on = models.DateField(_("ngày họp"))
    place = models.CharField(_("địa điểm"), max_length=200, blank=True)
    chair = models.CharField(_("chủ trì"), max_length=150)
    secretary = models.CharField(_("thư ký"), max_length=150)
    attendees = models.JSONField(_("thành phần tham dự"), default=list, blank=True)  # ["Họ tên — chức vụ", …]
    attendee_count = models.PositiveIntegerField(_("số người dự họp"))
    signatories = models.JSONField(_("người ký biên bản"), default=list, blank=True)  # [{"name", "role"}]
    note = models.TextField(_("ghi chú"), blank=True)
    unit_path = models.CharField(max_length=120, db_index=True)
    successor_path = models.CharField(max_length=120, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    scope_fields = ("unit_path", "successor_path")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("cuộc họp dân")
        verbose_name_plural = _("cuộc họp dân")
        ordering = ["campaign", "-held_on", "-id"]

    def __str__(self) -> str:
        return f"{self.village.name} ({dmy(self.held_on)})"

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path, self.successor_path)


class MeetingResult(models.Model):
    """How many attendees agreed with one household's provisional class; passed when at least half."""

    meeting = models.ForeignKey(VillageMeeting, on_delete=models.CASCADE, related_name="results")
    case = models.ForeignKey(ReviewCase, on_delete=models.PROTECT, related_name="meeting_results")
    proposed_class = models.CharField(_("kết quả sơ bộ đưa ra họp"), max_length=10, choices=CLASS_CHOICES)
    agreeing = models.PositiveIntegerField(_("số người đồng ý"))
    passed = models.BooleanField(_("đạt (từ 50% trở lên)"))
    unit_path = models.CharField(max_length=120, db_index=True)

    class Meta:
        verbose_name = _("kết quả họp dân của hộ")
        verbose_name_plural = _("kết quả họp dân của hộ")
        ordering = ["meeting", "id"]
        constraints = [models.UniqueConstraint(fields=["meeting", "case"], name="reviews_meeting_case_unique")]

    def __str__(self) -> str:
        return f"{self.meeting_id}/{self.case_id}: {self.agreeing}"

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path,)


class Posting(TimeStampedModel):
    """Public posting (niêm yết công khai, step 5) of a commune's or village's results: where, from
    when, and the end date computed as `working_days` working days (weekends and holidays skipped)."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("đợt rà soát"), on_delete=models.PROTECT,
                                 related_name="postings")  # fmt: skip
    unit = models.ForeignKey("geo.AdminUnit", verbose_name=_("đơn vị niêm yết"), on_delete=models.PROTECT,
                             related_name="+")  # fmt: skip
    places = models.JSONField(_("nơi niêm yết"), default=list)  # ["Nhà văn hóa thôn …", "Trụ sở UBND xã …"]
    start_on = models.DateField(_("ngày bắt đầu"))
    working_days = models.PositiveSmallIntegerField(_("số ngày làm việc"))
    end_on = models.DateField(_("ngày kết thúc"))
    note = models.TextField(_("ghi chú"), blank=True)
    unit_path = models.CharField(max_length=120, db_index=True)
    successor_path = models.CharField(max_length=120, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    scope_fields = ("unit_path", "successor_path")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("đợt niêm yết")
        verbose_name_plural = _("đợt niêm yết")
        ordering = ["campaign", "-start_on", "-id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(end_on__gte=models.F("start_on")),
                                   name="reviews_posting_period_order"),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.unit.name}: {dmy(self.start_on)} – {dmy(self.end_on)}"

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path, self.successor_path)


class Complaint(TimeStampedModel):
    """A complaint about one household's result (step 6), verified by the commune steering committee."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("đợt rà soát"), on_delete=models.PROTECT,
                                 related_name="complaints")  # fmt: skip
    case = models.ForeignKey(ReviewCase, verbose_name=_("hộ bị khiếu nại"), on_delete=models.PROTECT,
                             related_name="complaints")  # fmt: skip
    posting = models.ForeignKey(Posting, verbose_name=_("đợt niêm yết"), null=True, blank=True,
                                on_delete=models.PROTECT, related_name="complaints")  # fmt: skip
    complainant_name = models.CharField(_("người khiếu nại"), max_length=150)
    complainant_contact = models.CharField(_("địa chỉ, điện thoại"), max_length=200, blank=True)
    content = models.TextField(_("nội dung"))
    channel = models.CharField(_("hình thức"), max_length=12, choices=ComplaintChannel.choices)
    received_on = models.DateField(_("ngày nhận"))
    late = models.BooleanField(_("nhận sau khi hết niêm yết"), default=False)
    status = models.CharField(_("kết quả xác minh"), max_length=10, choices=ComplaintStatus.choices,
                              default=ComplaintStatus.OPEN)  # fmt: skip
    outcome_reason = models.TextField(_("kết luận, lý do"), blank=True)
    verified_on = models.DateField(_("ngày xác minh"), null=True, blank=True)
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")  # fmt: skip
    unit_path = models.CharField(max_length=120, db_index=True)
    successor_path = models.CharField(max_length=120, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    scope_fields = ("unit_path", "successor_path")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("khiếu nại trong rà soát")
        verbose_name_plural = _("khiếu nại trong rà soát")
        ordering = ["campaign", "-received_on", "-id"]

    def __str__(self) -> str:
        return f"{self.complainant_name} ({dmy(self.received_on)})"

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path, self.successor_path)


class Reinspection(TimeStampedModel):
    """Re-inspection (phúc tra, step 7) of one commune ordered by a higher level, with its reasons."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("đợt rà soát"), on_delete=models.PROTECT,
                                 related_name="reinspections")  # fmt: skip
    unit = models.ForeignKey("geo.AdminUnit", verbose_name=_("xã được phúc tra"), on_delete=models.PROTECT,
                             related_name="+")  # fmt: skip
    ordered_by_unit = models.ForeignKey("geo.AdminUnit", verbose_name=_("cấp phúc tra"), on_delete=models.PROTECT,
                                        related_name="+")  # fmt: skip
    ordered_on = models.DateField(_("ngày quyết định phúc tra"))
    reasons = models.JSONField(_("lý do chọn"), default=list, blank=True)  # [{"code", "text"}]
    status = models.CharField(_("trạng thái"), max_length=8, choices=ReinspectionStatus.choices,
                              default=ReinspectionStatus.OPEN)  # fmt: skip
    closed_on = models.DateField(_("ngày kết thúc"), null=True, blank=True)
    unit_path = models.CharField(max_length=120, db_index=True)
    successor_path = models.CharField(max_length=120, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    scope_fields = ("unit_path", "successor_path")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("đợt phúc tra")
        verbose_name_plural = _("đợt phúc tra")
        ordering = ["campaign", "-ordered_on", "-id"]

    def __str__(self) -> str:
        return f"{self.unit.name} ({dmy(self.ordered_on)})"

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path, self.successor_path)


class ReinspectionSample(models.Model):
    """One household picked for re-inspection: the inspector's own finding, and whether it differs
    from the commune's result (a discrepancy the commune must resolve before approval)."""

    reinspection = models.ForeignKey(Reinspection, on_delete=models.CASCADE, related_name="samples")
    case = models.ForeignKey(ReviewCase, on_delete=models.PROTECT, related_name="reinspection_samples")
    commune_class = models.CharField(_("kết quả của xã"), max_length=10, choices=CLASS_CHOICES, blank=True)
    inspector_name = models.CharField(_("người phúc tra"), max_length=150, blank=True)
    inspected_on = models.DateField(_("ngày phúc tra"), null=True, blank=True)
    found_class = models.CharField(_("kết quả phúc tra"), max_length=10, choices=CLASS_CHOICES, blank=True)
    findings = models.TextField(_("nhận xét"), blank=True)
    discrepancy = models.BooleanField(_("sai lệch"), default=False)
    resolution = models.TextField(_("xã giải trình, xử lý"), blank=True)
    resolved_on = models.DateField(_("ngày xử lý"), null=True, blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")  # fmt: skip
    unit_path = models.CharField(max_length=120, db_index=True)

    class Meta:
        verbose_name = _("hộ được phúc tra")
        verbose_name_plural = _("hộ được phúc tra")
        ordering = ["reinspection", "id"]
        constraints = [
            models.UniqueConstraint(fields=["reinspection", "case"], name="reviews_sample_case_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.reinspection_id}/{self.case_id}"

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path,)


class CommuneDecision(TimeStampedModel):
    """The commune chair's decision recognising the review results (step 8; Mẫu 02 of QĐ 24/2021)."""

    campaign = models.ForeignKey(Campaign, verbose_name=_("đợt rà soát"), on_delete=models.PROTECT,
                                 related_name="decisions")  # fmt: skip
    commune = models.ForeignKey("geo.AdminUnit", verbose_name=_("xã"), on_delete=models.PROTECT, related_name="+")
    number = models.CharField(_("số quyết định"), max_length=60)
    signed_on = models.DateField(_("ngày ký"))
    signer_name = models.CharField(_("người ký"), max_length=150)
    signer_position = models.CharField(_("chức vụ người ký"), max_length=150)
    counts = models.JSONField(_("số hộ theo danh sách"), default=dict, blank=True)
    unit_path = models.CharField(max_length=120, db_index=True)
    successor_path = models.CharField(max_length=120, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    scope_fields = ("unit_path", "successor_path")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("quyết định công nhận của xã")
        verbose_name_plural = _("quyết định công nhận của xã")
        ordering = ["campaign", "-signed_on", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "commune"], name="reviews_decision_commune_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({dmy(self.signed_on)})"

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path, self.successor_path)


class Certificate(models.Model):
    """A certificate (giấy chứng nhận hộ nghèo / hộ cận nghèo, Mẫu 03) numbered per commune and year."""

    case = models.OneToOneField(ReviewCase, on_delete=models.PROTECT, related_name="certificate")
    commune = models.ForeignKey("geo.AdminUnit", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveIntegerField(_("năm"))
    seq = models.PositiveIntegerField(_("số thứ tự"))
    number = models.CharField(_("số giấy chứng nhận"), max_length=60)
    klass = models.CharField(_("loại hộ"), max_length=10, choices=CLASS_CHOICES)
    issued_on = models.DateField(_("ngày cấp"))
    unit_path = models.CharField(max_length=120, db_index=True)
    successor_path = models.CharField(max_length=120, blank=True, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")

    scope_fields = ("unit_path", "successor_path")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("giấy chứng nhận hộ nghèo, hộ cận nghèo")
        verbose_name_plural = _("giấy chứng nhận hộ nghèo, hộ cận nghèo")
        ordering = ["commune", "year", "seq"]
        constraints = [
            models.UniqueConstraint(fields=["commune", "year", "seq"], name="reviews_certificate_seq_unique"),
        ]

    def __str__(self) -> str:
        return self.number

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path, self.successor_path)


class UnitApproval(TimeStampedModel):
    """One unit of the campaign's approval chain (commune, [district], province) and where its
    results stand (`choices.APPROVAL_TRANSITIONS`); `parent` is the row of the level above."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="approvals")
    unit = models.ForeignKey("geo.AdminUnit", verbose_name=_("đơn vị"), on_delete=models.PROTECT, related_name="+")
    level = models.CharField(_("cấp"), max_length=10, choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    state = models.CharField(_("trạng thái"), max_length=10, choices=ApprovalState.choices,
                             default=ApprovalState.WAITING)  # fmt: skip
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")  # fmt: skip
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")  # fmt: skip
    approved_at = models.DateTimeField(null=True, blank=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    returned_reason = models.TextField(_("lý do trả lại"), blank=True)
    unit_path = models.CharField(max_length=120, db_index=True)
    successor_path = models.CharField(max_length=120, blank=True, db_index=True)

    scope_fields = ("unit_path", "successor_path")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("phê duyệt kết quả của đơn vị")
        verbose_name_plural = _("phê duyệt kết quả của đơn vị")
        ordering = ["campaign", "unit_path"]
        constraints = [models.UniqueConstraint(fields=["campaign", "unit"], name="reviews_approval_unit_unique")]

    def __str__(self) -> str:  # the audit log's "object": words a person reads, not ids
        return f"{self.unit.name}: {self.get_state_display()}"

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path, self.successor_path)


class CampaignResult(models.Model):
    """The frozen result of one household in one campaign (written once, when the province approves)
    and its transition from the previous review: what reports, programmes and targets read."""

    campaign = models.ForeignKey(Campaign, on_delete=models.PROTECT, related_name="results")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="review_results")
    case = models.OneToOneField(ReviewCase, null=True, blank=True, on_delete=models.PROTECT, related_name="result")
    previous_class = models.CharField(max_length=10, choices=CLASS_CHOICES, blank=True)
    final_class = models.CharField(max_length=10, choices=CLASS_CHOICES, blank=True)
    transition = models.CharField(max_length=24, choices=Transition.choices)
    standard_code = models.CharField(max_length=40)
    decided_on = models.DateField(null=True, blank=True)
    unit_path = models.CharField(max_length=120, db_index=True)
    successor_path = models.CharField(max_length=120, blank=True, db_index=True)
    frozen_at = models.DateTimeField()

    scope_fields = ("unit_path", "successor_path")
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("kết quả rà soát (chốt)")
        verbose_name_plural = _("kết quả rà soát (chốt)")
        ordering = ["campaign", "unit_path", "id"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "household"], name="reviews_result_household_unique"),
        ]
        indexes = [models.Index(fields=["campaign", "final_class", "unit_path"], name="reviews_result_class")]

    def __str__(self) -> str:
        return f"{self.campaign_id}/{self.household_id}: {self.final_class}"

    def get_scope_paths(self) -> tuple[str, ...]:
        return (self.unit_path, self.successor_path)
