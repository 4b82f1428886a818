"""The query log: what was searched, how it went, which result was clicked.

Stages: each search on the results page or the API becomes one row (query,
normalised query, result count, filters, page, response time, time); a click
on a result, made through `/go/<search>/<position>`, adds a row naming the
search, the article and its position; a search that found nothing gets its
class (why nothing, and the fix: audit/zeroclass.py) once per normalised query
and index generation, kept in zero_classes (migration 4), so the staff pages
only read it.  Rows older than the retention are purged at startup and then
about once an hour.  No IP address, cookie or user id is ever stored.  A log
file deleted while serving is made again by the next search (database.py).

The log is a SQLite file, or tables in a PostgreSQL database that several
replicas share (search_app.database).  Logging must never cost a visitor
anything: a connection waits at most BUSY_TIMEOUT for a lock or a pooled
connection, and any database error drops the line with a warning, never the
request.
"""

from __future__ import annotations

import json
import os
import time
from contextlib import AbstractContextManager, ExitStack
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from flask import Flask, current_app, g, has_app_context, request, url_for

from search_app.audit.demand import Hourly
from search_app.audit.junk import BURST_SEARCHES, BURST_SECONDS, junk_reason
from search_app.database import SQLITE_BUSY_TIMEOUT, Connection, Database, DatabaseError, Migration, is_url, shared
from search_app.params import has_control_characters
from search_app.query import ParsedQuery

BUSY_TIMEOUT = SQLITE_BUSY_TIMEOUT  # seconds; a busy log loses a line rather than keep a visitor waiting
PURGE_EVERY = 3600.0  # seconds between retention purges in one process
# Seconds after a process starts before its first pass over unclassified zero-result queries: a
# replica that has just started needs its CPU and pooled connections for visitors (a pass at once
# made a restarted replica's first searches miss the pool's 50 ms and drop their log lines).
FIRST_PASS_AFTER = 300.0
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_FILTER_NAMES = {"kinds": "section", "specialist_tags": "specialist", "source": "source"}  # index field -> user's

_TABLES = """
CREATE TABLE IF NOT EXISTS searches (
    id {key},
    at TEXT NOT NULL,             -- UTC, YYYY-MM-DD HH:MM:SS
    endpoint TEXT NOT NULL,       -- 'page' or 'api'
    query TEXT NOT NULL,
    normalized TEXT NOT NULL,
    results INTEGER NOT NULL,
    filters TEXT NOT NULL,        -- JSON object
    page INTEGER NOT NULL,
    ms REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS searches_at ON searches (at);
CREATE TABLE IF NOT EXISTS clicks (
    id {key},
    search_id BIGINT NOT NULL,
    article_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS clicks_at ON clicks (at);
CREATE INDEX IF NOT EXISTS clicks_search ON clicks (search_id)
"""
_REQUEST_IDS = """
ALTER TABLE searches ADD COLUMN request_id TEXT;
CREATE UNIQUE INDEX searches_request ON searches (request_id)
"""
_FEEDBACK = "CREATE TABLE IF NOT EXISTS feedback (id {key}, search_id BIGINT NOT NULL, at TEXT NOT NULL)"
_JUNK = """
ALTER TABLE searches ADD COLUMN junk TEXT NOT NULL DEFAULT '';
CREATE INDEX searches_normalized ON searches (normalized, at)
"""
_ZERO_CLASSES = """
CREATE TABLE zero_classes (
    normalized TEXT PRIMARY KEY,  -- as searches.normalized
    class TEXT NOT NULL,
    detail TEXT NOT NULL,
    fix TEXT NOT NULL,
    generation INTEGER NOT NULL,  -- the index generation it was classified against
    at TEXT NOT NULL
);
CREATE INDEX searches_zero ON searches (results, normalized)
"""
# The staff reports count a period in one scan of an index that holds every column they read,
# from a range of times (audit/tally.py); these replace the indexes on the time alone.
_REPORT_INDEXES = """
CREATE INDEX searches_period ON searches (at, junk, normalized, results, endpoint);
DROP INDEX IF EXISTS searches_at;
CREATE INDEX clicks_period ON clicks (at, search_id);
DROP INDEX IF EXISTS clicks_at
"""
REQUEST_ID_HEADER = "X-Request-ID"
MAX_REQUEST_ID = 64
MIGRATIONS = (
    Migration(
        1,
        sqlite=_TABLES.format(key="INTEGER PRIMARY KEY"),  # IF NOT EXISTS: logs written before migrations were kept
        postgresql=_TABLES.format(key="BIGSERIAL PRIMARY KEY"),
    ),
    # The balancer's id of a request (X-Request-ID): a search it retried on another replica is one search.
    Migration(2, sqlite=_REQUEST_IDS, postgresql=_REQUEST_IDS),
    # "This search should have found something" (feedback.py): the logged search's id and a time, nothing more.
    Migration(
        3, sqlite=_FEEDBACK.format(key="INTEGER PRIMARY KEY"), postgresql=_FEEDBACK.format(key="BIGSERIAL PRIMARY KEY")
    ),
    # Why each zero-result query found nothing, classified when it was logged (audit/zeroclass.py).
    Migration(4, sqlite=_ZERO_CLASSES, postgresql=_ZERO_CLASSES),
    # Why a search is junk or a bot's (audit/junk.py), judged when it is logged; "" for a person's.
    Migration(5, sqlite=_JUNK, postgresql=_JUNK),
    Migration(6, sqlite=_REPORT_INDEXES, postgresql=_REPORT_INDEXES),
)


