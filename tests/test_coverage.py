"""Coverage: index-time summaries, then sections present / thin / missing on a corpus with known numbers."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from indexer.build import build_index
from indexer.store import IndexStore
from indexer.summary import SUMMARIES, read_summaries
from search_app.audit.coverage import MISSING, PRESENT, THIN, Policy, compute
from tests.conftest import write_article

POLICY = Policy(("overview", "symptoms", "causes", "treatment", "when_to_see_doctor"), thin_words=40, stale_days=730)


@pytest.fixture
def articles(tmp_path: Path, audit_corpus: Path) -> list[dict]:
    store = IndexStore(tmp_path / "ix")
    build_index([audit_corpus], store)
    return read_summaries(store.current_dir())


def test_summaries_are_written_at_index_time_and_follow_incremental_builds(tmp_path: Path, audit_corpus: Path) -> None:
    store = IndexStore(tmp_path / "ix")
    build_index([audit_corpus], store)
    assert (store.current_dir() / SUMMARIES).exists()
    (audit_corpus / "renal-colic.html").unlink()
    write_article(audit_corpus, "gout", "Gout", {"Overview": 5})
    write_article(audit_corpus, "sunburn", "Sunburn", {"Treatment": 50})
    build_index([audit_corpus], store)
    by_id = {a["id"]: a for a in read_summaries(store.current_dir())}
    assert set(by_id) == {"gout", "hordeolum", "kidney-stones", "kidney-stone-disease", "sunburn"}
    assert by_id["gout"]["words"] == {"overview": 5}
    assert by_id["sunburn"]["words"] == {"treatment": 50}


def test_summaries_of_an_older_generation_come_from_its_stored_articles(tmp_path: Path, audit_corpus: Path) -> None:
    store = IndexStore(tmp_path / "ix")
    build_index([audit_corpus], store)
    written = read_summaries(store.current_dir())
    (store.current_dir() / SUMMARIES).unlink()
    assert read_summaries(store.current_dir()) == written
    write_article(audit_corpus, "sunburn", "Sunburn", {"Treatment": 50})
    build_index([audit_corpus], store)  # the copied generation has none: rebuilt, then updated
    assert len(read_summaries(store.current_dir())) == 6


@pytest.mark.parametrize(("words", "grade"), [(None, MISSING), (0, MISSING), (1, THIN), (39, THIN), (40, PRESENT)])
def test_grades(words: int | None, grade: str) -> None:
    assert POLICY.grade(words) == grade


def test_coverage_numbers_on_the_fixture_corpus(articles: list[dict]) -> None:
    report = compute(articles, POLICY, date(2026, 6, 1))
    assert report.headline() == {
        "articles": 5,
        "compliant": 1,
        "required": {"overview": 0.8, "symptoms": 0.6, "causes": 0.4, "treatment": 0.4, "when_to_see_doctor": 0.2},
    }
    counts = {kind: (present, thin, missing) for kind, present, thin, missing in report.section_counts()}
    assert counts["overview"] == (3, 1, 1)
    assert counts["treatment"] == (1, 1, 3)
    breaking = {a["id"]: (missing, thin) for a, missing, thin in report.breaking()}
    assert "gout" not in breaking
    assert breaking["hordeolum"] == (["causes", "when_to_see_doctor"], ["treatment"])
    assert breaking["kidney-stone-disease"] == (["symptoms", "causes", "treatment", "when_to_see_doctor"], ["overview"])


def test_stale_and_undated(articles: list[dict]) -> None:
    stale, undated = compute(articles, POLICY, date(2026, 6, 1)).stale()
    assert [(a["id"], age) for a, age in stale] == [("hordeolum", (date(2026, 6, 1) - date(2015, 6, 1)).days)]
    assert undated == 3


def test_duplicate_and_near_duplicate_names(articles: list[dict]) -> None:
    found = {
        (how, tuple(sorted(a["id"] for a in owners)))
        for how, _key, owners in compute(articles, POLICY, date.today()).duplicates()
    }
    assert found == {
        ("title or alias shared", ("kidney-stones", "renal-colic")),
        ("near-identical titles", ("kidney-stone-disease", "kidney-stones")),
    }


def test_policy_from_config_refuses_unknown_kinds() -> None:
    config = {"REQUIRED_SECTIONS": "overview, cures", "THIN_SECTION_WORDS": 10, "STALE_AFTER_DAYS": 1}
    with pytest.raises(ValueError, match="cures"):
        Policy.from_config(config)


def test_tables_hold_every_article(articles: list[dict]) -> None:
    tables = compute(articles, POLICY, date.today()).tables()
    assert set(tables) == {"sections", "breaking", "stale", "duplicates", "matrix"}
    assert len(tables["matrix"].rows) == 5 and len(tables["breaking"].rows) == 4
    assert tables["sections"].records()[0] == {
        "section": "Overview",  # as staff read it, not the kind id
        "required": True,
        "present": 3,
        "thin": 1,
        "missing": 1,
        "share": 0.8,
    }
