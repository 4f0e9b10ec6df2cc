# One command per job. Every target bootstraps the virtual environment first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
OUT    := out

# The engine vectorises over patients and runs its own worker threads; a multi-threaded BLAS on
# top of that only contends for the cores when it multiplies small matrices.
export OPENBLAS_NUM_THREADS ?= 1
export OMP_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.PHONY: demo test check lint types layers sizes unit browser fix bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/ketapath demo

test: check unit

check: lint types layers sizes

lint: $(STAMP)
	$(BIN)/ruff check src tests tools bench
	$(BIN)/ruff format --check src tests tools bench

types: $(STAMP)
	$(BIN)/mypy

layers: $(STAMP)
	$(BIN)/lint-imports --no-cache

sizes: $(STAMP)
	$(BIN)/python tools/check_sizes.py

# Debian's Chromium and axe-core for the browser tests (idempotent; never a downloaded browser).
browser:
	tools/browser/install.sh

unit: $(STAMP) browser
	KETAPATH_REQUIRE_BROWSER=1 $(BIN)/pytest -n auto -p no:cacheprovider

fix: $(STAMP)
	$(BIN)/ruff check --fix src tests tools bench
	$(BIN)/ruff format src tests tools bench

bench: $(STAMP)
	$(BIN)/python -m bench
	$(BIN)/python -m bench.api_load

clean:
	rm -rf $(VENV) $(OUT) .pytest_cache .mypy_cache .ruff_cache
