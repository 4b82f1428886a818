"""Results -> Markdown tables: one per topic set, then builds and API latency.

The same text is printed and written to results.md, so the terminal and the file
never disagree.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from bench.corpus import TopicSet
from bench.scoring import Row
from bench.timing import percentile

HEADERS = ("system", "nDCG@10", "MRR@10", "Success@1", "section@1", "p50 ms", "p95 ms")


@dataclass(frozen=True)
class BuildTime:
    system: str
    seconds: float
    timed: str  # what the seconds cover


def markdown_table(headers: Sequence[str], rows: Sequence[Sequence[str]], align: str = "") -> str:
    """A padded Markdown table; `align` has an l or r per column (default: text first, numbers after).

    >>> print(markdown_table(["a", "b"], [["x", "1.5"]]))
    | a   |   b |
    |:----|----:|
    | x   | 1.5 |
    """
    widths = [max(3, *(len(cell) for cell in column)) for column in zip(headers, *rows, strict=True)]
    align = align or "l" + "r" * (len(headers) - 1)
    columns = list(zip(widths, align, strict=True))

    def line(cells: Sequence[str]) -> str:
        pairs = zip(cells, columns, strict=True)
        padded = [cell.ljust(w) if side == "l" else cell.rjust(w) for cell, (w, side) in pairs]
        return "| " + " | ".join(padded) + " |"

    rule = "|" + "|".join(":" + "-" * (w + 1) if side == "l" else "-" * (w + 1) + ":" for w, side in columns) + "|"
    return "\n".join([line(headers), rule, *map(line, rows)])


def topic_set_section(topic_set: TopicSet, rows: list[Row], engine: str) -> str:
    """The table of one topic set and this engine's nDCG@10 against the best peer's."""
    scored = rows[0].scored if rows else 0
    title = f"## {topic_set.name} ({len(topic_set.topics)} topics, {scored} scored)"
    body = markdown_table(HEADERS, [_cells(row) for row in rows])
    return f"{title}\n\n{body}\n\n{_ratio(rows, engine)}\n"


def _cells(row: Row) -> list[str]:
    section = f"{row.section:.4f}" if row.section is not None else "-"
    metrics = [f"{value:.4f}" for value in (row.ndcg, row.mrr, row.success)]
    return [row.system, *metrics, section, f"{row.p50:.1f}", f"{row.p95:.1f}"]


def _ratio(rows: list[Row], engine: str) -> str:
    ours = next((row for row in rows if row.system == engine), None)
    peers = [row for row in rows if row.system != engine]
    if ours is None or not peers:
        return f"{engine} nDCG@10 / best peer's: - (nothing to compare)"
    best = max(peers, key=lambda row: row.ndcg)
    ratio = f"{ours.ndcg / best.ndcg:.2f}" if best.ndcg else "inf"
    return f"{engine} nDCG@10 / best peer's ({best.system}, {best.ndcg:.4f}): {ratio}"


def build_section(builds: list[BuildTime], articles: int, load_seconds: float) -> str:
    """Build times; peers' exclude reading the XML, which is timed once on its own."""
    rows = [[b.system, f"{b.seconds:.1f}", b.timed] for b in builds]
    table = markdown_table(["system", "build s", "what is timed"], rows, align="lrl")
    title = f"## Build ({articles:,} articles)"
    if not load_seconds:
        return f"{title}\n\n{table}\n"
    note = f"Reading the articles for the peers took {load_seconds:.1f} s, once, outside their build times."
    return f"{title}\n\n{table}\n\n{note}\n"


def api_section(engine: str, topic_set: TopicSet, laps: list[float], failed: int) -> str:
    """End-to-end latency of the JSON API through Flask's test client."""
    title = f"## {engine} API latency: /api/search?q=... via Flask's test client, {topic_set.name} queries"
    table = markdown_table(
        ["requests", "failed", "p50 ms", "p95 ms"],
        [[str(len(laps)), str(failed), f"{percentile(laps, 50):.1f}", f"{percentile(laps, 95):.1f}"]],
        align="rrrr",
    )
    return f"{title}\n\n{table}\n"


def suggest_section(engine: str, first_seconds: float, laps: list[float], failed: int) -> str:
    """Latency of suggestions as typed, keystroke by keystroke, through Flask's test client."""
    title = f"## {engine} suggestion latency: /api/suggest?q=... via Flask's test client, typed prefixes"
    table = markdown_table(
        ["requests", "failed", "p50 ms", "p95 ms", "max ms", "first request s"],
        [
            [
                str(len(laps)),
                str(failed),
                f"{percentile(laps, 50):.2f}",
                f"{percentile(laps, 95):.2f}",
                f"{max(laps, default=0):.1f}",
                f"{first_seconds:.2f}",
            ]
        ],
        align="rrrrrr",
    )
    note = (
        "Each keystroke from 2 characters (30 at most) of the first 150 topics (100 with --quick) of "
        "medquad-kw-dev and medquad-typo-dev; the first request loads the suggester the build kept in the "
        "generation."
    )
    return f"{title}\n\n{table}\n\n{note}\n"


def staff_section(engine: str, timings: list[tuple[str, float]]) -> str:
    """Seconds per staff page, first load, over the benchmark's index."""
    title = f"## {engine} staff pages: first load via Flask's test client (status in brackets)"
    table = markdown_table(["page", "seconds"], [[page, f"{seconds:.3f}"] for page, seconds in timings], align="lr")
    return f"{title}\n\n{table}\n"
