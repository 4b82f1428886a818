"""The query log -> what visitors search for: top, zero-result and low-click queries, daily volume.

All counts are over one period ending today; queries are grouped by their
normalised text, so "Gout" and " gout " are one query.  Searches judged junk or a
bot's when they were logged (junk.py) stay out of every table but their own, which
counts them by reason; long queries are shown shortened.  Zero-result queries
carry the class stored when they were logged (zeroclass.py): reading the report
never touches the index.

Stages: the log is counted in one scan per window (tally.py); with `Hourly`, the
hours of the period before the one under way are counted once per hour and kept,
and only the hour under way is counted on each request, so the report is always
up to date but a busy log is scanned once an hour per period; the tables are then
chosen from the counts in Python.
"""

from __future__ import annotations

import heapq
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone

from search_app.audit.junk import shown
from search_app.audit.tables import Table
from search_app.audit.tally import END, Counts, Tally, count
from search_app.database import Connection

TOP = 100
LOW_CLICK_MIN_SEARCHES = 3
LOW_CLICK_RATE = 0.1
MAX_DAYS = 366


@dataclass
class Demand:
    days: int
    start: date
    end: date
    total: int = 0
    zero_total: int = 0
    top: list[dict] = field(default_factory=list)
    zero: list[dict] = field(default_factory=list)
    low_click: list[dict] = field(default_factory=list)
    daily: list[tuple[str, int, int]] = field(default_factory=list)  # (day, searches, zero-result searches)
    junk: list[tuple[str, int]] = field(default_factory=list)  # (reason, searches) left out of the tables

    @property
    def junk_total(self) -> int:
        return sum(searches for _, searches in self.junk)

    def tables(self) -> dict[str, Table]:
        base = ["query", "searches", "avg_results", "clicks", "last_seen"]
        top = Table("top", "Top queries", base, [[q[c] for c in base] for q in self.top])
        zero_columns = ["query", "searches", "last_seen", "class", "detail", "fix"]
        zero = Table("zero", "Zero-result queries", zero_columns, [[q[c] for c in zero_columns] for q in self.zero])
        low = Table("low_click", "Low-click queries", base, [[q[c] for c in base] for q in self.low_click])
        daily = Table("daily", "Searches per day", ["day", "searches", "zero_results"], [list(d) for d in self.daily])
        junk = Table("junk", "Left out: junk and bots", ["reason", "searches"], [list(j) for j in self.junk])
        return {t.name: t for t in (zero, top, low, daily, junk)}


class Hourly:
    """Each period's tally of the hours before the one under way, kept until that hour ends (one per process).

    At most KEPT periods are kept (the most recently counted): any number of days may be asked for.
    """

    KEPT = 8

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str], Tally] = {}
        self._lock = threading.Lock()

    def tally(self, since: str, cut: str, make: Callable[[], Tally]) -> Tally:
        """The kept tally of [since, cut), made now when this period has none for this hour."""
        kept = self._kept.get((since, cut))
        if kept is None:
            kept = make()
            with self._lock:  # tallies of hours gone by are dropped, and the oldest beyond KEPT
                fresh = [(key, value) for key, value in self._kept.items() if key[1] == cut]
                self._kept = dict([*fresh[-(self.KEPT - 1) :], ((since, cut), kept)])
        return kept


def compute(
    connection: Connection, days: int, today: date, hourly: Hourly | None = None, now: datetime | None = None
) -> Demand:
    """The demand report for the `days` days ending `today` (UTC): with `hourly`, whole hours counted once each hour."""
    start = today - timedelta(days=days - 1)
    since = start.isoformat()
    if hourly is None:
        found = report(days, start, today, count(connection, since, since, END))
    else:
        cut = max(since, hour_of(now or datetime.now(timezone.utc)))
        past = hourly.tally(since, cut, lambda: count(connection, since, since, cut))
        found = report(days, start, today, past + count(connection, since, cut, END))
    _add_classes(connection, found.zero)
    return found


def hour_of(moment: datetime) -> str:
    """The start of a moment's hour as the log writes times.

    >>> hour_of(datetime(2026, 3, 10, 14, 59, 59, tzinfo=timezone.utc))
    '2026-03-10 14:00:00'
    """
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%d %H:00:00")


def report(days: int, start: date, end: date, tally: Tally) -> Demand:
    """The tables chosen from a period's tally."""
    queries = tally.queries.items()
    found = Demand(days, start, end)
    found.top = [_row(text, c.searches, c.results, c.clicks, c.last_seen) for text, c in _most(queries, _searches, TOP)]
    found.low_click = [
        _row(text, c.page, c.page_results, c.clicks, c.page_last) for text, c in _most(queries, _low_click, TOP)
    ]
    found.zero = [_row(text, c.zero, 0, 0, c.zero_last) for text, c in _most(queries, _zero, TOP * 5)]
    days_in = [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]
    found.daily = [(day, *tally.days.get(day, (0, 0))) for day in days_in]
    found.total = sum(total for _, total, _ in found.daily)
    found.zero_total = sum(zero for _, _, zero in found.daily)
    found.junk = sorted(tally.junk.items(), key=lambda item: (-item[1], item[0]))
    return found


def _add_classes(connection: Connection, rows: list[dict]) -> None:
    """The class stored for each zero-result query ("" where none is stored yet): one lookup by key."""
    if not rows:
        return
    classes = {
        normalized: (kind, detail, fix)
        for normalized, kind, detail, fix in connection.execute(
            "SELECT normalized, class, detail, fix FROM zero_classes"
            f" WHERE normalized IN ({', '.join('?' * len(rows))})",
            [row["normalized"] for row in rows],
        ).fetchall()
    }
    for row in rows:
        kind, detail, fix = classes.get(row["normalized"], ("", "", ""))
        row.update({"class": kind, "detail": detail, "fix": fix})


def _searches(counts: Counts) -> int:
    return counts.searches


def _zero(counts: Counts) -> int:
    return counts.zero


def _low_click(counts: Counts) -> int:
    """Page searches with results, for a query searched often enough there and clicked too rarely; else 0."""
    often = counts.page >= LOW_CLICK_MIN_SEARCHES and counts.clicks < counts.page * LOW_CLICK_RATE
    return counts.page if often else 0


def _most(queries: Iterable[tuple[str, Counts]], key: Callable[[Counts], int], limit: int) -> list[tuple[str, Counts]]:
    """The `limit` queries with the highest key above 0, ties by text."""
    return heapq.nsmallest(limit, ((t, c) for t, c in queries if key(c) > 0), key=lambda item: (-key(item[1]), item[0]))


def _row(text: str, searches: int, results: int, clicks: int, last_seen: str) -> dict:
    average = round(results / searches, 1) if searches else 0.0
    return {
        "query": shown(text),  # the full text stays in "normalized"
        "normalized": text,
        "searches": searches,
        "avg_results": average,
        "clicks": clicks,
        "last_seen": last_seen,
    }
