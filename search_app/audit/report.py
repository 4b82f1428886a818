"""One audit report as tables, in an app context: what `healthsearch audit` prints."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

from flask import current_app

from engine.synonyms import load_synonyms
from search_app import querylog
from search_app.audit import checklist, coverage, demand, zeroclass
from search_app.audit.catalog import Catalog
from search_app.audit.tables import Table
from search_app.database import DatabaseError
from search_app.index import store


def audit_tables(report: str, topics: Path | None = None, days: int = 7) -> dict[str, Table]:
    """The tables of `report` ("coverage", "demand" or "checklist" of the `topics` file)."""
    policy = coverage.Policy.from_config(current_app.config)
    articles = coverage.load_articles(store())
    today = datetime.now(timezone.utc).date()
    if report == "coverage":
        return coverage.compute(articles, policy, today).tables()
    catalog = Catalog(articles, load_synonyms())
    if report == "checklist":
        assert topics is not None
        text = topics.read_text(encoding="utf-8-sig")
        return {"checklist": checklist.table(checklist.check(checklist.parse_topics(text), catalog, policy))}
    if not querylog.log().enabled:
        raise ValueError("the query log is off (QUERY_LOG is empty)")
    try:
        zeroclass.classify_pending(None)  # a script may take the time the staff pages never do
        return demand.compute(querylog.get_db(), days, today).tables()
    except DatabaseError as error:
        raise ValueError(f"the query log cannot be read: {error}") from error
