"""The live index: one open searcher per thread, reopened when a new generation is published.

Opening a Whoosh index costs milliseconds (every segment's files), more than
a whole search, so a searcher outlives its request.  Each request still reads
the CURRENT pointer, so a finished build is served from the next request on,
without a restart; the old generation's searcher is closed then.  Searchers
are not shared between threads because Whoosh's file readers are not.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import current_app, g
from whoosh.searching import Searcher

from engine.search import SCORING
from indexer.store import IndexStore, generation_of

MAX_OPEN_INDEXES = 4
_open = threading.local()


def store() -> IndexStore:
    return IndexStore(current_app.config["INDEX_DIR"])


def get_searcher() -> Searcher:
    """This request's searcher over the live generation of the index."""
    if "searcher" not in g:
        g.generation, g.searcher = live_searcher(store())
    return g.searcher


def live_searcher(index_store: IndexStore) -> tuple[int, Searcher]:
    """This thread's searcher over the store's live generation (and its number), opened once per generation."""
    current = index_store.current_dir()
    searchers: dict[Path, tuple[Path, int, Searcher]] = _open.__dict__.setdefault("searchers", {})
    root = index_store.root.resolve()
    opened = searchers.pop(root, None)
    if opened is not None and opened[0] == current:
        searchers[root] = opened
        return opened[1], opened[2]
    if opened is not None:
        opened[2].close()
    index = index_store.open(current)  # IndexMissing when nothing was built yet
    while len(searchers) >= MAX_OPEN_INDEXES:  # apps over many indexes, as in tests: keep the latest
        searchers.pop(next(iter(searchers)))[2].close()
    generation = generation_of(index)
    searchers[root] = (Path(index.storage.folder), generation, index.searcher(weighting=SCORING))
    return generation, searchers[root][2]
