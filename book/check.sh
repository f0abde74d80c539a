#!/usr/bin/env bash
# Builds the book the way CI does, and fails on what mdbook only logs:
#
# 1. every {{#include}} must name a file that exists and, if it names an
#    anchor, an anchor that file defines (mdbook logs a missing file as ERROR
#    but exits 0, and includes a missing anchor as nothing at all);
# 2. the build must log no ERROR line;
# 3. no unexpanded {{# directive may reach the HTML;
# 4. every internal link must resolve (mdbook-linkcheck2, the second renderer
#    in book.toml; offline, web links are not followed), and so must every
#    #fragment of a chapter link, which linkcheck2 does not look at;
# 5. every diagram is rendered from its current source: book/diagrams/NAME.mmd
#    has a src/diagrams/NAME.svg that records the source's SHA-256 (re-render
#    with book/diagrams.sh), each SVG has a source and a chapter that shows it,
#    and no chapter holds a ```mermaid block (nothing would render it);
# 6. no chapter types a measured figure: the benchmark figures it quotes are
#    included from book/src/figures/, which must say what benches/RESULTS.md
#    says (book/figures.py), and a time under a millisecond or a run length in
#    minutes written in a chapter's text is an error;
# 7. no Rust snippet hides a line (the reading guide says none does);
# 8. every Rust and concurrency term in the English glossary is explained at
#    or before its first use, in reading order (book/check-terms.py);
# 9. with BOOK_ARTICLES set to a directory holding copies of the two
#    articles, every quote of them is word for word (book/check-quotes.py).
#
# Run from anywhere: bash book/check.sh
set -euo pipefail

cd "$(dirname "${BASH_SOURCE[0]}")/.."
source book/tools.sh
install_book_tools

problems=0
problem() {
    echo "book check: $*" >&2
    problems=$((problems + 1))
}

