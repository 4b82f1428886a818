"""Zero-result queries are classified once, when logged (or by a bounded pass), never when a staff page loads."""

from __future__ import annotations

import sqlite3
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask import Flask
from whoosh.searching import Searcher

from engine import executor, search, spelling
from search_app import accounts, create_app, querylog
from search_app.audit import classify, zeroclass
from search_app.audit.classify import MISSING_ARTICLE, MISSPELLING
from search_app.querylog import SearchEntry, get_db
from tests.test_staff import PASSWORD, sign_in

PLANTED = 1000


class Lookups:
    """Every way a request can reach into the index for a query: counted."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.count = 0
        self.classified = 0
        for owner, name in (
            (executor, "evaluate"),
            (search, "evaluate"),
            (spelling, "_closest_names"),
            (Searcher, "search"),
            (Searcher, "suggest"),
        ):
            monkeypatch.setattr(owner, name, self._counting(getattr(owner, name)))
        real = classify.classify

        def counting_classify(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.classified += 1
            return real(*args, **kwargs)

        monkeypatch.setattr(zeroclass, "classify", counting_classify)

    def _counting(self, function):  # type: ignore[no-untyped-def]
        def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
            self.count += 1
            return function(*args, **kwargs)

        return counted


def classes(app: Flask) -> dict[str, tuple[str, int]]:
    with sqlite3.connect(app.config["QUERY_LOG"]) as connection:
        rows = connection.execute("SELECT normalized, class, generation FROM zero_classes").fetchall()
    return {normalized: (kind, generation) for normalized, kind, generation in rows}


def test_a_zero_result_search_is_classified_once_as_it_is_logged(
    audit_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    client = audit_app.test_client()
    client.get("/api/search?q=gout")  # a first search: the searcher's and catalog's caches filled
    lookups = Lookups(monkeypatch)
    assert client.get("/api/search?q=kout").get_json()["total"] == 0
    assert classes(audit_app) == {"kout": (MISSPELLING, 1)}
    assert lookups.classified == 1
    assert client.get("/search?q=Kout").status_code == 200  # the same query again: already classified
    assert client.get("/api/search?q=frostbite").get_json()["total"] == 0
    assert lookups.classified == 2 and classes(audit_app)["frostbite"] == (MISSING_ARTICLE, 1)


def plant(app: Flask, count: int, classified: int) -> None:
    """`count` distinct zero-result searches in the log, the first `classified` of them with a class."""
    at = datetime.now(timezone.utc) - timedelta(hours=1)
    log = app.extensions["querylog"]
    with app.test_request_context():
        connection = get_db()
        for number in range(count):
            query = f"zzq{number} condition"
            log.record_search(connection, SearchEntry("page", query, query, 0, {}, 1, 3.0), at=at)
        for number in range(classified):
            zero = zeroclass.querylog.ZeroClass(MISSING_ARTICLE, f"no article on zzq{number}", "write one", 1)
            log.record_class(connection, f"zzq{number} condition", zero)


@pytest.mark.parametrize("url", ["/staff", "/staff/demand?days=7", "/staff/demand?format=json"])
def test_staff_pages_over_1000_zero_result_queries_make_no_index_lookups(
    audit_app: Flask, monkeypatch: pytest.MonkeyPatch, url: str
) -> None:
    plant(audit_app, PLANTED, PLANTED // 2)
    accounts.add(audit_app.config["STAFF_DB"], "editor", PASSWORD)
    client = audit_app.test_client()
    assert sign_in(client).status_code == 302
    lookups = Lookups(monkeypatch)
    response = client.get(url)
    assert response.status_code == 200
    assert lookups.count == 0 and lookups.classified == 0
    text = response.get_data(as_text=True)
    assert "no article on zzq1" in text  # the stored classes
    if "demand" in url:
        assert "zzq500 condition" in text  # one without a class yet: listed, unclassified


def test_a_pass_classifies_a_bounded_number_of_older_queries(audit_app: Flask, monkeypatch: pytest.MonkeyPatch) -> None:
    plant(audit_app, 30, 0)
    client = audit_app.test_client()
    assert client.get("/api/search?q=gout").get_json()["total"] == 1
    assert classes(audit_app) == {}  # a process classifies none in its first minutes
    monkeypatch.setattr(querylog, "FIRST_PASS_AFTER", 0.0)
    app = create_app(dict(audit_app.config))  # a process started FIRST_PASS_AFTER ago
    lookups = Lookups(monkeypatch)
    client = app.test_client()
    assert client.get("/api/search?q=gout").get_json()["total"] == 1  # its search runs the pass
    assert lookups.classified == zeroclass.PASS_SIZE == len(classes(app))
    assert client.get("/api/search?q=kidney stones").get_json()["total"] > 0
    assert lookups.classified == zeroclass.PASS_SIZE  # the next pass is an hour away


def test_an_older_log_gains_the_class_table_and_its_queries_are_classified(
    tmp_path: Path, index_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(querylog, "FIRST_PASS_AFTER", 0.0)
    path = tmp_path / "old-log.sqlite3"
    with sqlite3.connect(path) as connection:  # a log from before migrations were kept, one zero-result search
        connection.executescript(
            "CREATE TABLE searches (id INTEGER PRIMARY KEY, at TEXT NOT NULL, endpoint TEXT NOT NULL,"
            " query TEXT NOT NULL, normalized TEXT NOT NULL, results INTEGER NOT NULL, filters TEXT NOT NULL,"
            " page INTEGER NOT NULL, ms REAL NOT NULL);"
            "CREATE TABLE clicks (id INTEGER PRIMARY KEY, search_id INTEGER NOT NULL, article_id TEXT NOT NULL,"
            " position INTEGER NOT NULL, at TEXT NOT NULL);"
        )
        now = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S")
        connection.execute(
            "INSERT INTO searches VALUES (1, ?, 'page', 'frostbite', 'frostbite', 0, '{}', 1, 2.0)", (now,)
        )
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "QUERY_LOG": str(path)})
    assert app.test_client().get("/api/search?q=gout").status_code == 200
    with sqlite3.connect(path) as connection:
        versions = connection.execute("SELECT version FROM schema_migrations WHERE component = 'querylog'")
        assert sorted(row[0] for row in versions) == [migration.version for migration in querylog.MIGRATIONS]
        assert connection.execute("SELECT COUNT(*) FROM searches").fetchone() == (2,)  # nothing lost
    assert classes(app) == {"frostbite": (MISSING_ARTICLE, 1)}
