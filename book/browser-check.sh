#!/usr/bin/env bash
# Builds the book, serves it on loopback with `mdbook serve`, and reads every
# page in headless Chromium (book/js/browser-check.mjs says what it checks).
#
# Installs what it needs when missing: mdbook (cargo), playwright-core (npm,
# pinned by book/package-lock.json) and Debian's chromium (apt-get, as root).
# Where Chromium cannot be installed (no root, no apt-get) it says so and
# skips, exiting 0; set BROWSER_CHECK_REQUIRED=1 to make that a failure. CI
# runs as root and never skips.
#
# Run from anywhere: bash book/browser-check.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source book/tools.sh
install_mdbook

if ! install_chromium; then
    if [[ ${BROWSER_CHECK_REQUIRED:-0} == 1 ]]; then
        echo "browser check: FAILED: no Chromium" >&2
        exit 1
    fi
    echo "browser check: SKIPPED: Chromium is not installed and cannot be installed here" >&2
    exit 0
fi
install_node_packages runtime

# A port nobody listens on, on loopback only.
port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
log=$(mktemp)
mdbook serve book -n 127.0.0.1 -p "$port" >"$log" 2>&1 &
server=$!
# The server dies by the signal, so its status is not ours: `|| true`.
trap 'kill "$server" 2>/dev/null; wait "$server" 2>/dev/null || true; rm -f "$log"' EXIT

for _ in $(seq 1 100); do
    if curl -sf -o /dev/null "http://127.0.0.1:$port/index.html"; then
        break
    fi
    if ! kill -0 "$server" 2>/dev/null; then
        cat "$log" >&2
        echo "browser check: FAILED: mdbook serve exited" >&2
        exit 1
    fi
    sleep 0.2
done

node book/js/browser-check.mjs "http://127.0.0.1:$port/" book/book/html
