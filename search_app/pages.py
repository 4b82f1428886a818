"""Pages for visitors: the search box, its results, and the articles."""

from __future__ import annotations

import json
from dataclasses import dataclass

from flask import Blueprint, abort, current_app, redirect, render_template, request, url_for
from markupsafe import Markup
from werkzeug.wrappers import Response

from engine.highlight import mark
from engine.library import LETTERS, a_to_z, letter_of, namesakes
from engine.query import ParsedQuery, QueryError, parse_query, without_filter
from engine.results import FACETS, facet_label, marked_stems, search_page
from engine.spelling import corrected_words
from engine.synonyms import load_synonyms
from engine.topics import POPULAR_DAYS, home_topics
from indexer.article import SECTION_LABELS
from indexer.store import IndexMissing
from search_app.audit import zeroclass
from search_app.deadline import request_budget
from search_app.feedback import record_feedback
from search_app.index import get_searcher
from search_app.params import MAX_PAGE, BadParameter, parse_int, query_text
from search_app.querylog import article_target, log_click, log_search
from search_app.wording import count_text, friendly_error

bp = Blueprint("pages", __name__)


@bp.app_errorhandler(IndexMissing)
def no_index(_error: IndexMissing) -> tuple[str, int]:
    return render_template("search.html", query="", result=None, missing=True), 503


@bp.get("/")
def home() -> str:
    """The site's front page: the search box, popular topics, the A–Z, recent searches."""
    searcher = get_searcher()
    clicks = current_app.extensions["querylog"].popular_articles(POPULAR_DAYS)
    by_letter = a_to_z(searcher)
    return render_template(
        "home.html",
        query="",
        topics=home_topics(searcher, clicks),
        popular=bool(clicks),
        letters=[(each, bool(by_letter[each])) for each in LETTERS],
        conditions=sum(len(listings) for listings in by_letter.values()),
    )


@bp.get("/search")
def results() -> tuple[str, int] | str:
    """Ranked results for ?q=, with sections, facets and pages."""
    query = request.args.get("q", "")
    try:
        page = parse_int(request.args, "page", 1, 1, MAX_PAGE)
        parsed = parse_query(query_text(request.args), load_synonyms(), correct=request.args.get("exact") != "1")
    except (QueryError, BadParameter) as error:
        return render_template("search.html", query=query[:200], result=None, error=friendly_error(error)), 400
    per_page, budget = int(current_app.config["RESULTS_PER_PAGE"]), request_budget()
    result = search_page(get_searcher(), parsed, page, per_page, budget)
    search_id = log_search("page", parsed, result.total, page) if not parsed.is_empty else None
    zeroclass.after_search(parsed, result.total, budget)
    filters = active_filters(query, parsed, result.facets)
    return render_template(
        "search.html",
        query=query,
        result=result,
        facet_label=facet_label,
        search_id=search_id,
        filters=filters,
        count=count_text(result.total, result.all_words),
        removals={f"{f.facet}:{f.value}": f.remove_url for f in filters},
        query_letter=letter_of(query),
        page_numbers=page_numbers(result.page, min(result.pages, MAX_PAGE)),
        exact="1" if not parsed.correct else None,
    )


def page_numbers(page: int, pages: int, around: int = 2) -> list[int | None]:
    """The page links to show: the first, the last and those near `page`; None where some are left out.

    >>> page_numbers(1, 1)
    []
    >>> page_numbers(6, 39)
    [1, None, 4, 5, 6, 7, 8, None, 39]
    """
    if pages <= 1:
        return []
    shown = sorted({1, pages, *range(max(1, page - around), min(pages, page + around) + 1)})
    numbers: list[int | None] = []
    for previous, number in zip([0, *shown[:-1]], shown, strict=True):
        if previous and number - previous > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


@dataclass(frozen=True)
class ActiveFilter:
    facet: str
    value: str  # as the index holds it, lower-cased for comparing with a facet's values
    label: str
    remove_url: str


