# Stride — every set-up step lives here, so a fresh machine needs only `make run` / `make test`.
# uv is bootstrapped from PyPI into .tools/ (kept apart from .venv, which `uv sync` keeps exact).
PYTHON ?= python3
TOOLS  := .tools
UV     := $(TOOLS)/bin/uv
VENV   := .venv
BIN    := $(VENV)/bin
UV_VERSION := 0.13.9
TEST_WORKERS ?= 2
HOST ?= 127.0.0.1
PORT ?= 8000
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: run test lint typecheck bench install install-dev clean

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet "uv==$(UV_VERSION)"

install: $(UV)
	$(UV) sync --frozen --no-default-groups

install-dev: $(UV)
	$(UV) sync --frozen --all-extras

run: install
	$(BIN)/stride serve --host $(HOST) --port $(PORT) --demo

test: install-dev lint
	$(BIN)/pytest -n $(TEST_WORKERS)

lint: install-dev
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

bench: install-dev
	$(BIN)/python -m benchmarks

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
