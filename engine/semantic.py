"""Query text -> how close in meaning each article and section is, from the generation's vectors.

Stages: open the generation's section vectors memory-mapped, once per index state,
and line them up with document numbers; embed the query (the last queries' vectors
are kept, so paging and repeats cost nothing); one matrix product gives every
section's cosine; an article's closeness is its closest section's. Without
vectors, or without a model that loads, `semantic_status` says why and search
stays lexical.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits
from whoosh.searching import Searcher

from engine.executor import derived
from engine.library import entries
from indexer.embedder import MODEL_ID, ModelUnavailable, shared_embedder
from indexer.vectors import read_vectors

QUERY_CACHE = 1024  # query vectors kept per process (1.5 kB each)


@dataclass(frozen=True)
class SemanticIndex:
    """One index state's section vectors, grouped by article (each article's rows are contiguous)."""

    matrix: np.ndarray  # rows x dimension, unit vectors, memory-mapped
    starts: np.ndarray  # first row of each group
    docnums: np.ndarray  # the document number of each group
    anchors: tuple[str, ...]  # each row's section anchor


@dataclass(frozen=True)
class Closeness:
    """One query's cosine to every article (0 for none) and to every section row."""

    index: SemanticIndex
    articles: np.ndarray
    sections: np.ndarray

    def section_scores(self, docnum: int) -> dict[str, float]:
        """Anchor -> cosine for one article's sections."""
        group = self._group(docnum)
        if group is None:
            return {}
        end = self.index.starts[group + 1] if group + 1 < len(self.index.starts) else len(self.sections)
        rows = range(self.index.starts[group], end)
        return {self.index.anchors[row]: float(self.sections[row]) for row in rows}

    def _group(self, docnum: int) -> int | None:
        found = np.flatnonzero(self.index.docnums == docnum)
        return int(found[0]) if len(found) else None


def semantic_report(searcher: Searcher) -> dict[str, str]:
    """For /healthz and `healthsearch info`: is semantic search on, with which model, and if off, why."""
    why = semantic_status(searcher)
    return {"semantic": "off", "semantic_off_because": why} if why else {"semantic": "on", "model": MODEL_ID}


def semantic_status(searcher: Searcher) -> str:
    """ "" when semantic search is on for this index state, else why it is off."""
    if semantic_index(searcher) is None:
        return "the index has no section vectors of this model (see `healthsearch info`)"
    return model_status()


@lru_cache(maxsize=1)
def model_status() -> str:
    """ "" when the embedding model loads in this process, else why not (asked once)."""
    try:
        shared_embedder()
    except ModelUnavailable as error:
        return str(error)
    return ""


def closeness(searcher: Searcher, text: str) -> Closeness | None:
    """How close the query is to every article and section; None when semantic search is off."""
    index = semantic_index(searcher)
    if index is None or model_status() or not text.strip():
        return None
    sections = index.matrix @ query_vector(text)
    articles = np.zeros(searcher.doc_count_all(), dtype=np.float32)
    if len(sections):
        articles[index.docnums] = np.maximum.reduceat(sections, index.starts)
    return Closeness(index, articles, sections)


@lru_cache(maxsize=QUERY_CACHE)
def query_vector(text: str) -> np.ndarray:
    return shared_embedder().encode([text])[0]


def semantic_index(searcher: Searcher) -> SemanticIndex | None:
    """This index state's vectors lined up with its documents; None when the generation has none."""
    return derived(searcher, "semantic", _load)


def _load(searcher: Searcher) -> SemanticIndex | None:
    # One query's matrix-vector product is a millisecond on one core; BLAS threads for it
    # only wait on each other, and on a busy machine made it 4x slower (measured).
    threadpool_limits(limits=1, user_api="blas")
    ix = getattr(searcher, "_ix", None)
    folder = getattr(getattr(ix, "storage", None), "folder", None)
    vectors = read_vectors(Path(folder) if folder else None, mmap=True)
    if not vectors.rows:
        return None
    docnum = {entry.id: number for number, entry in enumerate(entries(searcher)) if entry}
    starts, docnums = [], []
    for row, (article_id, _anchor, _hash) in enumerate(vectors.rows):
        if row == 0 or vectors.rows[row - 1][0] != article_id:
            starts.append(row)
            docnums.append(docnum.get(article_id, -1))
    if -1 in docnums or len(set(docnums)) != len(docnums):
        return None  # vectors of another state of the index: never mix them up
    matrix = vectors.matrix if vectors.matrix.dtype == np.float32 else np.asarray(vectors.matrix, dtype=np.float32)
    anchors = tuple(row[1] for row in vectors.rows)
    return SemanticIndex(matrix, np.array(starts), np.array(docnums), anchors)
