#!/usr/bin/env bash
# Instructions and bytes per operation of the hot shapes (benches/src/shapes.rs),
# ours beside tokio-util's and crossbeam-utils', and a check that ours did
# not grow. What CI runs.
#
#   bash benches/counts.sh           measure, then fail if a count of ours
#                                    grew by more than 2% over the baseline,
#                                    or misses its target against a peer
#                                    (below_peers in benches/src/shapes.rs)
#   bash benches/counts.sh --bless   measure and make the result the baseline
#
# Instructions are counted by callgrind (valgrind) through gungraun
# (benches/instructions.rs), bytes by a counting allocator (src/bin/bytes.rs).
# Both are deterministic for one build, whatever the machine or its load, so
# the baseline is committed: benches/counts/instructions.tsv and
# benches/counts/bytes.tsv, which the results page also shows. A new
# toolchain moves the counts a little; rebaseline then, in a commit of its own
# that says so (see benches/README.md).
#
# Installs what it needs if missing, where it may (root on Debian, as on this
# project's machines and CI): valgrind from Debian, and gungraun-runner at the
# version of the gungraun library in Cargo.lock.
set -euo pipefail
cd "$(dirname "$0")/.."

bless=0
case "${1:-}" in
--bless) bless=1 ;;
"") ;;
*)
    echo "usage: bash benches/counts.sh [--bless]" >&2
    exit 2
    ;;
esac

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
if ! command -v valgrind >/dev/null; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq valgrind >/dev/null
    else
        echo "counts.sh: needs valgrind (Debian: apt-get install valgrind)" >&2
        exit 1
    fi
fi
version=$(grep -A1 '^name = "gungraun"$' Cargo.lock | sed -n 's/^version = "\(.*\)"$/\1/p')
if ! gungraun-runner --version 2>/dev/null | grep -qF "$version"; then
    cargo install gungraun-runner --version "$version" --locked
fi

out="${CARGO_TARGET_DIR:-target}/counts"
mkdir -p "$out"
cargo bench -p benches --bench instructions -- --output-format=json >"$out/gungraun.jsonl"
cargo build -q -p benches --release --bin counts --bin bytes
bin="${CARGO_TARGET_DIR:-target}/release"
"$bin/counts" collect "$out/gungraun.jsonl" "$out/instructions.tsv"
"$bin/bytes" "$out/bytes.tsv"

if [ "$bless" = 1 ]; then
    mkdir -p benches/counts
    cp "$out/instructions.tsv" "$out/bytes.tsv" benches/counts/
    echo "counts.sh: wrote benches/counts/instructions.tsv and bytes.tsv"
else
    "$bin/counts" check benches/counts/instructions.tsv "$out/instructions.tsv"
    "$bin/counts" check benches/counts/bytes.tsv "$out/bytes.tsv"
fi
