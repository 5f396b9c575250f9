# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1

# Where things live; override on the command line (tests build into temporary folders this way).
RAW_DIR ?= data/raw
export WORKBENCH_DB_PATH ?= warehouse/workbench.duckdb
export WORKBENCH_SERVING_PATH ?= warehouse/serving.duckdb
export WORKBENCH_PARQUET_DIR ?= warehouse/parquet
# Extra options for the sample generator, e.g. SAMPLE_ARGS="--days 3 --sessions-per-day 20".
SAMPLE_ARGS ?=
DBT_VARS ?= {raw_events_glob: "$(RAW_DIR)/events/**/*.jsonl*", workflow_creations_glob: "$(RAW_DIR)/workflow_creations/*.csv"}

.PHONY: setup run sample build test lint unit clean

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
	@if [ -z "$$(find $(RAW_DIR)/events -type f 2>/dev/null | head -n 1)" ]; then \
		$(BIN)/python scripts/generate_events.py --out $(RAW_DIR) $(SAMPLE_ARGS); \
	else echo "$(RAW_DIR)/events/ already has files: not generating a sample"; fi

build: setup
	@mkdir -p "$$(dirname "$(WORKBENCH_DB_PATH)")"
	$(BIN)/dbt build --vars '$(DBT_VARS)'

run: sample build
	@echo ""
	@echo "Warehouse built: $(WORKBENCH_DB_PATH)"
	@echo "Quarantined lines: audit.quarantined_events; per-file counts: audit.load_reconciliation"
	@echo "Open it read-only: $(BIN)/python -c \"import duckdb; print(duckdb.connect('$(WORKBENCH_DB_PATH)', read_only=True).sql('from marts.kpi_scorecard limit 10'))\""

lint: setup
	$(BIN)/ruff check scripts tests models
	$(BIN)/ruff format --check scripts tests models
	$(BIN)/sqlfluff lint models tests analyses

unit: setup
	$(BIN)/python -m pytest

test: setup lint unit

clean:
	rm -rf target logs warehouse/*.duckdb warehouse/*.wal
