"""The SQLite query log: what was searched, how it went, which result was clicked.

Stages: each search on the results page or the API becomes one row (query,
normalised query, result count, filters, page, response time, time); a click
on a result, made through `/go/<search>/<position>`, adds a row naming the
search, the article and its position.  Rows older than the retention are
purged at startup and then about once an hour.  No IP address, cookie or user
id is ever stored.

Logging must never cost a visitor anything: the connection waits at most
BUSY_TIMEOUT for a lock, and any SQLite error drops the line with a warning,
never the request.
"""

from __future__ import annotations

import json
import os
import sqlite3
import time
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from urllib.parse import urlsplit

from flask import Flask, current_app, g, has_app_context, url_for

from search_app.query import ParsedQuery

BUSY_TIMEOUT = 0.05  # seconds; a busy log loses a line rather than keep a visitor waiting
PURGE_EVERY = 3600.0  # seconds between retention purges in one process
TIME_FORMAT = "%Y-%m-%d %H:%M:%S"
_FILTER_NAMES = {"kinds": "section", "specialist_tags": "specialist", "source": "source"}  # index field -> user's

SCHEMA = """
CREATE TABLE IF NOT EXISTS searches (
    id INTEGER PRIMARY KEY,
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
    id INTEGER PRIMARY KEY,
    search_id INTEGER NOT NULL,
    article_id TEXT NOT NULL,
    position INTEGER NOT NULL,
    at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS clicks_at ON clicks (at);
CREATE INDEX IF NOT EXISTS clicks_search ON clicks (search_id);
"""


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
    """One log file; an empty path turns logging off."""

    def __init__(self, path: str, retention_days: int) -> None:
        self.path = path
        self.retention_days = retention_days
        self._ready = False
        self._next_purge = 0.0

    @property
    def enabled(self) -> bool:
        return bool(self.path)

    def connect(self) -> sqlite3.Connection:
        """A new autocommit connection with the schema in place; sqlite3.Error when the file is unusable."""
        if not self._ready:
            os.makedirs(os.path.dirname(os.path.abspath(self.path)), exist_ok=True)
        connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
        try:
            # In WAL mode NORMAL cannot corrupt the log; it skips an fsync per line, so a
            # writer holds the lock for far less time when many workers log at once.
            connection.execute("PRAGMA synchronous=NORMAL")
            if not self._ready:
                connection.execute("PRAGMA journal_mode=WAL")  # readers (staff pages) never block searches
                connection.executescript(SCHEMA)
                self._ready = True
        except sqlite3.Error:
            connection.close()
            raise
        return connection

    def record_search(self, connection: sqlite3.Connection, entry: SearchEntry, at: datetime | None = None) -> int:
        cursor = connection.execute(
            "INSERT INTO searches (at, endpoint, query, normalized, results, filters, page, ms)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            (
                stamp(at),
                entry.endpoint,
                entry.query,
                entry.normalized,
                entry.results,
                json.dumps(entry.filters, sort_keys=True),
                entry.page,
                round(entry.ms, 1),
            ),
        )
        return int(cursor.lastrowid or 0)

    def record_click(
        self, connection: sqlite3.Connection, search_id: int, article_id: str, position: int, at: datetime | None = None
    ) -> None:
        # Only a position the logged search really showed counts, so a hand-made
        # /go/ link cannot make an article look popular.
        connection.execute(
            "INSERT INTO clicks (search_id, article_id, position, at) SELECT ?, ?, ?, ?"
            " WHERE EXISTS (SELECT 1 FROM searches WHERE id = ? AND endpoint = 'page' AND ? BETWEEN 1 AND results)",
            (search_id, article_id, position, stamp(at), search_id, position),
        )

    def purge_due(self) -> bool:
        return time.monotonic() >= self._next_purge

    def purge(self, connection: sqlite3.Connection, now: datetime | None = None) -> int:
        """Delete what is older than the retention; how many rows went."""
        self._next_purge = time.monotonic() + PURGE_EVERY
        cutoff = stamp((now or datetime.now(timezone.utc)) - timedelta(days=self.retention_days))
        gone = connection.execute("DELETE FROM searches WHERE at < ?", (cutoff,)).rowcount
        return gone + connection.execute("DELETE FROM clicks WHERE at < ?", (cutoff,)).rowcount

    def popular_articles(self, days: int = 90) -> dict[str, int]:
        """Article id -> clicks in the last `days` days; empty when the log is off or unreadable."""
        if not self.enabled:
            return {}
        since = stamp(datetime.now(timezone.utc) - timedelta(days=days))
        try:
            connection = get_db() if has_app_context() else self.connect()
            rows = connection.execute(
                "SELECT article_id, COUNT(*) FROM clicks WHERE at >= ? GROUP BY article_id", (since,)
            ).fetchall()
            if not has_app_context():
                connection.close()
        except sqlite3.Error as error:
            _warn(f"query log unreadable: {error}")
            return {}
        return {article_id: count for article_id, count in rows}


def log() -> QueryLog:
    return current_app.extensions["querylog"]


def get_db() -> sqlite3.Connection:
    """This request's connection to the query log (sqlite3.Error if it cannot be opened)."""
    if "querylog_db" not in g:
        g.querylog_db = log().connect()
    return g.querylog_db


def close_db(_error: BaseException | None = None) -> None:
    connection = g.pop("querylog_db", None)
    if connection is not None:
        connection.close()


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
        search_id = log().record_search(get_db(), entry)
    except sqlite3.Error as error:
        _warn(f"query log: search not logged: {error}")
        return None
    if log().purge_due():
        try:
            log().purge(get_db())
        except sqlite3.Error as error:
            _warn(f"query log: retention purge failed: {error}")
    return search_id


def log_click(search_id: int, article_id: str, position: int) -> None:
    if not log().enabled:
        return
    try:
        log().record_click(get_db(), search_id, article_id, position)
    except sqlite3.Error as error:
        _warn(f"query log: click not logged: {error}")


def article_target(target: str) -> str | None:
    """The article id a click's `to` URL names, or None unless it is a local article URL.

    >>> article_target("/articles/acne-scars?q=scar#treatment")
    'acne-scars'
    >>> article_target("https://evil.example/articles/x"), article_target("//evil.example/articles/x")
    (None, None)
    """
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or "\\" in target or not parts.path.startswith("/articles/"):
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
    if querylog.enabled and os.path.exists(querylog.path):
        try:
            connection = querylog.connect()
            try:
                querylog.purge(connection)
            finally:
                connection.close()
        except sqlite3.Error as error:
            app.logger.warning("query log: retention purge failed: %s", error)
