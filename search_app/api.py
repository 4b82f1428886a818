"""The JSON API: the same SearchPage as the results page, and whole articles."""

from __future__ import annotations

import json

from flask import Blueprint, Response, jsonify, request

from indexer.store import IndexMissing
from search_app.index import get_searcher
from search_app.params import MAX_PAGE, MAX_SIZE, BadParameter, parse_int, query_text
from search_app.query import QueryError, parse_query
from search_app.querylog import log_search
from search_app.results import search_page
from search_app.synonyms import load_synonyms

bp = Blueprint("api", __name__, url_prefix="/api")


@bp.errorhandler(BadParameter)
@bp.errorhandler(QueryError)
def bad_request(error: ValueError) -> tuple[Response, int]:
    """Malformed parameters: a 400 with a JSON error."""
    return jsonify(error=str(error)), 400


@bp.errorhandler(IndexMissing)
def no_index(_error: IndexMissing) -> tuple[Response, int]:
    return jsonify(error="the search index has not been built yet"), 503


@bp.get("/search")
def search() -> Response:
    """Ranked articles with their best sections, facets and spelling help."""
    page = parse_int(request.args, "page", 1, 1, MAX_PAGE)
    size = parse_int(request.args, "size", 10, 1, MAX_SIZE)
    parsed = parse_query(query_text(request.args), load_synonyms(), correct=request.args.get("exact") != "1")
    result = search_page(get_searcher(), parsed, page, size)
    if not parsed.is_empty:
        log_search("api", parsed, result.total, page)
    return jsonify(result.to_json())


@bp.get("/articles/<path:article_id>")
def article(article_id: str) -> tuple[Response, int] | Response:
    """One article as the index knows it."""
    fields = get_searcher().document(id=article_id)
    if fields is None:
        return jsonify(error=f"no article {article_id!r}"), 404
    return jsonify(json.loads(fields["article"]))
