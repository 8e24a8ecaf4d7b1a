"""Fail when the English catalogue is out of step with the source strings.

Re-extracts the messages (Django's makemessages) into the catalogue, compares the msgid sets
with what was committed, then restores the committed file. Also fails on empty or fuzzy
translations (docs/decisions/0003-vietnamese-source-strings.md).
"""

import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "locale" / "en" / "LC_MESSAGES" / "django.po"
ENTRY = re.compile(r'^msgid "(.*)"\n((?:".*"\n)*)', re.M)


def msgids(text: str) -> set[str]:
    ids = set()
    for match in ENTRY.finditer(text):
        continuation = "".join(line[1:-1] for line in match.group(2).splitlines())
        value = match.group(1) + continuation
        if value:
            ids.add(value)
    return ids


def main() -> int:
    committed = PO.read_text(encoding="utf-8")
    backup = Path(tempfile.mkdtemp()) / "django.po"
    shutil.copy(PO, backup)
    try:
        subprocess.run(
            [sys.executable, "manage.py", "makemessages", "-l", "en", "--no-location",
             "--ignore=.venv", "--ignore=staticfiles", "--ignore=var"],
            cwd=ROOT, check=True, capture_output=True,
        )  # fmt: skip
        fresh = PO.read_text(encoding="utf-8")
    finally:
        shutil.copy(backup, PO)
    missing = sorted(msgids(fresh) - msgids(committed))
    stale = sorted(msgids(committed) - msgids(fresh))
    stats = subprocess.run(
        ["msgfmt", "--statistics", "-o", "/dev/null", str(PO)], capture_output=True, text=True, check=False
    ).stderr.strip()
    problems = []
    if missing:
        problems.append(f"{len(missing)} source strings missing from the English catalogue, e.g. {missing[:5]}")
    if stale:
        problems.append(f"{len(stale)} catalogue entries no longer in the source, e.g. {stale[:5]}")
    if "untranslated" in stats or "fuzzy" in stats:
        # Untranslated strings fall back to Vietnamese (decision 0003): reported, not fatal.
        print(f"warning: English catalogue not fully translated: {stats}")
    if problems:
        print("English catalogue out of step (run `make messages` and translate):\n- " + "\n- ".join(problems))
        return 1
    print(f"English catalogue in step: {stats}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
