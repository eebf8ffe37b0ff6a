# The newcomer's two commands: `make run` and `make test` (see README.md).
# The interpreter that creates .venv. Not PYTHON: scripts/neo4j-local reads that (as .venv/bin/python),
# and an exported PYTHON=.venv/bin/python would then try to create .venv with itself.
BOOTSTRAP_PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SHARED ?= ../shared
# Real ESCO from ../shared when it is there, else the small hand-made fixture in the same CSV format.
ESCO_DIR ?= $(if $(wildcard $(SHARED)/esco/1.1.1),$(SHARED)/esco/1.1.1,tests/fixtures/esco/esco-mini-1.1.0)
DA_LABELS ?= $(if $(wildcard $(SHARED)/esco/1.1.1),$(wildcard $(SHARED)/esco/da/occupation_labels_da.tsv.gz),tests/fixtures/esco/occupation_labels_da.tsv)
GEO_DIR ?= $(if $(wildcard $(SHARED)/geo/zipcodes.dk.csv),$(SHARED)/geo,tests/fixtures/documents/geo)
DATA_DIR ?= data
JM = $(BIN)/jobmatch

export JOBMATCH_SHARED ?= $(abspath $(SHARED))

RUNENV = JOBMATCH_STORE=memory JOBMATCH_DATA_DIR=$(DATA_DIR) JOBMATCH_ESCO_DIR=$(ESCO_DIR) \
	JOBMATCH_EXTRA_LABELS=$(DA_LABELS) JOBMATCH_GEO_DIR=$(GEO_DIR) \
	JOBMATCH_PSEUDONYM_KEY="$$(cat $(DATA_DIR)/.pseudonym-key)"

.PHONY: install run test lint typecheck bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(BOOTSTRAP_PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	@# setuptools warns on every editable install that a folder named like a package shadows it: ours
	@# are those folders, on purpose (the repo's top level is the packages). Only that warning is silenced.
	PYTHONWARNINGS="ignore:Editable installation:UserWarning" $(BIN)/pip install -q -e ".[dev]"
	touch $@

# The embedded store in $(DATA_DIR)/: ESCO, generated sample postings and CVs, a consultant token for
# municipality 0101 (printed), then the service at http://127.0.0.1:8080. A local pseudonymisation key
# is made once in $(DATA_DIR)/.pseudonym-key (production takes JOBMATCH_PSEUDONYM_KEY from a secret store).
run: install
	@mkdir -p $(DATA_DIR)
	@test -s $(DATA_DIR)/.pseudonym-key || (umask 077 && $(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(48))' > $(DATA_DIR)/.pseudonym-key)
	$(RUNENV) $(JM) ontology load --esco $(ESCO_DIR) --lang en,da $(if $(DA_LABELS),--labels $(DA_LABELS))
	$(RUNENV) $(JM) sample load
	@$(RUNENV) $(JM) tokens create --role consultant --municipality 0101 --name "make run"
	$(RUNENV) $(JM) serve

test: install
	scripts/run-tests

lint: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
