"""A translated text read back to the catalogue string that made it (decision 0024's addenda)."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

from ansinh.jobs.readback import text_entry

KIND_UNKNOWN = "Loại công việc không tồn tại: %(kind)s"
NOT_QUEUED = "Không đưa được công việc vào hàng đợi. Vui lòng thử lại sau."


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_catalogued_text_reads_back_with_its_parameters(language):
    with translation.override(language):
        text = gettext(KIND_UNKNOWN) % {"kind": "registry.import"}
        assert text_entry(text) == {"msgid": KIND_UNKNOWN, "params": {"kind": "registry.import"}, "text": text}
        plain = gettext(NOT_QUEUED)
        assert text_entry(plain) == {"msgid": NOT_QUEUED, "params": {}, "text": plain}


def test_a_text_no_catalogue_string_makes_is_returned_as_it_is():
    with translation.override("en"):
        assert text_entry("division by zero") == "division by zero"
    with translation.override("vi"):
        assert text_entry("Một câu không có trong danh mục.") == "Một câu không có trong danh mục."
