"""One data-access layer over SQLite and a real PostgreSQL server: migrations, statements, failures."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.servers import free_port, fresh_schema, postgres
from search_app.database import Database, DatabaseError, Migration

PEOPLE = Migration(
    1,
    sqlite="CREATE TABLE people (id INTEGER PRIMARY KEY, name TEXT NOT NULL)",
    postgresql="CREATE TABLE people (id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL)",
)
ADD_AGE = "ALTER TABLE people ADD COLUMN age INTEGER"
AGES = Migration(2, sqlite=ADD_AGE, postgresql=ADD_AGE)


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def target(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind; the PostgreSQL one gets a schema of its own per test."""
    if request.param == "sqlite":
        yield str(tmp_path / "db.sqlite3")
        return
    yield fresh_schema(request.getfixturevalue("postgres_url"), f"test_{abs(hash(request.node.nodeid))}")


def test_migrations_run_once_and_later_ones_alone(target: str) -> None:
    first = Database(target, [PEOPLE])
    with first.connect() as connection:
        new_id = connection.insert("INSERT INTO people (name) VALUES (?) RETURNING id", ("Ada",))
        assert new_id >= 1
    first.close()
    second = Database(target, [PEOPLE, AGES])
    with second.connect() as connection:
        connection.execute("UPDATE people SET age = ? WHERE name = ?", (36, "Ada"))
        assert connection.execute("SELECT name, age FROM people").fetchall() == [("Ada", 36)]
        versions = [row[0] for row in connection.execute("SELECT version FROM schema_migrations ORDER BY version")]
        assert versions == [1, 2]
    second.close()


def test_processes_racing_to_migrate_apply_each_step_once(target: str) -> None:
    databases = [Database(target, [PEOPLE, AGES], wait=5.0) for _ in range(4)]
    errors: list[Exception] = []

    def first_use(database: Database) -> None:
        try:
            with database.connect() as connection:
                connection.execute("INSERT INTO people (name, age) VALUES (?, ?)", ("x", 1))
        except Exception as error:
            errors.append(error)

    threads = [threading.Thread(target=first_use, args=(d,)) for d in databases]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with databases[0].connect() as connection:
        assert connection.execute("SELECT COUNT(*) FROM people").fetchone()[0] == 4
        assert connection.execute("SELECT COUNT(*) FROM schema_migrations").fetchone()[0] == 2
    for database in databases:
        database.close()


def test_placeholders_and_percent_signs(target: str) -> None:
    database = Database(target, [PEOPLE])
    with database.connect() as connection:
        connection.execute("INSERT INTO people (name) VALUES (?)", ("100% sure",))
        rows = connection.execute("SELECT name FROM people WHERE name LIKE '100%' AND name <> ?", ("",)).fetchall()
        assert rows == [("100% sure",)]
        with pytest.raises(DatabaseError):
            connection.execute("SELECT nothing FROM nowhere")
    database.close()


def test_a_dead_server_is_a_database_error() -> None:
    database = Database(f"postgresql://postgres@127.0.0.1:{free_port()}/none", [PEOPLE], wait=0.2)
    with pytest.raises(DatabaseError), database.connect():
        pass
    database.close()


def test_an_unusable_file_is_a_database_error(tmp_path: Path) -> None:
    (tmp_path / "folder").mkdir()
    with pytest.raises(DatabaseError), Database(str(tmp_path / "folder"), [PEOPLE]).connect():
        pass