# 1. Includes, resolved relative to the chapter that holds them.
while IFS= read -r hit; do
    chapter=${hit%%:*}
    rest=${hit#*:}
    line=${rest%%:*}
    directive=${rest#*:}
    target=${directive#\{\{#*include }
    target=${target%\}\}}
    target=${target%% *}
    path=${target%%:*}
    file="$(dirname "$chapter")/$path"
    where="$chapter:$line"
    if [[ ! -f $file ]]; then
        problem "missing file $(realpath -m --relative-to=. "$file") (included at $where)"
        continue
    fi
    if [[ $target == *:* ]]; then
        anchor=${target#*:}
        if [[ ! $anchor =~ ^[0-9:]*$ ]] &&
            ! grep -Eq "ANCHOR:[[:space:]]*${anchor}([^[:alnum:]_-]|$)" "$file"; then
            problem "missing anchor '$anchor' in $(realpath -m --relative-to=. "$file") (included at $where)"
        fi
    fi
done < <(grep -rnoE '\{\{#(include|rustdoc_include) [^}]+\}\}' book/src --include='*.md')

# 2. The build (HTML, then the link check).
log=$(mktemp)
trap 'rm -f "$log"' EXIT
set +e
mdbook build book 2>&1 | tee "$log"
status=${PIPESTATUS[0]}
set -e
if ((status != 0)); then
    problem "mdbook build failed (exit $status); see the log above"
fi
errors=$(sed 's/\x1b\[[0-9;]*m//g' "$log" | grep -cE '^[[:space:]]*ERROR' || true)
if ((errors > 0)); then
    problem "mdbook logged $errors ERROR line(s); see the log above"
fi
# The link checker is optional for readers (book.toml), not here.
if grep -q 'was not found, but is marked as optional' "$log"; then
    problem "a renderer was skipped (see the WARN above); install it: cargo install mdbook-linkcheck2 --version $MDBOOK_LINKCHECK2_VERSION --locked"
fi

# 3. Directives that survived into the HTML.
html=book/book/html
if [[ -d $html ]]; then
    leftovers=$(grep -rl --include='*.html' '{{#' "$html" || true)
    if [[ -n $leftovers ]]; then
        problem "unexpanded {{# directives in: $(echo "$leftovers" | tr '\n' ' ')"
    fi
else
    problem "no HTML at $html"
fi

# 4. Fragments: linkcheck2 (run by the build) checks that a linked page exists,
#    not its #fragment, so check each against the ids in the generated page.
if [[ -d $html ]]; then
    while IFS= read -r hit; do
        chapter=${hit%%:*}
        rest=${hit#*:}
        line=${rest%%:*}
        link=${rest#*:}
        link=${link#\](}
        link=${link%)}
        page=${link%%#*}
        fragment=${link#*#}
        [[ -z $page ]] && page=$(basename "$chapter")
        target=$(realpath -m --relative-to=book/src "$(dirname "$chapter")/$page")
        target="$html/${target%.md}.html"
        if [[ ! -f $target ]] || ! grep -q "id=\"$fragment\"" "$target"; then
            problem "broken link $link (at $chapter:$line): no id \"$fragment\" in $target"
        fi
    done < <(grep -rnoE '\]\(([^)#[:space:]]*\.md)?#[^)[:space:]]+\)' book/src --include='*.md')
fi

# 5. Diagrams.
for source in book/diagrams/*.mmd; do
    name=$(basename "$source" .mmd)
    svg=book/src/diagrams/$name.svg
    sha=$(sha256sum "$source" | cut -d' ' -f1)
    if [[ ! -f $svg ]]; then
        problem "diagram $source has no $svg; run: bash book/diagrams.sh $name"
    elif ! head -n 1 "$svg" | grep -q "sha256 $sha"; then
        problem "diagram $svg is older than $source; run: bash book/diagrams.sh $name"
    fi
done
for svg in book/src/diagrams/*.svg; do
    name=$(basename "$svg" .svg)
    if [[ ! -f book/diagrams/$name.mmd ]]; then
        problem "diagram $svg has no source book/diagrams/$name.mmd"
    elif ! grep -rqF "diagrams/$name.svg" book/src --include='*.md'; then
        problem "diagram $svg is shown by no chapter"
    fi
done
while IFS= read -r hit; do
    problem "mermaid source in a chapter, which nothing renders: $hit (move it to book/diagrams/)"
done < <(grep -rn '^```mermaid' book/src --include='*.md' || true)

# 6. Figures: generated, never typed.
if ! python3 book/figures.py --check; then
    problem "book/src/figures/ is stale (see above)"
fi
while IFS= read -r hit; do
    problem "a measured figure typed in a chapter: $hit (include it from book/src/figures/; see book/figures.py)"
done < <(awk '
    FNR == 1 { fence = 0 }
    /^[[:space:]]*```/ { fence = !fence; next }
    fence { next }
    { line = $0; gsub(/<!--.*-->/, "", line) }
    line ~ /[0-9][0-9.,]* ?(ns|µs|μs)([^[:alnum:]]|$)/ || line ~ /[0-9]+ min([^[:alnum:]]|$)/ {
        print FILENAME ":" FNR ": " $0
    }' $(find book/src -name '*.md' ! -path 'book/src/figures/*'))

# 7. Hidden lines in Rust snippets.
while IFS= read -r hit; do
    problem "a hidden line in a Rust snippet: $hit (show it, or say in the reading guide that lines are hidden)"
done < <(awk '
    FNR == 1 { lang = "" }
    /^[[:space:]]*```/ { if (lang == "") { lang = substr($1, 4); if (lang == "") lang = "plain" } else lang = ""; next }
    lang ~ /^rust/ && /^[[:space:]]*#( |$)/ { print FILENAME ":" FNR ": " $0 }' $(find book/src -name '*.md'))

# 8. Terms explained before their first use.
if ! python3 book/check-terms.py; then
    problem "a term is used before it is explained (see above)"
fi

# 9. Quotes of the articles, when a copy of them is at hand.
if [[ -n ${BOOK_ARTICLES:-} ]]; then
    if ! python3 book/check-quotes.py "$BOOK_ARTICLES"; then
        problem "a quote differs from the articles (see above)"
    fi
else
    echo "book check: quotes not checked (set BOOK_ARTICLES to a directory with copies of the two articles)"
fi

if ((problems > 0)); then
    echo "book check: FAILED ($problems problem(s))" >&2
    exit 1
fi
echo "book check: OK ($html)"
