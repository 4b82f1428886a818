"""One result per condition: same-named articles fold under the best-ranked one.

MedQuAD holds "Skin Cancer" from five sites; a page of five Skin Cancers shows one
condition.  Stages: each article's name group (its title's name key, so "Acatalasemia"
and "acatalasemia" are one), read once per index state; among a query's matches the
best-ranked article of each group leads and the others leave the ranking, so counts,
facets and pages all speak of conditions; a page's leaders then list the others
("Also from GARD, Genetics Home Reference").
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from whoosh.searching import Searcher

from engine.executor import Scored, derived
from engine.library import Entry, entries
from indexer.schema import name_key

MAX_ALSO = 5  # more sources than this are rare, and the article page lists every one


@dataclass
class Folded(Scored):
    """Scores where only each name group's leader matches; `every` keeps all the matches."""

    every: np.ndarray | None = None


def name_groups(searcher: Searcher) -> np.ndarray:
    """Each document's name group, a number shared by same-named articles (-1: deleted)."""
    return derived(searcher, "name_groups", _read_groups)


def fold(searcher: Searcher, scored: Scored) -> Folded:
    """The ranking with same-named articles folded under the best-ranked of them."""
    candidates = np.flatnonzero(scored.matched)
    order = candidates[np.lexsort((candidates, -scored.scores[candidates]))]  # the order Scored.top gives
    _, first = np.unique(name_groups(searcher)[order], return_index=True)
    leaders = np.zeros_like(scored.matched)
    leaders[order[first]] = True
    return Folded(scored.scores, leaders, scored.matched)


def attach_also(searcher: Searcher, folded: Scored, hits: list, docnums: np.ndarray) -> None:
    """Give each hit of a page (an object with an `also` list) the articles folded under it."""
    for hit, docnum in zip(hits, docnums, strict=True):
        hit.also = also(searcher, folded, int(docnum))


def also(searcher: Searcher, folded: Scored, docnum: int) -> list[Entry]:
    """The matches folded under a leader, best-ranked first."""
    if not isinstance(folded, Folded) or folded.every is None:
        return []
    groups = name_groups(searcher)
    members = np.flatnonzero((groups == groups[docnum]) & folded.every)
    members = members[members != docnum]
    ordered = members[np.lexsort((members, -folded.scores[members]))][:MAX_ALSO]
    found = entries(searcher)
    return [entry for entry in (found[int(d)] for d in ordered) if entry is not None]


def _read_groups(searcher: Searcher) -> np.ndarray:
    numbers: dict[str, int] = {}
    groups = np.full(searcher.doc_count_all(), -1, dtype=np.int64)
    for docnum, entry in enumerate(entries(searcher)):
        if entry is not None:
            key = name_key(entry.title) or entry.title.casefold()
            groups[docnum] = numbers.setdefault(key, len(numbers))
    return groups
