# Jarvis Command Center — `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast lint format bench screenshots clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP) ## Create .venv and install the project with its dev tools

run: $(STAMP) ## Start the server on http://127.0.0.1:5001
	$(BIN)/jarvis serve

lint: $(STAMP) ## ruff (lint + format check), mypy and the import contracts
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

format: $(STAMP) ## Apply ruff's formatting and fixes
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

test: $(STAMP) lint ## Lint, type-check and run the whole test suite
	$(BIN)/pytest

test-fast: $(STAMP) ## The test suite without lint and browser tests
	$(BIN)/pytest -m "not browser"

bench: $(STAMP) ## Benchmarks; figures go to docs/performance.md
	$(BIN)/python -m benchmarks.run

screenshots: $(STAMP) ## Regenerate docs/screenshots/ (needs /usr/bin/chromium)
	$(BIN)/python -m benchmarks.screenshots

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) .jarvis .pytest_cache .mypy_cache .ruff_cache
