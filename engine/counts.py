"""How many results hold every word the visitor typed, for an honest count.

Any word may match, so "4,751 articles" for "pain in my left arm" counts every
article that says "pain".  The page says instead how many of the conditions
found hold all the words (each word, or its spelling correction, in any
searched field), and how many more hold only some.
"""

from __future__ import annotations

from whoosh import query as wq
from whoosh.searching import Searcher

from engine.budget import Budget
from engine.executor import Scored, evaluate
from engine.query import ParsedQuery
from engine.spelling import analysed_terms, corrected_words

FIELDS = ("title", "aliases", "types", "treatments", "specialists", "content")


def all_words_total(
    searcher: Searcher, parsed: ParsedQuery, scored: Scored, budget: Budget | None = None
) -> int | None:
    """How many matches hold every typed word; None when the query has fewer than two words to hold.

    Spelling lookups count against the search's `budget` (the search has made them already).
    """
    words = corrected_words(searcher, list(parsed.words), budget) if parsed.correct else list(parsed.words)
    stems = list(dict.fromkeys(s[0] for s in (analysed_terms(searcher.schema, "content", w) for w in words) if s))
    if len(stems) < 2:
        return None
    holding = scored.matched.copy()
    for stem in stems:
        holding &= evaluate(searcher, wq.Or([wq.Term(name, stem) for name in FIELDS])).matched
    return int(holding.sum())
