# The course's commands. `make book` and `make test` are all a new machine needs:
# each creates .venv when it is missing and installs the pins from environment.yml.
#
#   make book         set up, then build the HTML book into _build/html (warnings are errors)
#   make test         set up, then lint, every test (unit, nbval, portability), the book, the browser
#   make portability  nbval again, with the matrix kernels an AVX2-only laptop would use (x86)
#   make outputs      re-execute every notebook top to bottom, in place
#   make assignments  otter assign: student notebooks, public tests in rnnlib, autograder zips
#   make repo-url     after changing repository.url in _config.yml (forks): update the notebooks
#   make bench        benchmarks and the course budget report (not part of `make test`)
#   make clean        remove build outputs (keeps .venv); `make distclean` removes .venv too

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

# Determinism for every process we start (kernels inherit it).
export PYTHONHASHSEED := 0
export TF_CPP_MIN_LOG_LEVEL := 3
export TF_ENABLE_ONEDNN_OPTS := 0
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help setup browser-setup book test lint unit nbval portability browser outputs \
	assignments repo-url \
	bench clean distclean

help:
	@sed -n '/^[^#]/q; s/^# \{0,1\}//p' Makefile

$(STAMP): environment.yml pyproject.toml tools/pins.py
	@echo "== set-up: $(VENV) with the pins from environment.yml"
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(PYTHON) tools/pins.py > $(VENV)/requirements.txt
	$(BIN)/python -m pip install --quiet -r $(VENV)/requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps -e .
	@touch $@

setup: $(STAMP)

book: setup
	$(BIN)/jupyter-book build . --builder html -W -n --keep-going
	@echo "== the book is in _build/html/index.html"

lint: setup
	$(BIN)/ruff check rnnlib tests tools benchmarks chapters _ext

unit: setup
	$(BIN)/python -m pytest --doctest-modules rnnlib tests --ignore=tests/browser

# nbval on every executable notebook that _toc.yml lists (solution versions of exercises included).
nbval: setup
	$(BIN)/python -m pytest --nbval --nbval-current-env -p no:cacheprovider \
	    $$($(BIN)/python tools/notebooks.py --executable)

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

# Headless Chromium (Debian's package) and local copies of MathJax and the widget manager.
browser-setup: setup
	@command -v chromium >/dev/null || { \
	    echo "== installing Debian's chromium for the browser tests"; \
	    SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }
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

bench: setup assignments
	$(BIN)/python benchmarks/bench_forward.py --csv benchmarks/results/forward_speed.csv
	$(BIN)/python benchmarks/memory_grid.py
	$(BIN)/python benchmarks/notebook_budget.py
	$(BIN)/python benchmarks/grading_budget.py
	$(BIN)/python benchmarks/check_times.py
	$(BIN)/python tools/execute_notebooks.py reference/budget.ipynb

clean:
	rm -rf _build .pytest_cache .ruff_cache .hypothesis test-artifacts

distclean: clean
	rm -rf $(VENV) *.egg-info
