#!/usr/bin/env bash
# The nightly job's first step (.github/workflows/nightly.yml, docs/operations.md): decide what the
# night builds from, and tell the later steps.
#
# Production: the repository variable WORKBENCH_LANDING_EVENTS (a glob of the landing zone's event
# files) is set. The build then runs incrementally on yesterday's build file.
# Demonstration: it is not set. A fresh sample is generated and built from nothing, and every
# output says so, so a demo run can never pass for production.
#
# Writes `mode=production|demonstration` to $GITHUB_OUTPUT and DBT_VARS (read by `make build`)
# to $GITHUB_ENV; outside Actions both default to /dev/null and the choice is only printed.
set -euo pipefail

output="${GITHUB_OUTPUT:-/dev/null}"
environment="${GITHUB_ENV:-/dev/null}"
summary="${GITHUB_STEP_SUMMARY:-/dev/null}"
events="${WORKBENCH_LANDING_EVENTS:-}"
creations="${WORKBENCH_LANDING_CREATIONS:-}"

if [ -n "$events" ]; then
    if [ -z "$creations" ]; then
        echo "error: WORKBENCH_LANDING_EVENTS is set but WORKBENCH_LANDING_CREATIONS is not." >&2
        echo "Set the repository variable WORKBENCH_LANDING_CREATIONS to the glob of the" \
            "workflow-creation CSV files (docs/operations.md, 'Settings')." >&2
        exit 1
    fi
    echo "mode=production" >>"$output"
    # A run started by hand may add repair vars (reload_files, forget_files, ...: docs/recovery.md).
    repair="${NIGHTLY_REPAIR_VARS:+, $NIGHTLY_REPAIR_VARS}"
    echo "DBT_VARS={raw_events_glob: \"$events\", workflow_creations_glob: \"$creations\"$repair}" \
        >>"$environment"
    if [ -n "$repair" ]; then echo "Repair vars for this run: $NIGHTLY_REPAIR_VARS"; fi
    echo "Nightly build: production, incremental on the landing zone $events"
    {
        echo "## Nightly build: production"
        echo "Landing zone: \`$events\` and \`$creations\`."
    } >>"$summary"
else
    raw_dir="${RAW_DIR:-data/raw}"
    # 30 days ending yesterday, so the freshness check has something recent to find.
    sample_args="${SAMPLE_ARGS:---start-date $(date -u -d '30 days ago' +%F) --days 30}"
    echo "mode=demonstration" >>"$output"
    echo "::warning title=Demonstration build::WORKBENCH_LANDING_EVENTS is not set, so this run" \
        "builds a generated sample, not production data (docs/operations.md, 'Settings')."
    rm -rf "$raw_dir"
    # A fifth of the sessions as OpenTelemetry log exports, as make run's sample (docs/otlp.md).
    # shellcheck disable=SC2086 # the options are words on purpose
    "${PYTHON_BIN:-.venv/bin/python}" scripts/generate_events.py --quiet --out "$raw_dir" \
        --otlp-share "${OTLP_SHARE:-0.2}" $sample_args
    echo "DBT_VARS={raw_events_glob: \"$raw_dir/events/**/*.jsonl*\", otlp_logs_glob:" \
        "\"$raw_dir/otlp/workbench-*.jsonl*\", workflow_creations_glob:" \
        "\"$raw_dir/workflow_creations/*.csv\"}" >>"$environment"
    {
        echo "## Nightly build: DEMONSTRATION, not production"
        echo "WORKBENCH_LANDING_EVENTS is not set, so this run built a generated sample"
        echo "(\`generate_events.py $sample_args\`) from nothing. Its outputs are named"
        echo "\`demonstration-*\`. To build production data, see docs/operations.md, 'Settings'."
    } >>"$summary"
fi
