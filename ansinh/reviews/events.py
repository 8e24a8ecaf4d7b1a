from django.db import models
from django.utils.translation import gettext_lazy as _


class ReviewsEventType(models.IntegerChoices):
    KIND_LOADED = 7001, _("Nạp mẫu đợt rà soát từ tệp dữ liệu")
    KIND_EDITED = 7002, _("Sửa mẫu đợt rà soát")
    CAMPAIGN_CREATED = 7010, _("Tạo đợt rà soát")
    CAMPAIGN_OPENED = 7011, _("Mở đợt rà soát")
    CAMPAIGN_CLOSED = 7012, _("Kết thúc đợt rà soát")
    CAMPAIGN_CANCELLED = 7013, _("Hủy đợt rà soát")
    MILESTONE_COMPLETED = 7020, _("Ghi hoàn thành mốc rà soát")
    STEERING_MEMBER_ADDED = 7030, _("Thêm thành viên Ban Chỉ đạo")
    STEERING_MEMBER_REMOVED = 7031, _("Bỏ thành viên Ban Chỉ đạo")
    ASSIGNMENT_ADDED = 7040, _("Phân công rà soát viên, giám sát viên")
    ASSIGNMENT_ENDED = 7041, _("Kết thúc phân công")
    TRAINING_RECORDED = 7050, _("Ghi buổi tập huấn")
    FORM_A_LOADED = 7060, _("Nạp phiếu A từ tệp dữ liệu")
    FORM_A_EDITED = 7061, _("Sửa phiếu A")
    CASES_LISTED = 7070, _("Lập danh sách hộ cần rà soát")
    APPLICATION_RECORDED = 7071, _("Ghi nhận giấy đề nghị rà soát")
    FORM_A_RECORDED = 7072, _("Ghi kết quả phiếu A")
    CASE_SURVEY_STARTED = 7073, _("Chuyển hộ sang rà soát phiếu B")
