#!/usr/bin/env bash
# Renders the book's diagrams: book/diagrams/NAME.mmd -> book/src/diagrams/NAME.svg.
#
# Run it after editing a .mmd file, and commit both; book/check.sh fails while
# an SVG is older than its source. Rendering needs Node.js, the npm packages in
# book/package.json (mermaid, playwright-core) and Debian's Chromium; all three
# are installed here if missing. Reading the book needs none of them.
#
# Run from anywhere: bash book/diagrams.sh [NAME...]
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source book/tools.sh
install_chromium
install_node_packages all

node book/js/render-diagrams.mjs "$@"
