"""Query text -> how close in meaning each article and section is, from the generation's vectors.

Stages: open the generation's passage vectors memory-mapped, once per index state,
and line them up with sections and document numbers; embed the query (the last
queries' vectors are kept, so paging and repeats cost nothing); one matrix product
gives every section opening's cosine (title, heading and first words: what the
section is about), and a second the later passages' of the PASSAGE_CANDIDATES
articles whose openings come closest. A section is as close as the mean of its
opening and its closest passage (a detail further on); an article as its closest
section. The opening keeps a long article, whose many passages give many chances
of one close match, from outranking the article that is about the query; reading
only the openings first reads a third of the vectors (on MedQuAD the results were
the same with 200 candidates as with every article). Without vectors, or
without a model that loads, `semantic_status` says why and search stays lexical.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np
from threadpoolctl import threadpool_limits
from whoosh.searching import Searcher

from engine.executor import best_first, derived
from engine.library import entries
from engine.persisted import generation_folder
from indexer.embedder import MODEL_ID, ModelUnavailable, shared_embedder
from indexer.vectors import VECTORS, opening_rows, read_openings, read_vectors

QUERY_CACHE = 1024  # query vectors kept per process (1.5 kB each)
PASSAGE_CANDIDATES = 200  # articles whose later passages are read, by their closest opening


@dataclass(frozen=True)
class SemanticIndex:
    """One index state's passage vectors, by section and article (each one's rows are contiguous)."""

    matrix: np.ndarray  # rows x dimension, unit vectors, memory-mapped
    openings: np.ndarray  # the opening row of each section, apart (memory-mapped)
    section_rows: np.ndarray  # the first row (the opening passage) of each section
    row_sections: np.ndarray  # the section of each row
    starts: np.ndarray  # the first section of each article
    docnums: np.ndarray  # the document number of each article
    anchors: np.ndarray  # each section's anchor (str)

    def passage_rows(self, groups: np.ndarray) -> np.ndarray:
        """The rows of these articles' later passages (every row but the sections' openings)."""
        first_rows = self.section_rows[self.starts[groups]]
        ends = np.append(self.starts, len(self.section_rows))[groups + 1]
        end_rows = np.append(self.section_rows, len(self.row_sections))[ends]
        rows = np.concatenate([np.arange(a, b) for a, b in zip(first_rows, end_rows, strict=True)])
        return rows[rows != self.section_rows[self.row_sections[rows]]]


@dataclass(frozen=True)
class Closeness:
    """One query's closeness to every article (0 for none) and to every section."""

    index: SemanticIndex
    articles: np.ndarray
    sections: np.ndarray

    def section_scores(self, docnum: int) -> dict[str, float]:
        """Anchor -> closeness for one article's sections."""
        group = self._group(docnum)
        if group is None:
            return {}
        end = self.index.starts[group + 1] if group + 1 < len(self.index.starts) else len(self.sections)
        sections = range(self.index.starts[group], end)
        return {str(self.index.anchors[section]): float(self.sections[section]) for section in sections}

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
    vector = query_vector(text)
    articles = np.zeros(searcher.doc_count_all(), dtype=np.float32)
    openings = index.openings @ vector  # a generation with vectors has at least one section
    by_opening = np.maximum.reduceat(openings, index.starts)
    groups = best_first(by_opening, PASSAGE_CANDIDATES)
    rows = index.passage_rows(groups)
    best = openings.copy()
    np.maximum.at(best, index.row_sections[rows], index.matrix[rows] @ vector)
    sections = (openings + best) / 2
    articles[index.docnums] = np.maximum.reduceat(sections, index.starts)
    return Closeness(index, articles, sections)


@lru_cache(maxsize=QUERY_CACHE)
def query_vector(text: str) -> np.ndarray:
    return shared_embedder().encode([text])[0]


def semantic_index(searcher: Searcher) -> SemanticIndex | None:
    """This index state's vectors lined up with its documents; None when the generation has none."""
    return derived(searcher, "semantic", _open, persist=False)


def _open(searcher: Searcher) -> SemanticIndex | None:
    """The generation's vector files memory-mapped, with its line-up: nothing a worker holds alone but a few arrays."""
    # One query's matrix-vector product is a millisecond on one core; BLAS threads for it
    # only wait on each other, and on a busy machine made it 4x slower (measured).
    threadpool_limits(limits=1, user_api="blas")
    folder = generation_folder(searcher)
    lineup = derived(searcher, "semantic_lineup", _line_up)
    if folder is None or not lineup:
        return None
    try:
        matrix = np.load(folder / VECTORS, mmap_mode="r")
    except (OSError, ValueError):
        return None
    if matrix.dtype != np.float32 or len(matrix) != len(lineup["row_sections"]):
        return None  # rewritten since it was lined up: never mix states up
    section_rows = lineup["section_rows"]
    openings = read_openings(folder, len(section_rows))
    if openings is None:  # a generation written before openings were kept apart
        openings = np.ascontiguousarray(matrix[section_rows])
    return SemanticIndex(
        matrix, openings, section_rows, lineup["row_sections"], lineup["starts"], lineup["docnums"], lineup["anchors"]
    )


def _line_up(searcher: Searcher) -> dict[str, np.ndarray]:
    """Which section each vector row is of, which article and anchor each section: arrays, empty without vectors.

    Read from the generation's row list once and kept in the generation (engine.persisted),
    so a worker maps these instead of parsing a row per passage (455,000 at ten times MedQuAD).
    """
    vectors = read_vectors(generation_folder(searcher), mmap=True)
    if not vectors.rows:
        return {}
    docnum = {entry.id: number for number, entry in enumerate(entries(searcher)) if entry}
    firsts = opening_rows(vectors.rows)
    section_articles = [vectors.rows[row][0] for row in firsts]
    starts = [i for i, article_id in enumerate(section_articles) if i == 0 or section_articles[i - 1] != article_id]
    docnums = [docnum.get(section_articles[i], -1) for i in starts]
    if -1 in docnums or len(set(docnums)) != len(docnums):
        return {}  # vectors of another state of the index: never mix them up
    return {
        "section_rows": firsts,
        "row_sections": np.repeat(np.arange(len(firsts)), np.diff(np.append(firsts, len(vectors.rows)))),
        "starts": np.array(starts, dtype=np.int64),
        "docnums": np.array(docnums, dtype=np.int64),
        "anchors": np.array([vectors.rows[row][1] for row in firsts], dtype=str),
    }
