"""The work one query may cause is bounded: each costly query of the attack, counted in work, never timed.

Phrases matched by position, words sent to spelling correction and distinct words
searched are counted where the work happens (executor, spelling); the deadline is
tested with a clock of the test's own.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from flask.testing import FlaskClient

from bench.attacks import excluded_phrases, misspellings, quoted_phrases, random_words, vocabulary
from engine import executor, spelling
from engine.budget import MAX_CORRECTED, MAX_EXCLUSIONS, MAX_PHRASE_CHECKS, MAX_PHRASES, MAX_TERMS, Budget
from engine.query import parse_query
from engine.results import search_page
from engine.search import SCORING
from indexer.store import IndexStore
from search_app import create_app


class Work:
    """What the searches of one test did: phrases matched by position, words spelled, words looked up."""

    def __init__(self) -> None:
        self.phrases: set[tuple[str, ...]] = set()
        self.spelled: list[str] = []
        self.content_terms: set[str] = set()


@pytest.fixture
def work(monkeypatch: pytest.MonkeyPatch) -> Work:
    counted = Work()
    phrase_postings = executor._Evaluator.phrase_postings
    term_postings = executor._Evaluator.term_postings
    closest = spelling._closest_names

    def counting_phrases(self: executor._Evaluator, fieldname: str, words: tuple[str, ...]):  # type: ignore[no-untyped-def]
        counted.phrases.add(words)
        return phrase_postings(self, fieldname, words)

    def counting_terms(self: executor._Evaluator, fieldname: str, text: str):  # type: ignore[no-untyped-def]
        if fieldname == "content":
            counted.content_terms.add(text)
        return term_postings(self, fieldname, text)

    def counting_spelling(searcher, word):  # type: ignore[no-untyped-def]
        counted.spelled.append(word)
        return closest(searcher, word)

    monkeypatch.setattr(executor._Evaluator, "phrase_postings", counting_phrases)
    monkeypatch.setattr(executor._Evaluator, "term_postings", counting_terms)
    monkeypatch.setattr(spelling, "_closest_names", counting_spelling)
    return counted


@pytest.fixture
def words(index_dir: Path) -> tuple[list[str], list[str]]:
    """The small index's commonest text words and its long title words, as the attack used MedQuAD's."""
    common, long_words = vocabulary(IndexStore(index_dir))
    return common[:20], long_words


@pytest.fixture
def open_client(index_dir: Path, tmp_path: Path) -> Iterator[FlaskClient]:
    """A client without rate limits: these tests count work, not requests."""
    app = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "RATELIMIT_ENABLED": False})
    yield app.test_client()


@pytest.mark.parametrize("route", ["/search?q=", "/api/search?q="])
@pytest.mark.parametrize("length", [2, 3])
def test_many_quoted_phrases_match_a_bounded_number_by_position(
    open_client: FlaskClient, work: Work, words: tuple[list[str], list[str]], route: str, length: int
) -> None:
    query = quoted_phrases(random.Random(length), words[0], length)
    assert query.count('"') // 2 >= 57 if length == 2 else query.count('"') // 2 >= 40  # the attack, as sent
    assert open_client.get(route + quote(query)).status_code == 200
    assert 0 < len(work.phrases) <= MAX_PHRASE_CHECKS
    assert len(parse_query(query).phrases) == MAX_PHRASES  # the rest searched as plain words


def test_many_excluded_phrases_are_a_400_and_the_allowed_ones_are_bounded(
    open_client: FlaskClient, work: Work, words: tuple[list[str], list[str]]
) -> None:
    too_many = excluded_phrases(random.Random(1), words[0], 40)
    response = open_client.get("/api/search?q=" + quote(too_many))
    assert response.status_code == 400 and "exclusions" in response.get_json()["error"]
    page = open_client.get("/search?q=" + quote(too_many))
    assert page.status_code == 400 and b"Too many exclusions" in page.data
    assert not work.phrases
    allowed = excluded_phrases(random.Random(2), words[0], MAX_EXCLUSIONS) + ' "' + " ".join(words[0][:2]) + '"'
    assert open_client.get("/api/search?q=" + quote(allowed)).status_code == 200
    assert 0 < len(work.phrases) <= MAX_PHRASE_CHECKS


def test_many_misspellings_send_a_bounded_number_of_words_to_spelling(
    open_client: FlaskClient, work: Work, words: tuple[list[str], list[str]]
) -> None:
    query = misspellings(random.Random(3), words[1])
    assert len(set(query.split())) > 40
    for route in ("/search?q=", "/api/search?q="):
        work.spelled.clear()
        assert open_client.get(route + quote(query)).status_code == 200
        assert 0 < len(work.spelled) <= MAX_CORRECTED


def test_random_words_search_a_bounded_number_of_distinct_terms(open_client: FlaskClient, work: Work) -> None:
    query = random_words(random.Random(4))
    assert len(set(query.split())) == 125
    assert open_client.get("/api/search?q=" + quote(query)).status_code == 200
    assert 0 < len(work.content_terms) <= MAX_TERMS
    assert len(work.spelled) <= MAX_CORRECTED


def test_article_page_with_misspellings_sends_a_bounded_number_of_words_to_spelling(
    open_client: FlaskClient, work: Work, words: tuple[list[str], list[str]]
) -> None:
    query = misspellings(random.Random(5), words[1], 500)
    assert len(set(query.split())) > 20
    response = open_client.get("/articles/asthma?q=" + quote(query))
    assert response.status_code == 200 and b"<h1" in response.data
    assert 0 < len(work.spelled) <= MAX_CORRECTED


class FakeClock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_past_the_deadline_the_best_result_so_far_is_returned(index_dir: Path, work: Work) -> None:
    clock = FakeClock()
    budget = Budget.starting_now(50, clock)
    with IndexStore(index_dir).open().searcher(weighting=SCORING) as searcher:
        on_time = search_page(searcher, parse_query('"joint pain" gout astma'), budget=Budget.starting_now(50, clock))
        assert work.phrases and work.spelled and on_time.hits[0].sections[0].snippet
        work.phrases.clear()
        work.spelled.clear()
        clock.now += 0.05
        late = search_page(searcher, parse_query('"joint pain" gout conjunctivitus'), budget=budget)
    assert budget.expired_once
    assert [hit.id for hit in late.hits] and not work.phrases and not work.spelled  # found, without the extras
    assert all(str(section.snippet) == "" for hit in late.hits for section in hit.sections)
    assert on_time.hits[0].id == late.hits[0].id == "gout"


def test_budget_counts_each_word_once_and_stops_at_its_cap() -> None:
    budget = Budget(max_corrected=2)
    assert [budget.may_correct(w) for w in ("a", "b", "a", "c")] == [True, True, True, False]
    assert Budget.starting_now(0).deadline is None


@pytest.mark.parametrize("path", ["/search?q=gout", "/articles/gout?q=gout"])
def test_visitors_pages_are_rate_limited(index_dir: Path, path: str) -> None:
    client = create_app({"TESTING": True, "INDEX_DIR": str(index_dir), "PAGE_RATE_LIMIT": "2 per minute"}).test_client()
    statuses = [client.get(path).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    assert client.get(path).headers["Retry-After"]
