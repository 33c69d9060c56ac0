# newsdedup: the two commands a newcomer runs are `make demo` and `make test`.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PIP    := $(BIN)/python -m pip

.PHONY: demo test lint typecheck venv venv-test clean lock

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "newsdedup needs Python 3.11+, found " + sys.version.split()[0]'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	$(PIP) install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml constraints.txt
	$(PIP) install --quiet -c constraints.txt -e '.[test]'
	touch $@ $(VENV)/.installed

venv: $(VENV)/.installed
venv-test: $(VENV)/.installed-test

demo: venv
	$(BIN)/newsdedup demo

lint: venv-test
	$(BIN)/ruff check crawler storage webapp tests bench
	$(BIN)/ruff format --check crawler storage webapp tests bench

typecheck: venv-test
	$(BIN)/mypy

test: lint typecheck
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache newsdedup.db

# Regenerate constraints.txt (transitive pins) from a fresh environment.
lock:
	rm -rf /tmp/newsdedup-lock && $(PYTHON) -m venv /tmp/newsdedup-lock
	/tmp/newsdedup-lock/bin/pip install --quiet -e '.[test]'
	/tmp/newsdedup-lock/bin/pip freeze --exclude-editable | grep -v '^newsdedup' > constraints.txt
