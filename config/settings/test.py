"""Settings for the test suite (SQLite by default, PostgreSQL when DATABASE_URL says so)."""

from .base import *

SECRET_KEY = "test-only-not-secret"
DEBUG = False
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed; argon2 is tested explicitly
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
STORAGES["staticfiles"] = {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}
MEDIA_ROOT = BASE_DIR / "var" / "test-media"
LOGGING["root"]["level"] = "WARNING"
# Static files are served by the finders in tests; WhiteNoise would warn that STATIC_ROOT is empty.
MIDDLEWARE = [m for m in MIDDLEWARE if m != "whitenoise.middleware.WhiteNoiseMiddleware"]
# Every test client shares 127.0.0.1 and one in-memory cache: budgets the suite cannot exhaust by accident
# (ansinh/accounts/tests/test_ratelimit.py sets its own small ones).
ANSINH_API_RATE_PER_TOKEN = 100_000
ANSINH_API_RATE_PER_IP = 100_000
