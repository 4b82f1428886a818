"""The array executor scores exactly as Whoosh does, and the app follows new generations."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest
from flask.testing import FlaskClient
from whoosh import query as wq

from engine import executor
from engine.executor import best_first, derived, evaluate
from engine.query import parse_query
from engine.search import SCORING, build_query
from engine.synonyms import load_synonyms
from indexer.build import build_index
from indexer.store import IndexStore
from tests.conftest import CORPUS

QUERIES = [
    wq.Term("content", "scar"),
    wq.Term("title", "asthma", boost=3.0),
    wq.Or([wq.Term("content", "scar"), wq.Term("content", "inhal"), wq.Term("aliases", "pink")]),
    wq.And([wq.Term("content", "treatment"), wq.Term("content", "scar")]),
    wq.AndMaybe(wq.Term("content", "treatment"), wq.Term("title", "gout", boost=5.0)),
    wq.AndNot(wq.Term("content", "treatment"), wq.Term("content", "scar")),
    wq.Phrase("content", ["pink", "eye"]),
    wq.Phrase("content", ["lower", "uric", "acid"], boost=2.5),  # matched with position arrays
    wq.Phrase("title", ["acn", "scar"], boost=5.0),
    wq.Phrase("content", ["the", "the"]),
    wq.Term("kinds", "treatment"),
    wq.Term("content", "no-such-word"),
]
TEXTS = ["boxcar scar treatment", "pink eye", '"uric acid" -cherries', "asthma inhaler section:treatment", "gout"]


def whoosh_scores(searcher, query: wq.Query) -> dict[int, float]:
    return {hit.docnum: hit.score for hit in searcher.search(query, limit=None, optimize=False)}


def array_scores(searcher, query: wq.Query) -> dict[int, float]:
    scored = evaluate(searcher, query)
    return {int(d): float(scored.scores[d]) for d in scored.top(scored.matched.size)}


@pytest.mark.parametrize("query", QUERIES, ids=str)
def test_node_scores_equal_whooshs(index_dir: Path, query: wq.Query) -> None:
    with IndexStore(index_dir).open().searcher(weighting=SCORING) as searcher:
        expected = whoosh_scores(searcher, query)
        assert array_scores(searcher, query) == pytest.approx(expected)


@pytest.mark.parametrize("text", TEXTS)
def test_whole_queries_rank_as_whoosh_does(index_dir: Path, text: str) -> None:
    with IndexStore(index_dir).open().searcher(weighting=SCORING) as searcher:
        query = build_query(searcher, parse_query(text, load_synonyms()))
        expected = whoosh_scores(searcher, query)
        assert expected, "the query should match something"
        assert array_scores(searcher, query) == pytest.approx(expected)


def test_dis_max_scores_each_document_by_its_best_part(index_dir: Path) -> None:
    """Whoosh's own DisjunctionMaxMatcher compares parts standing on different documents, so
    the expected scores are the best of each part's Whoosh scores."""
    parts = [wq.Term("title", "asthma", boost=3.0), wq.Term("content", "asthma"), wq.Term("content", "scar")]
    with IndexStore(index_dir).open().searcher(weighting=SCORING) as searcher:
        expected: dict[int, float] = {}
        for part in parts:
            for docnum, score in whoosh_scores(searcher, part).items():
                expected[docnum] = max(expected.get(docnum, 0.0), score)
        assert len(expected) >= 2
        assert array_scores(searcher, wq.DisjunctionMax(parts)) == pytest.approx(expected)
        summed = array_scores(searcher, wq.DisjunctionMax(parts, tiebreak=1.0))
        assert summed == pytest.approx(array_scores(searcher, wq.Or(parts)))


def test_deleted_articles_never_score(tmp_path: Path, small_corpus: Path) -> None:
    store = IndexStore(tmp_path / "index")
    build_index([small_corpus], store)
    (small_corpus / "gout.html").unlink()
    build_index([small_corpus], store)
    with store.open().searcher(weighting=SCORING) as searcher:
        scored = evaluate(searcher, wq.Term("title", "gout"))
        assert not scored.matched.any()


def test_top_breaks_ties_by_document_number(index_dir: Path) -> None:
    with IndexStore(index_dir).open().searcher(weighting=SCORING) as searcher:
        scored = evaluate(searcher, wq.Term("kinds", "overview"))
        top = scored.top(3)
        assert list(top) == sorted(top)


