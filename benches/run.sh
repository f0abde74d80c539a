#!/usr/bin/env bash
# Runs the benchmarks.
#
#   bash benches/run.sh quick          every benchmark once, as a test (CI; a few minutes)
#   bash benches/run.sh full [ARGS]    real numbers, then benches/RESULTS.md and its charts
#
# `full` runs, in order: Go's own benchmarks on this machine (if `go` is
# installed; see go-baseline.sh), every criterion benchmark, and the results
# generator. Criterion's timing is shortened from its defaults (3 s warm-up,
# 5 s measurement) to $BENCH_FLAGS, 2 s and 4 s, still 100 samples, with no
# plots: the suite then takes about 12 minutes on 2 cores instead of 30+.
# The thread-heavy groups set shorter, fewer samples in their source. Set
# BENCH_FLAGS= (empty) for criterion's defaults and its HTML plots. ARGS go to
# criterion too: a filter such as `CancelTree` runs one group, and the
# generator then mixes the fresh estimates with the older ones it finds. Run
# it on a quiet machine: the load average at the start and at the end is
# recorded in RESULTS.md.
set -euo pipefail
cd "$(dirname "$0")/.."

mode=${1:-}
shift || true
case "$mode" in
quick)
    # criterion runs each benchmark once when not given `--bench`.
    cargo test -p benches --benches
    ;;
full)
    criterion_dir="${CARGO_TARGET_DIR:-target}/criterion"
    started=$(date -u '+%Y-%m-%d %H:%M UTC')
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    SECONDS=0
    if command -v go >/dev/null; then
        bash benches/go-baseline.sh
    else
        echo "run.sh: no go command; keeping the committed benches/go-baseline.txt" >&2
    fi
    flags=${BENCH_FLAGS---noplot --warm-up-time 2 --measurement-time 4}
    # shellcheck disable=SC2086 # the flags are meant to split
    cargo bench -p benches --benches -- $flags "$@"
    mkdir -p "$criterion_dir"
    cat >"$criterion_dir/run-info.txt" <<INFO
Command: \`bash benches/run.sh full${*:+ $*}\` (Go baseline, then \`cargo bench -p benches --benches -- $flags${*:+ $*}\`)
Started: $started
Duration: $((SECONDS / 60)) min $((SECONDS % 60)) s
Load average (1, 5, 15 min) at start: $load_before
Load average (1, 5, 15 min) at end: $(cut -d' ' -f1-3 /proc/loadavg)
rustc: $(rustc --version)
INFO
    cargo run -q -p benches --release --bin results -- "$criterion_dir"
    ;;
*)
    echo "usage: bash benches/run.sh quick | full [criterion args]" >&2
    exit 2
    ;;
esac
