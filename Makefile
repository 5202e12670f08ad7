# Every target does its own set-up: a fresh clone needs only `make book` or `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
# The one supported Python range is pyproject.toml's requires-python (">=3.11"); the check
# below runs before the venv is made, so an older Python gets this message, not a resolver
# error from pip.
PYTHON_MIN := $(shell sed -n 's/^requires-python = ">=\([0-9.]*\)"/\1/p' pyproject.toml)
CHECK_PYTHON = "$$py" -c 'import sys; sys.exit(sys.version_info[:2] < tuple(map(int, "$(PYTHON_MIN)".split("."))))' 2>/dev/null || { \
	  found=$$(command -v "$$py" >/dev/null && "$$py" --version 2>&1 || echo "not found"); \
	  echo "make: this book needs Python >= $(PYTHON_MIN) (pyproject.toml requires-python); $$py is $$found." >&2; \
	  echo "make: install Python $(PYTHON_MIN) or newer and pass it, e.g. 'make book PYTHON=python$(PYTHON_MIN)' (run 'make clean' first if .venv was made by an older Python)." >&2; \
	  exit 1; }
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat requirements.txt pyproject.toml | cksum | cut -d' ' -f1)
JB_FLAGS := -n -W --keep-going
PORT ?= 8000
# Pytest runs notebooks on both cores; override with `make test WORKERS=1`.
WORKERS ?= 2
NOTEBOOKS := $(wildcard notebooks/*.ipynb) $(wildcard book/*.ipynb)

.PHONY: help python-version env book pdf test lint unit notebooks html perturb browser-deps browser colab linkcheck claims bench serve execute lock clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

python-version: ## Check that Python (PYTHON=..., or .venv's) is in pyproject's range
	@py=$$(test -x $(BIN)/python && echo $(BIN)/python || echo $(PYTHON)); $(CHECK_PYTHON)

$(STAMP): requirements.txt pyproject.toml
	@$(MAKE) --no-print-directory python-version
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	rm -f $(VENV)/.installed-*
	touch $@

env: $(STAMP) ## Create .venv and install requirements.txt (done by every other target)

# The book shows the outputs stored in the notebooks (nbval verifies them; nothing is
# executed at build time); CHECK_OUTPUTS refuses any notebook executed with an older package.
CHECK_OUTPUTS = $(BIN)/python scripts/execute_notebooks.py --check $(NOTEBOOKS)

book: $(STAMP) ## Build the HTML book into _build/html from the stored outputs (warnings are errors)
	$(CHECK_OUTPUTS)
	$(BIN)/jupyter-book build . $(JB_FLAGS)
	test -f _build/html/index.html

pdf: $(STAMP) browser-deps ## Print the whole book to _build/pdf/car-t-reset-book.pdf (offline, Chromium)
	$(CHECK_OUTPUTS)
	$(BIN)/jupyter-book build . --builder singlehtml $(JB_FLAGS)
	$(BIN)/python scripts/build_pdf.py
	@# book/intro.md links the PDF at the site's root: serve and publish it there.
	@if [ -d _build/html ]; then cp _build/pdf/car-t-reset-book.pdf _build/html/; fi

lint: $(STAMP) ## ruff: lint and format check of the package, tests, scripts and notebooks
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

unit: $(STAMP) ## Model unit, property and calibration tests, and the build-gate fixtures
	$(BIN)/pytest tests -m "not browser and not colab" -n $(WORKERS)

notebooks: $(STAMP) ## Re-run every notebook and compare its outputs with the stored ones (nbval, strict)
	$(CHECK_OUTPUTS)
	$(BIN)/pytest --nbval $(NOTEBOOKS) --nbval-sanitize-with tests/sanitize.cfg -n $(WORKERS) --dist loadfile

# The notebook suite itself (same nbval comparison) with every solver tolerance tenfold
# tighter (cart_autoimmunity/numerics.py reads CART_TOLERANCE_SCALE in each kernel).
perturb: $(STAMP) ## Re-run the notebooks (nbval) with solver tolerances 10x tighter; no output may change
	CART_TOLERANCE_SCALE=0.1 $(MAKE) --no-print-directory notebooks

browser-deps: ## Install Debian's Chromium and poppler-utils (PDF text), if missing
	@.ci/debian-packages

# Checks the book `make book` built (and prints the PDF from a singlehtml build, which
# executes nothing); each page is visited once per viewport, on both cores (the
# scheduler in tests/conftest.py keeps a page's checks on one worker).
browser: $(STAMP) browser-deps ## Open every page of the built book in headless Chromium
	$(BIN)/pytest tests -m browser -n $(WORKERS) --dist loadscope

test: $(STAMP) browser-deps ## Everything: lint, unit tests, nbval, the book build, HTML and browser checks
	$(MAKE) lint
	$(MAKE) unit
	$(MAKE) notebooks
	$(MAKE) book
	$(MAKE) browser
	$(MAKE) colab

colab: $(STAMP) ## Install only the package in a fresh venv, as Colab would, and run every chapter
	$(BIN)/pytest tests -m colab

linkcheck: $(STAMP) ## Check every external link of the book (online; CI runs it weekly)
	$(BIN)/jupyter-book build . --builder linkcheck -n --keep-going

claims: ## Print the claims ledger as JSON, computed now (set-up output goes to stderr)
	@$(MAKE) --no-print-directory -s env >&2
	@$(BIN)/python -m cart_autoimmunity.ledger

bench: $(STAMP) browser-deps ## Measure build, test and model speed; write benchmarks/results.md
	$(BIN)/python benchmarks/run.py

serve: ## Serve the built book on http://127.0.0.1:$(PORT)
	@test -f _build/html/index.html || $(MAKE) book
	$(BIN)/python -m http.server $(PORT) --bind 127.0.0.1 --directory _build/html

execute: $(STAMP) ## Re-execute notebooks in place and stamp them (NB=notebooks/04_erlangen.ipynb for one)
	$(BIN)/python scripts/execute_notebooks.py --jobs $(WORKERS) $(or $(NB),$(NOTEBOOKS))

lock: ## Re-resolve requirements.in into the pinned requirements.txt
	@py=$(PYTHON); $(CHECK_PYTHON)
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/pip install --quiet -r requirements.in
	{ head -n 2 requirements.txt; .lockenv/bin/pip freeze --exclude-editable; \
	  echo "# The book's model package, editable, so notebooks import it without path hacks."; echo "-e ."; } > requirements.lock
	mv requirements.lock requirements.txt && rm -rf .lockenv

clean: ## Remove the build, caches and the virtual environment
	rm -rf _build .venv .pytest_cache .hypothesis benchmarks/_work
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
