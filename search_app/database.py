"""One SQL database behind the query log and the staff accounts: a SQLite file, or PostgreSQL shared by replicas.

Stages: a target names the database (a file path, or a `postgresql://` URL); the first
connection applies the schema's migrations it has not seen yet, recorded in a
`schema_migrations` table; each statement then runs through one small interface.

Why psycopg 3 and its pool rather than SQLAlchemy: the log and the accounts are a
handful of plain SQL statements that both databases understand (`INSERT ...
RETURNING id` included), and both drivers speak DB-API 2, so one code path needs only
its `?` placeholders rewritten for psycopg.  The pool keeps PostgreSQL connections open
across requests, and a visitor's search never waits longer than `wait` for one.
"""

from __future__ import annotations

import os
import re
import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

SQLITE_BUSY_TIMEOUT = 0.05  # seconds; a busy database loses a log line rather than keep a visitor waiting
POOL_WAIT = 0.25  # seconds a request may wait for a pooled PostgreSQL connection (normally one is free)
POOL_SIZE = 4  # PostgreSQL connections per process: gthread workers run 4 threads


@dataclass(frozen=True)
class Migration:
    """One step of a schema, in the SQL of each database (statements separated by ';')."""

    version: int
    sqlite: str
    postgresql: str


class DatabaseError(Exception):
    """The database could not be reached or refused a statement; callers drop the work, never the request."""


class Connection:
    """A connection that runs `?`-placeholder SQL on either database."""

    def __init__(self, raw: Any, postgres: bool) -> None:
        self.raw = raw
        self.postgres = postgres

    def execute(self, sql: str, parameters: Sequence[Any] = ()) -> Any:
        try:
            if self.postgres:
                return self.raw.execute(_pyformat(sql), tuple(parameters))
            return self.raw.execute(sql, tuple(parameters))
        except Exception as error:
            raise _wrapped(error) from error

    def insert(self, sql: str, parameters: Sequence[Any] = ()) -> int:
        """Run an INSERT ... RETURNING id; the new row's id (0 when the statement inserted nothing)."""
        row = self.execute(sql, parameters).fetchone()
        return int(row[0]) if row else 0


class Database:
    """A database target and its migrations; `connect()` yields a Connection or raises DatabaseError."""

    def __init__(
        self, target: str, migrations: Sequence[Migration], wait: float = SQLITE_BUSY_TIMEOUT, component: str = "main"
    ) -> None:
        self.target = target
        self.component = component  # several components (query log, accounts) may share one database
        self.migrations = tuple(sorted(migrations, key=lambda m: m.version))
        self.wait = wait
        self.postgres = is_url(target)
        self._migrated = False
        self._lock = threading.Lock()
        self._pool: Any = None

    @property
    def enabled(self) -> bool:
        return bool(self.target)

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        try:
            if self.postgres:
                with self._postgres_pool().connection(timeout=max(self.wait, POOL_WAIT)) as raw:
                    connection = Connection(raw, postgres=True)
                    self._migrate(connection)
                    yield connection
            else:
                raw = self._sqlite()
                try:
                    connection = Connection(raw, postgres=False)
                    self._migrate(connection)
                    yield connection
                finally:
                    raw.close()
        except DatabaseError:
            raise
        except Exception as error:
            raise _wrapped(error) from error

    def close(self) -> None:
        if self._pool is not None:
            self._pool.close()
            self._pool = None

    def _sqlite(self) -> sqlite3.Connection:
        if self._migrated and not os.path.exists(self.target):
            self._migrated = False  # deleted while serving (by hand, a clean-up job): made again, schema and all
        os.makedirs(os.path.dirname(os.path.abspath(self.target)), exist_ok=True)
        raw = sqlite3.connect(self.target, timeout=self.wait, isolation_level=None, check_same_thread=False)
        try:
            # In WAL mode NORMAL cannot corrupt the file; it skips an fsync per line, so a
            # writer holds the lock for far less time when many workers write at once.
            raw.execute("PRAGMA synchronous=NORMAL")
            if not self._migrated:
                raw.execute("PRAGMA journal_mode=WAL")  # readers (staff pages) never block writers
        except sqlite3.Error:
            raw.close()
            raise
        return raw

    def _postgres_pool(self) -> Any:
        with self._lock:
            if self._pool is None:
                from psycopg_pool import ConnectionPool

                self._pool = ConnectionPool(
                    self.target,
                    min_size=1,
                    max_size=POOL_SIZE,
                    kwargs={"autocommit": True, "connect_timeout": 5},
                    open=True,
                    name="healthsearch",
                )
            return self._pool

    def _migrate(self, connection: Connection) -> None:
        """Apply the migrations this database has not recorded, once per process; processes may race here."""
        if self._migrated:
            return
        with self._lock:
            if not self._migrated:
                migrate = _migrate_postgres if connection.postgres else _migrate_sqlite
                migrate(connection, self.component, self.migrations)
                self._migrated = True


