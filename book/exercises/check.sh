#!/usr/bin/env bash
# Holds the exercises to what the book says of them: each starting file
# compiles, and its exercise's tests fail on it until it is solved. (That the
# solutions pass the same tests is checked by `cargo test --features loom`,
# which runs them.)
#
# Run from anywhere: bash book/exercises/check.sh
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."

# Every starting file compiles, tests included.
cargo test -p book-exercises --features loom,starter --no-run

failed=0
for test in book/exercises/tests/*.rs; do
    name=$(basename "$test" .rs)
    if cargo test -q -p book-exercises --features loom,starter --test "$name" >/dev/null 2>&1; then
        echo "exercises: the tests of '$name' pass on its starting file: nothing is left to solve" >&2
        failed=1
    else
        echo "exercises: '$name' fails on its starting file, as it should"
    fi
done
if ((failed)); then
    echo "exercises: FAILED" >&2
    exit 1
fi
echo "exercises: OK (every starting file compiles and fails its tests)"
