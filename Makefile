# InMail Studio — every routine step is a target here (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# Tests run against PostgreSQL and Redis on this machine; `make run` needs neither.
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/inmail_studio
TEST_REDIS_URL ?= redis://127.0.0.1:6379/0
PYTEST_ARGS ?= -n 2 --dist worksteal

.PHONY: help install lock prod-check run migrate seed test test-fast lint format bench services browser clean

help:
	@echo "make run     set up and start the app on http://127.0.0.1:8000 with a worker and beat (SQLite, demo data, LinkedIn sandbox)"
	@echo "make test    set up and run the whole suite (PostgreSQL, Redis, Celery worker, Chromium)"
	@echo "make lint    ruff, mypy and import-linter (.importlinter)"
	@echo "make format  ruff format and autofix"
	@echo "make bench   the speed benchmarks under bench/"
	@echo "make prod-check  start the production-shaped stack here and drive a user's journey over HTTPS"
	@echo "make lock    refresh requirements*.lock from pyproject.toml (UPGRADE=1 to move every pin)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Reproducible installs: every package from the lockfile, each file checked against its hash
# (the image installs requirements.lock the same way); then the project itself, editable.
LOCK := requirements.lock
DEV_LOCK := requirements-dev.lock
$(VENV)/.installed: $(DEV_LOCK) pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --require-hashes --no-deps -r $(DEV_LOCK)
	$(BIN)/pip install --quiet --no-deps --no-build-isolation -e .
	touch $@

install: $(VENV)/.installed

# Refresh the lockfiles from pyproject.toml: pins are kept unless UPGRADE=1 (then everything moves to
# the newest release the ranges allow). The dev lock is constrained by the runtime one, so both agree.
UV_COMPILE := $(BIN)/uv pip compile pyproject.toml --universal --python-version 3.11 --generate-hashes --quiet \
	$(if $(UPGRADE),--upgrade)
lock: install
	$(UV_COMPILE) -o $(LOCK)
	$(UV_COMPILE) --extra dev -c $(LOCK) -o $(DEV_LOCK)
	$(MAKE) install

migrate: install
	env -u DATABASE_URL $(BIN)/python manage.py migrate --noinput

seed: migrate
	env -u DATABASE_URL $(BIN)/python manage.py seed_demo

run: seed
	@echo ""
	@echo "  InMail Studio: http://127.0.0.1:8000"
	@echo "  Sign in as marketer, manager or admin with the password 'demo' (development only)."
	@echo "  A Celery worker and beat run beside it on an embedded broker (.run/broker); Ctrl-C stops all three."
	@echo ""
	env -u DATABASE_URL -u CELERY_BROKER_URL $(BIN)/python scripts/run.py

services:
	@bash scripts/services.sh

browser:
	@bash scripts/browser.sh

test: install services browser
	DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) INMAIL_TESTING=1 \
		$(BIN)/pytest $(PYTEST_ARGS)

test-fast: install services
	DATABASE_URL=$(TEST_DATABASE_URL) TEST_REDIS_URL=$(TEST_REDIS_URL) INMAIL_TESTING=1 \
		$(BIN)/pytest -m "not browser and not slow" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy inmail_studio scripts bench
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# The production-shaped stack of docker-compose.yml on this machine, without Docker, driven over HTTPS
# as users drive it (scripts/prodcheck/). Ports 84xx, PostgreSQL database inmail_prodcheck, Redis
# databases 14 and 15; all configurable (PRODCHECK_* variables, see scripts/prodcheck/run.py).
prod-check: install services
	@bash scripts/prodcheck/install.sh
	$(BIN)/python -m scripts.prodcheck

bench: install services
	DATABASE_URL=$(TEST_DATABASE_URL) INMAIL_TESTING=1 $(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .mypy_cache .ruff_cache .run
