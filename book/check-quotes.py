#!/usr/bin/env python3
"""Checks that the book quotes the two articles exactly.

    python3 book/check-quotes.py DIR

DIR holds the copies of the two articles the book works from (plain text,
one file per article). The book promises to quote them as they read,
typos included, and to put its corrections beside a quote, never inside it.
This script holds it to that, chapter by chapter:

- every paragraph of a blockquote (`> ...`) that is not a translation (an
  italic `*...*` paragraph) and every line of a ```go block that contains
  Chinese must occur, word for word, in one of the articles;
- every run of Chinese in the running text (a term or a phrase quoted in
  passing) must occur in one of the articles too.

Whitespace is compared loosely (any run of spaces and line breaks is one
space), and so is Markdown markup that is not text: `**`, backticks, and the
backslash of an escaped bracket. Everything else, punctuation included,
must match, except that "……" marks words the book leaves out of a
quote. A quote from another source is named in QUOTED_ELSEWHERE below,
with that source. The glossary is vocabulary, not quotation, and is skipped.

The articles are not part of the repository (the book quotes them; it does
not republish them), so check.sh runs this only when BOOK_ARTICLES names
their directory.
"""
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent / "src"

# Text the book quotes from somewhere other than the two articles, with the
# source. Matched as a substring of the checked text.
QUOTED_ELSEWHERE = {
    # 飞雪无情, "Go语言实战笔记（二十）| Go Context" (flysnow.org, 2017): the
    # programs behind the first article's WaitGroup and select + chan notes.
    "1号完成": "flysnow.org",
    "2号完成": "flysnow.org",
    "好了，大家都干完了，放工": "flysnow.org",
    "监控退出，停止了...": "flysnow.org",
    "goroutine监控中...": "flysnow.org",
    "可以了，通知监控停止": "flysnow.org",
    "为了检测监控过是否停止，如果没有监控输出，就表示停止了": "flysnow.org",
    "Go语言实战笔记（二十）": "flysnow.org (the tutorial's title)",
    "飞雪无情": "the tutorial's author",
    # The second article's title and its references' titles.
    "理解Go Context机制": "lanlingzi.cn (a reference of the second article)",
}
# Chinese words the book uses in its own voice, not quoted from anyone.
VOCABULARY = {
    "上下文": "the usual Chinese word for context, a glossary entry",
}
# Chapters whose Chinese is vocabulary or names, not quotation.
SKIP = {"glossary.md", "service.md"}

CJK = re.compile(r"[\u3400-\u9fff\uff01-\uff5e\u3000-\u303f]")
CJK_RUN = re.compile(
    r"[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e]"
    r"(?:[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e\w .,:;!?'\"<>=\-…、]*"
    r"[\u3400-\u9fff\u3000-\u303f\uff01-\uff5e])?"
)


def loose(text: str) -> str:
    text = text.replace("**", "").replace("`", "")
    text = text.replace("\\[", "[").replace("\\]", "]")
    return re.sub(r"\s+", " ", text).strip()


def articles(directory: Path) -> str:
    texts = [loose(p.read_text(encoding="utf-8")) for p in sorted(directory.iterdir()) if p.is_file()]
    if not texts:
        sys.exit(f"check-quotes: no article in {directory}")
    return "\n".join(texts)


def elsewhere(text: str) -> bool:
    return text in VOCABULARY or any(known in text or text in known for known in QUOTED_ELSEWHERE)


def found(text: str, source: str) -> bool:
    """Whether text is in source; "……" marks words left out of a quote."""
    at = 0
    for part in (p.strip() for p in text.split("……")):
        at = source.find(part, at)
        if at < 0:
            return False
        at += len(part)
    return True


def quotes(chapter: Path):
    """Yields (line number, kind, text) for each piece of quoted Chinese."""
    lines = chapter.read_text(encoding="utf-8").splitlines()
    fence = None  # the language of the code block we are in, if any
    paragraph, start = [], 0
    for number, line in enumerate(lines + [""], start=1):
        stripped = line.strip()
        if stripped.startswith("```"):
            fence = None if fence is not None else stripped[3:].split(",")[0]
            continue
        if fence is not None:
            if fence == "go" and CJK.search(line):
                code = line.strip()
                yield number, "go", code
            continue
        quote = re.match(r"^\s*(?:\d+\.\s+)?>\s?(.*)$", line)
        if quote and quote.group(1).strip():
            if not paragraph:
                start = number
            paragraph.append(re.sub(r"\\$", "", quote.group(1)))  # a hard line break
            continue
        if paragraph:
            text = " ".join(paragraph)
            if CJK.search(text) and not text.lstrip().startswith("*"):
                yield start, "quote", text
            paragraph = []
        if quote:
            continue
        # Running text: each run of Chinese quoted in passing.
        prose = re.sub(r"`[^`]*`", " ", line)
        prose = re.sub(r"\]\([^)]*\)", "]", prose)
        for run in CJK_RUN.finditer(prose):
            text = run.group(0).strip(" .,:;()[]'\"")
            if re.search(r"[\u3400-\u9fff]", text):
                yield number, "phrase", text


def main() -> int:
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    source = articles(Path(sys.argv[1]))
    problems = 0
    checked = 0
    for chapter in sorted(ROOT.rglob("*.md")):
        if chapter.name in SKIP:
            continue
        for number, kind, text in quotes(chapter):
            checked += 1
            wanted = loose(text)
            # A Go line may end in an English gloss of ours, in parentheses.
            if kind == "go":
                wanted = re.sub(r"^//\s*", "", wanted)
                wanted = re.sub(r"\s*// \(.*$|\s*// [A-Za-z].*$", "", wanted)
            if elsewhere(wanted) or found(wanted, source):
                continue
            problems += 1
            where = chapter.relative_to(ROOT.parent)
            print(f"check-quotes: {where}:{number}: {kind} not in the articles: {wanted}", file=sys.stderr)
    if problems:
        print(f"check-quotes: FAILED ({problems} of {checked} quotes differ from the articles)", file=sys.stderr)
        return 1
    print(f"check-quotes: OK ({checked} quotes, word for word)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
