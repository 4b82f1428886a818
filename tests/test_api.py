"""The JSON API and the article page, through Flask's test client on a real index."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

HIT_KEYS = {"id", "title", "url", "score", "source", "sections"}


def test_search_json_schema(client: FlaskClient) -> None:
    data = client.get("/api/search", query_string={"q": "boxcar scar treatment"}).get_json()
    assert {"query", "total", "took_ms", "did_you_mean", "hits", "facets"} <= set(data)
    first = data["hits"][0]
    assert set(first) >= HIT_KEYS and first["id"] == "acne-scars"
    kinds = [s["kind"] for s in first["sections"]]
    assert kinds[0] == "treatment"
    assert all({"kind", "heading", "anchor", "snippet"} <= set(s) for s in first["sections"])
    assert "<mark>" in " ".join(s["snippet"] for s in first["sections"])
    assert {"section", "specialist", "source"} <= set(data["facets"])


def test_boxcar_is_marked_in_the_types_section(client: FlaskClient) -> None:
    data = client.get("/api/search", query_string={"q": "boxcar scars"}).get_json()
    snippets = " ".join(s["snippet"] for s in data["hits"][0]["sections"])
    assert "<mark>Boxcar</mark>" in snippets or "<mark>boxcar</mark>" in snippets


def test_section_filter_and_facet_counts(client: FlaskClient) -> None:
    everything = client.get("/api/search", query_string={"q": "skin"}).get_json()
    filtered = client.get("/api/search", query_string={"q": "skin", "section": "types"}).get_json()
    counts = dict((f["value"], f["count"]) for f in everything["facets"]["section"])
    assert filtered["total"] == counts["types"] < everything["total"]


def test_exclusion_and_phrase(client: FlaskClient) -> None:
    ids = [h["id"] for h in client.get("/api/search", query_string={"q": "acne -scars"}).get_json()["hits"]]
    assert "acne-scars" not in ids
    ids = [h["id"] for h in client.get("/api/search", query_string={"q": '"ice pick"'}).get_json()["hits"]]
    assert ids == ["acne-scars"]


def test_pagination(client: FlaskClient) -> None:
    first = client.get("/api/search", query_string={"q": "pain", "size": 2}).get_json()
    second = client.get("/api/search", query_string={"q": "pain", "size": 2, "page": 2}).get_json()
    assert len(first["hits"]) == 2 and first["hits"][0]["id"] != second["hits"][0]["id"]


def test_did_you_mean(client: FlaskClient) -> None:
    data = client.get("/api/search", query_string={"q": "asthmma"}).get_json()
    assert data["did_you_mean"] == "asthma"
    assert data["hits"][0]["id"] == "asthma"


@pytest.mark.parametrize(
    "params",
    [
        {"q": "gout", "page": "x"},
        {"q": "gout", "size": "0"},
        {"q": "gout", "size": "500"},
        {"q": "gout", "section": "nonsense"},
        {"q": "g" * 5000},
        {"q": "gout", "page": "101"},
    ],
)
def test_bad_parameters_are_json_400s(client: FlaskClient, params: dict) -> None:
    response = client.get("/api/search", query_string=params)
    assert response.status_code == 400 and "error" in response.get_json()


def test_article_json(client: FlaskClient) -> None:
    data = client.get("/api/articles/acne-scars").get_json()
    assert data["title"] == "Acne Scars" and data["sections"]
    assert client.get("/api/articles/none-such").status_code == 404


def test_article_page_marks_words_and_flags_the_section(client: FlaskClient) -> None:
    page = client.get("/articles/acne-scars", query_string={"q": "boxcar", "section": "types"}).get_data(as_text=True)
    assert 'id="types"' in page and "Best match" in page and "<mark>Boxcar</mark>" in page
    assert page.count('<a href="#') >= 9  # the table of contents


def test_xss_in_article_text_is_escaped(tmp_path: Path) -> None:
    from indexer.build import build_index
    from indexer.store import IndexStore
    from search_app import create_app

    folder = tmp_path / "evil"
    folder.mkdir()
    (folder / "evil.html").write_text(
        "<h1>Evil &lt;script&gt;alert(1)&lt;/script&gt;</h1><h2>Treatment</h2>"
        "<p>Rest &lt;img src=x onerror=alert(1)&gt; and fluids.</p><script>alert(2)</script>"
    )
    build_index([folder], IndexStore(tmp_path / "evil-ix"))
    evil = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "evil-ix")}).test_client()
    for url in ("/search?q=evil+rest", "/articles/evil?q=rest"):
        page = evil.get(url).get_data(as_text=True)
        assert "<script>alert" not in page and "<img src=x" not in page and "&lt;script&gt;" in page


@pytest.mark.parametrize("query", ["chest pain", "can't breathe", "stroke signs", "suicidal thoughts", "overdose"])
def test_emergencies_get_the_urgent_notice(client: FlaskClient, query: str) -> None:
    page = client.get("/search", query_string={"q": query}).get_data(as_text=True)
    assert "call your local emergency number" in page.lower() and 'class="urgent"' in page
    data = client.get("/api/search", query_string={"q": query}).get_json()
    assert data["emergency"] is True


def test_emergency_puts_when_to_see_a_doctor_first(client: FlaskClient) -> None:
    data = client.get("/api/search", query_string={"q": "asthma can't breathe"}).get_json()
    assert data["hits"][0]["id"] == "asthma"
    assert data["hits"][0]["sections"][0]["kind"] == "when_to_see_doctor"


@pytest.mark.parametrize("query", ["gout treatment", "chest x-ray", "stroke prevention"])
def test_ordinary_queries_get_no_notice(client: FlaskClient, query: str) -> None:
    assert 'class="urgent"' not in client.get("/search", query_string={"q": query}).get_data(as_text=True)


def test_misspelling_shows_corrected_results_with_a_way_back(client: FlaskClient) -> None:
    page = client.get("/search", query_string={"q": "asthmma"}).get_data(as_text=True)
    assert "Showing results for" in page and "Search instead for" in page and "exact=1" in page
    assert "Asthma" in page
    exact = client.get("/api/search", query_string={"q": "asthmma", "exact": "1"}).get_json()
    assert exact["total"] == 0 and exact["corrected"] is False and exact["did_you_mean"] == "asthma"


def test_known_words_are_never_corrected(client: FlaskClient) -> None:
    data = client.get("/api/search", query_string={"q": "gout"}).get_json()
    assert data["did_you_mean"] is None and data["corrected"] is False


def test_a_section_filter_shows_that_section_of_every_hit(client: FlaskClient) -> None:
    data = client.get("/api/search", query_string={"q": "skin section:causes"}).get_json()
    assert data["hits"] and all(hit["sections"][0]["kind"] == "causes" for hit in data["hits"])


def test_active_filters_are_shown_with_links_that_remove_them(client: FlaskClient) -> None:
    page = client.get("/search", query_string={"q": "skin section:causes"}).get_data(as_text=True)
    assert 'aria-label="Remove filter Section: Causes"' in page
    assert 'href="/search?q=skin"' in page  # the chip and the selected facet value both take it away
    assert 'aria-current="true"' in page


def test_a_zero_result_page_says_the_filter_is_why(client: FlaskClient) -> None:
    page = client.get("/search", query_string={"q": "gout section:stages"}).get_data(as_text=True)
    assert "with this filter" in page and 'href="/search?q=gout"' in page


def test_the_article_page_marks_what_the_results_marked(client: FlaskClient) -> None:
    query = {"q": "acne -scars section:treatment", "section": "causes"}
    page = client.get("/articles/acne-scars", query_string=query).get_data(as_text=True)
    assert "<mark>acne</mark>" in page.lower()
    assert "<mark>scar" not in page.lower() and "<mark>section" not in page.lower()  # excluded, and a filter


def test_the_article_page_marks_the_corrected_spelling(client: FlaskClient) -> None:
    page = client.get("/articles/asthma", query_string={"q": "asthmma"}).get_data(as_text=True)
    assert "<mark>asthma</mark>" in page.lower()  # in the heading "Living with Asthma"


def test_the_article_page_marks_only_the_section_arrived_at_and_the_headings(client: FlaskClient) -> None:
    query = {"q": "asthma treatment", "section": "treatment-options"}
    page = client.get("/articles/asthma", query_string=query).get_data(as_text=True)
    arrived = page[page.index('<section id="treatment-options"') :]
    arrived = arrived[: arrived.index("</section>")]
    elsewhere = page.replace(arrived, "")
    assert "<mark>" in arrived
    assert elsewhere.count("<mark>") == elsewhere.count("<h2><mark>") + elsewhere.count("with <mark>")  # headings
    assert "data-mark-steps hidden" in page  # the step-through bar, shown by site.js


def test_words_of_a_many_word_intent_phrase_are_not_marked(client: FlaskClient) -> None:
    data = client.get("/api/search", query_string={"q": "acne scars social life expectancy"}).get_json()
    snippets = " ".join(s["snippet"] for hit in data["hits"] for s in hit["sections"]).lower()
    assert "<mark>social</mark> life" in snippets  # "social" is marked beside the unmarked "life"


def test_filters_alone_browse_their_articles_in_title_order(client: FlaskClient) -> None:
    data = client.get("/api/search", query_string={"q": "section:causes"}).get_json()
    titles = [hit["title"] for hit in data["hits"]]
    assert data["total"] == len(titles) >= 2 and titles == sorted(titles, key=str.casefold)
    assert all(hit["sections"][0]["kind"] == "causes" for hit in data["hits"])
    assert client.get("/search", query_string={"q": "section:causes"}).status_code == 200
