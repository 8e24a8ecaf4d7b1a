"""Settings for `make run` on one machine: debug on, embedded SQLite by default."""

from .base import *

DEBUG = True
SECRET_KEY = SECRET_KEY or "local-development-only-not-secret"
