#!/usr/bin/env bash
# Runs Go's own benchmarks for `context` and `sync.WaitGroup` -- the sources
# that ship with the Go toolchain, the ones `benches/go_*.rs` port -- on this
# machine, and saves Go's output to benches/go-baseline.txt, where the
# results generator reads it.
#
# Needs Go 1.19 to match the reference figures (Debian 12: `apt-get install
# golang-go`). `run.sh full` calls it once per round, before each round of
# our benchmarks, so that both columns of RESULTS.md share the conditions:
#
#   bash benches/go-baseline.sh        one run; replaces go-baseline.txt
#   bash benches/go-baseline.sh N      round N: round 1 replaces the file,
#                                      later rounds append to it
#
# The results generator takes the median of a benchmark's lines.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v go >/dev/null; then
    echo "go-baseline.sh: needs the go command (Debian 12: apt-get install golang-go)" >&2
    exit 1
fi

out=go-baseline.txt
round=${1:-1}
bench='Benchmark(CommonParentCancel|WithTimeout|CancelTree|CheckCanceled|ContextCancelDone|DeepValue|WaitGroup)'
{
    if [ "$round" = 1 ]; then
        echo "# $(go version); $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
        echo "# $(date -u '+%Y-%m-%d %H:%M UTC'); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
        echo "# go test context sync -run '^\$' -bench '$bench', once per round of run.sh full"
    fi
    echo "# round $round"
    go test context sync -run '^$' -bench "$bench" | grep '^Benchmark'
} >"$out.tmp"
if [ "$round" = 1 ]; then
    mv "$out.tmp" "$out"
else
    cat "$out.tmp" >>"$out"
    rm "$out.tmp"
fi
echo "wrote benches/$out (round $round)"