def test_a_new_generation_is_served_without_restart(client: FlaskClient, index_dir: Path, small_corpus: Path) -> None:
    assert client.get("/api/search?q=shingles").get_json()["total"] == 0
    shutil.copy(CORPUS / "shingles.html", small_corpus / "shingles.html")
    build_index([small_corpus], IndexStore(index_dir))
    hits = client.get("/api/search?q=shingles").get_json()["hits"]
    assert hits[0]["title"].lower().startswith("shingles")


def test_or_scale_is_coordination(index_dir: Path) -> None:
    words = [wq.Term("content", "gout"), wq.Term("content", "uric"), wq.Term("content", "inhal")]
    with IndexStore(index_dir).open().searcher(weighting=SCORING) as searcher:
        plain = evaluate(searcher, wq.Or(words))
        coordinated = evaluate(searcher, wq.Or(words, scale=1.0))
        matching = sum(evaluate(searcher, w).matched.astype(float) for w in words)
        expected = plain.scores * matching / len(words)
        assert coordinated.scores == pytest.approx(expected)
        assert (coordinated.matched == plain.matched).all()


def test_serving_two_generations_alternately_computes_each_once(index_dir: Path, small_corpus: Path) -> None:
    """During a swap one process may answer from the old and the new generation in turn."""
    store = IndexStore(index_dir)
    old = store.open()
    (small_corpus / "gout.html").unlink()
    build_index([small_corpus], store)
    new = store.open()
    computed: list[int] = []
    for _ in range(3):
        for index in (old, new):
            with index.searcher() as searcher:
                derived(searcher, "count", lambda s: computed.append(s.doc_count()) or s.doc_count())
    assert sorted(computed) == [3, 4]


@pytest.mark.parametrize("seed", range(20))
def test_best_first_is_a_stable_sorts_first_places(seed: int) -> None:
    rng = np.random.default_rng(seed)
    values = rng.integers(0, 6, size=int(rng.integers(1, 60))).astype(np.float32)  # many ties, at the cut too
    among = np.flatnonzero(rng.random(len(values)) < 0.7)
    limit = int(rng.integers(1, 70))
    assert list(best_first(values, limit)) == list(np.argsort(-values, kind="stable")[:limit])
    expected = among[np.argsort(-values[among], kind="stable")[:limit]]
    assert list(best_first(values, limit, among)) == list(expected)


def test_cached_postings_are_bounded_by_their_bytes(index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(executor, "MAX_CACHED_POSTINGS_BYTES", 300)
    executor._STATES.clear()
    with IndexStore(index_dir).open().searcher(weighting=SCORING) as searcher:
        for text in TEXTS:
            assert array_scores(searcher, build_query(searcher, parse_query(text, load_synonyms()))) is not None
        state = executor.index_state(searcher)
        held = sum(docs.nbytes + scores.nbytes for docs, scores in state.postings.values())
        assert state.postings_bytes == held
        assert held <= 300 or len(state.postings) == 1
        expected = whoosh_scores(searcher, wq.Term("content", "asthma"))
        assert array_scores(searcher, wq.Term("content", "asthma")) == pytest.approx(expected)  # evicted, read again


def test_postings_of_many_blocks_score_as_whoosh_does(tmp_path: Path) -> None:
    """Whoosh keeps postings in blocks of up to 128: a word in 300 articles spans three, read as arrays."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for number in range(300):
        repeats = " rash" * (1 + number % 7)
        page = (
            f"<article><h1>Condition {number}</h1><h2>Symptoms</h2><p>An itchy{repeats} on day {number}.</p></article>"
        )
        (folder / f"c{number:03d}.html").write_text(page)
    store = IndexStore(tmp_path / "index")
    build_index([folder], store, vectors=False)
    executor._STATES.clear()
    with store.open().searcher(weighting=SCORING) as searcher:
        for query in (wq.Term("content", "rash"), wq.Term("content", "itchi"), wq.Term("title", "condit")):  # stems
            expected = whoosh_scores(searcher, query)
            assert len(expected) == 300
            assert array_scores(searcher, query) == pytest.approx(expected)
