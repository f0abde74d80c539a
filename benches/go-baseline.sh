#!/usr/bin/env bash
# Runs Go's own benchmarks for `context` and `sync.WaitGroup` -- the sources
# that ship with the Go toolchain, the ones `benches/go_*.rs` port -- on this
# machine, and saves Go's output to benches/go-baseline.txt, where the
# results generator reads it.
#
# Needs Go 1.19 to match the reference figures (Debian 12: `apt-get install
# golang-go`). Run it right before or after `run.sh full`, on the same quiet
# machine, so that both columns of RESULTS.md share the conditions.
set -euo pipefail
cd "$(dirname "$0")"

if ! command -v go >/dev/null; then
    echo "go-baseline.sh: needs the go command (Debian 12: apt-get install golang-go)" >&2
    exit 1
fi

out=go-baseline.txt
{
    echo "# $(go version); $(nproc) cores; $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')"
    echo "# $(date -u '+%Y-%m-%d %H:%M UTC'); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "# go test context sync -run '^\$' -bench 'Benchmark(CommonParentCancel|WithTimeout|CancelTree|CheckCanceled|ContextCancelDone|DeepValue|WaitGroup)'"
    go test context sync -run '^$' \
        -bench 'Benchmark(CommonParentCancel|WithTimeout|CancelTree|CheckCanceled|ContextCancelDone|DeepValue|WaitGroup)'
} >"$out.tmp"
mv "$out.tmp" "$out"
echo "wrote benches/$out"
