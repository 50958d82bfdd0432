# Spoorwijzer: `make run` serves the API, `make test` runs every check. Both bootstrap what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements-dev.lock pyproject.toml | cksum | cut -d' ' -f1)

.DEFAULT_GOAL := help
.PHONY: help install run test lint typecheck pytest openapi check-openapi migrate demo bench clean

help:
	@echo "make run      serve the API on http://127.0.0.1:8000 (embedded PostgreSQL unless DATABASE_URL is set)"
	@echo "make test     lint, types, migrations and the test suite against real PostgreSQL"
	@echo "make openapi  regenerate openapi/openapi.json from the app"
	@echo "make demo     load demo organizations, keys and cases (prints the keys)"
	@echo "make migrate  apply database migrations"
	@echo "make bench    run the benchmarks in bench/"

$(STAMP): requirements-dev.lock pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "Python 3.11+ is required"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-*
	touch $@

install: $(STAMP)

run: $(STAMP)
	$(BIN)/spoorwijzer run

migrate: $(STAMP)
	$(BIN)/spoorwijzer migrate

demo: $(STAMP)
	$(BIN)/spoorwijzer demo

lint: $(STAMP)
	$(BIN)/ruff check app tests migrations bench
	$(BIN)/ruff format --check app tests migrations bench

typecheck: $(STAMP)
	$(BIN)/mypy app

pytest: $(STAMP)
	$(BIN)/pytest

openapi: $(STAMP)
	$(BIN)/python -m app.openapi_export > openapi/openapi.json

test: lint typecheck pytest

bench: $(STAMP)
	$(BIN)/python -m bench.portfolio

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
