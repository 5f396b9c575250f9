# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1
export WORKBENCH_DB_PATH ?= warehouse/workbench.duckdb

.PHONY: setup run build sample test lint unit clean

setup: $(STAMP)

# Re-installs only when the pinned requirements change, so repeated `make` calls stay quick.
$(STAMP): requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 or run make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

# Generates about 30 days of sample traffic when there is no raw data yet.
sample: setup
	@if [ -z "$$(find data/raw/events -type f 2>/dev/null | head -n 1)" ]; then \
		$(BIN)/python scripts/generate_events.py --out data/raw; \
	else echo "data/raw/events/ already has files: not generating a sample"; fi

build: setup
	@mkdir -p "$$(dirname "$(WORKBENCH_DB_PATH)")"
	$(BIN)/dbt build

run: sample build
	@echo ""
	@echo "Warehouse built: $(WORKBENCH_DB_PATH)"
	@echo "Open it read-only: $(BIN)/python -c \"import duckdb; print(duckdb.connect('$(WORKBENCH_DB_PATH)', read_only=True).sql('select * from audit.load_reconciliation limit 5'))\""
	@echo "Quarantined lines: audit.quarantined_events; per-file counts: audit.load_reconciliation"

lint: setup
	$(BIN)/ruff check scripts tests models
	$(BIN)/ruff format --check scripts tests models
	$(BIN)/sqlfluff lint models tests/generic macros analyses

unit: setup
	$(BIN)/python -m pytest

test: setup lint unit

clean:
	rm -rf target logs warehouse
