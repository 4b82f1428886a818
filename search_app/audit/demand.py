"""The query log -> what visitors search for: top, zero-result and low-click queries, daily volume.

All counts are over one period ending today; queries are grouped by their
normalised text, so "Gout" and " gout " are one query.  Searches judged junk or a
bot's when they were logged (junk.py) stay out of every table but their own, which
counts them by reason; long queries are shown shortened.  Zero-result queries
carry the class stored when they were logged (zeroclass.py): reading the report
never touches the index.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from search_app.audit.junk import shown
from search_app.audit.tables import Table
from search_app.database import Connection

TOP = 100
LOW_CLICK_MIN_SEARCHES = 3
LOW_CLICK_RATE = 0.1
MAX_DAYS = 366

_PER_QUERY = """
WITH clicked AS (SELECT search_id, COUNT(*) AS n FROM clicks GROUP BY search_id)
SELECT s.normalized, COUNT(*) AS searches, ROUND(AVG(s.results), 1) AS avg_results,
       COALESCE(SUM(c.n), 0) AS clicks, MAX(s.at) AS last_seen, MIN(s.query) AS example, MIN(s.filters) AS filters
FROM searches s LEFT JOIN clicked c ON c.search_id = s.id
WHERE s.at >= ? AND s.normalized != '' AND s.junk = '' {where}
GROUP BY s.normalized {having}
ORDER BY searches DESC, s.normalized
LIMIT ?
"""


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
        return sum(count for _, count in self.junk)

    def tables(self) -> dict[str, Table]:
        base = ["query", "searches", "avg_results", "clicks", "last_seen"]
        top = Table("top", "Top queries", base, [[q[c] for c in base] for q in self.top])
        zero_columns = ["query", "searches", "last_seen", "class", "detail", "fix"]
        zero = Table("zero", "Zero-result queries", zero_columns, [[q[c] for c in zero_columns] for q in self.zero])
        low = Table("low_click", "Low-click queries", base, [[q[c] for c in base] for q in self.low_click])
        daily = Table("daily", "Searches per day", ["day", "searches", "zero_results"], [list(d) for d in self.daily])
        junk = Table("junk", "Left out: junk and bots", ["reason", "searches"], [list(j) for j in self.junk])
        return {t.name: t for t in (zero, top, low, daily, junk)}


def compute(connection: Connection, days: int, today: date) -> Demand:
    """The demand report for the `days` days ending `today` (UTC)."""
    start = today - timedelta(days=days - 1)
    since = start.isoformat()
    report = Demand(days, start, today)
    report.top = _rows(connection, since, "", "", TOP)
    report.zero = _zero_rows(connection, since, TOP * 5)
    # PostgreSQL reads no output names in HAVING: the counts are spelled out.
    low_having = f"HAVING COUNT(*) >= {LOW_CLICK_MIN_SEARCHES} AND COALESCE(SUM(c.n), 0) < COUNT(*) * {LOW_CLICK_RATE}"
    report.low_click = _rows(connection, since, "AND s.results > 0 AND s.endpoint = 'page'", low_having, TOP)
    report.daily = _daily(connection, start, today)
    report.total = sum(total for _, total, _ in report.daily)
    report.zero_total = sum(zero for _, _, zero in report.daily)
    report.junk = [
        (reason, count)
        for reason, count in connection.execute(
            "SELECT junk, COUNT(*) FROM searches WHERE at >= ? AND junk != '' GROUP BY junk ORDER BY COUNT(*) DESC",
            (since,),
        )
    ]
    return report


def _zero_rows(connection: Connection, since: str, limit: int) -> list[dict]:
    """The zero-result queries with their stored classes ("" where none is stored yet)."""
    rows = _rows(connection, since, "AND s.results = 0", "", limit)
    if not rows:
        return rows
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
    return rows


def _rows(connection: Connection, since: str, where: str, having: str, limit: int) -> list[dict]:
    cursor = connection.execute(_PER_QUERY.format(where=where, having=having), (since, limit))
    names = [d[0] for d in cursor.description]
    rows = [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        row["query"] = shown(row["normalized"])  # the full text stays in "normalized"
    return rows


def _daily(connection: Connection, start: date, end: date) -> list[tuple[str, int, int]]:
    counts = {
        day: (total, zero)
        for day, total, zero in connection.execute(
            "SELECT substr(at, 1, 10) AS day, COUNT(*), SUM(CASE WHEN results = 0 THEN 1 ELSE 0 END)"
            " FROM searches WHERE at >= ? AND junk = '' GROUP BY substr(at, 1, 10)",
            (start.isoformat(),),
        )
    }
    days = [(start + timedelta(days=i)).isoformat() for i in range((end - start).days + 1)]
    return [(day, *counts.get(day, (0, 0))) for day in days]
