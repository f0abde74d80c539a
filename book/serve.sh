#!/usr/bin/env bash
# Serves the book at http://127.0.0.1:${PORT:-3000}, rebuilding on every change.
# Run from anywhere: bash book/serve.sh   (the first run installs mdbook)
#
# The same as `mdbook serve book -n 127.0.0.1`, which works on its own on a
# fresh clone once mdbook 0.5 is installed; this script only installs it.
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source book/tools.sh
install_mdbook

exec mdbook serve book -n 127.0.0.1 -p "${PORT:-3000}"
