# The two commands a newcomer needs: `make run` and `make test`. Everything else is a step of those.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.requirements-installed
SPARK_STAMP := $(VENV)/.spark-requirements-installed
# Superset has its own environment: its Flask, pandas and SQLAlchemy pins must not bind dbt's.
SUPERSET_VENV := .venv-superset
SUPERSET_STAMP := $(SUPERSET_VENV)/.requirements-installed
export DBT_SEND_ANONYMOUS_USAGE_STATS := false
export DO_NOT_TRACK := 1

# Where things live; override on the command line (tests build into temporary folders this way).
RAW_DIR ?= data/raw
export WORKBENCH_DB_PATH ?= warehouse/workbench.duckdb
export WORKBENCH_SERVING_PATH ?= warehouse/serving.duckdb
export WORKBENCH_PARQUET_DIR ?= warehouse/parquet
REPORT_PATH ?= reports/kpi_report.html
HEALTH_REPORT_PATH ?= reports/health_report.html
# Extra options for the sample generator, e.g. SAMPLE_ARGS="--days 3 --sessions-per-day 20".
SAMPLE_ARGS ?=
# Share of the sample's sessions written as OpenTelemetry log exports under $(RAW_DIR)/otlp/, so a
# build reads both raw formats (docs/otlp.md); 0: flat files only.
OTLP_SHARE ?= 0.2
DBT_VARS ?= {raw_events_glob: "$(RAW_DIR)/events/**/*.jsonl*", otlp_logs_glob: "$(RAW_DIR)/otlp/workbench-*.jsonl*", workflow_creations_glob: "$(RAW_DIR)/workflow_creations/*.csv"}

.PHONY: setup setup-spark setup-superset run sample build publish report freshness docs metrics \
	bench test test-spark test-superset lint unit clean

# The browser is only for the report's test; the script installs it when it can (root + apt).
setup: $(STAMP)
	@bash scripts/ensure_chromium.sh

# Re-installs only when the pinned requirements change, so repeated `make` calls stay quick.
$(STAMP): requirements.txt
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 or run make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements.txt
	@touch $(STAMP)

# Optional: the `spark` target (docs/spark.md). Its own pinned requirements, so the
# DuckDB setup stays small; dbt-spark's `session` method runs PySpark inside dbt, which needs Java.
setup-spark: setup $(SPARK_STAMP)
	@"$${JAVA_HOME:+$$JAVA_HOME/bin/}java" -version >/dev/null 2>&1 || { echo "error: 'java" \
		"-version' failed: PySpark (the spark target) needs a Java 17 runtime. Install one, e.g." \
		"'sudo apt-get install -y openjdk-17-jre-headless', or set JAVA_HOME to a Java 17."; exit 1; }

# Same as $(STAMP): re-installs only when requirements-spark.txt changes.
$(SPARK_STAMP): requirements-spark.txt $(STAMP)
	$(BIN)/python -m pip install --quiet -r requirements-spark.txt
	@touch $(SPARK_STAMP)

# Optional: Apache Superset for `make test-superset` (docs/serving.md), in .venv-superset.
setup-superset: setup $(SUPERSET_STAMP)

