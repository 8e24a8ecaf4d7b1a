# ansinh — the two commands: `make run` and `make test`. Everything else is a helper of theirs.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.local

.PHONY: run setup test test-pg lint check smoke messages clean worker bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

## Set up everything (idempotent, fast the second time): install, migrate, load units, demo data.
setup: $(STAMP)
	$(PY) manage.py migrate --noinput -v0
	$(PY) manage.py geo_load
	$(PY) manage.py accounts_load_roles
	$(PY) manage.py poverty_load_standards
	$(PY) manage.py reviews_load_templates
	$(PY) manage.py reviews_load_form_a
	$(PY) manage.py demo_load

## Serve http://$(HOST):$(PORT) with the background-job worker beside it.
run: setup
	@mkdir -p var
	@echo "ansinh: http://$(HOST):$(PORT)  (tài khoản demo: xem README.md)"
	@$(PY) manage.py jobs_worker --no-reload --interval 1 >var/worker.log 2>&1 & wpid=$$!; \
	trap 'kill $$wpid 2>/dev/null' EXIT; trap 'exit 130' INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT)

worker: setup
	$(PY) manage.py jobs_worker --no-reload

## The whole test suite (SQLite unless DATABASE_URL says otherwise). Exit code 5 (no tests) fails.
test: $(STAMP)
	@mkdir -p var
	@DJANGO_SETTINGS_MODULE=config.settings.test $(PY) -m pytest $(PYTEST_ARGS); rc=$$?; \
	if [ $$rc -eq 5 ]; then echo "pytest collected no tests: that is a failure"; exit 1; fi; exit $$rc

## The suite on the local PostgreSQL server (database `test`, trust auth).
test-pg:
	$(MAKE) test DATABASE_URL=postgres://postgres@127.0.0.1:5432/test

## Benchmarks (not part of `make test`; see docs/benchmarks.md): import, classification, dashboard (and with
## BENCH_ARGS="--generate PROVINCE" duplicates and HTTP) for BENCH_HOUSEHOLDS households on BENCH_DB (sqlite, postgres
## or both), csv and xlsx, each next to a raw COPY/executemany of the same rows; bench/results/<date>.json.
BENCH_HOUSEHOLDS ?= 100000
BENCH_DB ?= both
bench: $(STAMP)
	$(PY) -m bench.run --households $(BENCH_HOUSEHOLDS) --db $(BENCH_DB) $(BENCH_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

check: $(STAMP)
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py check
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) .ci/check_messages.py

## Headless Chromium logs in as a demo user and sees the dashboard.
smoke: setup
	$(PY) .ci/smoke.py

## Recompile the English catalogue after editing locale/en/LC_MESSAGES/django.po.
messages: $(STAMP)
	$(PY) manage.py makemessages -l en --no-location --ignore=.venv --ignore=staticfiles --ignore=var
	$(PY) manage.py compilemessages -l en --ignore=.venv

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles var