@dataclass(frozen=True)
class SearchEntry:
    """One search as the log keeps it."""

    endpoint: str
    query: str
    normalized: str
    results: int
    filters: dict[str, str | bool]
    page: int
    ms: float


@dataclass(frozen=True)
class ZeroClass:
    """Why a search found nothing, as classified against one index generation."""

    kind: str
    detail: str
    fix: str
    generation: int


def stamp(moment: datetime | None = None) -> str:
    return (moment or datetime.now(timezone.utc)).astimezone(timezone.utc).strftime(TIME_FORMAT)


def normalize(parsed: ParsedQuery) -> str:
    """The query as words: lower case, phrases quoted, exclusions and filters last.

    >>> from search_app.query import parse_query
    >>> normalize(parse_query('  Gout   TREATMENT section:Treatment "uric acid" -diet'))
    'gout treatment "uric acid" -diet section:treatment'
    """
    parts = list(parsed.words) + [f'"{p}"' for p in parsed.phrases] + [f"-{e}" for e in parsed.excluded]
    parts += [f"{_FILTER_NAMES.get(name, name)}:{_quoted(value)}" for name, value in parsed.filters]
    return " ".join(parts)


def _quoted(value: str) -> str:
    return f'"{value}"' if " " in value else value


def filters_of(parsed: ParsedQuery) -> dict[str, str | bool]:
    filters: dict[str, str | bool] = {_FILTER_NAMES.get(name, name): value for name, value in parsed.filters}
    if not parsed.correct:
        filters["exact"] = True
    return filters


