# Accord: the two commands are `make run` and `make test`; `make help` lists the rest.
#
# Variables (override on the command line, e.g. `make run PORT=8001`):
#   PYTHON   a Python >= 3.12 to build .venv with (default: the first that works of python3.12,
#            pyenv's 3.12.x, /usr/bin/python3.12, python3)
#   HOST     address `make run` listens on (default 127.0.0.1)
#   PORT     port `make run` listens on (default 8000)
#   PYTEST_WORKERS  parallel test processes (pytest-xdist; default 2, 0 = no xdist)
#   PYTEST_ARGS     extra arguments for pytest, e.g. PYTEST_ARGS="-k health -x"
# ACCORD_* settings come from the environment, and from ./.env when it exists (shell syntax,
# see .env.example).

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-print-directory

PYTHON ?=
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_WORKERS ?= 2
PYTEST_ARGS ?=

VENV := .venv
BIN := $(VENV)/bin
ACCORD := $(BIN)/accord
LOAD_ENV := set -a; if [ -f .env ]; then . ./.env; fi; set +a;
DATA_DIR := $(shell $(LOAD_ENV) echo "$${ACCORD_DATA_DIR:-var}")
STATIC_MANIFEST := $(DATA_DIR)/static/staticfiles.json
STATIC_SOURCES := $(shell find src -path '*/static/*' -type f 2>/dev/null)
# Production-like settings for `check --deploy` (nothing here is used to run anything).
DEPLOY_ENV := ACCORD_DEBUG=false ACCORD_SECURE=true ACCORD_ALLOWED_HOSTS=crm.example.com \
	ACCORD_SECRET_KEY=deploy-check-8fQz2vR7kLw4Nx9pTb3Hs6Yc1Jd5Mg0Ae-Ku8Wi2Po7Xr4Zt9Ln3Sb6Vq1Gh5
XDIST := $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadscope)

.PHONY: help install run test lint check-config test-python test-postgres screenshots \
	test-scale chromium clean python-venv

help: ## List the targets
	@echo "Accord make targets:"
	@grep -E '^[a-z][a-zA-Z_-]+:.*## ' $(MAKEFILE_LIST) | \
		awk 'BEGIN {FS = ":.*## "}; {printf "  make %-14s %s\n", $$1, $$2}'
	@echo
	@echo "Variables: PORT=$(PORT) HOST=$(HOST) PYTHON=$(or $(PYTHON),auto) PYTEST_WORKERS=$(PYTEST_WORKERS)"

# --- Setup ------------------------------------------------------------------------------------

install: $(VENV)/.stamp-install node_modules/.stamp-install $(STATIC_MANIFEST) ## Create .venv, install Python and npm packages, collect static files, migrate
	@$(LOAD_ENV) $(ACCORD) migrate --noinput -v1 | { grep -v -E '^(Operations to perform|  Apply all migrations|Running migrations|  No migrations to apply)' || true; }
	@echo "Accord is installed: $(ACCORD) (data in $(DATA_DIR)/)."

# A working Python >= 3.12 with venv: candidates are RUN, since a pyenv shim may exist but fail.
python-venv:
	@if [ -x $(BIN)/python ] && $(BIN)/python -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		exit 0; \
	fi; \
	if [ -n "$(PYTHON)" ]; then candidates="$(PYTHON)"; else \
		pyenv_root=$$(pyenv root 2>/dev/null || true); \
		candidates="python3.12 $$(ls -d $${pyenv_root:-/nonexistent}/versions/3.12.*/bin/python3.12 2>/dev/null | sort -rV | tr '\n' ' ') /usr/bin/python3.12 python3"; \
	fi; \
	found=""; \
	for candidate in $$candidates; do \
		if "$$candidate" -c 'import sys, venv, ensurepip; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then \
			found="$$candidate"; break; \
		fi; \
	done; \
	if [ -z "$$found" ]; then \
		echo "error: no working Python 3.12 found (tried: $$candidates)." >&2; \
		echo "Install Python 3.12 with its venv module, e.g. 'pyenv install 3.12' or 'apt install python3.12 python3.12-venv'," >&2; \
		echo "then run make again (or point to it: make install PYTHON=/path/to/python3.12)." >&2; \
		exit 1; \
	fi; \
	echo "Creating $(VENV) with $$found ($$("$$found" --version 2>&1))"; \
	rm -rf $(VENV); \
	"$$found" -m venv $(VENV)

$(VENV)/.stamp-install: pyproject.toml
	@$(MAKE) python-venv
	@echo "Installing Python packages into $(VENV)..."
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@

