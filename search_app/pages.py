"""Pages for visitors: the search box and its results."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from indexer.store import IndexMissing
from search_app.index import get_searcher
from search_app.search import search

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    """The search box."""
    return render_template("search.html", query="", hits=None)


@bp.get("/search")
def results() -> tuple[str, int] | str:
    """Ranked results for ?q=."""
    query = request.args.get("q", "")[:500]
    try:
        hits = search(get_searcher(), query) if query.strip() else []
    except IndexMissing:
        return render_template("search.html", query=query, hits=None, missing=True), 503
    return render_template("search.html", query=query, hits=hits)
