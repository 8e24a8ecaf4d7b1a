"""Forms of household imports."""

from django import forms
from django.utils.translation import gettext_lazy as _

from ansinh.geo.choices import Level
from ansinh.geo.models import AdminUnit

from . import importing
from .choices import ImportMode

IMPORT_PERM = "registry.import_household"


class ImportUploadForm(forms.Form):
    commune = forms.ModelChoiceField(label=_("Xã/phường nhập vào"), queryset=AdminUnit.objects.none())
    file = forms.FileField(
        label=_("Tệp Excel hoặc CSV"),
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.xls,.csv"}),
    )
    mode = forms.ChoiceField(
        label=_("Cách nhập"), choices=ImportMode.choices, initial=ImportMode.CREATE, widget=forms.RadioSelect
    )
    dry_run = forms.BooleanField(
        label=_("Chạy thử (chỉ kiểm tra, chưa ghi)"),
        required=False,
        initial=True,
        help_text=_("Nên chạy thử trước; sau khi xem kết quả, bấm “Ghi vào sổ hộ” trên trang lần nhập."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Here, not on the field: `%` on a lazy string translates it, once, in the language of the import.
        self.fields["file"].help_text = _("Dùng tệp mẫu. Nhận .xlsx, .xls, .csv; tối đa %(mb)d MB.") % {
            "mb": importing.max_upload_bytes() // 1048576
        }
        communes = AdminUnit.objects.visible_to(user, perm=IMPORT_PERM).filter(
            level=Level.COMMUNE, valid_to__isnull=True
        )
        self.fields["commune"].queryset = communes.order_by("sort_key")
        if communes.count() == 1:
            self.fields["commune"].initial = communes.first()

    def clean_file(self):
        upload = self.cleaned_data["file"]
        importing.check_upload_size(upload.size)  # a ValidationError: the form shows it on the field
        if importing.extension_of(upload.name) not in importing.ALLOWED_EXTENSIONS:
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx, .xls hoặc .csv."))
        return upload
