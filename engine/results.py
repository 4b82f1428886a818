"""Parsed query -> one SearchPage, rendered as HTML by pages.py and as JSON by api.py.

Stages: run the ranked query with facet counts; keep the requested page;
give each hit its best sections with marked snippets (none once the
request's budget is past its deadline); offer a spelling correction when words
were unknown.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field

import numpy as np
from markupsafe import Markup
from whoosh.searching import Searcher

from engine.budget import Budget
from engine.counts import all_words_total
from engine.emergency import emergency_first
from engine.executor import derived
from engine.fold import attach_also, fold
from engine.highlight import snippet, stems_of
from engine.library import Entry
from engine.query import ParsedQuery
from engine.search import Ranked, best_sections, rank_articles
from engine.spelling import corrected_words
from engine.understand import understood
from indexer.article import SECTION_LABELS

FACETS = {"section": "kinds", "specialist": "specialist_tags", "source": "source"}
FACET_SIZE = 12


@dataclass
class SectionHit:
    kind: str
    heading: str
    anchor: str
    snippet: Markup


@dataclass
class PageHit:
    id: str
    title: str
    url: str
    score: float
    source: str
    sections: list[SectionHit] = field(default_factory=list)
    also: list[Entry] = field(default_factory=list)  # same-named articles folded under this one


@dataclass
class SearchPage:
    query: str
    total: int = 0
    all_words: int | None = None  # of `total`, those holding every typed word (None: fewer than two words)
    took_ms: float = 0.0
    page: int = 1
    size: int = 10
    did_you_mean: str | None = None
    corrected: bool = False  # the hits include matches for did_you_mean; `exact=1` searches as typed
    emergency: bool = False
    hits: list[PageHit] = field(default_factory=list)
    facets: dict[str, list[tuple[str, int]]] = field(default_factory=dict)

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.size))

    def to_json(self) -> dict:
        data = asdict(self)
        data["facets"] = {name: [{"value": v, "count": c} for v, c in values] for name, values in self.facets.items()}
        for hit in data["hits"]:
            for section in hit["sections"]:
                section["snippet"] = str(section["snippet"])
        return data


def search_page(
    searcher: Searcher, parsed: ParsedQuery, page: int = 1, size: int = 10, budget: Budget | None = None
) -> SearchPage:
    """One page of results for a parsed query, with facets and snippets, within `budget`."""
    started = time.perf_counter()
    budget = budget or Budget()
    parsed = understood(searcher, parsed)
    result = SearchPage(query=parsed.text, page=page, size=size, emergency=parsed.emergency)
    ranked = rank_articles(searcher, parsed, budget)
    if ranked is not None:
        emergency_first(searcher, parsed, ranked.scored)
        scored = fold(searcher, ranked.scored)
        result.total = int(scored.matched.sum())
        result.all_words = all_words_total(searcher, parsed, scored, budget)
        matched = scored.matched
        result.facets = {name: _counts(values, matched) for name, values in facet_postings(searcher).items()}
        fixed = corrected_words(searcher, list(parsed.words), budget)
        stems = marked_stems(parsed, fixed)
        top = scored.top(page * size)[(page - 1) * size :]
        result.hits = [_page_hit(searcher, int(d), ranked, parsed, stems, budget) for d in top]
        attach_also(searcher, scored, result.hits, top)
        result.did_you_mean = " ".join(fixed) if fixed != list(parsed.words) else None
        result.corrected = bool(result.did_you_mean) and parsed.correct
    result.took_ms = round((time.perf_counter() - started) * 1000, 1)
    return result


def marked_stems(parsed: ParsedQuery, corrected: list[str] | None = None) -> frozenset[str]:
    """The stems to mark in text: the query's words and phrases, and their spelling corrections.

    Excluded words are not marked, nor the words of a many-word intent phrase: "life"
    in "lupus life expectancy" asked for the Outlook, it would only mark "life-threatening".
    """
    phrase_words = {w for phrase in parsed.intent.words if " " in phrase for w in phrase.split()}
    words = [w for w in [*parsed.words, *(corrected or [])] if w not in phrase_words]
    return stems_of(words + [w for p in (*parsed.phrases, *parsed.split_forms) for w in p.split()])


def _counts(values: dict[str, np.ndarray], matched: np.ndarray) -> list[tuple[str, int]]:
    counted = ((value, int(np.count_nonzero(matched[docs]))) for value, docs in values.items())
    return sorted((vc for vc in counted if vc[1]), key=lambda vc: -vc[1])[:FACET_SIZE]


def facet_postings(searcher: Searcher) -> dict[str, dict[str, np.ndarray]]:
    """Facet name -> value -> the articles that have it, read once per index state.

    Counting a page's facets is then a lookup in the match mask, not a pass over every match.
    """
    return derived(searcher, "facets", _read_facet_postings)


def _read_facet_postings(searcher: Searcher) -> dict[str, dict[str, np.ndarray]]:
    reader = searcher.reader()
    return {
        name: {
            value: np.fromiter(reader.postings(field_name, value).all_ids(), dtype=np.int64)
            for value in reader.field_terms(field_name)
        }
        for name, field_name in FACETS.items()
    }


def _page_hit(
    searcher: Searcher, docnum: int, ranked: Ranked, parsed: ParsedQuery, stems: frozenset[str], budget: Budget
) -> PageHit:
    """A hit with its best sections; past the deadline their snippets are left empty."""
    stored = searcher.stored_fields(docnum)
    score = ranked.score(docnum)
    article = json.loads(stored["article"])
    by_anchor = {s["anchor"]: s for s in article["sections"]}
    sections = [
        SectionHit(
            ref.kind,
            ref.heading,
            ref.anchor,
            Markup("") if budget.expired() else snippet(by_anchor[ref.anchor]["text"], stems),
        )
        for ref in best_sections(article, parsed, ranked.section_closeness(docnum))
    ]
    return PageHit(stored["id"], stored["title"], article.get("url", ""), round(score, 3), stored["source"], sections)


# MedQuAD's source attributes, as a reader knows those sites.
SOURCE_LABELS = {
    "CancerGov": "Cancer.gov",
    "GARD": "GARD (rare diseases)",
    "GHR": "Genetics Home Reference",
    "MPlusHealthTopics": "MedlinePlus",
    "corpus": "This library",
}


def facet_label(name: str, value: str) -> str:
    """A facet value as a visitor reads it: "Treatment", "MedlinePlus"."""
    if name == "section":
        return SECTION_LABELS.get(value, value)
    return SOURCE_LABELS.get(value, value) if name == "source" else value
