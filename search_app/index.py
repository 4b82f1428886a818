"""The open index per app, a searcher per request (on g, closed at teardown)."""

from __future__ import annotations

from flask import Flask, current_app, g
from whoosh.searching import Searcher

from indexer.store import IndexStore, generation_of
from search_app.search import SCORING


def store() -> IndexStore:
    return IndexStore(current_app.config["INDEX_DIR"])


def get_searcher() -> Searcher:
    """This request's searcher over the live generation of the index."""
    if "searcher" not in g:
        index = store().open()
        g.searcher = index.searcher(weighting=SCORING)
        g.generation = generation_of(index)
    return g.searcher


def close_searcher(_error: BaseException | None = None) -> None:
    searcher = g.pop("searcher", None)
    if searcher is not None:
        searcher.close()


def init_app(app: Flask) -> None:
    app.teardown_appcontext(close_searcher)
