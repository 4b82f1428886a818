"""The query log: what a search and a click leave behind, and that a broken log never breaks a search."""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from search_app import create_app, querylog
from search_app.querylog import SearchEntry


def rows(app: Flask, sql: str) -> list[tuple]:
    with sqlite3.connect(app.config["QUERY_LOG"]) as connection:
        return connection.execute(sql).fetchall()


def test_results_page_and_api_are_logged(app: Flask, client: FlaskClient) -> None:
    client.get("/search", query_string={"q": "  Gout TREATMENT ", "page": 1})
    client.get("/api/search", query_string={"q": "zzzqqq", "section": "treatment", "exact": "1"})
    logged = rows(app, "SELECT endpoint, query, normalized, results, filters, page, ms, at FROM searches ORDER BY id")
    (page, api) = logged
    # as many results as the page counts (Gout, and articles close in meaning to "gout treatment")
    shown = client.get("/api/search", query_string={"q": "Gout TREATMENT"}).get_json()["total"]
    assert page[:6] == ("page", "Gout TREATMENT", "gout treatment", shown, "{}", 1) and shown >= 1
    assert api[:6] == (
        "api",
        "zzzqqq section:treatment",
        "zzzqqq section:treatment",
        0,
        json.dumps({"exact": True, "section": "treatment"}),
        1,
    )
    assert page[6] >= 0 and datetime.strptime(page[7], "%Y-%m-%d %H:%M:%S")


def test_no_address_or_user_is_stored(app: Flask, client: FlaskClient) -> None:
    client.get("/search?q=gout", environ_base={"REMOTE_ADDR": "203.0.113.7"}, headers={"User-Agent": "Probe/1.0"})
    log = Path(app.config["QUERY_LOG"])
    data = b"".join(path.read_bytes() for path in log.parent.glob(log.name + "*"))
    assert b"gout" in data
    assert b"203.0.113.7" not in data and b"Probe" not in data
    columns = {c[1] for table in ("searches", "clicks") for c in rows(app, f"PRAGMA table_info({table})")}
    assert columns == {"id", "at", "endpoint", "query", "normalized", "results", "filters", "page", "ms"} | {
        "search_id",
        "article_id",
        "position",
        "request_id",  # the balancer's id of one request, not of a visitor
        "junk",  # why a search was left out of the reports
    }


def test_a_request_the_balancer_retried_is_logged_once(app: Flask, client: FlaskClient) -> None:
    for _ in range(2):  # the first replica logged it and died; the balancer sent it to another
        client.get("/api/search?q=gout", headers={"X-Request-ID": "4f1c0d9a"})
    client.get("/api/search?q=gout", headers={"X-Request-ID": "77aa"})
    client.get("/api/search?q=gout")
    client.get("/api/search?q=gout")
    assert rows(app, "SELECT COUNT(*) FROM searches") == [(4,)]


def test_result_links_record_the_click_and_position(app: Flask, client: FlaskClient) -> None:
    page = client.get("/search?q=gout").get_data(as_text=True)
    [search_id] = rows(app, "SELECT id FROM searches")[0]
    assert f'href="/go/{search_id}/1?to=/articles/gout' in page
    target = "/articles/gout?q=gout#overview"
    response = client.get(f"/go/{search_id}/1", query_string={"to": target})
    assert response.status_code == 303 and response.headers["Location"] == target
    assert rows(app, "SELECT search_id, article_id, position FROM clicks") == [(search_id, "gout", 1)]
    for forged in (f"/go/{search_id}/2", f"/go/{search_id + 1}/1"):  # past the results; no such search
        assert client.get(forged, query_string={"to": target}).status_code == 303
    assert app.extensions["querylog"].popular_articles() == {"gout": 1}


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/articles/x",
        "//evil.example/articles/x",
        "/\\evil.example/articles/x",
        "/search?q=x",
        "",
        "/articles/",
    ],
)
def test_click_redirect_only_to_local_articles(client: FlaskClient, target: str) -> None:
    assert client.get("/go/1/1", query_string={"to": target}).status_code == 400


def test_disabled_log_writes_nothing_and_links_stay_plain(index_dir: Path, tmp_path: Path) -> None:
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "QUERY_LOG": ""})
    page = app.test_client().get("/search?q=gout").get_data(as_text=True)
    assert 'href="/articles/gout?' in page and "/go/" not in page
    assert not (tmp_path / "querylog.sqlite3").exists()
    assert app.extensions["querylog"].popular_articles() == {}


@pytest.fixture
def locked(app: Flask, client: FlaskClient) -> Iterator[sqlite3.Connection]:
    """Another connection holding an exclusive lock on the log."""
    client.get("/search?q=asthma")  # the log exists, with one line
    holder = sqlite3.connect(app.config["QUERY_LOG"], isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")
    yield holder
    holder.execute("ROLLBACK")
    holder.close()


def test_a_locked_log_drops_the_line_not_the_search(
    app: Flask, client: FlaskClient, locked: sqlite3.Connection, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        page = client.get("/search?q=gout")
        api = client.get("/api/search?q=gout")
    assert page.status_code == 200 and "Gout" in page.get_data(as_text=True)
    assert api.status_code == 200 and api.get_json()["hits"][0]["id"] == "gout"
    assert 'href="/articles/gout?' in page.get_data(as_text=True)  # no log id: the plain link
    assert querylog.BUSY_TIMEOUT <= 0.05  # the most a held lock can add to a search
    assert "search not logged" in caplog.text and "locked" in caplog.text
    click = client.get("/go/1/1?to=/articles/gout")
    assert click.status_code == 303  # the click still goes through
    locked.execute("ROLLBACK")
    locked.execute("BEGIN")
    assert rows(app, "SELECT COUNT(*) FROM searches") == [(1,)]


@pytest.mark.parametrize("damage", ["corrupt", "directory"])
def test_an_unusable_log_file_never_breaks_a_search(
    index_dir: Path, tmp_path: Path, damage: str, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "broken.sqlite3"
    if damage == "corrupt":
        path.write_bytes(b"this is not a database" * 100)
    else:
        path.mkdir()
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "QUERY_LOG": str(path)})
    with caplog.at_level(logging.WARNING):
        assert app.test_client().get("/search?q=gout").status_code == 200
        assert app.test_client().get("/api/search?q=gout").status_code == 200
        assert app.test_client().get("/go/3/1?to=/articles/gout").status_code == 303
    assert "not logged" in caplog.text


def test_retention_purges_old_lines_at_startup(app: Flask, index_dir: Path) -> None:
    log = app.extensions["querylog"]
    entry = SearchEntry("page", "gout", "gout", 1, {}, 1, 3.0)
    old = datetime.now(timezone.utc) - timedelta(days=91)
    with app.app_context(), log.connect() as connection:
        log.record_search(connection, entry, at=old)
        log.record_search(connection, entry)
        log.record_click(connection, 1, "gout", 1, at=old)
    create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "QUERY_LOG": log.path, "QUERY_LOG_RETENTION_DAYS": 90})
    assert rows(app, "SELECT COUNT(*) FROM searches") == [(1,)]
    assert rows(app, "SELECT COUNT(*) FROM clicks") == [(0,)]
