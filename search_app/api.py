"""The JSON API: the same SearchPage as the results page, and whole articles."""

from __future__ import annotations

import json

from flask import Blueprint, Response, jsonify, request, url_for

from engine.query import QueryError, parse_query
from engine.results import search_page
from engine.synonyms import load_synonyms
from indexer.store import IndexMissing
from search_app.audit import zeroclass
from search_app.deadline import request_budget
from search_app.index import get_searcher
from search_app.params import MAX_PAGE, MAX_SIZE, BadParameter, parse_choice, parse_int, prefix_text, query_text
from search_app.querylog import log_search
from search_app.suggest import MAX_SUGGESTIONS, Suggestion, current_suggestions

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
    budget = request_budget()
    result = search_page(get_searcher(), parsed, page, size, budget)
    if not parsed.is_empty:
        log_search("api", parsed, result.total, page)
    zeroclass.after_search(parsed, result.total, budget)
    return jsonify(result.to_json())


@bp.get("/suggest")
def suggest() -> Response:
    """Names, aliases and sections for what has been typed so far, as JSON or OpenSearch suggestions."""
    text = prefix_text(request.args)
    limit = parse_int(request.args, "limit", MAX_SUGGESTIONS, 1, MAX_SUGGESTIONS)
    form = parse_choice(request.args, "format", ("json", "opensearch"))
    found = current_suggestions(text, limit)
    if form == "opensearch":
        response = _opensearch_suggestions(text, found)
    else:
        response = jsonify(query=text, suggestions=[{**s.to_json(), "url": _article_url(s)} for s in found])
    response.cache_control.public = True
    response.cache_control.max_age = 60  # a keystroke repeated (backspace, retype) need not reach the server
    return response


def _article_url(suggestion: Suggestion, external: bool = False) -> str:
    """The article with the name's words marked, at the suggested section when there is one."""
    entry = suggestion.entry
    anchor = entry.anchor or None
    return url_for(
        "pages.article", article_id=entry.article_id, q=entry.name, section=anchor, _anchor=anchor, _external=external
    )


def _opensearch_suggestions(text: str, found: list[Suggestion]) -> Response:
    """[query, completions, descriptions, urls]: what browsers' address bars read."""
    completions = [f"{s.entry.name} {s.entry.label.lower()}".strip() for s in found]
    body = [text, completions, [s.entry.text for s in found], [_article_url(s, external=True) for s in found]]
    return Response(json.dumps(body, ensure_ascii=False), mimetype="application/x-suggestions+json")


@bp.get("/articles/<path:article_id>")
def article(article_id: str) -> tuple[Response, int] | Response:
    """One article as the index knows it."""
    fields = get_searcher().document(id=article_id)
    if fields is None:
        return jsonify(error=f"no article {article_id!r}"), 404
    return jsonify(json.loads(fields["article"]))
