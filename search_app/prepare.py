"""A new generation answers its first requests before it is published, so no visitor waits for that.

Serving derives tables from a generation once (quality priors, name tables, facet
postings, the A–Z: executor.derived) and keeps them in the generation's folder
(engine.persisted).  The build calls `prepare_generation` between writing a
generation and publishing it, so every worker of every replica loads them instead of
computing them on its first request.
"""

from __future__ import annotations

from pathlib import Path

from engine.library import a_to_z, title_rank
from engine.query import parse_query
from engine.results import search_page
from engine.search import SCORING
from engine.synonyms import load_synonyms
from indexer.mapped import open_mapped
from search_app.suggest import suggester_for

# Words that take every path a first request takes: names, a name inside a question, intent, facets.
FIRST_QUERIES = ("treatment", "can pain in my lower back cause symptoms")


def prepare_generation(generation: Path) -> None:
    """Compute and keep every per-generation table, as the first requests would."""
    with open_mapped(generation).searcher(weighting=SCORING) as searcher:
        synonyms = load_synonyms()
        for text in FIRST_QUERIES:
            search_page(searcher, parse_query(text, synonyms))
        a_to_z(searcher)
        title_rank(searcher)
    suggester_for(generation)  # the search box's names and the structures that find them
