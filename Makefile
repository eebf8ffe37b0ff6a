# The newcomer's two commands: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
# Real ESCO from ../shared when it is there, else the small hand-made fixture in the same CSV format.
ESCO_DIR ?= $(if $(wildcard $(SHARED)/esco/1.1.1),$(SHARED)/esco/1.1.1,tests/fixtures/esco/esco-mini-1.1.0)
DA_LABELS ?= $(if $(wildcard $(SHARED)/esco/1.1.1),$(wildcard $(SHARED)/esco/da/occupation_labels_da.tsv.gz),tests/fixtures/esco/occupation_labels_da.tsv)
DATA_DIR ?= data

export JOBMATCH_SHARED ?= $(abspath $(SHARED))
export JOBMATCH_GEO_DIR ?= $(abspath $(SHARED))/geo

.PHONY: install run test lint typecheck bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e ".[dev]"
	touch $@

run: install
	JOBMATCH_DATA_DIR=$(DATA_DIR) $(BIN)/jobmatch ontology load --esco $(ESCO_DIR) --lang en,da $(if $(DA_LABELS),--labels $(DA_LABELS))
	JOBMATCH_DATA_DIR=$(DATA_DIR) $(BIN)/jobmatch demo

test: install
	scripts/run-tests

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
