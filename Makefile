# Every target does its own set-up: a fresh clone needs only `make book` or `make test`.
SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= python3
# Python caches compiled bytecode by default; an environment that turns this off
# (PYTHONDONTWRITEBYTECODE, set on some CI machines) makes every pytest worker and notebook
# kernel compile the tests, the package and its libraries again.
# The caches (__pycache__/) are git-ignored.
unexport PYTHONDONTWRITEBYTECODE
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
# Where the browser suite lives (tests/test_metadata_files.py checks that every test marked
# `browser` is in these paths, so none is left out of `make browser`).
BROWSER_TESTS := tests/browser tests/test_pdf.py
# The lean environment (scripts/lean_env.py): the package alone, as Colab installs it. Its
# kernel runs the notebooks for nbval and `make execute`, so one execution proves both that
# the stored outputs are current and that the package alone runs every chapter.
LEAN := .venv-lean
LEAN_KERNEL := JUPYTER_PATH=$(CURDIR)/$(LEAN)/share/jupyter
ENSURE_LEAN = $(BIN)/python scripts/lean_env.py --prefix $(LEAN)

.PHONY: help python-version env book pdf test lint unit notebooks html perturb browser-deps browser screenshots lean-env colab linkcheck claims bench serve execute lock clean

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

lean-env: $(STAMP) ## Make or update .venv-lean: the package alone, as Colab installs it
	$(ENSURE_LEAN)

# Copies of the notebooks run outside the tree, as on Colab: none can read the repository's
# files (test ids read notebooks/01_burden.ipynb::Cell 0, relative to the copies). Then
# tests/test_colab.py checks what that kernel is and imports (make colab).
notebooks: $(STAMP) ## Re-run every notebook with only the package installed; compare its outputs with the stored ones (nbval, strict)
	$(CHECK_OUTPUTS)
	$(ENSURE_LEAN)
	copies=$$(mktemp -d) && trap 'rm -rf "$$copies"' EXIT && cp --parents $(NOTEBOOKS) "$$copies" && \
	$(LEAN_KERNEL) $(BIN)/pytest --nbval $(addprefix "$$copies"/,$(NOTEBOOKS)) -c pyproject.toml --rootdir "$$copies" \
	  --nbval-kernel-name cart-lean --nbval-sanitize-with tests/sanitize.cfg -n $(WORKERS) --dist loadfile
	$(LEAN_KERNEL) $(BIN)/pytest tests/test_colab.py -m colab -q

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
	$(BIN)/pytest $(BROWSER_TESTS) -m browser -n $(WORKERS) --dist loadscope

test: $(STAMP) browser-deps ## Everything: lint, unit tests, nbval, the book build, HTML and browser checks
	$(MAKE) lint
	$(MAKE) unit
	$(MAKE) notebooks
	$(MAKE) book
	$(MAKE) browser

screenshots: $(STAMP) browser-deps ## Save every page at desktop and phone width to _build/screenshots
	BOOK_SCREENSHOTS=1 $(BIN)/pytest tests/browser/test_browser_book.py -m browser -n $(WORKERS) --dist loadscope -k screenshots

colab: lean-env ## Check the lean environment's kernel (make notebooks runs every chapter in it)
	$(LEAN_KERNEL) $(BIN)/pytest tests/test_colab.py -m colab

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

execute: lean-env ## Re-execute notebooks in place (lean kernel) and stamp them (NB=notebooks/04_erlangen.ipynb for one)
	$(LEAN_KERNEL) $(BIN)/python scripts/execute_notebooks.py --kernel cart-lean --jobs $(WORKERS) $(or $(NB),$(NOTEBOOKS))

lock: ## Re-resolve requirements.in into the pinned requirements.txt
	@py=$(PYTHON); $(CHECK_PYTHON)
	rm -rf .lockenv && $(PYTHON) -m venv .lockenv
	.lockenv/bin/pip install --quiet -r requirements.in
	{ head -n 2 requirements.txt; .lockenv/bin/pip freeze --exclude-editable; \
	  echo "# The book's model package, editable, so notebooks import it without path hacks."; echo "-e ."; } > requirements.lock
	mv requirements.lock requirements.txt && rm -rf .lockenv

clean: ## Remove the build, caches and the virtual environments
	rm -rf _build .venv $(LEAN) .pytest_cache .hypothesis benchmarks/_work
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