def active_filters(query: str, parsed: ParsedQuery, facets: dict[str, list[tuple[str, int]]]) -> list[ActiveFilter]:
    """The query's filters as the page shows them: a label and a link that takes each one away.

    A value is labelled as its facet spells it ("GARD" for `source:gard`).
    """
    facet_of = {field_name: facet for facet, field_name in FACETS.items()}
    shown = []
    for field_name, value in parsed.filters:
        facet = facet_of.get(field_name, field_name)
        spelled = {v.lower(): v for v, _count in facets.get(facet, [])}.get(value.lower(), value)
        remove = url_for("pages.results", q=without_filter(query, field_name, value))
        label = f"{facet.capitalize()}: {facet_label(facet, spelled)}"
        shown.append(ActiveFilter(facet, value.lower(), label, remove))
    return shown


@bp.get("/articles")
def library() -> tuple[str, int] | str:
    """The A–Z of every article, one letter a page."""
    letter = request.args.get("letter", "a").strip().lower()
    if letter not in LETTERS:
        return render_template("search.html", query="", result=None, error="Choose a letter from A to Z."), 400
    by_letter = a_to_z(get_searcher())
    return render_template(
        "library.html",
        query="",
        letter=letter,
        letters=[(each, bool(by_letter[each])) for each in LETTERS],
        entries=by_letter[letter],
        facet_label=facet_label,
    )


@bp.get("/articles/<path:article_id>")
def article(article_id: str) -> str:
    """One article: contents, sections with anchors, the query's words marked."""
    fields = get_searcher().document(id=article_id)
    if fields is None:
        abort(404)
    data = json.loads(fields["article"])
    query = request.args.get("q", "")[:500]
    stems = _article_stems(query, request.args.get("exact") != "1")
    best = request.args.get("section", "")
    # Marks help where the visitor arrived and in the headings; on every word of a long page they are noise.
    sections = [
        {
            **section,
            "label": SECTION_LABELS.get(section["kind"], ""),
            "marked_heading": mark(section["heading"], stems),
            "blocks": _blocks(section["text"], stems if section["anchor"] == best else frozenset()),
        }
        for section in data["sections"]
    ]
    return render_template(
        "article.html",
        article=data,
        sections=sections,
        query=query,
        best=best,
        namesakes=namesakes(get_searcher(), article_id, data["title"]),
        facet_label=facet_label,
    )


def _article_stems(query: str, correct: bool) -> frozenset[str]:
    """What to mark in an article reached from a search: its words as the results page marked them.

    A search's budget bounds the spelling lookups: a `q` full of misspellings costs no more than
    a search (a worker that did not run the search may still need to look the words up).
    """
    try:
        parsed = parse_query(query, load_synonyms(), correct=correct)
    except QueryError:
        return frozenset()
    fixed = corrected_words(get_searcher(), list(parsed.words), request_budget()) if correct else None
    return marked_stems(parsed, fixed)


def _blocks(text: str, stems: frozenset[str]) -> list[tuple[str, list[Markup]]]:
    """Paragraphs and lists of a section's text, each piece escaped then marked."""
    blocks: list[tuple[str, list[Markup]]] = []
    for paragraph in text.split("\n\n"):
        lines = paragraph.split("\n")
        if all(line.startswith("• ") for line in lines):
            blocks.append(("list", [mark(line[2:], stems) for line in lines]))
        else:
            blocks.append(("p", [mark(" ".join(lines), stems)]))
    return blocks


@bp.post("/feedback/<int:search_id>")
def feedback(search_id: int) -> str:
    """A visitor's word that a search without results should have found something."""
    kept = record_feedback(search_id)
    return render_template("thanks.html", query="", kept=kept)


@bp.get("/go/<int:search_id>/<int:position>")
def go(search_id: int, position: int) -> Response:
    """Record a click on a result, then go to the article (local article URLs only: no open redirect)."""
    target = request.args.get("to", "")
    article_id = article_target(target)
    if article_id is None:
        abort(400)
    log_click(search_id, article_id, position)
    return redirect(target, code=303)
