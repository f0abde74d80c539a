# Installs what building and checking the book needs, skipping whatever is
# already there. Sourced by serve.sh, check.sh, diagrams.sh and
# browser-check.sh; expects to run from the repository root.
#
# - mdbook 0.5.4 (0.5 changed the config and plugin formats; 0.4 cannot read
#   book.toml). The only thing reading the book needs.
# - mdbook-linkcheck2, the link checker (the original mdbook-linkcheck refuses
#   mdbook 0.5); an optional renderer in book.toml, required by check.sh.
#
# The diagrams are committed SVGs (see book.toml): no mermaid plugin, and
# nothing downloaded at reading time.

export PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"

MDBOOK_VERSION=0.5.4
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

# What `mdbook serve book` needs.
install_mdbook() {
    install_if_missing mdbook mdbook "$MDBOOK_VERSION" '^mdbook v0\.5\.'
}

# What check.sh needs: mdbook and the link checker.
install_book_tools() {
    install_mdbook
    # A plugin built for mdbook 0.4 fails under 0.5: accept this version or later.
    install_if_missing mdbook-linkcheck2 mdbook-linkcheck2 "$MDBOOK_LINKCHECK2_VERSION" \
        '^mdbook-linkcheck2 0\.(1[3-9]|[2-9][0-9])\.'
}

# Debian's Chromium, for book/browser-check.sh and book/diagrams.sh. Installed
# with apt-get when missing (CI runs as root on a fresh machine); where that is
# impossible, say so and return 1, so the caller can decide whether to skip.
install_chromium() {
    local chromium=${CHROMIUM:-/usr/bin/chromium}
    if [[ -x $chromium ]]; then
        return 0
    fi
    if [[ $(id -u) -ne 0 ]] || ! command -v apt-get >/dev/null 2>&1; then
        echo "book: $chromium is missing and cannot be installed here" \
            "(needs root and apt-get: apt-get install chromium)" >&2
        return 1
    fi
    echo "book: installing Debian's chromium (first run only)" >&2
    apt-get update -qq >&2 || return 1
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >&2 || return 1
    [[ -x $chromium ]]
}

# The npm packages in book/package.json, exactly as package-lock.json pins
# them, into book/node_modules (git-ignored). `runtime` is what the browser
# check needs (playwright-core); `all` adds mermaid, for rendering diagrams.
install_node_packages() {
    local want=$1 marker=book/node_modules/.installed-$1
    if [[ -f $marker && $marker -nt book/package-lock.json ]]; then
        return 0
    fi
    if ! command -v npm >/dev/null 2>&1; then
        echo "book: npm is missing (apt-get install nodejs npm)" >&2
        return 1
    fi
    echo "book: installing the npm packages in book/package.json ($want)" >&2
    local omit=()
    [[ $want == runtime ]] && omit=(--omit=dev)
    (cd book && npm ci --no-audit --no-fund --loglevel=error "${omit[@]}") >&2 || return 1
    touch "$marker"
}
