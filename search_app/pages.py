"""Pages for visitors: the search box and its results."""

from __future__ import annotations

from flask import Blueprint, render_template, request

from indexer.store import IndexMissing
from search_app.index import get_searcher
from search_app.query import QueryError, parse_query
from search_app.search import search
from search_app.synonyms import load_synonyms

bp = Blueprint("pages", __name__)


@bp.get("/")
def home() -> str:
    """The search box."""
    return render_template("search.html", query="", hits=None)


@bp.get("/search")
def results() -> tuple[str, int] | str:
    """Ranked results for ?q=."""
    query = request.args.get("q", "")
    try:
        parsed = parse_query(query, load_synonyms())
        hits = search(get_searcher(), parsed) if not parsed.is_empty else []
    except QueryError as error:
        return render_template("search.html", query=query[:200], hits=None, error=str(error)), 400
    except IndexMissing:
        return render_template("search.html", query=query, hits=None, missing=True), 503
    return render_template("search.html", query=query, hits=hits)
