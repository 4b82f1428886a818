"""The home page's topics: what visitors open most, else the conditions the library covers best.

Popular topics come from the query log's clicks of the last POPULAR_DAYS days
(`popular_articles`); with too few clicks (a new site, or the log off) the list
is filled with the best-covered conditions in the index: the articles with the
most kinds of sections, one per name.  Nothing about particular topics is written
here: both lists are read from the data.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
from whoosh.searching import Searcher

from engine.executor import derived
from engine.fold import name_groups
from engine.library import Entry, entries

POPULAR_DAYS = 30
TOPICS = 8


def home_topics(searcher: Searcher, clicks: Mapping[str, int], limit: int = TOPICS) -> list[Entry]:
    """Up to `limit` articles, one per name: the most opened first, then the best covered."""
    found = entries(searcher)
    number_of = {entry.id: docnum for docnum, entry in enumerate(found) if entry is not None}
    popular = [number_of[a] for a, _n in sorted(clicks.items(), key=lambda ac: (-ac[1], ac[0])) if a in number_of]
    chosen: list[int] = []
    groups = name_groups(searcher)
    taken: set[int] = set()
    for docnum in [*popular, *best_covered(searcher)]:
        if groups[docnum] not in taken:
            taken.add(int(groups[docnum]))
            chosen.append(docnum)
        if len(chosen) == limit:
            break
    return [found[d] for d in chosen if found[d] is not None]


def best_covered(searcher: Searcher) -> list[int]:
    """Document numbers by how many kinds of sections their articles have, most first, then by title."""
    return derived(searcher, "best_covered", _best_covered)


def _best_covered(searcher: Searcher) -> list[int]:
    reader = searcher.reader()
    kinds = np.zeros(searcher.doc_count_all())
    for kind in reader.field_terms("kinds"):
        kinds[np.fromiter(reader.postings("kinds", kind).all_ids(), dtype=np.int64)] += 1
    titles = [entry.title.casefold() if entry else "" for entry in entries(searcher)]
    alive = [d for d, entry in enumerate(entries(searcher)) if entry is not None]
    return sorted(alive, key=lambda d: (-kinds[d], titles[d]))
