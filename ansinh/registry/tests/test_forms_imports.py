"""The upload form of household imports."""

from django.utils import translation

from ansinh.registry.forms_imports import ImportUploadForm


def test_file_help_text_is_in_the_language_of_the_request(users):
    with translation.override("en"):
        english = str(ImportUploadForm(user=users.commune_officer).fields["file"].help_text)
    with translation.override("vi"):
        vietnamese = str(ImportUploadForm(user=users.commune_officer).fields["file"].help_text)
    assert english == "Use the template file. .xlsx, .xls and .csv are accepted; maximum 20 MB."
    assert vietnamese == "Dùng tệp mẫu. Nhận .xlsx, .xls, .csv; tối đa 20 MB."


def test_file_help_text_reads_the_upload_limit_when_the_form_is_made(users, settings):
    settings.ANSINH_MAX_UPLOAD_BYTES = 5 * 1048576
    form = ImportUploadForm(user=users.commune_officer)
    assert "tối đa 5 MB" in str(form.fields["file"].help_text)
