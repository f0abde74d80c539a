#!/usr/bin/env python3
"""Checks that every term of the English glossary is explained at or before
its first use, in the book's reading order.

    python3 book/check-terms.py

Each entry of book/src/glossary-rust.md ends with a comment naming the words
it covers (a regular expression) and the page that teaches the term:

    <a id="arc"></a>**`Arc<T>`** ...
    <!-- term: \\bArc\\b | home: rust/ownership.md -->

The chapters are read in SUMMARY.md's order, text and code alike (a term in
a snippet is a use too). The first chapter that uses a term must be its home
page, come after it, or link to the term: to its glossary entry
(glossary-rust.md#ID) or to its home page. A term taught only in the glossary
(home: glossary-rust.md) must therefore be linked where it first appears.
"""
import re
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parent / "src"
GLOSSARY = "glossary-rust.md"
# Pages that define or list terms rather than use them.
SKIP = {GLOSSARY, "glossary.md", "SUMMARY.md"}


def reading_order() -> list[str]:
    summary = (SRC / "SUMMARY.md").read_text(encoding="utf-8")
    return [m.group(1) for m in re.finditer(r"\]\(([^)]+\.md)\)", summary)]


def entries():
    text = (SRC / GLOSSARY).read_text(encoding="utf-8")
    for m in re.finditer(r'<a id="([^"]+)"></a>(.*?)<!-- term: (.*?) \| home: (\S+) -->', text, re.S):
        anchor, _, pattern, home = m.groups()
        yield anchor, re.compile(pattern), home


def text_of(page: str) -> str:
    text = (SRC / page).read_text(encoding="utf-8")
    # Link targets and HTML comments are not text a reader reads.
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    return re.sub(r"\]\([^)]*\)", "]", text)


def links_to(page: str, anchor: str, home: str) -> bool:
    raw = (SRC / page).read_text(encoding="utf-8")
    here = (SRC / page).parent
    for target in re.findall(r"\]\(([^)\s]+)\)", raw):
        path, _, fragment = target.partition("#")
        resolved = (here / path).resolve() if path else (SRC / page).resolve()
        try:
            name = resolved.relative_to(SRC).as_posix()
        except ValueError:
            continue
        if name == GLOSSARY and fragment == anchor:
            return True
        if name == home and home != GLOSSARY:
            return True
    return False


def main() -> int:
    order = [p for p in reading_order() if p not in SKIP]
    position = {page: i for i, page in enumerate(order)}
    texts = {page: text_of(page) for page in order}
    problems = 0
    count = 0
    for anchor, pattern, home in entries():
        count += 1
        if home != GLOSSARY and home not in position:
            print(f"check-terms: entry #{anchor}: home page {home} is not in SUMMARY.md", file=sys.stderr)
            problems += 1
            continue
        first = next((p for p in order if pattern.search(texts[p])), None)
        if first is None:
            continue  # defined, not (yet) used
        taught = position.get(home, len(order))
        if position[first] >= taught or links_to(first, anchor, home):
            continue
        line = texts[first][: pattern.search(texts[first]).start()].count("\n") + 1
        print(
            f"check-terms: {first}:{line}: '{anchor}' is first used here, before {home} teaches it;"
            f" link it to {GLOSSARY}#{anchor}",
            file=sys.stderr,
        )
        problems += 1
    if problems:
        print(f"check-terms: FAILED ({problems} of {count} terms)", file=sys.stderr)
        return 1
    print(f"check-terms: OK ({count} terms, each explained at or before its first use)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
