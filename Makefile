# The course's commands. `make book` and `make test` are all a new machine needs:
# each creates .venv (Python 3.11) when it is missing and installs the pins of requirements/.
#
#   make book         set up, then build the HTML book into _build/html (warnings are errors)
#   make test         set up, then lint, every test (unit, nbval, portability), the book, the browser
#   make portability  nbval again, with the matrix kernels an AVX2-only laptop would use (x86)
#   make outputs      re-execute every notebook top to bottom, in place
#   make assignments  otter assign: student notebooks, public tests in rnnlib, autograder zips
#   make hub-links HUB=https://hub.example.edu   one nbgitpuller link per exercise, for a JupyterHub class
#   make repo-url     after changing repository.url in _config.yml (forks): update the notebooks
#   make bench        benchmarks and the course budget report (not part of `make test`)
#   make clean        remove build outputs (keeps .venv); `make distclean` removes .venv too

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

# The Python that creates .venv: python3.11, else python3 (checked to be 3.11 below).
PYTHON ?= $(shell command -v python3.11 2>/dev/null || command -v python3 2>/dev/null)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Determinism for every process we start (kernels inherit it).
export PYTHONHASHSEED := 0
export TF_CPP_MIN_LOG_LEVEL := 3
export TF_ENABLE_ONEDNN_OPTS := 0
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help setup check-python browser-setup book test lint unit nbval portability browser outputs \
	assignments repo-url hub-links \
	bench clean distclean

help:
	@sed -n '/^[^#]/q; s/^# \{0,1\}//p' Makefile

$(STAMP): requirements/course.txt requirements/dev.txt pyproject.toml
	@echo "== set-up: $(VENV) with the pins of requirements/dev.txt"
	@test -x $(BIN)/python || $(MAKE) --no-print-directory check-python
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(MAKE) --no-print-directory check-python PYTHON=$(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements/dev.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

# Stop early, and say why, when there is no Python 3.11 that can make a venv.
check-python:
	@test -n "$(PYTHON)" && command -v "$(PYTHON)" >/dev/null || { echo "make: no Python found ($(or $(PYTHON),no python3.11 or python3 on PATH)). Install Python 3.11 \
	(python.org, Homebrew's python@3.11, or apt-get install python3.11 python3.11-venv), \
	or name it: make test PYTHON=/path/to/python3.11" >&2; exit 1; }
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' || { \
	echo "make: $(PYTHON) is Python $$($(PYTHON) -c 'import platform; print(platform.python_version())'), \
	and the course is pinned for Python 3.11. Install 3.11 and run: make test PYTHON=/path/to/python3.11 \
	(an old .venv: make distclean first)" >&2; exit 1; }
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { echo "make: $(PYTHON) cannot create \
	a virtual environment (no venv/ensurepip module). On Debian or Ubuntu: \
	sudo apt-get install python3.11-venv" >&2; exit 1; }

setup: $(STAMP)

book: setup
	$(BIN)/jupyter-book build . --builder html -W -n --keep-going
	@echo "== the book is in _build/html/index.html"

lint: setup
	$(BIN)/ruff check rnnlib tests tools benchmarks chapters _ext
	$(BIN)/actionlint -shellcheck=$(firstword $(wildcard $(BIN)/shellcheck) shellcheck) .github/workflows/*.yml

unit: setup
	$(BIN)/python -m pytest --doctest-modules rnnlib tests --ignore=tests/browser

# nbval on every executable notebook that _toc.yml lists (solution versions of exercises included).
nbval: setup
	nbs=$$($(BIN)/python tools/notebooks.py --executable) && \
	$(BIN)/python -m pytest --nbval --nbval-current-env -p no:cacheprovider $$nbs

# The committed outputs must not depend on the CPU. Re-run nbval with oneDNN (TensorFlow's
# float32 matrix products) and OpenBLAS (NumPy's) held to AVX2 kernels, what most laptops
# have: a result that only matches on AVX-512 machines fails here. Needs an x86 CPU with
# AVX2; skipped elsewhere.
PORTABLE_ENV := ONEDNN_MAX_CPU_ISA=AVX2 OPENBLAS_CORETYPE=Haswell
portability: setup
	@if ! grep -qw avx2 /proc/cpuinfo 2>/dev/null; then \
	    echo "== portability: no x86 AVX2 CPU here, skipped"; \
	else echo "== nbval with AVX2 kernels ($(PORTABLE_ENV))"; \
	    $(PORTABLE_ENV) $(MAKE) --no-print-directory nbval; fi

# Headless Chromium (Debian's package), npm (to fetch the local copies of MathJax, the widget
# manager and axe-core), installed with apt-get when missing; elsewhere, say what to install.
browser-setup: setup
	@missing=""; command -v chromium >/dev/null || missing="chromium"; \
	command -v npm >/dev/null || missing="$$missing npm"; \
	if [ -n "$$missing" ]; then \
	    if ! command -v apt-get >/dev/null; then \
	        echo "make: the browser tests need$$missing: install them (macOS: brew install node, \
	and brew install --cask chromium, then CHROMIUM=/path/to/chromium make test)" >&2; exit 1; fi; \
	    echo "== installing Debian's$$missing for the browser tests"; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq $$missing; fi
	$(BIN)/python tools/browser_assets.py

# The built book in a real browser (after `make book`); screenshots go to test-artifacts/.
browser: browser-setup
	$(BIN)/python -m pytest tests/browser

test: lint unit nbval portability book browser

outputs: setup
	$(BIN)/python tools/execute_notebooks.py $(NB)

assignments: setup
	$(BIN)/python tools/assign.py
	$(BIN)/python tools/exercise_table.py --write

repo-url: setup
	$(BIN)/python tools/repo_url.py

hub-links: setup
	@test -n "$(HUB)" || { echo "make: name the hub: make hub-links HUB=https://hub.example.edu" >&2; exit 2; }
	$(BIN)/python tools/hub_links.py --hub "$(HUB)"

bench: setup assignments
	$(BIN)/python benchmarks/bench_forward.py --csv rnnlib/benchmark_results/forward_speed.csv
	$(BIN)/python benchmarks/memory_grid.py
	$(BIN)/python benchmarks/notebook_budget.py
	$(BIN)/python benchmarks/grading_budget.py
	$(BIN)/python benchmarks/check_times.py
	$(BIN)/python benchmarks/env_size.py
	$(BIN)/python tools/execute_notebooks.py reference/budget.ipynb

clean:
	rm -rf _build .pytest_cache .ruff_cache .hypothesis test-artifacts

distclean: clean
	rm -rf $(VENV) *.egg-info
