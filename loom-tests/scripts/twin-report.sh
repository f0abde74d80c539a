#!/usr/bin/env bash
# Prints the failing execution loom finds for one twin test, condensed:
# scripts/twin-report.sh check_then_register
#
# Runs the test once saving each execution's path (LOOM_CHECKPOINT_FILE with
# an interval of 1, so the file ends up holding the failing one), then
# replays just that execution with LOOM_LOG=trace and condenses the trace.
set -euo pipefail
cd "$(dirname "$0")"/..
test="$1"
path="$(mktemp --suffix=.json)"
trap 'rm -f "$path"' EXIT
rm -f "$path"
export LOOM_CHECKPOINT_FILE="$path" LOOM_CHECKPOINT_INTERVAL=1
cargo test -q --features loom --test twins "$test" -- --exact >/dev/null 2>&1
LOOM_LOG=trace LOOM_LOCATION=1 cargo test -q --features loom --test twins "$test" -- --exact --nocapture 2>&1 |
    python3 scripts/condense-trace.py
