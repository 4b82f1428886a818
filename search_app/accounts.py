"""Staff accounts (SQLite, or PostgreSQL shared by replicas), password hashes by werkzeug.security, the session secret.

Accounts are managed from the command line (`healthsearch staff add|remove|list`);
the web app only checks them.  Each account has a session epoch, a random nonce
that a session carries and must match: signing out, a new password and removing
the account each end every session made before (a re-added name gets a new
epoch, so its old cookies stay dead).  The secret that signs sessions comes from
SECRET_KEY; when unset, one is generated once and kept in the instance folder,
so every server process signs with the same key and logins survive restarts.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path

from flask import Flask
from werkzeug.security import check_password_hash, generate_password_hash

from search_app.database import Connection, Migration, is_url, shared

SECRET_FILE = "secret_key"
MIN_PASSWORD = 8
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789._-@")
# Checked when the name is unknown, so a wrong name costs as long as a wrong password.
_DUMMY_HASH = generate_password_hash("not a password")


class AccountError(ValueError):
    """A bad account name or password; the message is safe to show."""


_ACCOUNTS = (
    "CREATE TABLE IF NOT EXISTS accounts (name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, created TEXT NOT NULL)"
)
_EPOCHS = "ALTER TABLE accounts ADD COLUMN epoch TEXT NOT NULL DEFAULT ''"  # '' until the next sign-in
MIGRATIONS = (Migration(1, sqlite=_ACCOUNTS, postgresql=_ACCOUNTS), Migration(2, sqlite=_EPOCHS, postgresql=_EPOCHS))
ACCOUNTS_WAIT = 5.0  # seconds: a sign-in may wait for a busy database; a visitor's search never does


@contextmanager
def _connect(target: str) -> Iterator[Connection]:
    """A connection to the accounts (a SQLite path or a PostgreSQL URL); DatabaseError when unusable."""
    with shared(target, "accounts", MIGRATIONS, wait=ACCOUNTS_WAIT).connect() as connection:
        yield connection


def _stored(target: str) -> bool:
    """Whether accounts may exist there: a server, or a file already written (reading never creates one)."""
    return is_url(target) or os.path.exists(target)


def check_name(name: str) -> str:
    name = name.strip().lower()
    if not 1 <= len(name) <= 64 or not set(name) <= _NAME_CHARS:
        raise AccountError("a name is 1-64 letters, digits, '.', '_', '-' or '@'")
    return name


def add(path: str, name: str, password: str) -> None:
    """Create an account, or set a new password for an existing one."""
    name = check_name(name)
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"a password needs at least {MIN_PASSWORD} characters")
    created = datetime.now(timezone.utc).isoformat(timespec="seconds")
    with _connect(path) as connection:
        connection.execute(
            "INSERT INTO accounts (name, password_hash, created, epoch) VALUES (?, ?, ?, ?)"
            " ON CONFLICT (name) DO UPDATE SET password_hash = excluded.password_hash, epoch = excluded.epoch",
            (name, generate_password_hash(password), created, secrets.token_hex(16)),
        )


def session_epoch(path: str, name: str) -> str | None:
    """The account's current session epoch; None when there is no such account (or it has none yet)."""
    if not _stored(path):
        return None
    with _connect(path) as connection:
        row = connection.execute("SELECT epoch FROM accounts WHERE name = ?", (name,)).fetchone()
    return row[0] if row and row[0] else None


def end_sessions(path: str, name: str) -> None:
    """A new session epoch for the account: every session made before it no longer counts."""
    with _connect(path) as connection:
        connection.execute("UPDATE accounts SET epoch = ? WHERE name = ?", (secrets.token_hex(16), name))


def remove(path: str, name: str) -> bool:
    with _connect(path) as connection:
        return connection.execute("DELETE FROM accounts WHERE name = ?", (name.strip().lower(),)).rowcount > 0


def names(path: str) -> list[tuple[str, str]]:
    """(name, created) for every account."""
    if not _stored(path):
        return []
    with _connect(path) as connection:
        return [tuple(row) for row in connection.execute("SELECT name, created FROM accounts ORDER BY name")]


def verify(path: str, name: str, password: str) -> str | None:
    """The account name if the password is right, else None."""
    name = name.strip().lower()
    row = None
    if _stored(path):
        with _connect(path) as connection:
            row = connection.execute("SELECT password_hash FROM accounts WHERE name = ?", (name,)).fetchone()
    valid = check_password_hash(row[0] if row else _DUMMY_HASH, password)
    return name if row and valid else None


def ensure_secret_key(app: Flask) -> None:
    """SECRET_KEY from the settings, else the one kept in the instance folder (made on first use)."""
    if app.config.get("SECRET_KEY"):
        return
    path = Path(app.instance_path) / SECRET_FILE
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        # Written aside and linked into place: a second worker starting at the same
        # moment either wins the link or reads the winner's whole key.
        temporary = path.with_name(f"{SECRET_FILE}.{os.getpid()}.tmp")
        temporary.write_text(secrets.token_hex(32))
        temporary.chmod(0o600)
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass
        finally:
            temporary.unlink()
    app.config["SECRET_KEY"] = path.read_text().strip()
