"""Zero-result searches classified when they are logged, never when a staff page is read.

Stages: a search that found nothing is classified right after it is logged
(classify.py, within the search's own budget, and only once per normalised
query and index generation: a repeated query costs a lookup); the class is
stored in the query log's zero_classes table.  Queries the log holds without a
class for the live generation (logged before classes were kept, or before the
index changed) are classified by a bounded pass: PASS_SIZE of them hourly,
the first time querylog.FIRST_PASS_AFTER after a process starts (not while a
new replica warms up), and all of them by `healthsearch audit --report demand`.
The staff pages only read the stored classes.
"""

from __future__ import annotations

import json

from flask import current_app, g

from engine.budget import Budget
from engine.query import ParsedQuery
from engine.synonyms import load_synonyms
from search_app import querylog
from search_app.audit.catalog import Catalog
from search_app.audit.classify import Diagnosis, classify
from search_app.audit.coverage import load_articles
from search_app.database import Connection, DatabaseError
from search_app.index import get_searcher, store

PASS_SIZE = 5  # unclassified queries classified per background pass
EVERY = 10**9  # "no limit", as a LIMIT both SQLite and PostgreSQL read
_catalogs: dict[str, tuple[list[dict], object, Catalog]] = {}


def after_search(parsed: ParsedQuery, results: int, budget: Budget) -> None:
    """Classify a logged search that found nothing, unless this generation already has; then a due pass."""
    log = querylog.log()
    if not log.enabled or parsed.is_empty:
        return
    try:
        connection = querylog.get_db()
        if results == 0:
            _classify_logged(connection, parsed, budget)
        if log.pass_due():
            classify_pending(PASS_SIZE)
    except DatabaseError as error:
        current_app.logger.warning("query log: zero-result class not stored: %s", error)


def _classify_logged(connection: Connection, parsed: ParsedQuery, budget: Budget) -> None:
    searcher = get_searcher()
    normalized = querylog.normalize(parsed)
    if querylog.log().is_classified(connection, normalized, g.generation):
        return
    filters = querylog.filters_of(parsed)
    diagnosis = classify(searcher, catalog(), parsed.text, filters, budget, known_zero=True)
    querylog.log().record_class(connection, normalized, _zero(diagnosis))


def classify_pending(limit: int | None) -> int:
    """Classify up to `limit` (None: every) logged zero-result queries the live generation has no class for."""
    log = querylog.log()
    connection = querylog.get_db()
    searcher = get_searcher()
    pending = log.unclassified(connection, g.generation, EVERY if limit is None else limit)
    for normalized, example, filters in pending:
        diagnosis = classify(searcher, catalog(), example, json.loads(filters), Budget())
        log.record_class(connection, normalized, _zero(diagnosis))
    return len(pending)


def _zero(diagnosis: Diagnosis) -> querylog.ZeroClass:
    return querylog.ZeroClass(diagnosis.kind, diagnosis.detail, diagnosis.fix, g.generation)


def catalog() -> Catalog:
    """The live generation's catalog, built once per generation and synonym table."""
    articles, synonyms = load_articles(store()), load_synonyms()
    key = str(store().current_dir())
    kept = _catalogs.get(key)
    if kept is None or kept[0] is not articles or kept[1] is not synonyms:
        _catalogs.clear()
        kept = _catalogs[key] = (articles, synonyms, Catalog(articles, synonyms))
    return kept[2]
