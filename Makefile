# The two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run run-aws test unit api e2e clean

$(STAMP): pyproject.toml requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)  ## create .venv and install (only when pyproject/requirements changed)

run: install  ## the API on 127.0.0.1:$${PORT:-8000} over an embedded AWS emulation
	$(BIN)/python -m chalicelib.tools.local

run-aws: install  ## the API locally, against AWS_ENDPOINT_URL or real AWS
	$(BIN)/python -m chalicelib.tools.local --aws real

test: install  ## every test: unit, api, e2e
	$(BIN)/python -m pytest

unit: install
	$(BIN)/python -m pytest tests/unit

api: install
	$(BIN)/python -m pytest tests/api

e2e: install
	$(BIN)/python -m pytest tests/e2e

clean:
	rm -rf $(VENV) .pytest_cache build *.egg-info
