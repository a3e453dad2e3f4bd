# Tuoyu: the one entry point. `make run` serves the portal with the Hebei demo; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= portal.settings
# Local commands run in development mode unless told otherwise (production sets DJANGO_DEBUG=0 and keys).
DEV := DJANGO_DEBUG=$${DJANGO_DEBUG:-1}

.PHONY: help install assets messages migrate seed run worker test lint bench bench-load clean

help:
	@echo "make run    set everything up and serve the portal with the Hebei demo at http://$(HOST):$(PORT)"
	@echo "make test   set everything up and run the whole test suite"
	@echo "make bench  metrics and history benchmarks (PostgreSQL);  make bench-load  HTTP load benchmark"

$(VENV)/.installed: pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed

static/vendor/.built: package.json $(wildcard package-lock.json) scripts/vendor.mjs
	npm ci --no-audit --no-fund --loglevel=error
	npm run -s vendor
	touch $@

assets: static/vendor/.built

messages: install
	@command -v msgfmt >/dev/null || { echo "gettext (msgfmt) is missing: apt-get install gettext"; exit 1; }
	$(DEV) $(MANAGE) compilemessages -v0 --ignore=.venv --ignore=node_modules

migrate: install
	$(DEV) $(MANAGE) migrate -v0

seed: migrate
	$(DEV) $(MANAGE) seed_demo

# The embedded default: SQLite and in-process tasks unless DATABASE_URL / CELERY_BROKER_URL are set.
# With a broker configured, a Celery worker (with beat) runs beside the development server.
run: install assets messages seed
	@if [ -n "$$CELERY_BROKER_URL$$REDIS_URL" ]; then \
	  echo "Starting a Celery worker with beat (broker: $${CELERY_BROKER_URL:-$$REDIS_URL})"; \
	  $(DEV) $(VENV)/bin/celery -A portal worker -B -l warning --concurrency 2 -Q default,recompute,rankings,imports & \
	fi; \
	echo "Tuoyu is at http://$(HOST):$(PORT)/  (demo accounts above)"; \
	$(DEV) $(MANAGE) runserver $(HOST):$(PORT)

# One worker (with beat) on every queue, for development; production runs workers per queue (docker-compose.yml).
worker: install
	$(DEV) $(VENV)/bin/celery -A portal worker -B -l info -Q default,recompute,rankings,imports

# Two workers by default, each with its own test database, Redis databases and upload folder
# (portal/test_settings.py); whole files go to one worker, in the order tests/conftest.py gives them. PYTEST_WORKERS=0 runs in one process.
PYTEST_WORKERS ?= 2
test: install assets messages
	DJANGO_SETTINGS_MODULE=portal.test_settings $(VENV)/bin/pytest -n $(PYTEST_WORKERS) --dist loadfile --no-loadscope-reorder --durations=15 $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	DJANGO_SETTINGS_MODULE=portal.test_settings $(MANAGE) makemigrations --check --dry-run

bench: install
	DJANGO_SETTINGS_MODULE=portal.test_settings $(PY) -m bench.metrics $(BENCH_ARGS)
	DJANGO_SETTINGS_MODULE=portal.test_settings $(PY) -m bench.history $(BENCH_ARGS)
	DJANGO_SETTINGS_MODULE=portal.test_settings $(PY) -m bench.imports

bench-load: install assets
	DJANGO_SETTINGS_MODULE=portal.test_settings $(PY) -m bench.load $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules static/vendor staticfiles db.sqlite3
