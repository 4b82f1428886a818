"""Suggestions: matching and ranking on literal names, the API on a real index, CORS, OpenSearch."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from flask import Flask
from flask.testing import FlaskClient

from engine import persisted
from indexer.build import build_index
from indexer.store import DERIVED, IndexStore
from search_app import create_app, suggest
from search_app.prepare import prepare_generation
from search_app.suggest import Name, Popularity, Suggester, SuggesterCache, entries_of, load_names, words_of
from tests.conftest import CORPUS

SECTIONS = (("treatment", "Treatment", "treatment-options"), ("symptoms", "Symptoms", "symptoms"))
NAMES = [
    Name("acne", "Acne", "", SECTIONS),
    Name("acne", "Acne", "pimples", SECTIONS),
    Name("acne-scars", "Acne Scars", "", SECTIONS),
    Name("acne-scars", "Acne Scars", "acne scarring", SECTIONS),
    Name("conjunctivitis", "Conjunctivitis", "", SECTIONS),
    Name("conjunctivitis", "Conjunctivitis", "pink eye", SECTIONS),
    Name("diabetes", "Type 2 Diabetes", "", SECTIONS),
    Name("asthma", "Asthma", "", ()),
    Name("sjogren", "Sjögren's Syndrome", "", ()),
    Name("cystic", "Cystic Acne", "", ()),
]


@pytest.fixture(scope="module")
def suggester() -> Suggester:
    return Suggester(NAMES)


def texts(suggester: Suggester, query: str, limit: int = 8, popularity: Popularity | None = None) -> list[str]:
    return [s.entry.text for s in suggester.suggest(query, limit, popularity)]


@pytest.mark.parametrize(
    ("query", "first"),
    [
        ("acn", "Acne"),
        ("acne s", "Acne Scars"),
        ("acne scars tre", "Acne Scars — Treatment"),
        ("acne treat", "Acne — Treatment"),
        ("pink", "pink eye → Conjunctivitis"),
        ("pink eye sympt", "pink eye → Conjunctivitis — Symptoms"),
        ("diab", "Type 2 Diabetes"),  # a word start anywhere in the name
        ("diabtes", "Type 2 Diabetes"),  # one typo in a word of 5+ letters
        ("astma", "Asthma"),
        ("conjuctivitis", "Conjunctivitis"),
        ("sjogren", "Sjögren's Syndrome"),  # accents and apostrophes folded
        ("SJÖGRENS", "Sjögren's Syndrome"),
        ("acne cure", "Acne — Treatment"),  # a word people use for the section
    ],
)
def test_first_suggestion(suggester: Suggester, query: str, first: str) -> None:
    assert texts(suggester, query)[0] == first


@pytest.mark.parametrize("query", ["", "a", " a ", "zz", "!!", "astm x", "dibts", "<script>"])
def test_no_suggestion(suggester: Suggester, query: str) -> None:
    assert texts(suggester, query) == []


def test_short_words_get_no_typo_tolerance(suggester: Suggester) -> None:
    assert texts(suggester, "acme") == []  # four letters: one typo away from "acne", but too short to guess


def test_ranking_names_before_their_sections_and_a_cap_on_sections(suggester: Suggester) -> None:
    assert texts(suggester, "acn") == [
        "Acne",
        "Acne Scars",  # its alias "acne scarring" leads to the same place, so it is left out
        "Cystic Acne",  # every name before any section, even one matched further into its words
        "Acne — Treatment",
        "Acne Scars — Treatment",
        "Acne — Symptoms",
        "Acne Scars — Symptoms",
    ]


def test_one_article_gives_at_most_two_sections() -> None:
    many = tuple((kind, kind.capitalize(), kind) for kind in ("treatment", "symptoms", "causes", "diagnosis"))
    names = [Name("rare", "Acn rare syndrome", "", many), Name("acne", "Acne", "", ())]
    assert texts(Suggester(names), "acn") == [
        "Acne",
        "Acn rare syndrome",
        "Acn rare syndrome — Treatment",
        "Acn rare syndrome — Symptoms",
    ]


def test_limit(suggester: Suggester) -> None:
    assert len(texts(suggester, "acn", limit=2)) == 2


def test_popularity_orders_equally_good_matches() -> None:
    suggester = Suggester(NAMES)
    assert texts(suggester, "acn")[:2] == ["Acne", "Acne Scars"]
    popular = Popularity(suggester, {"acne-scars": 40, "acne": 3})
    assert texts(suggester, "acn", popularity=popular)[:2] == ["Acne Scars", "Acne"]
    # match quality still comes first: the whole name typed beats a popular longer one
    assert texts(suggester, "acne", popularity=popular)[:2] == ["Acne", "Acne Scars"]
    assert texts(suggester, "acne treatment", popularity=popular)[0] == "Acne — Treatment"
    assert texts(suggester, "acn")[:2] == ["Acne", "Acne Scars"], "the suggester itself is unchanged"


def test_the_whole_name_typed_comes_first_however_popular_longer_names_are() -> None:
    names = [Name(f"g{i}", f"Gout variant {i}", "", ()) for i in range(40)] + [Name("podagra", "Podagra", "gout", ())]
    suggester = Suggester(names)
    popular = Popularity(suggester, {f"g{i}": 100 + i for i in range(40)})
    assert texts(suggester, "gout", popularity=popular)[0] == "gout → Podagra"
    assert texts(suggester, "gou", popularity=popular)[:2] == ["Gout variant 39", "Gout variant 38"]


@pytest.mark.parametrize("query", ["gla", "glauc", "glaucoma", "glaucma"])
def test_a_popular_name_ranked_last_without_popularity_still_comes_first(query: str) -> None:
    """Each tier stops at a few times the limit in the static order; the popular entries are searched apart."""
    names = [Name(f"g{i}", f"Glaucoma type {i}", "", ()) for i in range(60)]
    names.append(Name("rare", "Glaucoma zeta variant with a long name", "", ()))
    suggester = Suggester(names)
    assert "Glaucoma zeta variant with a long name" not in texts(suggester, "gla")
    popular = Popularity(suggester, {"rare": 5, "g3": 2})
    assert texts(suggester, query, popularity=popular)[0] == "Glaucoma zeta variant with a long name"


def test_only_the_most_opened_articles_count(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(suggest, "POPULAR_ARTICLES", 1)
    suggester = Suggester(NAMES)
    popular = Popularity(suggester, {"acne-scars": 40, "cystic": 30, "nowhere": 99})
    assert popular.counts == {"acne-scars": 40}  # an article this generation lacks is no article
    assert len(popular.order) == len(suggester.by_article["acne-scars"])  # its index holds that article's entries only
    assert texts(suggester, "acn", popularity=popular)[:3] == ["Acne Scars", "Acne", "Cystic Acne"]


def test_popularity_of_another_suggester_is_not_applied() -> None:
    other = Suggester(NAMES[:4])
    assert texts(Suggester(NAMES), "acn", popularity=Popularity(other, {"acne-scars": 40}))[0] == "Acne"


@pytest.mark.parametrize(
    ("query", "text", "marks"),
    [
        ("acn", "Acne", ((0, 3),)),
        ("pink ey", "pink eye → Conjunctivitis", ((0, 4), (5, 7))),
        ("acne tre", "Acne — Treatment", ((0, 4), (7, 10))),
        ("sjog", "Sjögren's Syndrome", ((0, 4),)),
        ("diabtes", "Type 2 Diabetes", ((7, 15),)),
    ],
)
def test_marks_are_the_matched_word_starts(suggester: Suggester, query: str, text: str, marks: tuple) -> None:
    found = {s.entry.text: s.marks for s in suggester.suggest(query)}
    assert found[text] == marks


def test_sections_link_to_their_anchor(suggester: Suggester) -> None:
    entry = suggester.suggest("acne scars tre")[0].entry
    assert (entry.article_id, entry.anchor, entry.label, entry.name) == (
        "acne-scars",
        "treatment-options",
        "Treatment",
        "Acne Scars",
    )


@pytest.mark.parametrize(
    ("query", "found"),
    [
        ("ωme", ["Ωmega Σyndrome", "Ωmega Σyndrome — Treatment"]),  # several bytes a letter, sorted as text
        ("σyndrome trea", ["Ωmega Σyndrome — Treatment"]),
        ("ωmegx", ["Ωmega Σyndrome", "Ωmega Σyndrome — Treatment"]),
        ("l" + "o" * 30, ["L" + "o" * 40 + "ng"]),  # longer than the sorted texts' fixed-width heads
        ("l" + "o" * 60, []),  # longer than every word
    ],
)
def test_names_in_other_scripts_and_long_words(query: str, found: list[str]) -> None:
    names = [
        Name("omega", "Ωmega Σyndrome", "", (("treatment", "Treatment", "treatment"),)),
        Name("long", "L" + "o" * 40 + "ng", "", ()),
    ]
    assert texts(Suggester(names), query) == found


def test_no_names_no_suggestions() -> None:
    empty = Suggester([])
    assert texts(empty, "acne") == [] and Popularity(empty, {"acne": 3}).counts == {}


def test_alias_that_is_another_articles_title_is_not_repeated() -> None:
    names = [Name("a", "Crohn Disease", "", ()), Name("b", "Colitis", "crohn disease", ())]
    assert texts(Suggester(names), "crohn") == ["Crohn Disease"]


# --- on a real index, through the app ---


def test_load_names_reads_titles_aliases_and_sections(index_dir: Path) -> None:
    names = load_names(IndexStore(index_dir).current_dir())
    scars = [n for n in names if n.article_id == "acne-scars"]
    assert {n.alias for n in scars} == {"", "acne scarring"}
    assert ("treatment", "Treatment", "treatment-options") in scars[0].sections
    assert all(kind != "overview" for n in names for kind, _label, _anchor in n.sections)


MAPPED_IN_A_NEW_PROCESS = """
import json, sys
from pathlib import Path
import numpy as np
from search_app import suggest

