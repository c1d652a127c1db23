# One runner for everything. `make run` and `make test` work on a fresh clone:
# they create .venv and install what they need first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
KG     := $(BIN)/kg
STAMP  := $(VENV)/.installed

.PHONY: run test lint typecheck build clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(KG) build
	$(KG) summary

build: $(STAMP)
	$(KG) build

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: $(STAMP)
	$(BIN)/mypy src

# pytest exits 5 when it collects nothing: that must fail, so no special-casing here.
test: $(STAMP) lint
	$(BIN)/pytest -q

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache
