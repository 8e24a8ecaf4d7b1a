"""Words of the poverty pages."""

from django.utils import translation

from ansinh.poverty.display import facts_text


def test_missing_fact_is_named_in_the_language_of_the_request():
    with translation.override("en"):
        assert facts_text({"missing": "age"}) == "Missing from the registry: members' ages"
    with translation.override("vi"):
        assert facts_text({"missing": "age"}) == "Sổ hộ thiếu: tuổi của thành viên"
