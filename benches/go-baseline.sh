#!/usr/bin/env bash
# Runs Go's own benchmarks for `context` and `sync.WaitGroup` -- the sources
# that ship with each Go toolchain, the ones `benches/go_*.rs` port -- on this
# machine, with every Go installed of the two the results compare: Go 1.19
# (Debian 12's `golang-go`, the `go` command) and Go 1.23 (bookworm-backports'
# `golang-1.23-go`, /usr/lib/go-1.23/bin/go; Go 1.23 rewrote its timers).
# Each Go's output goes to benches/go-baseline/<cpu family>/go<version>.txt,
# where the results generator reads it for that CPU family's page.
#
# `run.sh full` installs both and calls this once per round, before each
# round of our benchmarks, so that every column of a page shares the
# conditions:
#
#   bash benches/go-baseline.sh        one run; replaces the files
#   bash benches/go-baseline.sh N      round N: round 1 replaces the files,
#                                      later rounds append to them
#
# The results generator takes the median of a benchmark's lines.
set -euo pipefail
cd "$(dirname "$0")"

gos=()
if command -v go >/dev/null; then
    gos+=("$(command -v go)")
fi
if [ -x /usr/lib/go-1.23/bin/go ]; then
    gos+=(/usr/lib/go-1.23/bin/go)
fi
if [ ${#gos[@]} = 0 ]; then
    echo "go-baseline.sh: needs Go (Debian 12: apt-get install golang-go; apt-get install -t bookworm-backports golang-1.23-go)" >&2
    exit 1
fi

# The CPU family, as the results generator names it: the model's first two
# words, without (R) and (TM): `amd-epyc`, `intel-xeon`.
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
family=$(echo "$cpu" | sed 's/(R)//g; s/(TM)//g' | awk '{print tolower($1 "-" $2)}')
mkdir -p "go-baseline/$family"

round=${1:-1}
bench='Benchmark(CommonParentCancel|WithTimeout|CancelTree|CheckCanceled|ContextCancelDone|DeepValue|WaitGroup)'
for go in "${gos[@]}"; do
    # Each Go runs its own toolchain, never one it would download.
    export GOTOOLCHAIN=local
    version=$("$go" version | awk '{print $3}')                      # go1.23.5
    minor=$(echo "$version" | sed -E 's/^go([0-9]+\.[0-9]+).*/\1/') # 1.23
    out="go-baseline/$family/go$minor.txt"
    {
        if [ "$round" = 1 ]; then
            echo "# $("$go" version); $(nproc) cores; $cpu"
            echo "# $(date -u '+%Y-%m-%d %H:%M UTC'); load average: $(cut -d' ' -f1-3 /proc/loadavg)"
            echo "# go test context sync -run '^\$' -bench '$bench', once per round of run.sh full"
        fi
        echo "# round $round"
        "$go" test context sync -run '^$' -bench "$bench" | grep '^Benchmark'
    } >"$out.tmp"
    if [ "$round" = 1 ]; then
        mv "$out.tmp" "$out"
    else
        cat "$out.tmp" >>"$out"
        rm "$out.tmp"
    fi
    echo "wrote benches/$out (round $round)"
done
