"""/healthz for load balancers and operators: is an index being served, which one."""

from __future__ import annotations

import os

from flask import Blueprint, Response, g, jsonify

from engine.semantic import semantic_report
from engine.synonyms import lay_terms_source
from indexer.store import IndexMissing
from search_app.index import get_searcher

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 with the generation and document count this worker serves, and whether search is semantic; 503 without."""
    try:
        searcher = get_searcher()
        documents = searcher.doc_count()
    except IndexMissing:
        return jsonify(status="unavailable", error="no index has been built yet", generation=0, documents=0), 503
    # The worker's pid tells apart the processes behind one address, e.g. to
    # confirm that every worker has moved to a new generation.
    meaning = semantic_report(searcher)
    lay_terms = lay_terms_source() or "synonym table only"
    details = {"generation": g.generation, "documents": documents, "worker": os.getpid(), "lay_terms": lay_terms}
    return jsonify(status="ok", **details, **meaning), 200
