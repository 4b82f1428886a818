"""Demand: each class of zero-result query with its fix, and the counts over a period."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from flask import Flask

from engine.synonyms import load_synonyms
from search_app.audit import demand, zeroclass
from search_app.audit.catalog import Catalog
from search_app.audit.classify import (
    MISSING_ARTICLE,
    MISSING_SECTION,
    MISSPELLING,
    NOW_FOUND,
    classify,
)
from search_app.audit.coverage import load_articles
from search_app.index import get_searcher, store
from search_app.querylog import SearchEntry, get_db


@pytest.mark.parametrize(
    ("query", "filters", "kind", "detail", "fix"),
    [
        ("kout", {}, MISSPELLING, "kout → gout", "add the spelling “kout” to the aliases of “Gout” [gout]"),
        (
            "renal colic",
            {"section": "treatment"},
            MISSING_SECTION,
            "“Renal Colic” has no Treatment section",
            "write the Treatment section of “Renal Colic” [renal-colic]",
        ),
        (
            "renal colic section:causes",
            {},
            MISSING_SECTION,
            "“Renal Colic” has no Causes section",
            "write the Causes section of “Renal Colic” [renal-colic]",
        ),
        ("frostbite", {}, MISSING_ARTICLE, "no article on “frostbite”", "write an article on “frostbite”"),
        ("gout", {}, NOW_FOUND, "the index answers it now", "none needed"),
    ],
)
def test_zero_result_classes(audit_app: Flask, query: str, filters: dict, kind: str, detail: str, fix: str) -> None:
    client = audit_app.test_client()
    text = query + "".join(f" {name}:{value}" for name, value in filters.items())
    found = client.get("/api/search", query_string={"q": text}).get_json()["total"]
    assert found == (1 if kind == NOW_FOUND else 0)  # the first four really find nothing
    with audit_app.test_request_context():
        catalog = Catalog(load_articles(store()), load_synonyms())
        diagnosis = classify(get_searcher(), catalog, query, filters)
    assert (diagnosis.kind, diagnosis.detail, diagnosis.fix) == (kind, detail, fix)


def _log(app: Flask, query: str, results: int, at: datetime, clicks: int = 0, endpoint: str = "page") -> None:
    log = app.extensions["querylog"]
    entry = SearchEntry(endpoint, query, query, results, {}, 1, 5.0)
    search_id = log.record_search(get_db(), entry, at=at)
    for position in range(clicks):
        log.record_click(get_db(), search_id, "gout", position + 1, at=at)


def test_demand_over_a_period(audit_app: Flask) -> None:
    today = date(2026, 3, 10)
    noon = datetime.combine(today, time(12), tzinfo=timezone.utc)
    with audit_app.test_request_context():
        for _ in range(3):
            _log(audit_app, "gout", 1, noon, clicks=1)
        for _ in range(4):
            _log(audit_app, "kidney stones", 2, noon - timedelta(days=1))
        _log(audit_app, "kidney stones", 2, noon - timedelta(days=1), endpoint="api")
        _log(audit_app, "frostbite", 0, noon - timedelta(days=2))
        _log(audit_app, "kout", 0, noon - timedelta(days=2))
        _log(audit_app, "kout", 0, noon)
        _log(audit_app, "old query", 0, noon - timedelta(days=8))  # before the period
        assert zeroclass.classify_pending(None) == 3  # planted without classes, as an older log holds them
        report = demand.compute(get_db(), 7, today)
    assert (report.total, report.zero_total) == (11, 3)
    assert [(q["query"], q["searches"], q["clicks"]) for q in report.top] == [
        ("kidney stones", 5, 0),
        ("gout", 3, 3),
        ("kout", 2, 0),
        ("frostbite", 1, 0),
    ]
    assert [(q["query"], q["class"]) for q in report.zero] == [("kout", MISSPELLING), ("frostbite", MISSING_ARTICLE)]
    assert [q["query"] for q in report.low_click] == [
        "kidney stones"
    ]  # 4 page searches, no click; API ones can't click
    assert report.low_click[0]["searches"] == 4
    assert (
        len(report.daily) == 7 and report.daily[-1] == ("2026-03-10", 4, 1) and report.daily[-2] == ("2026-03-09", 5, 0)
    )
    tables = report.tables()
    assert tables["zero"].columns == ["query", "searches", "last_seen", "class", "detail", "fix"]
    assert tables["daily"].rows[-3] == ["2026-03-08", 2, 2]


def test_a_term_only_the_synonym_table_knows_is_found(audit_app: Flask) -> None:
    hits = audit_app.test_client().get("/api/search", query_string={"q": "stye"}).get_json()["hits"]
    assert [hit["id"] for hit in hits] == ["hordeolum"]  # the article never says "stye"


def test_junk_and_bots_are_counted_apart(audit_app: Flask) -> None:
    today = date(2026, 3, 10)
    noon = datetime.combine(today, time(12), tzinfo=timezone.utc)
    long_question = "my doctor said " + "that my results were odd and " * 2 + "what does it mean"
    with audit_app.test_request_context():
        _log(audit_app, "a", 0, noon)
        _log(audit_app, "'; -- 1=1", 0, noon)
        _log(audit_app, "pain " * 40, 3, noon)
        _log(audit_app, long_question, 3, noon)
        for second in range(8):  # a script asking the same thing every few seconds
            _log(audit_app, "buy pills", 0, noon + timedelta(seconds=second * 3))
        _log(audit_app, "gout", 1, noon)
        report = demand.compute(get_db(), 7, today)
    assert dict(report.junk) == {"one character": 1, "no letters": 1, "over 32 words": 1, "repeated burst": 3}
    assert report.total == 1 + 1 + 5 and report.junk_total == 6
    top = {q["query"]: q["searches"] for q in report.top}
    assert top["buy pills"] == 5 and "a" not in top and len(top) == 3
    shown = next(q["query"] for q in report.top if q["normalized"].startswith("my doctor"))
    assert len(shown) == 80 and shown.endswith("…")
    assert report.tables()["junk"].rows[0] == ["repeated burst", 3]
