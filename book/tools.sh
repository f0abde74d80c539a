# Installs what building the book needs, skipping whatever is already there.
# Sourced by serve.sh and check.sh; expects to run from the repository root.
#
# - mdbook 0.5.4 (0.5 changed the config and plugin formats; 0.4 cannot read book.toml)
# - mdbook-mermaid, the diagram preprocessor, which also ships mermaid's JavaScript
# - mdbook-linkcheck2, the link checker (the original mdbook-linkcheck refuses mdbook 0.5)
#
# Nothing is downloaded at reading time: the JavaScript is copied into book/ once
# and served from there.

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

MDBOOK_VERSION=0.5.4
MDBOOK_MERMAID_VERSION=0.17.1
MDBOOK_LINKCHECK2_VERSION=0.13.0

# install_if_missing BINARY CRATE VERSION [VERSION_PATTERN]
# Installs CRATE@VERSION unless BINARY is on PATH and, given a pattern, its
# `--version` output matches it (an older build is replaced).
install_if_missing() {
    local binary=$1 crate=$2 version=$3 pattern=${4:-}
    if command -v "$binary" >/dev/null 2>&1; then
        if [[ -z $pattern ]] || "$binary" --version 2>/dev/null | grep -Eq "$pattern"; then
            return 0
        fi
        echo "book: $("$binary" --version 2>&1 | head -n 1) does not work with this book;" \
            "installing $crate $version" >&2
    else
        echo "book: installing $crate $version (first run only)" >&2
    fi
    cargo install "$crate" --version "$version" --locked
}

install_book_tools() {
    # A plugin built for mdbook 0.4 fails under 0.5: accept these versions or later.
    install_if_missing mdbook mdbook "$MDBOOK_VERSION" '^mdbook v0\.5\.'
    install_if_missing mdbook-mermaid mdbook-mermaid "$MDBOOK_MERMAID_VERSION" \
        '^mdbook-mermaid 0\.(1[7-9]|[2-9][0-9])\.'
    install_if_missing mdbook-linkcheck2 mdbook-linkcheck2 "$MDBOOK_LINKCHECK2_VERSION" \
        '^mdbook-linkcheck2 0\.(1[3-9]|[2-9][0-9])\.'

    # mermaid.min.js and mermaid-init.js are third-party files (~2.6 MB) that
    # mdbook-mermaid carries inside its binary; they are copied, not committed.
    if [[ ! -f book/mermaid.min.js || ! -f book/mermaid-init.js ]]; then
        mdbook-mermaid install book
    fi
}
