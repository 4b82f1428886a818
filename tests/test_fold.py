"""One result per condition: same-named articles fold under the best-ranked one, in pages, API and A–Z."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from indexer.build import build_index
from indexer.store import IndexStore
from search_app import create_app
from tests.conftest import write_article

FULL = {"Overview": 60, "Symptoms": 60, "Causes": 60, "Treatment": 60}


@pytest.fixture
def client(tmp_path: Path) -> FlaskClient:
    """Three articles named Gout (one in lower case, one a stub), a Gouty Arthritis and an Asthma."""
    folder = tmp_path / "articles"
    folder.mkdir()
    write_article(folder, "gout", "Gout", FULL)
    write_article(folder, "gout-stub", "gout", {"Overview": 20})
    write_article(folder, "gout-summary", "Gout", {"Overview": 40, "Treatment": 40})
    write_article(folder, "gouty-arthritis", "Gouty Arthritis", {"Overview": 60}, aliases="gout of the knee")
    write_article(folder, "asthma", "Asthma", FULL)
    build_index([folder], IndexStore(tmp_path / "index"))
    return create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "index")}).test_client()


def test_same_named_articles_are_one_result_with_the_others_folded_under_it(client: FlaskClient) -> None:
    data = client.get("/api/search", query_string={"q": "gout"}).get_json()
    ids = [hit["id"] for hit in data["hits"]]
    assert ids[0] == "gout"  # the fullest of the three leads
    assert "gout-stub" not in ids and "gout-summary" not in ids
    assert {other["id"] for other in data["hits"][0]["also"]} == {"gout-stub", "gout-summary"}
    assert "gouty-arthritis" in ids  # another name is another condition
    assert data["total"] == len(ids) == 2


def test_paging_counts_conditions(client: FlaskClient) -> None:
    pages = [client.get("/api/search", query_string={"q": "gout", "size": 1, "page": n}).get_json() for n in (1, 2, 3)]
    assert [page["total"] for page in pages] == [2, 2, 2]
    assert [[hit["id"] for hit in page["hits"]] for page in pages] == [["gout"], ["gouty-arthritis"], []]


def test_a_filter_folds_among_what_passes_it(client: FlaskClient) -> None:
    data = client.get("/api/search", query_string={"q": "gout section:causes"}).get_json()
    assert [hit["id"] for hit in data["hits"]] == ["gout"] and data["hits"][0]["also"] == []


def test_the_results_page_links_the_other_sources(client: FlaskClient) -> None:
    page = client.get("/search", query_string={"q": "gout"}).get_data(as_text=True)
    assert page.count('class="also"') == 1
    also = page[page.index('class="also"') :].split("</p>")[0]
    assert 'href="/articles/gout-summary?q=gout"' in also  # the better-ranked of the two from one source
    assert "gout-stub" not in also and "(2)" in also  # a source is named once, with how many it has


def test_the_a_to_z_lists_a_name_once_with_its_articles(client: FlaskClient) -> None:
    page = client.get("/articles", query_string={"letter": "g"}).get_data(as_text=True)
    assert page.count(">Gout</a>") == 1 and ">gout</a>" not in page
    assert all(f'href="/articles/{slug}"' in page for slug in ("gout", "gout-stub", "gout-summary"))
    assert "2 conditions under G" in page