node_modules/.stamp-install: package.json $(wildcard package-lock.json)
	@command -v npm >/dev/null || { echo "error: npm is missing: install Node.js 20 or newer (e.g. apt install nodejs npm)." >&2; exit 1; }
	@echo "Installing front-end packages (npm)..."
	@if [ -f package-lock.json ]; then npm ci --no-audit --no-fund --loglevel=error; \
	else npm install --no-audit --no-fund --loglevel=error; fi
	@touch $@

$(STATIC_MANIFEST): $(VENV)/.stamp-install node_modules/.stamp-install $(STATIC_SOURCES)
	@echo "Collecting static files into $(DATA_DIR)/static..."
	@$(LOAD_ENV) $(ACCORD) collectstatic --noinput -v0
	@touch $@

# --- Run --------------------------------------------------------------------------------------

run: install ## Set up, load demo data + create an admin on first run, serve at http://HOST:PORT
	@$(LOAD_ENV) users=$$($(ACCORD) shell -v0 -c 'from django.contrib.auth import get_user_model; print("has-users" if get_user_model().objects.exists() else "no-users")'); \
	if [ "$$users" = "no-users" ]; then \
		echo "First run: loading demo data..."; \
		$(ACCORD) demo; \
		echo; \
		echo "=================================================================="; \
		echo " Administrator account (the password is shown only this once):"; \
		$(ACCORD) createuser --email admin@example.com --role admin --full-name Administrator | sed 's/^/   /'; \
		echo "=================================================================="; \
		echo; \
	fi
	@echo "Starting Accord at http://$(HOST):$(PORT)/ (Ctrl-C stops it)"
	@$(LOAD_ENV) exec $(ACCORD) serve --host $(HOST) --port $(PORT)

# --- Quality ----------------------------------------------------------------------------------

lint: $(VENV)/.stamp-install ## ruff (lint + format check), mypy, import-linter
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

check-config: install ## Django checks, migrations up to date, deploy checks, OpenAPI schema
	$(ACCORD) check --fail-level WARNING
	$(ACCORD) makemigrations --check --dry-run
	$(DEPLOY_ENV) $(ACCORD) check --deploy --fail-level WARNING
	@if $(ACCORD) help openapi >/dev/null 2>&1; then \
		echo "$(ACCORD) openapi -o docs/openapi.json --check"; \
		$(ACCORD) openapi -o docs/openapi.json --check; \
	fi

chromium: ## Make sure Debian's chromium (for the browser tests) is installed
	@if [ -x /usr/bin/chromium ]; then exit 0; fi; \
	if [ "$$(id -u)" = "0" ] && command -v apt-get >/dev/null; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "error: /usr/bin/chromium is missing: the browser tests need Debian's chromium." >&2; \
		echo "Install it with: sudo apt-get install chromium" >&2; \
		exit 1; \
	fi

test: install chromium lint check-config test-python test-postgres ## Everything CI runs: lint, checks, the whole suite on SQLite (+ PostgreSQL if ACCORD_TEST_DATABASE_URL)
	@echo "All checks and tests passed."

test-python: install
	@echo "Test suite on SQLite..."
	env -u ACCORD_TEST_DATABASE_URL $(BIN)/pytest $(XDIST) $(PYTEST_ARGS)

test-postgres: install
	@if [ -z "$${ACCORD_TEST_DATABASE_URL:-}" ]; then \
		echo "ACCORD_TEST_DATABASE_URL is not set: skipping the PostgreSQL pass."; \
	else \
		echo "Test suite on PostgreSQL ($${ACCORD_TEST_DATABASE_URL%%://*}://...@$${ACCORD_TEST_DATABASE_URL##*@})..."; \
		$(BIN)/pytest $(XDIST) $(PYTEST_ARGS); \
	fi

screenshots: install chromium ## Regenerate docs/screenshots with the browser tests
	ACCORD_SCREENSHOTS_DIR=docs/screenshots $(BIN)/pytest tests/browser $(PYTEST_ARGS)

test-scale: install ## Long-running scale checks (pytest -m scale)
	@status=0; $(BIN)/pytest -m scale $(PYTEST_ARGS) || status=$$?; \
	if [ $$status -eq 5 ]; then echo "No scale tests are defined yet."; exit 0; fi; \
	exit $$status

clean: ## Remove .venv, node_modules, collected static files and caches (keeps your data)
	rm -rf $(VENV) node_modules $(DATA_DIR)/static .pytest_cache .mypy_cache .ruff_cache \
		test-results build dist src/*.egg-info
	find . -name __pycache__ -type d -not -path './.git/*' -prune -exec rm -rf {} +
	@echo "Removed build artefacts; your data in $(DATA_DIR)/ (database, files, backups) is kept."