# Same as $(STAMP): re-installs only when requirements-superset.txt changes.
$(SUPERSET_STAMP): requirements-superset.txt
	@command -v $(PYTHON) >/dev/null || { echo "error: $(PYTHON) not found; install Python 3.11 or run make PYTHON=/path/to/python3.11"; exit 1; }
	$(PYTHON) -m venv $(SUPERSET_VENV)
	$(SUPERSET_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(SUPERSET_VENV)/bin/python -m pip install --quiet -r requirements-superset.txt
	@touch $(SUPERSET_STAMP)

# Generates about 30 days of sample traffic when there is no raw data yet.
sample: setup
	@if [ -z "$$(find $(RAW_DIR)/events $(RAW_DIR)/otlp -type f 2>/dev/null | head -n 1)" ]; then \
		$(BIN)/python scripts/generate_events.py --out $(RAW_DIR) --otlp-share $(OTLP_SHARE) $(SAMPLE_ARGS); \
	else echo "$(RAW_DIR)/events/ or $(RAW_DIR)/otlp/ already has files: not generating a sample"; fi

# The build of real data (`make run`, the nightly job) leaves out the dbt unit tests, as dbt's
# docs advise for production: their inputs are fixed rows, so a night would only repeat what
# `make test` and the pull-request checks already ran, at about 25 s a build.
build: setup
	@mkdir -p "$$(dirname "$(WORKBENCH_DB_PATH)")"
	@$(BIN)/dbt build --exclude-resource-type unit_test --vars '$(DBT_VARS)' || { echo ""; echo "Build failed: nothing was published; $(WORKBENCH_SERVING_PATH) still holds the previous version."; exit 1; }

# Copies the marts of the last build into the serving file and the Parquet set, atomically
# (docs/serving.md); readers never open the build file.
publish: setup
	$(BIN)/python scripts/publish.py

# One self-contained HTML page (opens offline): each KPI by day and week against its target; and
# beside it the instrumentation-health page (docs/health.md).
report: setup
	$(BIN)/python scripts/kpi_report.py --output "$(REPORT_PATH)"
	$(BIN)/python scripts/health_report.py --output "$(HEALTH_REPORT_PATH)"

# Warns when the newest valid event is over 1 day old, fails over 3 (run after a build).
freshness: setup
	$(BIN)/dbt source freshness

# dbt's docs site of the last build as one HTML file that opens offline (the nightly job keeps it):
# $(DBT_TARGET_PATH)/docs/static_index.html. Its own target folder, so the build's results stay.
docs: setup
	$(BIN)/dbt docs generate --static --vars '$(DBT_VARS)' --target-path "$${DBT_TARGET_PATH:-target}/docs"

run: sample build
	@$(BIN)/python scripts/publish.py
	@$(BIN)/python scripts/kpi_report.py --output "$(REPORT_PATH)"
	@$(BIN)/python scripts/health_report.py --output "$(HEALTH_REPORT_PATH)"
	@$(BIN)/python scripts/print_scorecard.py
	@echo ""
	@echo "Warehouse built: $(WORKBENCH_DB_PATH) (the build file; BI tools never open it)"
	@echo "Published for readers: $(WORKBENCH_SERVING_PATH) and $(WORKBENCH_PARQUET_DIR)/<table>.parquet"
	@echo "KPI report: $(REPORT_PATH) (opens offline in any browser); instrumentation health: $(HEALTH_REPORT_PATH)"
	@echo "Data quality for readers: marts.quality_* (docs/serving.md); quarantined lines with their text: audit.quarantined_events (build file)"
	@echo "Next: $(BIN)/duckdb -readonly $(WORKBENCH_SERVING_PATH) -c 'from marts.kpi_scorecard limit 10'"

# sqlfluff's dbt templater compiles against the profile's warehouse, so lint gets a private one
# (never the local build, whose state would decide what is linted): first with only the seeds
# (the validation SQL is generated from them; every is_incremental() is false), then, after a
# build of the small golden fixture, the models whose SQL differs on an incremental build.
LINT_FIXTURE := tests/python/fixtures/golden
INCREMENTAL_SQL = $$(grep -rlE 'is_incremental|incremental_watermark|is_new_since_last_build|in_touched_sessions|named_since_last_build|drafts_to_summarize' models)
lint: setup
	$(BIN)/ruff check scripts bench tests models engines plugins
	$(BIN)/ruff format --check scripts bench tests models engines plugins
	$(BIN)/shellcheck scripts/*.sh .ci/run
	$(BIN)/actionlint -shellcheck="$(BIN)/shellcheck" .github/workflows/*.yml
	@tmp="$$(mktemp -d)" && trap 'rm -rf "$$tmp"' EXIT && \
	export WORKBENCH_DB_PATH="$$tmp/lint.duckdb" DBT_TARGET_PATH="$$tmp/target" DBT_LOG_PATH="$$tmp/logs" && \
	$(BIN)/dbt seed --quiet && \
	echo "sqlfluff: every model, as a full build compiles it" && \
	$(BIN)/sqlfluff lint --processes 0 models tests analyses && \
	$(BIN)/dbt run --quiet --vars '{raw_events_glob: "$(LINT_FIXTURE)/events/**/*.jsonl", workflow_creations_glob: "$(LINT_FIXTURE)/workflow_creations/*.csv"}' && \
	echo "sqlfluff: the incremental models, as an incremental build compiles them" && \
	$(BIN)/sqlfluff lint --processes 0 $(INCREMENTAL_SQL)

# The semantic layer's models and metrics pass MetricFlow's checks (docs/metrics.md). `mf` reads
# only <project dir>/target/semantic_manifest.json, so this parses into a private project folder
# (DBT_PROJECT_DIR) and leaves target/ alone; --skip-dw: no warehouse is needed, none is touched.
metrics: setup
	@tmp="$$(mktemp -d)" && trap 'rm -rf "$$tmp"' EXIT && mkdir -p "$$tmp/project" && \
	ln -s "$(CURDIR)/dbt_project.yml" "$$tmp/project/dbt_project.yml" && \
	export WORKBENCH_DB_PATH="$$tmp/validate.duckdb" DBT_LOG_PATH="$$tmp/logs" \
		DBT_PROJECT_DIR="$$tmp/project" DBT_PROFILES_DIR="$(CURDIR)" && \
	$(BIN)/dbt parse --quiet --project-dir "$(CURDIR)" --target-path "$$tmp/project/target" && \
	$(BIN)/mf validate-configs --skip-dw

# On every core (pytest-xdist): each test file runs whole on one worker, so a module's shared
# build is made once.
unit: setup
	$(BIN)/python -m pytest -n auto --dist loadfile

# Benchmark (bench/README.md): 1M and 10M events by default, e.g. BENCH_ARGS="--sizes 2000000 --keep-data".
BENCH_ARGS ?=
bench: setup
	$(BIN)/python bench/bench.py $(BENCH_ARGS)

test: setup lint metrics unit

# Builds the golden fixture on Spark and on DuckDB and compares every public table row for row
# (tests/spark). Not part of `make unit`: pytest's testpaths is tests/python only.
test-spark: setup-spark
	$(BIN)/python -m pytest tests/spark

# Builds and publishes the golden fixture, then a headless Superset (Flask test client, SQLite
# metadata, no server) registers the serving file read-only, makes a dataset of every published
# table and runs a chart query (tests/superset_headless). Not part of `make unit`.
test-superset: setup-superset
	$(SUPERSET_VENV)/bin/python -m pytest tests/superset_headless

clean:
	rm -rf target logs warehouse/*.duckdb warehouse/*.wal warehouse/*.build-lines warehouse/parquet warehouse/parquet-versions warehouse/.serving.duckdb.publish* warehouse/spark
