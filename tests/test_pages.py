"""Visitors' pages: the home page, honest counts, friendly errors, the no-results feedback."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient


def test_the_home_page_has_a_heading_topics_and_the_a_to_z(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    assert "<h1>" in page and 'class="brand"' in page
    assert "Well-covered topics" in page  # no clicks logged yet: the best-covered articles, read from the index
    assert page.count('<li><a href="/articles/') == 4  # the small corpus's four conditions, once each
    assert 'href="/articles?letter=g"' in page and '<span class="empty" aria-disabled="true">Z</span>' in page
    assert "data-recent hidden" in page  # filled from this browser's storage by site.js


def test_the_home_page_puts_what_visitors_open_first(client: FlaskClient) -> None:
    page = client.get("/search", query_string={"q": "gout"}).get_data(as_text=True)
    link = page[page.index("/go/") :].split('"')[0].replace("&amp;", "&")
    assert client.get(link).status_code == 303
    home = client.get("/").get_data(as_text=True)
    assert "Popular topics" in home
    assert home.index('href="/articles/gout"') < home.index('href="/articles/asthma"')


def test_results_have_a_heading_and_an_honest_count(client: FlaskClient) -> None:
    page = client.get("/search", query_string={"q": "gout"}).get_data(as_text=True)
    assert '<h1 data-query="gout">Results for “gout”</h1>' in page
    assert "1 condition found" in page and " ms)" not in page
    two = client.get("/search", query_string={"q": "joint wheezing"}).get_data(as_text=True)
    assert "No condition matches all your words; 2 match some of them" in two
    assert client.get("/api/search", query_string={"q": "joint wheezing"}).get_json()["all_words"] == 0


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({"page": "500"}, "There is no such page of results"),
        ({"page": "x"}, "There is no such page of results"),
        ({"section": "zzz"}, "not one we know"),
    ],
)
def test_errors_speak_to_visitors(client: FlaskClient, params: dict, message: str) -> None:
    response = client.get("/search", query_string={"q": "gout", **params})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page and "'page'" not in page


def test_a_search_without_results_can_be_reported(client: FlaskClient, app: Flask, tmp_path: Path) -> None:
    page = client.get("/search", query_string={"q": "xyzzyq plugh"}).get_data(as_text=True)
    action = page[page.index('action="/feedback/') + len('action="') :].split('"')[0]
    response = client.post(action)
    assert response.status_code == 200 and "Thank you" in response.get_data(as_text=True)
    with sqlite3.connect(app.config["QUERY_LOG"]) as db:
        rows = db.execute("SELECT searches.query FROM feedback JOIN searches ON searches.id = search_id").fetchall()
    assert rows == [("xyzzyq plugh",)]
    assert "could not note" in client.post("/feedback/999999").get_data(as_text=True)  # no such search: nothing kept
