"""Parsed query -> one SearchPage, rendered as HTML by pages.py and as JSON by api.py.

Stages: run the ranked query with facet counts; keep the requested page;
give each hit its best sections with marked snippets; offer a spelling
correction when words were unknown.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field

from markupsafe import Markup
from whoosh import sorting
from whoosh.searching import Hit, Searcher

from indexer.article import SECTION_LABELS
from search_app.highlight import snippet, stems_of
from search_app.query import ParsedQuery
from search_app.search import best_sections, build_query, corrected_words

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


@dataclass
class SearchPage:
    query: str
    total: int = 0
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


def search_page(searcher: Searcher, parsed: ParsedQuery, page: int = 1, size: int = 10) -> SearchPage:
    """One page of results for a parsed query, with facets and snippets."""
    started = time.perf_counter()
    result = SearchPage(query=parsed.text, page=page, size=size, emergency=parsed.emergency)
    whoosh_query = build_query(searcher, parsed) if not parsed.is_empty else None
    if whoosh_query is not None:
        facets = {name: sorting.FieldFacet(field_name, allow_overlap=True) for name, field_name in FACETS.items()}
        hits = searcher.search(whoosh_query, limit=page * size, groupedby=facets, optimize=False)
        result.total = len(hits)
        result.facets = {name: _counts(hits.groups(name)) for name in FACETS}
        words = corrected_words(searcher, list(parsed.words)) + [w for p in parsed.phrases for w in p.split()]
        stems = stems_of(words + list(parsed.words))
        result.hits = [_page_hit(hit, parsed, stems) for hit in hits[(page - 1) * size : page * size]]
        result.did_you_mean = _suggestion(searcher, parsed)
        result.corrected = bool(result.did_you_mean) and parsed.correct
    result.took_ms = round((time.perf_counter() - started) * 1000, 1)
    return result


def _counts(groups: dict) -> list[tuple[str, int]]:
    counted = sorted(((str(value), len(docs)) for value, docs in groups.items() if value), key=lambda vc: -vc[1])
    return counted[:FACET_SIZE]


def _page_hit(hit: Hit, parsed: ParsedQuery, stems: frozenset[str]) -> PageHit:
    article = json.loads(hit["article"])
    by_anchor = {s["anchor"]: s for s in article["sections"]}
    sections = [
        SectionHit(ref.kind, ref.heading, ref.anchor, snippet(by_anchor[ref.anchor]["text"], stems))
        for ref in best_sections(article, parsed)
    ]
    return PageHit(hit["id"], hit["title"], article.get("url", ""), round(float(hit.score), 3), hit["source"], sections)


def _suggestion(searcher: Searcher, parsed: ParsedQuery) -> str | None:
    """The query with its unknown words corrected, when any was (never a known word)."""
    words = list(parsed.words)
    fixed = corrected_words(searcher, words)
    return " ".join(fixed) if fixed != words else None


def facet_label(name: str, value: str) -> str:
    return SECTION_LABELS.get(value, value) if name == "section" else value
