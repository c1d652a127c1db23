# One runner for everything. `make run` and `make test` work on a fresh clone:
# they create .venv and install what they need first.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
KG     := $(BIN)/kg
STAMP  := $(VENV)/.installed

# Debian packages the tests drive for real (a headless browser, a SPARQL server).
SYSTEM_PACKAGES := chromium virtuoso-opensource

.PHONY: run test lint typecheck build clean system-deps screenshot bench-viz bench-query

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -c constraints.txt -e '.[dev]'
	touch $(STAMP)

# The audit exits 1 when it has findings: that is its report, not a failure of `make run`.
run: $(STAMP)
	$(KG) build
	$(KG) viz --output visualizations/seed-graph.html
	$(KG) summary
	$(KG) audit --summary || test $$? -eq 1

build: $(STAMP)
	$(KG) build

lint: $(STAMP)
	$(BIN)/ruff check src tests
	$(BIN)/ruff format --check src tests

typecheck: $(STAMP)
	$(BIN)/mypy src

# Installs only what is missing; needs root or sudo (CI runs as root).
system-deps:
	@missing=""; for p in $(SYSTEM_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing system packages:$$missing"; \
	  if [ "$$(id -u)" = 0 ]; then sudo=""; else sudo=sudo; fi; \
	  $$sudo apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$sudo apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

# pytest exits 5 when it collects nothing: that must fail, so no special-casing here.
test: $(STAMP) system-deps lint typecheck
	$(BIN)/pytest -q

# docs/img/seed-graph.png from visualizations/seed-graph.html, in headless Chromium.
screenshot: $(STAMP)
	$(BIN)/python scripts/viz_screenshot.py

# Node counts and load-to-interactive times for docs/benchmarks.md (takes a few minutes).
bench-viz: $(STAMP)
	$(BIN)/python benchmarks/viz_bench.py

clean:
	rm -rf build .pytest_cache .mypy_cache .ruff_cache

# Retrain the causal detector from benchmarks/cnc, then measure extraction (a few minutes).
.PHONY: model benchmarks
model: $(STAMP)
	$(BIN)/python benchmarks/train_detector.py

benchmarks: $(STAMP)
	$(KG) eval --cnc --write docs/benchmarks.md

# Load and saved-query benchmark, Oxigraph vs rdflib (10k and 100k claims take ~30 min;
# add 1000000 to SIZES for the 1M run, which takes over an hour here). Not part of `make test`.
SIZES ?= 10000 100000
bench-query: $(STAMP)
	$(BIN)/python benchmarks/run.py --sizes $(SIZES) --rdflib-max 100000
