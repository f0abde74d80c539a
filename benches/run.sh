#!/usr/bin/env bash
# Runs the benchmarks.
#
#   bash benches/run.sh quick          every benchmark once, as a test (CI; a few minutes)
#   bash benches/run.sh full [ARGS]    real numbers, then benches/RESULTS-<cpu family>.md and its charts
#
# `full` measures the comparison rows -- Go's shapes (go_shapes_context,
# go_shapes_waitgroup), the Rust peers on the same shapes (peers_cancel,
# peers_waitgroup, async_wake) and the growth curves, where ours and
# tokio-util's are drawn side by side (growth) -- in $BENCH_ROUNDS rounds
# (default 5), each round running Go's own benchmarks first (Go 1.19 and Go
# 1.23, where installed; see go-baseline.sh) and then ours, so that Go and Rust share
# each stretch of the machine's load. criterion's files are copied after every round to
# <criterion dir>/rounds/<n>/, where the results generator takes the median
# and the spread of each row, and pairs each round's Go figure with the same
# round's Rust figure. Then the pattern benchmarks, which weigh the ways of
# doing one job against each other, run once, and the generator writes
# RESULTS-<cpu family>.md and its charts, and RESULTS.md.
#
# Criterion's timing is shortened from its defaults (3 s warm-up, 5 s
# measurement): $ROUND_FLAGS (1 s and 2 s) for the repeated rows, whose
# median of rounds does the averaging, and $BENCH_FLAGS (2 s and 4 s) for the
# rest, still 100 samples, with no plots. The thread-heavy groups and the
# growth curves set shorter, fewer samples in their source. ARGS go to
# criterion too: a filter such as `CancelTree` runs one group, and the
# generator then mixes the fresh estimates with the older ones it finds.
# Run it on a quiet machine: the load average at the start and at the end is
# recorded in the page.
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
    rounds=${BENCH_ROUNDS:-5}
    repeated=(--bench go_shapes_context --bench go_shapes_waitgroup --bench peers_cancel --bench peers_waitgroup
        --bench async_wake --bench growth)
    once=(--bench patterns_stop --bench patterns_fanout --bench patterns_fork_join
        --bench patterns_values)
    started=$(date -u '+%Y-%m-%d %H:%M UTC')
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    SECONDS=0
    round_flags=${ROUND_FLAGS---noplot --warm-up-time 1 --measurement-time 2}
    flags=${BENCH_FLAGS---noplot --warm-up-time 2 --measurement-time 4}
    # Build everything first, so that no round pays for compiling.
    cargo bench -p benches --benches --no-run
    # Go 1.19 from Debian 12's packages and Go 1.23 from its backports (the
    # `bookworm-backports` suite of the same archive), where we may install
    # them (root on Debian, as on this project's machines); BENCH_INSTALL_GO=0
    # skips.
    if command -v apt-get >/dev/null && [ "$(id -u)" = 0 ] && [ "${BENCH_INSTALL_GO:-1}" = 1 ]; then
        if ! command -v go >/dev/null || [ ! -x /usr/lib/go-1.23/bin/go ]; then
            if ! grep -rqs bookworm-backports /etc/apt/sources.list /etc/apt/sources.list.d/; then
                printf 'Types: deb\nURIs: http://deb.debian.org/debian\nSuites: bookworm-backports\nComponents: main\nSigned-By: /usr/share/keyrings/debian-archive-keyring.gpg\n' \
                    >/etc/apt/sources.list.d/bookworm-backports.sources
            fi
            apt-get update -qq || true
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq golang-go >/dev/null ||
                echo "run.sh: could not install golang-go" >&2
            DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -t bookworm-backports golang-1.23-go >/dev/null ||
                echo "run.sh: could not install golang-1.23-go" >&2
        fi
    fi
    if command -v go >/dev/null || [ -x /usr/lib/go-1.23/bin/go ]; then
        go_note="Go's benchmarks, then ours, in each round"
    else
        echo "run.sh: no Go; the page keeps the committed Go figures of this CPU family, if any" >&2
        go_note="no Go here: Go's figures are the committed ones"
    fi
    rm -rf "$criterion_dir/rounds"
    mkdir -p "$criterion_dir"
    for round in $(seq 1 "$rounds"); do
        echo "run.sh: round $round of $rounds" >&2
        if command -v go >/dev/null || [ -x /usr/lib/go-1.23/bin/go ]; then
            bash benches/go-baseline.sh "$round"
        fi
        marker="$criterion_dir/.round-start"
        touch "$marker"
        # shellcheck disable=SC2086 # the flags are meant to split
        cargo bench -p benches "${repeated[@]}" -- $round_flags "$@"
        # Keep this round's estimates: criterion overwrites them next round.
        (cd "$criterion_dir" && find . -path ./rounds -prune -o -path '*/new/*.json' \
            -newer .round-start -print | while read -r file; do
            mkdir -p "rounds/$round/$(dirname "$file")"
            cp "$file" "rounds/$round/$file"
        done)
    done
    # shellcheck disable=SC2086 # the flags are meant to split
    cargo bench -p benches "${once[@]}" -- $flags "$@"
    cat >"$criterion_dir/run-info.txt" <<INFO
Command: \`bash benches/run.sh full${*:+ $*}\` ($rounds rounds of the Go-shaped and peer rows and the growth curves, $go_note, with \`-- $round_flags\`; then the pattern benchmarks once, with \`-- $flags\`)
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
