"""/healthz for load balancers and operators: is an index being served, which one."""

from __future__ import annotations

import os

from flask import Blueprint, Response, g, jsonify

from indexer.store import IndexMissing
from search_app.index import get_searcher

bp = Blueprint("health", __name__)


@bp.get("/healthz")
def healthz() -> tuple[Response, int]:
    """200 with the generation and document count this worker serves; 503 without an index."""
    try:
        documents = get_searcher().doc_count()
    except IndexMissing:
        return jsonify(status="unavailable", error="no index has been built yet", generation=0, documents=0), 503
    # The worker's pid tells apart the processes behind one address, e.g. to
    # confirm that every worker has moved to a new generation.
    return jsonify(status="ok", generation=g.generation, documents=documents, worker=os.getpid()), 200
