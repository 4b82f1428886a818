"""Lexical scores + semantic closeness -> one ranking.

Stages: take the lexical ranking's best candidates and the semantically closest
articles; put each list on one scale (min-max normalisation, as OpenSearch and
Weaviate do by default, or reciprocal ranks, as Elasticsearch and Vespa do: both
were measured, see FUSION); add them with a weight that depends on how the query
reads: a query that is a condition's whole name or alias ranks by the name, a
description by what it means. Articles past both candidate lists keep their
lexical order below every candidate.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh import query as wq
from whoosh.searching import Searcher

from engine.executor import Scored, best_first, evaluate
from engine.query import ParsedQuery
from engine.semantic import Closeness, closeness
from indexer.documents import TITLE_KEY_MARK


@dataclass(frozen=True)
class Fusion:
    method: str = "minmax"  # or "rrf"
    depth: int = 100  # candidates taken from each side
    rrf_k: int = 60
    min_cosine: float = 0.3  # closer than this or not a semantic candidate: gibberish finds nothing
    named: float = 0.9  # lexical weight when the query is a condition's name or alias
    fragment: float = 0.6  # ... when a name stands inside a longer query
    described: float = 0.45  # ... when no name does


FUSION = Fusion()


def with_meaning(
    searcher: Searcher, parsed: ParsedQuery, whoosh_query: wq.Query, scored: Scored
) -> tuple[Scored, Closeness | None]:
    """The lexical ranking fused with the query's closeness in meaning (unchanged when semantic search is off)."""
    close = closeness(searcher, query_text(parsed))
    if close is None:
        return scored, None
    restrict = bool(parsed.filters or parsed.excluded or parsed.phrases)
    return fuse(scored, close.articles, lexical_weight(searcher, whoosh_query, scored), restrict), close


def query_text(parsed: ParsedQuery) -> str:
    """What the query says, without its syntax: its words and phrases."""
    return " ".join([*parsed.words, *parsed.phrases])


def fuse(
    scored: Scored, close: np.ndarray, lexical_weight: float, restrict: bool = False, fusion: Fusion | None = None
) -> Scored:
    """The fused ranking; with `restrict` (filters, exclusions, required phrases) only lexical matches count."""
    fusion = fusion or FUSION
    lexical = scored.top(fusion.depth)
    pool = np.flatnonzero((close >= fusion.min_cosine) & (scored.matched if restrict else True))
    semantic = best_first(close, fusion.depth, pool)
    if fusion.method == "rrf":
        lex_part, sem_part = (
            _reciprocal(lexical, len(close), fusion.rrf_k),
            _reciprocal(semantic, len(close), fusion.rrf_k),
        )
    else:
        lex_part, sem_part = _min_max(scored.scores, lexical), _min_max(close, semantic)
    fused = lexical_weight * lex_part + (1 - lexical_weight) * sem_part
    candidates = np.zeros(len(close), dtype=bool)
    candidates[lexical] = candidates[semantic] = True
    tail = scored.scores / (scored.scores.max() or 1.0)  # below 1: under every candidate
    scores = np.where(candidates, 1.0 + fused, np.where(scored.matched, tail, 0.0))
    return Scored(scores, scored.matched | candidates)


def _min_max(values: np.ndarray, chosen: np.ndarray) -> np.ndarray:
    part = np.zeros(len(values))
    if len(chosen):
        low, high = values[chosen].min(), values[chosen].max()
        part[chosen] = (values[chosen] - low) / (high - low) if high > low else 1.0
    return part


def _reciprocal(ranked: np.ndarray, size: int, k: int) -> np.ndarray:
    part = np.zeros(size)
    part[ranked] = 1.0 / (k + np.arange(1, len(ranked) + 1))
    return part * (k + 1)  # the first place is worth 1, as in min-max


def lexical_weight(searcher: Searcher, whoosh_query: wq.Query, scored: Scored, fusion: Fusion | None = None) -> float:
    """How much the lexical side decides: by whether the best lexical match carries a name the query holds."""
    fusion = fusion or FUSION
    top = scored.top(1)
    if not len(top):
        return fusion.described
    exact, fragments = _name_terms(whoosh_query)
    if exact and evaluate(searcher, wq.Or(exact)).matched[top[0]]:
        return fusion.named
    if fragments and evaluate(searcher, wq.Or(fragments)).matched[top[0]]:
        return fusion.fragment
    return fusion.described


def _name_terms(whoosh_query: wq.Query) -> tuple[list[wq.Query], list[wq.Query]]:
    """The query's whole-name terms and its name-fragment terms.

    A whole name is asked for as a marked title key at the exact-title boost (and as
    an alias key); a name found inside a longer query never reaches that boost.
    """
    from engine.search import EXACT_TITLE_BOOST  # search.py calls this module

    terms = [t for t in whoosh_query.leaves() if isinstance(t, wq.Term) and t.fieldname == "name_key"]
    whole = {
        t.text.removeprefix(TITLE_KEY_MARK)
        for t in terms
        if t.text.startswith(TITLE_KEY_MARK) and t.boost == EXACT_TITLE_BOOST
    }
    exact = [t for t in terms if t.text.removeprefix(TITLE_KEY_MARK) in whole]
    return exact, [t for t in terms if t.text.removeprefix(TITLE_KEY_MARK) not in whole]
