#!/usr/bin/env bash
# A pull request's build (docs/operations.md, "Pull requests"). With the last production night's
# manifest and build file restored, build only the models the change touches and their children,
# on a copy of production: every unchanged parent is already in the restored file, and --defer
# resolves any the selection skips through the manifest. Without them (no production night yet),
# build everything on a small generated sample instead.
set -euo pipefail

state="${NIGHTLY_STATE_DIR:-state}"
database="${WORKBENCH_DB_PATH:-warehouse/workbench.duckdb}"
dbt="${DBT_BIN:-.venv/bin/dbt}"

if [ -f "$state/manifest.json" ] && [ -f "$database" ] && [ -n "${WORKBENCH_LANDING_EVENTS:-}" ]; then
    echo "Slim CI: building state:modified+ against the nightly manifest in $state/"
    vars="{raw_events_glob: \"$WORKBENCH_LANDING_EVENTS\", workflow_creations_glob: \"${WORKBENCH_LANDING_CREATIONS:-}\"}"
    "$dbt" build --select state:modified+ --defer --state "$state" --vars "$vars"
else
    echo "Slim CI: no nightly manifest and build file to compare with (or no landing zone set):" \
        "a full build on a generated sample instead."
    raw_dir="${RAW_DIR:-data/raw}"
    rm -rf "$raw_dir" "$database"
    # shellcheck disable=SC2086 # the options are words on purpose
    "${PYTHON_BIN:-.venv/bin/python}" scripts/generate_events.py --quiet --out "$raw_dir" \
        --otlp-share 0.2 ${SAMPLE_ARGS:---days 7 --sessions-per-day 100}
    "$dbt" build --vars "{raw_events_glob: \"$raw_dir/events/**/*.jsonl*\", otlp_logs_glob: \"$raw_dir/otlp/workbench-*.jsonl*\", workflow_creations_glob: \"$raw_dir/workflow_creations/*.csv\"}"
fi