class QueryLog:
    """One log: a SQLite file or a PostgreSQL URL; an empty target turns logging off."""

    def __init__(self, path: str, retention_days: int) -> None:
        self.path = path
        self.retention_days = retention_days
        self.database: Database | None = shared(path, "querylog", MIGRATIONS) if path else None
        self.hourly = Hourly()  # the staff reports' counts of the hours gone by, kept for the hour
        self._next_purge = 0.0
        self._next_pass = time.monotonic() + FIRST_PASS_AFTER

    @property
    def enabled(self) -> bool:
        return self.database is not None

    @property
    def exists(self) -> bool:
        """Whether there may be a log to read: a server, or a file that was written."""
        return bool(self.path) and (is_url(self.path) or os.path.exists(self.path))

    def connect(self) -> AbstractContextManager[Connection]:
        """`with log.connect() as connection:` a connection with the schema in place; DatabaseError if unusable."""
        assert self.database is not None
        return self.database.connect()

    def record_search(
        self, connection: Connection, entry: SearchEntry, at: datetime | None = None, request_id: str | None = None
    ) -> int:
        """The new row's id; a request id seen before (a retried request) adds nothing and gives the first row's."""
        new_id = connection.insert(
            "INSERT INTO searches (at, endpoint, query, normalized, results, filters, page, ms, request_id, junk)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (request_id) DO NOTHING RETURNING id",
            (
                stamp(at),
                entry.endpoint,
                entry.query,
                entry.normalized,
                entry.results,
                json.dumps(entry.filters, sort_keys=True),
                entry.page,
                round(entry.ms, 1),
                request_id,
                self._junk(connection, entry, at),
            ),
        )
        if new_id or request_id is None:
            return new_id
        row = connection.execute("SELECT id FROM searches WHERE request_id = ?", (request_id,)).fetchone()
        return int(row[0]) if row else 0

    def _junk(self, connection: Connection, entry: SearchEntry, at: datetime | None) -> str:
        """Why this search is junk (audit/junk.py): by its text, else by a burst of the same query."""
        reason = junk_reason(entry.query)
        if reason or not entry.normalized:
            return reason
        since = stamp((at or datetime.now(timezone.utc)) - timedelta(seconds=BURST_SECONDS))
        recent = connection.execute(
            "SELECT COUNT(*) FROM searches WHERE normalized = ? AND at >= ?", (entry.normalized, since)
        ).fetchone()[0]
        return "repeated burst" if recent >= BURST_SEARCHES else ""

    def record_click(
        self, connection: Connection, search_id: int, article_id: str, position: int, at: datetime | None = None
    ) -> None:
        # Only a position the logged search really showed counts, so a hand-made
        # /go/ link cannot make an article look popular.
        connection.execute(
            "INSERT INTO clicks (search_id, article_id, position, at)"
            " SELECT CAST(? AS BIGINT), CAST(? AS TEXT), CAST(? AS INTEGER), CAST(? AS TEXT)"
            " WHERE EXISTS (SELECT 1 FROM searches WHERE id = ? AND endpoint = 'page' AND ? BETWEEN 1 AND results)",
            (search_id, article_id, position, stamp(at), search_id, position),
        )

    def record_class(self, connection: Connection, normalized: str, zero: ZeroClass) -> None:
        connection.execute(
            "INSERT INTO zero_classes (normalized, class, detail, fix, generation, at) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT (normalized) DO UPDATE SET class = excluded.class, detail = excluded.detail,"
            " fix = excluded.fix, generation = excluded.generation, at = excluded.at",
            (normalized, zero.kind, zero.detail, zero.fix, zero.generation, stamp()),
        )

    def is_classified(self, connection: Connection, normalized: str, generation: int) -> bool:
        row = connection.execute("SELECT generation FROM zero_classes WHERE normalized = ?", (normalized,)).fetchone()
        return row is not None and row[0] == generation

    def unclassified(self, connection: Connection, generation: int, limit: int) -> list[tuple[str, str, str]]:
        """(normalized, an example query, its filters) of zero-result queries with no class for `generation`.

        The latest searched first; classes made against an older generation count as missing
        (an article added since may answer them now).
        """
        return connection.execute(
            "SELECT s.normalized, MIN(s.query), MIN(s.filters) FROM searches s"
            " LEFT JOIN zero_classes z ON z.normalized = s.normalized"
            " WHERE s.results = 0 AND s.normalized != '' AND (z.generation IS NULL OR z.generation != ?)"
            " GROUP BY s.normalized ORDER BY MAX(s.id) DESC LIMIT ?",
            (generation, limit),
        ).fetchall()

    def pass_due(self) -> bool:
        """Whether this process should now run a pass over unclassified zero-result queries (hourly)."""
        if time.monotonic() < self._next_pass:
            return False
        self._next_pass = time.monotonic() + PURGE_EVERY
        return True

    def purge_due(self) -> bool:
        return time.monotonic() >= self._next_purge

    def purge(self, connection: Connection, now: datetime | None = None) -> int:
        """Delete what is older than the retention; how many rows went."""
        self._next_purge = time.monotonic() + PURGE_EVERY
        cutoff = stamp((now or datetime.now(timezone.utc)) - timedelta(days=self.retention_days))
        gone = connection.execute("DELETE FROM searches WHERE at < ?", (cutoff,)).rowcount
        gone += connection.execute("DELETE FROM clicks WHERE at < ?", (cutoff,)).rowcount
        unsearched = "SELECT normalized FROM searches WHERE results = 0"
        return gone + connection.execute(f"DELETE FROM zero_classes WHERE normalized NOT IN ({unsearched})").rowcount

    def popular_articles(self, days: int = 90) -> dict[str, int]:
        """Article id -> clicks in the last `days` days; empty when the log is off or unreadable."""
        if not self.enabled:
            return {}
        since = stamp(datetime.now(timezone.utc) - timedelta(days=days))
        query = "SELECT article_id, COUNT(*) FROM clicks WHERE at >= ? GROUP BY article_id"
        try:
            if has_app_context():
                rows = get_db().execute(query, (since,)).fetchall()
            else:
                with self.connect() as connection:
                    rows = connection.execute(query, (since,)).fetchall()
        except DatabaseError as error:
            _warn(f"query log unreadable: {error}")
            return {}
        return {article_id: count for article_id, count in rows}


