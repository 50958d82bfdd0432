# Spoorwijzer: `make run` serves the API, `make test` runs every check. Both bootstrap what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements-dev.lock pyproject.toml | cksum | cut -d' ' -f1)

.DEFAULT_GOAL := help
.PHONY: help install run test lint typecheck pytest contract clients openapi check-openapi migrate demo bench soak clean lock-hashes

help:
	@echo "make run      serve the API on http://127.0.0.1:8000 (embedded PostgreSQL unless DATABASE_URL is set)"
	@echo "make test     lint, types, migrations, the test suite and the schemathesis contract run, on real PostgreSQL"
	@echo "make clients  generate the Python and TypeScript clients from openapi/openapi.json and run them end to end"
	@echo "make openapi  regenerate openapi/openapi.json from the app"
	@echo "make demo     load demo organizations, keys and cases (prints the keys)"
	@echo "make migrate  apply database migrations"
	@echo "make bench    run the benchmarks in bench/"
	@echo "make soak     five minutes of mixed traffic against two workers (bench/soak.py)"

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

LINTED := app tests migrations bench scripts clients/python/exercise.py

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)

typecheck: $(STAMP)
	$(BIN)/mypy app

pytest: $(STAMP)
	$(BIN)/pytest

openapi: $(STAMP)
	$(BIN)/python -m app.openapi_export > openapi/openapi.json

# Schemathesis against a live server on a seeded database of its own, in its own pytest process.
contract: $(STAMP)
	$(BIN)/pytest -p no:cacheprovider tests/contract/contract_schemathesis.py

# The generated clients (not committed): a Python one (openapi-python-client, in its own venv) and a TypeScript
# one (openapi-typescript + openapi-fetch, type-checked by tsc), both exercised against a live server.
CLIENT_VENV := clients/python/.venv
clients: $(STAMP)
	test -x $(CLIENT_VENV)/bin/python || $(PYTHON) -m venv $(CLIENT_VENV)
	$(CLIENT_VENV)/bin/python -m pip install --quiet -r clients/python/requirements.txt
	rm -rf clients/python/generated clients/ts/src/generated clients/ts/dist
	PATH="$(CURDIR)/$(CLIENT_VENV)/bin:$$PATH" $(CLIENT_VENV)/bin/openapi-python-client generate \
		--path openapi/openapi.json --config clients/python/config.yaml --meta none \
		--output-path clients/python/generated/spoorwijzer_client --fail-on-warning
	cd clients/ts && npm ci --no-audit --no-fund && npm run generate && npm run build
	$(BIN)/pytest -p no:cacheprovider tests/contract/contract_clients.py

test: lint typecheck pytest contract

bench: $(STAMP)
	$(BIN)/python -m bench.run

soak: $(STAMP)
	$(BIN)/python -m bench.soak

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
	rm -rf $(CLIENT_VENV) clients/python/generated clients/ts/node_modules clients/ts/dist clients/ts/src/generated

# The container's lock: requirements.lock with the sha256 of each wheel (tests/test_packaging.py compares them).
lock-hashes: $(STAMP)
	$(BIN)/python scripts/lock_hashes.py
