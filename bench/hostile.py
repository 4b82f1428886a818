"""`python -m bench.hostile`: parse times of hostile pages, printed, never asserted.

Deep nesting and repeated headings once made parsing quadratic (8,000 levels:
21 s; 20,000 headings: 105 s) or raised RecursionError; the tests bound the
work, this shows the seconds. The 2 MB rows are the worst pages a build
accepts (the size limit), for scale.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

from bench.report import markdown_table
from indexer.parse import parse_html

TWO_MB = 2 * 1024 * 1024


def nested(depth: int) -> str:
    return f"<h1>Deep page</h1>{'<div>' * depth}<p>Bottom text.</p>{'</div>' * depth}"


def headings(count: int) -> str:
    return "<h1>Many headings</h1>" + "<h2>Symptoms</h2><p>Itching.</p>" * count


def filled(block: str) -> str:
    """A page of `block` repeated up to the 2 MB limit."""
    return "<h1>Full page</h1>" + block * (TWO_MB // len(block) - 1)


PAGES: dict[str, Callable[[], str]] = {
    "1,000 nested <div>": lambda: nested(1_000),
    "2,000 nested <div>": lambda: nested(2_000),
    "8,000 nested <div>": lambda: nested(8_000),
    "2 MB: one chain of nested <div>": lambda: nested(TWO_MB // 11),
    "20,000 headings alike": lambda: headings(20_000),
    "2 MB: blocks 64 <div> deep": lambda: filled("<div>" * 64 + "<p>x</p>" + "</div>" * 64),
    "2 MB: one-word paragraphs": lambda: filled("<p>word</p>"),
}


def row(name: str, html: str) -> list[str]:
    started = time.perf_counter()
    try:
        article = parse_html(html, "page")
        outcome = f"{len(article.sections):,} sections"
    except Exception as error:  # shown, as the build would skip the file
        outcome = f"{type(error).__name__}"
    seconds = time.perf_counter() - started
    return [name, f"{len(html) / 1024:,.0f}", f"{seconds:.2f}", outcome]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", help="comma-separated row names (substrings) to run")
    args = parser.parse_args()
    wanted = [w.strip() for w in args.only.split(",")] if args.only else None
    rows = [row(name, make()) for name, make in PAGES.items() if not wanted or any(w in name for w in wanted)]
    print(markdown_table(["page", "KiB", "parse s", "result"], rows, align="lrrl"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