def log() -> QueryLog:
    return current_app.extensions["querylog"]


def get_db() -> Connection:
    """This request's connection to the query log (DatabaseError if it cannot be opened)."""
    if "querylog_db" not in g:
        held = ExitStack()
        g.querylog_db = (held, held.enter_context(log().connect()))
    return g.querylog_db[1]


def close_db(_error: BaseException | None = None) -> None:
    """Give the request's connection back (closed for SQLite, to the pool for PostgreSQL)."""
    held = g.pop("querylog_db", None)
    if held is not None:
        held[0].close()


def log_search(endpoint: str, parsed: ParsedQuery, results: int, page: int) -> int | None:
    """Log one search; its row id, or None when the log is off or the line was dropped."""
    if not log().enabled:
        return None
    started = g.get("querylog_started", time.perf_counter())
    entry = SearchEntry(
        endpoint=endpoint,
        query=parsed.text,
        normalized=normalize(parsed),
        results=results,
        filters=filters_of(parsed),
        page=page,
        ms=(time.perf_counter() - started) * 1000,
    )
    try:
        search_id = log().record_search(get_db(), entry, request_id=_request_id())
    except DatabaseError as error:
        _warn(f"query log: search not logged: {error}")
        return None
    if log().purge_due():
        try:
            log().purge(get_db())
        except DatabaseError as error:
            _warn(f"query log: retention purge failed: {error}")
    return search_id


def _request_id() -> str | None:
    """The balancer's id for this request, when it sends one (nginx: `proxy_set_header X-Request-ID $request_id`)."""
    value = request.headers.get(REQUEST_ID_HEADER, "")
    return value if 0 < len(value) <= MAX_REQUEST_ID and value.isprintable() else None


def log_click(search_id: int, article_id: str, position: int) -> None:
    if not log().enabled:
        return
    try:
        log().record_click(get_db(), search_id, article_id, position)
    except DatabaseError as error:
        _warn(f"query log: click not logged: {error}")


def article_target(target: str) -> str | None:
    """The article id a click's `to` URL names, or None unless it is a local article URL.

    >>> article_target("/articles/acne-scars?q=scar#treatment")
    'acne-scars'
    >>> article_target("https://evil.example/articles/x"), article_target("//evil.example/articles/x")
    (None, None)
    >>> article_target("/articles/x\\r\\nSet-Cookie: a=b")  # a header injection: refused, not a 500
    """
    parts = urlsplit(target)  # which drops CR and LF: check the text itself
    if has_control_characters(target) or parts.scheme or parts.netloc or "\\" in target:
        return None
    if not parts.path.startswith("/articles/"):
        return None
    article_id = parts.path[len("/articles/") :]
    return article_id if article_id and ".." not in article_id.split("/") else None


def click_url(search_id: int | None, position: int, target: str) -> str:
    """A result link that records the click on its way to `target`; the plain link when nothing was logged."""
    if search_id is None:
        return target
    return url_for("pages.go", search_id=search_id, position=position, to=target)


def _warn(message: str) -> None:
    if has_app_context():
        current_app.logger.warning(message)


def _start_timer() -> None:
    g.querylog_started = time.perf_counter()


def init_app(app: Flask) -> None:
    """Register the log, time each request, close the connection at teardown, purge once at startup."""
    querylog = QueryLog(app.config["QUERY_LOG"] or "", int(app.config["QUERY_LOG_RETENTION_DAYS"]))
    app.extensions["querylog"] = querylog
    app.before_request(_start_timer)
    app.teardown_appcontext(close_db)
    app.jinja_env.globals["click_url"] = click_url
    if querylog.enabled and querylog.exists:
        try:
            with querylog.connect() as connection:
                querylog.purge(connection)
        except DatabaseError as error:
            app.logger.warning("query log: retention purge failed: %s", error)
