# PushSim: `make run` starts the app, `make test` runs the tests, `make check`
# runs the linters. Each target sets up what it needs on a fresh machine.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test check bench screenshots clean help

help:
	@echo "make run    start PushSim (GUI; terminal demo when there is no display)"
	@echo "make test   run the test suite (headless)"
	@echo "make check  ruff (lint + format), mypy, import-layer contracts"
	@echo "make bench  run the benchmarks (results: docs/benchmarks.md)"
	@echo "make screenshots  redraw docs/screenshots/*.png offscreen"

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || \
	  { echo "error: PushSim needs Python >= 3.11 ($(PYTHON) is $$($(PYTHON) -V 2>&1)). Set PYTHON=/path/to/python3.11." >&2; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV) || \
	  { echo "error: could not create a virtual environment; on Debian: apt-get install python3-venv" >&2; exit 1; }
	@echo "Installing PushSim and its test tools into $(VENV) ..."
	@$(PY) -m pip install -q --upgrade pip
	@$(PY) -m pip install -q -e '.[test,dev]'
	@touch $(STAMP)

run: $(STAMP)
	@if [ -n "$${DISPLAY:-}$${WAYLAND_DISPLAY:-}" ]; then \
	  scripts/qt-system-libs.sh window && $(VENV)/bin/pushsim; \
	else \
	  echo "No display found: running the terminal demo (pushsim demo). Set DISPLAY for the GUI."; \
	  $(VENV)/bin/pushsim demo; \
	fi

test: $(STAMP)
	@scripts/qt-system-libs.sh offscreen
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest $(PYTEST_ARGS)

check: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports

bench: $(STAMP)
	$(PY) benchmarks/bench_mocks.py
	$(PY) benchmarks/bench_push_login.py
	$(PY) benchmarks/bench_connections.py

screenshots: $(STAMP)
	@scripts/qt-system-libs.sh offscreen
	QT_QPA_PLATFORM=offscreen $(PY) scripts/screenshots.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .hypothesis
