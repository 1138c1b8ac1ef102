# Flowloom. `make help` lists the targets.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000

.DEFAULT_GOAL := help
.PHONY: help install install-dev run migrate test lint format typecheck schema bench clean node-clients web web-test

help: ## List the targets
	@grep -E '^[a-zA-Z_-]+:.*?## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*?## "} {printf "  %-12s %s\n", $$1, $$2}'

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: pyproject.toml $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed ## Create .venv and install Flowloom

install-dev: $(VENV)/.installed-dev ## Install Flowloom with the development tools

run: install web ## Build the web app if stale, migrate, serve http://$(HOST):$(PORT) (embedded PostgreSQL unless DATABASE_URL)
	$(BIN)/flowloom migrate
	$(BIN)/flowloom serve --host $(HOST) --port $(PORT)

migrate: install ## Apply pending database migrations
	$(BIN)/flowloom migrate

lint: install-dev ## ruff (lint + format check), import-linter contracts, mypy
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/mypy

format: install-dev ## Format and auto-fix with ruff
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

test: lint node-clients web-test ## Lint, check the web app, then run the whole test suite
	$(BIN)/pytest

web: ## Build the web app (frontend/dist) when missing or older than its sources; needs Node >= 20
	frontend/ci.sh build

web-test: install ## The web app's checks: codegen up to date, lint, build, Vitest, Playwright in Chromium
	frontend/ci.sh test

NODE_CLIENT := tests/clients/node

node-clients: $(NODE_CLIENT)/node_modules/.installed ## Install the reference Node client's packages (npm ci)

$(NODE_CLIENT)/node_modules/.installed: $(NODE_CLIENT)/package-lock.json
	npm ci --prefix $(NODE_CLIENT)
	@touch $@

schema: install ## Rewrite schema.graphql from the Strawberry schema
	$(BIN)/flowloom export-schema -o schema.graphql

bench: install-dev web ## Run the benchmarks (each prints one JSON object)
	$(BIN)/python -m bench.api
	$(BIN)/python -m bench.engine
	$(BIN)/python -m bench.events
	$(BIN)/python -m bench.cli
	$(BIN)/python -m bench.workers
	$(BIN)/python -m bench.vectors
	node bench/ui.mjs

clean: ## Remove the virtualenv and caches
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis
