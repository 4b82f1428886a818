"""The query log's counts over a window of time: four aggregate statements, added up window by window.

Stages: one scan of the window's searches counts every normalised query (searches,
results, those that found nothing, those on the results page that could be clicked,
and when each was last seen); one statement counts the clicks made in the window per
query; one counts each day's searches, and one the searches left out by junk reason.  A Tally is plain data,
so the report can add the tally of the hours before this one (kept for the hour:
demand.py) to that of the hour under way.  Searches are counted by when they were
made and clicks by when they were made, so no search or click is counted twice.
Every statement reads only the log's covering indexes (query log migration 6).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace

from search_app.database import Connection

END = "9999-12-31 23:59:59"  # the open end of the hour under way

_PER_QUERY = """
SELECT normalized, COUNT(*), SUM(results), MAX(at),
       SUM(CASE WHEN results = 0 THEN 1 ELSE 0 END), MAX(CASE WHEN results = 0 THEN at END),
       SUM(CASE WHEN endpoint = 'page' AND results > 0 THEN 1 ELSE 0 END),
       SUM(CASE WHEN endpoint = 'page' AND results > 0 THEN results ELSE 0 END),
       MAX(CASE WHEN endpoint = 'page' AND results > 0 THEN at END)
FROM searches WHERE at >= ? AND at < ? AND junk = '' AND normalized != ''
GROUP BY normalized
"""
# Clicks first, grouped by search, then their searches by id: the planner cannot walk every search instead.
_CLICKS = """
SELECT s.normalized, SUM(c.n)
FROM (SELECT search_id, COUNT(*) AS n FROM clicks WHERE at >= ? AND at < ? GROUP BY search_id) c
JOIN searches s ON s.id = c.search_id
WHERE s.at >= ? AND s.junk = '' AND s.normalized != ''
GROUP BY s.normalized
"""
# Days and junk reasons apart: grouping by both at once sorts every search of the window (4x slower in SQLite).
_PER_DAY = """
SELECT substr(at, 1, 10), COUNT(*), SUM(CASE WHEN results = 0 THEN 1 ELSE 0 END)
FROM searches WHERE at >= ? AND at < ? AND junk = ''
GROUP BY substr(at, 1, 10)
"""
_JUNK = "SELECT junk, COUNT(*) FROM searches WHERE at >= ? AND at < ? AND junk != '' GROUP BY junk"


@dataclass(slots=True)
class Counts:
    """One normalised query's counts in a window."""

    searches: int = 0
    results: int = 0
    last_seen: str = ""
    zero: int = 0  # searches that found nothing
    zero_last: str = ""
    page: int = 0  # searches on the results page that found something: those a visitor could click
    page_results: int = 0
    page_last: str = ""
    clicks: int = 0

    def add(self, other: Counts) -> None:
        self.searches += other.searches
        self.results += other.results
        self.zero += other.zero
        self.page += other.page
        self.page_results += other.page_results
        self.clicks += other.clicks
        self.last_seen = max(self.last_seen, other.last_seen)
        self.zero_last = max(self.zero_last, other.zero_last)
        self.page_last = max(self.page_last, other.page_last)


@dataclass
class Tally:
    """Counts per normalised query, per day (searches, zero-result searches) and per junk reason."""

    queries: dict[str, Counts] = field(default_factory=dict)
    days: dict[str, tuple[int, int]] = field(default_factory=dict)
    junk: dict[str, int] = field(default_factory=dict)

    def __add__(self, other: Tally) -> Tally:
        """Both tallies' counts; only the queries in `other` are copied: adding a small tally to a big one is cheap."""
        queries = dict(self.queries)
        for text, counts in other.queries.items():
            merged = queries[text] = replace(self.queries.get(text, Counts()))
            merged.add(counts)
        days = dict(self.days)
        for day, (searches, zero) in other.days.items():
            before = days.get(day, (0, 0))
            days[day] = (before[0] + searches, before[1] + zero)
        return Tally(queries, days, dict(Counter(self.junk) + Counter(other.junk)))


def count(connection: Connection, since: str, start: str, end: str) -> Tally:
    """The searches and clicks made in [start, end), counting only searches made from `since` on."""
    tally = Tally()
    for text, searches, results, last, zero, zero_last, page, page_results, page_last in connection.execute(
        _PER_QUERY, (start, end)
    ).fetchall():
        tally.queries[text] = Counts(
            searches, results, last, zero, zero_last or "", page, page_results, page_last or ""
        )
    for text, clicks in connection.execute(_CLICKS, (start, end, since)).fetchall():
        tally.queries.setdefault(text, Counts()).clicks += int(clicks)
    tally.days = {day: (searches, zero) for day, searches, zero in connection.execute(_PER_DAY, (start, end))}
    tally.junk = {reason: searches for reason, searches in connection.execute(_JUNK, (start, end))}
    return tally
