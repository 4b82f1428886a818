"""Topic checklist: matched through titles, aliases and synonyms; covered, partly covered or missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from engine.synonyms import load_synonyms
from indexer.build import build_index
from indexer.store import IndexStore
from indexer.summary import read_summaries
from search_app.audit.catalog import Catalog
from search_app.audit.checklist import MAX_TOPICS, ChecklistError, check, parse_topics
from search_app.audit.coverage import Policy

POLICY = Policy(("overview", "symptoms", "causes", "treatment", "when_to_see_doctor"), thin_words=40)


@pytest.fixture
def catalog(tmp_path: Path, audit_corpus: Path) -> Catalog:
    store = IndexStore(tmp_path / "ix")
    build_index([audit_corpus], store)
    return Catalog(read_summaries(store.current_dir()), load_synonyms())


@pytest.mark.parametrize(
    ("topic", "status", "article", "via", "missing", "thin"),
    [
        ("Gout", "covered", "gout", "title", (), ()),
        ("GOUT ", "covered", "gout", "title", (), ()),
        ("stye", "partly covered", "hordeolum", "synonym: hordeolum", ("causes", "when_to_see_doctor"), ("treatment",)),
        (
            "kidney stones",
            "partly covered",
            "kidney-stones",
            "title",
            ("symptoms", "treatment", "when_to_see_doctor"),
            (),
        ),
        (
            "renal calculus",
            "partly covered",
            "kidney-stones",
            "synonym: kidney stone",
            ("symptoms", "treatment", "when_to_see_doctor"),
            (),
        ),
        (
            "Colic, renal",
            "partly covered",
            "renal-colic",
            "similar title",
            ("overview", "causes", "treatment", "when_to_see_doctor"),
            (),
        ),
        ("pink eye", "missing", "", "", (), ()),
        ("frostbite", "missing", "", "", (), ()),
    ],
)
def test_check(catalog: Catalog, topic: str, status: str, article: str, via: str, missing: tuple, thin: tuple) -> None:
    [result] = check([topic], catalog, POLICY)
    assert (result.status, result.article_id, result.via, result.missing, result.thin) == (
        status,
        article,
        via,
        missing,
        thin,
    )


def test_parse_topics_limit() -> None:
    assert len(parse_topics("\n".join(f"topic {i}" for i in range(MAX_TOPICS)))) == MAX_TOPICS
    with pytest.raises(ChecklistError, match="at most 5,000"):
        parse_topics("\n".join(f"topic {i}" for i in range(MAX_TOPICS + 1)))
    with pytest.raises(ChecklistError, match="over 200"):
        parse_topics("x" * 201)
