# Jarvis Command Center — `make help` lists the targets.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
RUN_STAMP := $(VENV)/.installed-run
DEV_STAMP := $(VENV)/.installed-dev
UV_VERSION := 0.13.9

.DEFAULT_GOAL := help
.PHONY: help install run test test-fast lint format bench screenshots clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-12s %s\n", $$1, $$2}'

# uv installs in seconds where pip takes half a minute; plain pip is the fallback when uv cannot be had.
define install_into_venv
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@test -x $(BIN)/uv || $(BIN)/python -m pip install --quiet --disable-pip-version-check uv==$(UV_VERSION) \
		>/dev/null 2>&1 || true
	@if [ -x $(BIN)/uv ]; then $(BIN)/uv pip install --quiet --python $(BIN)/python $(1); \
	else $(BIN)/python -m pip install --quiet --disable-pip-version-check $(1); fi
endef

# `make run` installs what the server needs; the test and lint tools come with the first `make test`.
$(RUN_STAMP): pyproject.toml
	$(call install_into_venv,-e .)
	@touch $@

$(DEV_STAMP): $(RUN_STAMP) pyproject.toml
	$(call install_into_venv,-e '.[dev]')
	@touch $@

install: $(DEV_STAMP) ## Create .venv and install the project with its dev tools

run: $(RUN_STAMP) ## Start the server on http://127.0.0.1:5001
	$(BIN)/jarvis serve

lint: $(DEV_STAMP) ## ruff (lint + format check), mypy and the import contracts
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports --no-cache

format: $(DEV_STAMP) ## Apply ruff's formatting and fixes
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

test: $(DEV_STAMP) lint ## Lint, type-check and run the whole test suite
	$(BIN)/pytest

test-fast: $(DEV_STAMP) ## The test suite without lint and browser tests
	$(BIN)/pytest -m "not browser"

bench: $(DEV_STAMP) ## Benchmarks; figures go to docs/performance.md
	$(BIN)/python -m benchmarks.run

screenshots: $(DEV_STAMP) ## Regenerate docs/screenshots/ (needs /usr/bin/chromium)
	$(BIN)/python -m benchmarks.screenshots

clean: ## Remove the virtualenv and local data
	rm -rf $(VENV) .jarvis .pytest_cache .mypy_cache .ruff_cache
