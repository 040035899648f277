# Leap: `make run` serves the demo, `make test` checks everything. Both set themselves up.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
LOCK := requirements/dev-lock.txt
PROD_LOCK := requirements/lock.txt
STAMP := $(VENV)/.installed-lock
PORT ?= 8000
HOST ?= 127.0.0.1
MANAGE := $(BIN)/python manage.py

.PHONY: help install validator dcc-verifier dcc-verifier-if-npm run migrate seed test lint format lock worker beat clean loadtest demo-code bench

help:
	@echo "make run      install, migrate, seed the demo and serve it on http://$(HOST):$(PORT)"
	@echo "make test     install, then ruff, the import layering, the migrations check and the whole pytest suite"
	@echo "make demo-code the demo staff accounts' current two-factor code"
	@echo "make dcc-verifier the DCC Open Badges verifier (Node) for its tests; make test installs it where npm exists"
	@echo "make worker   a Celery worker against REDIS_URL"
	@echo "make beat     the Celery beat scheduler against REDIS_URL"
	@echo "make lock     re-resolve requirements/lock.txt and dev-lock.txt from pyproject.toml"
	@echo "make format   format the code with ruff"
	@echo "make loadtest 200 simulated people for 2 minutes against a production-like stack, Redis restarted half-way (PostgreSQL and redis-server needed)"
	@echo "make bench    every screen, throughput, baking and a 10,000-badge bulk award against PostgreSQL and Redis (database leap_bench, Redis DB 6); figures in benchmarks/results/; options via BENCH_ARGS, e.g. BENCH_ARGS=\"--scale 0.1 --requests 50 --badges 1000\""

# The virtualenv is rebuilt only when the lock changes; the stamp is a copy of the lock.
$(STAMP): $(LOCK)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Leap needs Python 3.11; set PYTHON=/path/to/python3.11")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r $(LOCK)
	@cp $(LOCK) $(STAMP)

install: $(STAMP)

# The official Open Badges validator lives in a virtualenv of its own (see requirements/).
VALIDATOR_VENV := .venv-validator
VALIDATOR_LOCK := requirements/validator-lock.txt
VALIDATOR_STAMP := $(VALIDATOR_VENV)/.installed-lock

$(VALIDATOR_STAMP): $(VALIDATOR_LOCK)
	@test -x $(VALIDATOR_VENV)/bin/python || $(PYTHON) -m venv $(VALIDATOR_VENV)
	$(VALIDATOR_VENV)/bin/python -m pip install --quiet --disable-pip-version-check --no-deps -r $(VALIDATOR_LOCK)
	@cp $(VALIDATOR_LOCK) $(VALIDATOR_STAMP)

validator: $(VALIDATOR_STAMP)

# The Digital Credentials Consortium's verifier (Node), which tests run against Leap's
# Open Badges 3.0 credentials. Installed where npm exists; without it those tests are
# deselected (CI sets LEAP_REQUIRE_DCC so they cannot be).
DCC_DIR := tests/verifiers/dcc
DCC_STAMP := $(DCC_DIR)/node_modules/.installed-lock

$(DCC_STAMP): $(DCC_DIR)/package-lock.json
	npm ci --prefix $(DCC_DIR) --no-audit --no-fund --loglevel=error
	@cp $(DCC_DIR)/package-lock.json $(DCC_STAMP)

dcc-verifier: $(DCC_STAMP)

dcc-verifier-if-npm:
	@if command -v npm >/dev/null 2>&1; then $(MAKE) --no-print-directory dcc-verifier; \
	else echo "npm not found: the DCC verifier tests will be deselected"; fi

# The load generator (locust, with gevent) lives in a virtualenv of its own.
LOAD_VENV := .venv-load
LOAD_LOCK := requirements/loadtest-lock.txt
LOAD_STAMP := $(LOAD_VENV)/.installed-lock

$(LOAD_STAMP): $(LOAD_LOCK)
	@test -x $(LOAD_VENV)/bin/python || $(PYTHON) -m venv $(LOAD_VENV)
	$(LOAD_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r $(LOAD_LOCK)
	@cp $(LOAD_LOCK) $(LOAD_STAMP)

LOADTEST_ARGS ?= --users 200 --seconds 120

loadtest: install $(LOAD_STAMP)
	$(BIN)/python loadtest/run.py $(LOADTEST_ARGS)

# The benchmark (benchmarks/run.py; issue 16). Its load generator and web server are
# Debian's wrk and nginx: installed here when missing and run as root, else the command
# to install them is printed (the other stages run without them: BENCH_ARGS="--only screens,bake,bulk").
BENCH_ARGS ?=

bench: install
	@if ! command -v wrk >/dev/null 2>&1 || ! { command -v nginx || test -x /usr/sbin/nginx; } >/dev/null 2>&1; then \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update -qq && apt-get install -y -qq wrk nginx-light; \
		else \
			echo "The throughput stage needs wrk and nginx: sudo apt-get install -y wrk nginx-light"; \
		fi; \
	fi
	$(BIN)/python benchmarks/run.py $(BENCH_ARGS)

migrate: install
	$(MANAGE) migrate --no-input

# Links printed and mailed by the demo point at the port it is served on.
DEMO_SITE_URL = $${SITE_URL:-http://$(HOST):$(PORT)}

seed: migrate
	SITE_URL=$(DEMO_SITE_URL) $(MANAGE) seed_demo

run: seed
	SITE_URL=$(DEMO_SITE_URL) $(MANAGE) runserver $(HOST):$(PORT)

# The demo staff accounts' current two-factor code.
demo-code: install
	@$(MANAGE) demo_code

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	$(MANAGE) makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The suite runs in TEST_PROCESSES processes (pytest-xdist), each with a test database and a
# Redis database of its own; TEST_PROCESSES=0 runs it in this process alone.
TEST_PROCESSES ?= 2

test: lint validator dcc-verifier-if-npm
	DJANGO_SETTINGS_MODULE=cms.settings.test $(BIN)/pytest -n $(TEST_PROCESSES) --dist worksteal $(PYTEST_ARGS)

worker: install
	@test -n "$$REDIS_URL" || { echo "Set REDIS_URL (e.g. redis://127.0.0.1:6379/0) to run a worker."; exit 1; }
	$(BIN)/celery -A cms worker --loglevel=INFO

beat: install
	@test -n "$$REDIS_URL" || { echo "Set REDIS_URL (e.g. redis://127.0.0.1:6379/0) to run beat."; exit 1; }
	$(BIN)/celery -A cms beat --loglevel=INFO --scheduler django_celery_beat.schedulers:DatabaseScheduler

# The production lock first; the dev lock adds the dev extra, constrained to the same pins.
PIP_COMPILE := /tmp/leap-lock-venv/bin/pip-compile --quiet --upgrade --strip-extras \
	--no-emit-index-url --no-emit-find-links

lock:
	$(PYTHON) -m venv /tmp/leap-lock-venv
	/tmp/leap-lock-venv/bin/pip install --quiet pip-tools
	$(PIP_COMPILE) -o $(PROD_LOCK) pyproject.toml
	$(PIP_COMPILE) --extra dev --pip-args "--constraint $(PROD_LOCK)" -o $(LOCK) pyproject.toml

clean:
	rm -rf $(VENV) $(VALIDATOR_VENV) $(DCC_DIR)/node_modules var test-results .pytest_cache .ruff_cache
