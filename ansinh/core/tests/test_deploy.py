"""Production settings pass Django's deployment checks (issue 7, "Personal data")."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[3]


def _manage(tmp_path, *args, secret_key: str | None):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "ANSINH_", "DATABASE_"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production", DJANGO_ALLOWED_HOSTS="ansinh.example.vn",
        ANSINH_VAR_DIR=str(tmp_path), DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
    )  # fmt: skip
    if secret_key is not None:
        env["DJANGO_SECRET_KEY"] = secret_key
    return subprocess.run(  # noqa: S603 (fixed command, the test's own interpreter)
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy_without_warnings(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", "--fail-level", "WARNING", secret_key=secrets.token_urlsafe(50))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
    assert "WARNINGS" not in result.stderr


def test_production_refuses_to_start_without_a_secret_key(tmp_path):
    result = _manage(tmp_path, "check", "--deploy", secret_key=None)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY must be set in production" in result.stderr