def refuse(*args):
    raise SystemExit("the suggester was built, not loaded")

suggest.entries_of = refuse
suggester = suggest.suggester_for(Path(sys.argv[1]))
arrays = suggester.table.values()
print(json.dumps({
    "memmaps": sum(isinstance(array, np.memmap) for array in arrays), "arrays": len(arrays),
    "files": sorted({Path(array.filename).parent.name for array in arrays}),
    "gou": [found.to_json() for found in suggester.suggest("gou")],
}))
"""


def test_a_new_process_maps_the_suggester_the_build_kept(tmp_path: Path, small_corpus: Path) -> None:
    store = IndexStore(tmp_path / "index")
    build_index([small_corpus], store, prepare=prepare_generation)
    generation = store.current_dir()
    done = subprocess.run(
        [sys.executable, "-c", MAPPED_IN_A_NEW_PROCESS, str(generation)], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    seen = json.loads(done.stdout)
    assert seen["memmaps"] == seen["arrays"] > 10, "every array of the suggester is mapped from the generation"
    assert (
        len(seen["files"]) == 1 and seen["files"][0].startswith("suggester-") and seen["files"][0].endswith(".arrays")
    )
    assert seen["gou"][0]["text"] == "Gout"
    kept = generation / DERIVED / persisted.code_version()
    assert not list(kept.glob("suggester*.pickle")), "nothing of the suggester is pickled"


def test_a_kept_suggester_missing_an_array_is_built_again(tmp_path: Path, small_corpus: Path) -> None:
    store = IndexStore(tmp_path / "index")
    build_index([small_corpus], store, prepare=prepare_generation)
    (kept,) = (store.current_dir() / DERIVED / persisted.code_version()).glob("suggester-*.arrays")
    (kept / "index_postings.npy").unlink()
    assert texts(suggest.suggester_for(store.current_dir()), "gou") == ["Gout", "Gout — Treatment", "Gout — Symptoms"]


def test_a_mapped_suggester_answers_as_one_built_afresh(tmp_path: Path, small_corpus: Path) -> None:
    store = IndexStore(tmp_path / "index")
    build_index([small_corpus], store, prepare=prepare_generation)
    names = load_names(store.current_dir())
    mapped, built = suggest.suggester_for(store.current_dir()), Suggester(names)
    assert all(isinstance(array, np.memmap) for array in mapped.table.values())
    assert set(mapped.entries) == set(entries_of(names)), "every entry comes back whole from the arrays"
    words = {w for entry in mapped.entries for w in entry.words}
    typed = {entry.text[:end] for entry in mapped.entries for end in range(2, len(entry.text) + 1)}
    typed |= {w[:i] + w[i + 1 :] for w in words if len(w) >= 5 for i in range(len(w))}  # one letter left out
    typed |= {" ".join(reversed(words_of(entry.text))) for entry in mapped.entries}  # words in another order
    counts = {article: n for n, article in enumerate(mapped.by_article, start=1)}
    popular = (Popularity(mapped, counts), Popularity(built, counts))
    answered = 0
    for query in sorted(typed):
        assert mapped.suggest(query) == built.suggest(query), query
        assert mapped.suggest(query, 3, popular[0]) == built.suggest(query, 3, popular[1]), query
        answered += bool(mapped.suggest(query))
    assert answered > 500  # the comparison is not of empty lists


def test_api_suggest_json(client: FlaskClient) -> None:
    response = client.get("/api/suggest", query_string={"q": "acne scars tr"})
    assert response.status_code == 200
    first = response.get_json()["suggestions"][0]
    assert first["text"] == "Acne Scars — Treatment"
    assert first["kind"] == "section" and first["anchor"] == "treatment-options"
    assert first["url"] == "/articles/acne-scars?q=Acne+Scars&section=treatment-options#treatment-options"
    assert first["marks"] == [[0, 4], [5, 10], [13, 15]]


def test_api_suggest_alias(client: FlaskClient) -> None:
    first = client.get("/api/suggest", query_string={"q": "pink e"}).get_json()["suggestions"][0]
    assert (first["text"], first["kind"], first["id"]) == ("pink eye → Conjunctivitis", "alias", "conjunctivitis")


def test_api_suggest_opensearch_format(client: FlaskClient) -> None:
    response = client.get("/api/suggest", query_string={"q": "acne scars tr", "format": "opensearch"})
    assert response.mimetype == "application/x-suggestions+json"
    query, completions, descriptions, urls = response.get_json(force=True)
    assert query == "acne scars tr"
    assert completions[0] == "Acne Scars treatment" and descriptions[0] == "Acne Scars — Treatment"
    assert urls[0].startswith("http://localhost/articles/acne-scars?") and urls[0].endswith("#treatment-options")


@pytest.mark.parametrize(
    ("query_string", "error"),
    [
        ({}, "'q' is required"),
        ({"q": "a" * 201}, "'q' must be at most 200 characters"),
        ({"q": "acne", "limit": "0"}, "'limit' must be between 1 and 8"),
        ({"q": "acne", "limit": "x"}, "'limit' must be a whole number"),
        ({"q": "acne", "format": "xml"}, "'format' must be one of: json, opensearch"),
    ],
)
def test_api_suggest_bad_parameters(client: FlaskClient, query_string: dict, error: str) -> None:
    response = client.get("/api/suggest", query_string=query_string)
    assert response.status_code == 400
    assert response.get_json() == {"error": error}


@pytest.mark.parametrize("query", ["", "a", "\x00\x1f", '"><img src=x onerror=alert(1)>', "%", "ü" * 200])
def test_api_suggest_odd_input_is_never_a_500(client: FlaskClient, query: str) -> None:
    response = client.get("/api/suggest", query_string={"q": query})
    assert response.status_code == 200
    assert isinstance(response.get_json()["suggestions"], list)


def test_api_suggest_without_index_is_a_503(tmp_path: Path) -> None:
    app = create_app({"INDEX_DIR": str(tmp_path / "none"), "TESTING": True})
    assert app.test_client().get("/api/suggest?q=acne").status_code == 503


def test_suggestions_follow_a_new_generation(tmp_path: Path, small_corpus: Path, client: FlaskClient) -> None:
    assert client.get("/api/suggest?q=gou").get_json()["suggestions"][0]["text"] == "Gout"
    shutil.copy(CORPUS / "glaucoma.html", small_corpus / "glaucoma.html")
    (small_corpus / "gout.html").unlink()
    build_index([small_corpus], IndexStore(tmp_path / "index"))
    found = [s["text"] for s in client.get("/api/suggest?q=g").get_json()["suggestions"]]
    assert found == []  # one letter
    found = [s["text"] for s in client.get("/api/suggest?q=glau").get_json()["suggestions"]]
    assert found[0] == "Glaucoma"
    assert client.get("/api/suggest?q=gou").get_json()["suggestions"] == []


class FakeQueryLog:
    def __init__(self, counts: dict[str, int]) -> None:
        self.counts = counts
        self.calls = 0

    def popular_articles(self, days: int = 90) -> dict[str, int]:
        self.calls += 1
        return self.counts


def test_query_log_popularity_is_used_and_cached(app: Flask) -> None:
    client = app.test_client()

    def first(query: str) -> str:
        return client.get("/api/suggest", query_string={"q": query}).get_json()["suggestions"][0]["text"]

    assert first("sympt") == "Gout — Symptoms"  # equally good matches: the shortest first
    log = FakeQueryLog({"conjunctivitis": 7})
    app.extensions["querylog"] = log
    app.extensions["suggest"] = SuggesterCache()
    assert first("sympt") == "Conjunctivitis — Symptoms"  # the most opened article first
    assert first("gout") == "Gout"  # but never above a better match
    assert log.calls == 1  # read once a minute, not once a keystroke


def test_a_new_popularity_table_rearranges_without_rebuilding(index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    now = [0.0]
    cache = SuggesterCache(clock=lambda: now[0])
    store = IndexStore(index_dir)
    counts: dict[str, int] = {}
    suggester, first = cache.get(store, lambda: dict(counts))
    assert cache.get(store, lambda: {"gout": 9}) == (suggester, first), "read once a minute"
    built = counting(monkeypatch, suggest, "entries_of")
    typos = counting(monkeypatch, suggest.TypoIndex, "__init__")
    now[0] = 61.0
    counts["gout"] = 9
    same, second = cache.get(store, lambda: dict(counts))
    assert same is suggester and second is not first
    assert (built, typos) == ([], []), "a new popularity table rebuilt the suggester"
    assert len(second.order) == len(suggester.by_article["gout"]), "only the popular article's entries are indexed"
    assert texts(suggester, "sympt", popularity=second)[0] == "Gout — Symptoms"
    now[0] = 122.0
    assert cache.get(store, lambda: dict(counts))[1] is second, "an unchanged table is kept"


def test_a_new_generation_keeps_the_popularity_table(tmp_path: Path, small_corpus: Path) -> None:
    store = IndexStore(tmp_path / "index")
    build_index([small_corpus], store)
    cache = SuggesterCache()
    old, _ = cache.get(store, lambda: {"gout": 3})
    (small_corpus / "extra.html").write_text("<article><h1>Shingles</h1><h2>Symptoms</h2><p>A painful rash.</p>")
    build_index([small_corpus], store)
    new, popularity = cache.get(store, lambda: {})
    assert new is not old and popularity.suggester is new and popularity.counts == {"gout": 3}


def counting(monkeypatch: pytest.MonkeyPatch, owner: object, name: str) -> list[int]:
    """Replace owner.name by a wrapper that counts its calls."""
    calls: list[int] = []
    original = getattr(owner, name)

    def wrapper(*args: object, **kwargs: object) -> object:
        calls.append(1)
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, wrapper)
    return calls


def test_a_failing_query_log_leaves_suggestions_working(app: Flask) -> None:
    class Broken:
        def popular_articles(self, days: int = 90) -> dict[str, int]:
            raise RuntimeError("database is locked")

    app.extensions["querylog"] = Broken()
    response = app.test_client().get("/api/suggest?q=gou")
    assert response.status_code == 200 and response.get_json()["suggestions"][0]["text"] == "Gout"


# --- CORS: only the configured origins, only the two endpoints ---


@pytest.fixture
def cors_client(index_dir: Path) -> FlaskClient:
    config = {
        "TESTING": True,
        "INDEX_DIR": str(index_dir),
        "CORS_ORIGINS": "https://clinic.example, https://b.example/",
    }
    return create_app(config).test_client()


@pytest.mark.parametrize(
    ("path", "origin", "allowed"),
    [
        ("/api/suggest?q=acne", "https://clinic.example", True),
        ("/api/search?q=acne", "https://clinic.example", True),
        ("/api/suggest?q=acne", "https://b.example", True),
        ("/api/suggest?q=acne", "https://evil.example", False),
        ("/api/suggest?q=acne", "http://clinic.example", False),
        ("/api/suggest?q=acne", "https://clinic.example.evil.example", False),
        ("/api/articles/gout", "https://clinic.example", False),
        ("/search?q=acne", "https://clinic.example", False),
        ("/articles/gout", "https://clinic.example", False),
        ("/opensearch.xml", "https://clinic.example", False),
    ],
)
def test_cors_opens_only_the_search_box_endpoints(
    cors_client: FlaskClient, path: str, origin: str, allowed: bool
) -> None:
    response = cors_client.get(path, headers={"Origin": origin})
    assert response.status_code == 200
    assert response.headers.get("Access-Control-Allow-Origin") == (origin if allowed else None)
    assert "Access-Control-Allow-Credentials" not in response.headers


def test_cors_preflight_and_vary(cors_client: FlaskClient) -> None:
    response = cors_client.options(
        "/api/suggest?q=acne", headers={"Origin": "https://clinic.example", "Access-Control-Request-Method": "GET"}
    )
    assert response.headers["Access-Control-Allow-Origin"] == "https://clinic.example"
    assert response.headers["Access-Control-Allow-Methods"] == "GET"
    assert "Origin" in cors_client.get("/api/suggest?q=acne").headers["Vary"]


def test_cors_star_opens_the_two_endpoints_to_any_origin(index_dir: Path) -> None:
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "CORS_ORIGINS": "*"}).test_client()
    origin = {"Origin": "https://anyone.example"}
    assert client.get("/api/search?q=gout", headers=origin).headers["Access-Control-Allow-Origin"] == origin["Origin"]
    assert "Access-Control-Allow-Origin" not in client.get("/api/articles/gout", headers=origin).headers


def test_cors_closed_by_default(client: FlaskClient) -> None:
    response = client.get("/api/suggest?q=acne", headers={"Origin": "https://clinic.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


# --- OpenSearch and the pages that carry the box ---


def test_opensearch_description(client: FlaskClient) -> None:
    response = client.get("/opensearch.xml")
    assert response.mimetype == "application/opensearchdescription+xml"
    text = response.get_data(as_text=True)
    assert 'xmlns="http://a9.com/-/spec/opensearch/1.1/"' in text
    assert 'template="http://localhost/search?q={searchTerms}"' in text
    assert 'type="application/x-suggestions+json"' in text
    assert "/api/suggest?q={searchTerms}&amp;format=opensearch" in text


@pytest.mark.parametrize("path", ["/", "/search?q=acne", "/articles/gout", "/demo"])
def test_every_page_links_opensearch_and_the_widget(client: FlaskClient, path: str) -> None:
    page = client.get(path).get_data(as_text=True)
    assert '<link rel="search" type="application/opensearchdescription+xml"' in page
    assert "static/widget.js" in page and "static/widget.css" in page and "data-healthsearch" in page
    assert "style=" not in page and "onclick" not in page  # a strict CSP allows no inline style or handlers


def test_medquad_suggester_corrects_typed_names(medquad_index: IndexStore) -> None:
    """How long building this takes is the benchmark's to print (`python -m bench`, suggest section)."""
    suggester = Suggester(load_names(medquad_index.current_dir()))
    assert texts(suggester, "diabtes")[0] == "Diabetes"
    assert texts(suggester, "hyperparathyroidsm")[0].lower() == "primary hyperparathyroidism"


def test_the_synonym_table_names_an_article_in_suggestions(tmp_path: Path) -> None:
    folder = tmp_path / "articles"
    folder.mkdir()
    (folder / "tetanus.html").write_text(
        "<h1>Tetanus</h1><h2>Overview</h2><p>A bacterial infection that stiffens the muscles.</p>", encoding="utf-8"
    )
    store = IndexStore(tmp_path / "index")
    build_index([folder], store)
    names = load_names(store.current_dir())
    assert {name.alias for name in names} == {"", "Lockjaw"}
    first = Suggester(names).suggest("lockj")[0]
    assert (first.entry.text, first.entry.article_id) == ("Lockjaw → Tetanus", "tetanus")
