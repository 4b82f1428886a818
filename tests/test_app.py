"""The Flask app: factory, config, and the minimal search page, escaped."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from search_app import create_app
from search_app.config import SETTINGS
from tests.conftest import REPO


def test_factory_takes_test_config(index_dir: Path) -> None:
    app = create_app({"INDEX_DIR": str(index_dir), "TESTING": True})
    assert app.config["INDEX_DIR"] == str(index_dir)


def test_index_dir_from_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("HEALTHSEARCH_INDEX_DIR", str(tmp_path))
    assert create_app().config["INDEX_DIR"] == str(tmp_path)


def test_search_page_finds_article(client: FlaskClient) -> None:
    response = client.get("/search", query_string={"q": "boxcar scar treatment"})
    assert response.status_code == 200
    assert "Acne Scars" in response.get_data(as_text=True)


def test_query_is_escaped(client: FlaskClient) -> None:
    response = client.get("/search", query_string={"q": '<script>alert(1)</script>"'})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page


def test_missing_index_is_not_a_500(tmp_path: Path) -> None:
    app = create_app({"INDEX_DIR": str(tmp_path / "none"), "TESTING": True})
    response = app.test_client().get("/search?q=gout")
    assert response.status_code == 503


def test_readme_lists_every_setting() -> None:
    readme = (REPO / "README.md").read_text()
    assert all(f"HEALTHSEARCH_{setting.name}" in readme for setting in SETTINGS)


def test_over_long_query_is_a_400(client: FlaskClient) -> None:
    response = client.get("/search", query_string={"q": "a" * 10_000})
    assert response.status_code == 400


@pytest.mark.parametrize("query", ['"', "AND OR", "*", "field:", '"><img onerror=alert(1)>', "\x00\x1f", "-"])
def test_hostile_queries_never_fail(client: FlaskClient, query: str) -> None:
    response = client.get("/search", query_string={"q": query})
    assert response.status_code == 200
    assert "<img onerror" not in response.get_data(as_text=True)


def test_boxcar_scar_treatment_lands_on_the_treatment_section(app: Flask, client: FlaskClient) -> None:
    from engine.query import parse_query
    from engine.search import search
    from search_app.index import get_searcher

    with app.test_request_context():
        hits = search(get_searcher(), parse_query("boxcar scar treatment"))
    assert hits[0].id == "acne-scars"
    assert hits[0].sections[0].kind == "treatment"
    page = client.get("/search", query_string={"q": "boxcar scar treatment"}).get_data(as_text=True)
    assert page.index("Acne Scars") < page.index("Treatment options")


def test_pink_eye_finds_conjunctivitis(client: FlaskClient) -> None:
    page = client.get("/search", query_string={"q": "pink eye"}).get_data(as_text=True)
    assert "Conjunctivitis" in page


def test_the_library_a_to_z_lists_each_letter_s_articles(client: FlaskClient) -> None:
    page = client.get("/articles", query_string={"letter": "g"}).get_data(as_text=True)
    assert 'href="/articles/gout"' in page and "acne-scars" not in page
    assert 'aria-current="page">G<' in page
    assert '<span class="empty" aria-disabled="true">Z</span>' in page  # no article under Z here
    assert 'href="/articles/acne-scars"' in client.get("/articles").get_data(as_text=True)  # A by default


@pytest.mark.parametrize("letter", ["aa", "<script>", "é", "1"])
def test_the_a_to_z_refuses_what_is_not_a_letter(client: FlaskClient, letter: str) -> None:
    response = client.get("/articles", query_string={"letter": letter})
    assert response.status_code == 400 and "<script>" not in response.get_data(as_text=True)


def test_a_zero_result_page_offers_the_a_to_z(client: FlaskClient) -> None:
    page = client.get("/search", query_string={"q": "xyzzyq plugh"}).get_data(as_text=True)
    assert 'href="/articles?letter=x"' in page


def test_result_pages_are_numbered_and_keep_exact(index_dir: Path) -> None:
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "RESULTS_PER_PAGE": 1}).test_client()
    page = client.get("/search", query_string={"q": "skin", "page": 2}).get_data(as_text=True)
    assert 'aria-current="page" aria-label="Page 2">2<' in page and 'href="/search?q=skin&amp;page=1"' in page
    exact = client.get("/search", query_string={"q": "skin", "exact": "1"}).get_data(as_text=True)
    assert 'href="/search?q=skin&amp;page=2&amp;exact=1"' in exact  # paging keeps "search as typed"