MIGRATIONS_TABLE = (
    "CREATE TABLE IF NOT EXISTS schema_migrations (component TEXT NOT NULL, version INTEGER NOT NULL,"
    " PRIMARY KEY (component, version))"
)
DONE = "SELECT version FROM schema_migrations WHERE component = ?"
RECORD = "INSERT INTO schema_migrations (component, version) VALUES (?, ?)"
_ADVISORY_LOCK = 7274521  # any number: PostgreSQL's lock for "migrating healthsearch's schema"


def _migrate_postgres(connection: Connection, component: str, migrations: tuple[Migration, ...]) -> None:
    """One process migrates at a time (an advisory lock); the others then see the versions it recorded."""
    connection.execute("SELECT pg_advisory_lock(?)", (_ADVISORY_LOCK,))
    try:
        connection.execute(MIGRATIONS_TABLE)
        done = {row[0] for row in connection.execute(DONE, (component,)).fetchall()}
        for migration in migrations:
            if migration.version not in done:
                with connection.raw.transaction():
                    for statement in _statements(migration.postgresql):
                        connection.execute(statement)
                    connection.execute(RECORD, (component, migration.version))
    finally:
        connection.execute("SELECT pg_advisory_unlock(?)", (_ADVISORY_LOCK,))


def _migrate_sqlite(connection: Connection, component: str, migrations: tuple[Migration, ...]) -> None:
    """All in one write transaction: a second process waits, then finds the work done."""
    connection.execute("BEGIN IMMEDIATE")
    try:
        connection.execute(MIGRATIONS_TABLE)
        done = {row[0] for row in connection.execute(DONE, (component,)).fetchall()}
        for migration in migrations:
            if migration.version not in done:
                for statement in _statements(migration.sqlite):
                    connection.execute(statement)
                connection.execute(RECORD, (component, migration.version))
        connection.execute("COMMIT")
    except DatabaseError:
        if connection.raw.in_transaction:
            connection.raw.execute("ROLLBACK")
        raise


def _statements(script: str) -> list[str]:
    return [statement.strip() for statement in script.split(";") if statement.strip()]


_SHARED: dict[tuple[str, str], Database] = {}
_SHARED_LOCK = threading.Lock()


def shared(target: str, component: str, migrations: Sequence[Migration], wait: float = SQLITE_BUSY_TIMEOUT) -> Database:
    """The one Database (and connection pool) of this process for a target and component.

    A PostgreSQL pool starts connecting now, so the first request does not wait for it.
    """
    with _SHARED_LOCK:
        database = _SHARED.get((target, component))
        if database is None:
            database = _SHARED[target, component] = Database(target, migrations, wait, component)
            if database.postgres:
                database._postgres_pool()
        return database


def is_url(target: str) -> bool:
    """Whether a setting names a database server rather than a SQLite file."""
    return target.startswith(("postgresql://", "postgres://"))


_PLACEHOLDER = re.compile(r"\?|%")


def _pyformat(sql: str) -> str:
    """`?` placeholders as psycopg's `%s` (and a literal % doubled).

    >>> _pyformat("SELECT * FROM t WHERE a = ? AND b LIKE 'x%'")
    "SELECT * FROM t WHERE a = %s AND b LIKE 'x%%'"
    """
    return _PLACEHOLDER.sub(lambda m: "%s" if m.group(0) == "?" else "%%", sql)


def _wrapped(error: Exception) -> Exception:
    """Driver errors (sqlite3, psycopg, the pool's timeout) as one DatabaseError; anything else unchanged."""
    module = type(error).__module__.split(".")[0]
    if isinstance(error, sqlite3.Error) or module in ("psycopg", "psycopg_pool"):
        return DatabaseError(f"{type(error).__name__}: {error}".strip())
    return error
