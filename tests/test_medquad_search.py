"""Search over the full MedQuAD index (built once per run): filters and intent on real articles."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from indexer.store import IndexStore
from search_app import create_app


@pytest.fixture
def medquad_client(medquad_index: IndexStore, tmp_path: Path) -> FlaskClient:
    app = create_app({"TESTING": True, "INDEX_DIR": str(medquad_index.root), "RATELIMIT_ENABLED": False})
    return app.test_client()


@pytest.mark.parametrize("typed", ["GARD", "gard", "Gard"])
def test_a_source_filter_matches_in_any_case(medquad_client: FlaskClient, typed: str) -> None:
    data = medquad_client.get("/api/search", query_string={"q": f"lupus source:{typed}"}).get_json()
    assert data["total"] > 0 and {hit["source"] for hit in data["hits"]} == {"GARD"}


def test_the_source_chip_is_labelled_as_the_facet_spells_it(medquad_client: FlaskClient) -> None:
    page = medquad_client.get("/search", query_string={"q": "lupus source:gard"}).get_data(as_text=True)
    assert "Source: GARD" in page


def test_of_three_same_named_articles_the_one_answering_the_question_leads(medquad_client: FlaskClient) -> None:
    hits = medquad_client.get("/api/search", query_string={"q": "canavan disease inherited"}).get_json()["hits"]
    assert hits[0]["title"].lower() == "canavan disease"
    assert hits[0]["sections"][0]["kind"] == "inheritance"


def test_sources_read_as_their_sites(medquad_client: FlaskClient) -> None:
    page = medquad_client.get("/search", query_string={"q": "pink eye"}).get_data(as_text=True)
    assert '<p class="source">MedlinePlus</p>' in page and '>MedlinePlus <span class="count">' in page  # hit, facet


def test_an_article_links_its_namesakes_from_other_sites(medquad_client: FlaskClient) -> None:
    hits = medquad_client.get("/api/search", query_string={"q": "canavan disease"}).get_json()["hits"]
    same = [hit for hit in hits if hit["title"].lower() == "canavan disease"]
    assert len(same) == 1 and len(same[0]["also"]) >= 1  # one result per condition, the others folded under it
    page = medquad_client.get(f"/articles/{same[0]['id']}").get_data(as_text=True)
    assert "More on" in page and all(f'href="/articles/{other["id"]}"' in page for other in same[0]["also"])
    assert f'href="/articles/{same[0]["id"]}"' not in page  # not itself


def test_one_result_per_condition(medquad_client: FlaskClient) -> None:
    hits = medquad_client.get("/api/search", query_string={"q": "skin cancer", "size": 20}).get_json()["hits"]
    titles = [hit["title"].casefold() for hit in hits]
    assert titles.count("skin cancer") == 1 and len(set(titles)) == len(titles)
    page = medquad_client.get("/search", query_string={"q": "skin cancer"}).get_data(as_text=True)
    assert "Also from" in page
