"""The English catalogue is complete and keeps every placeholder of its Vietnamese source."""

import gettext
import re
from pathlib import Path

from django.conf import settings
from django.utils import translation

MO = Path(settings.BASE_DIR) / "locale" / "en" / "LC_MESSAGES" / "django.mo"
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w*\}")


def _catalog() -> dict:
    with MO.open("rb") as handle:
        return gettext.GNUTranslations(handle)._catalog


def test_compiled_catalogue_exists_and_is_not_empty():
    catalog = _catalog()
    assert len(catalog) > 100


def test_every_translation_keeps_its_placeholders():
    problems = []
    for key, english in _catalog().items():
        source = key[0] if isinstance(key, tuple) else key
        if not source or not english:
            continue
        if sorted(PLACEHOLDER.findall(source)) != sorted(PLACEHOLDER.findall(english)):
            problems.append((source, english))
    assert not problems, problems[:5]


def test_english_is_served_when_chosen():
    with translation.override("en"):
        assert translation.gettext("Đăng nhập") == "Log in"
    with translation.override("vi"):
        assert translation.gettext("Đăng nhập") == "Đăng nhập"
