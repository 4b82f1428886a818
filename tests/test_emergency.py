"""Emergency queries: the conditions that are the emergency come first, by what articles say of themselves."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask.testing import FlaskClient

from engine.emergency import emergency_strength
from indexer.build import build_index
from indexer.store import IndexStore
from search_app import create_app
from tests.conftest import CORPUS


@pytest.fixture(scope="module")
def corpus_client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FlaskClient]:
    """The whole bundled corpus, as `healthsearch serve` shows it."""
    index = tmp_path_factory.mktemp("emergency") / "index"
    build_index([CORPUS], IndexStore(index))
    yield create_app({"TESTING": True, "INDEX_DIR": str(index), "QUERY_LOG": ""}).test_client()


def titles(client: FlaskClient, query: str) -> list[str]:
    return [hit["title"] for hit in client.get("/api/search", query_string={"q": query}).get_json()["hits"]]


@pytest.mark.parametrize(
    ("query", "first"),
    [("chest pain", "Heart Attack"), ("I have crushing chest pain", "Heart Attack"), ("stroke symptoms", "Stroke")],
)
def test_the_emergency_itself_comes_first(corpus_client: FlaskClient, query: str, first: str) -> None:
    assert titles(corpus_client, query)[0] == first


def test_a_condition_that_only_warns_of_the_sign_is_not_lifted(corpus_client: FlaskClient) -> None:
    # Tonsillitis and Hay Fever name trouble breathing only as a reason to get help
    found = titles(corpus_client, "can't breathe")
    assert found.index("Asthma") < found.index("Tonsillitis") and found.index("Pneumonia") < found.index("Hay Fever")


def test_ordinary_queries_keep_their_order(corpus_client: FlaskClient) -> None:
    assert titles(corpus_client, "chest x-ray")[0] != "Heart Attack"


FLAG = re.compile(r"chest (pain|pressure)")


@pytest.mark.parametrize(
    ("title", "aliases", "sections", "strength"),
    [
        ("Chest Pain", [], [], 3.0),  # named by the red-flag words
        ("Angina", ["chest pain"], [], 3.0),  # ... or by an alias
        ("Heart Attack", [], [("symptoms", "Chest pain, sweating.")], 2.0),  # its first symptom
        ("Pneumonia", [], [("symptoms", "Cough and fever. Chest pain.")], pytest.approx(1.39, abs=0.01)),
        ("Common Cold", [], [("when_to_see_doctor", "Get help for chest pain.")], 0.0),  # a warning only
        ("Gout", [], [("symptoms", "A hot swollen joint.")], 0.0),
    ],
)
def test_emergency_strength(title: str, aliases: list[str], sections: list, strength: float) -> None:
    article = {"title": title, "aliases": aliases, "sections": [{"kind": k, "text": t} for k, t in sections]}
    assert emergency_strength(article, FLAG, "chest pain") == strength
