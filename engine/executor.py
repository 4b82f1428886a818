"""Whoosh query trees scored as whole arrays: one score per article at once.

Whoosh walks a query's postings one document at a time through a tree of
matchers in pure Python; for a health query whose words ("disease",
"syndrome", "treatment") occur in thousands of articles that walk costs
hundreds of milliseconds.  Here the same tree is evaluated with numpy:

1. each term's postings are read from the Whoosh index once per index state
   and kept as arrays, with their BM25F scores (the same formula, statistics
   and field lengths Whoosh uses);
2. a query node becomes a score array and a match mask over all articles
   (Or adds, And intersects, AndMaybe adds where the main part matches,
   AndNot removes);
3. a phrase is its words' documents where the words' positions follow one
   another, found with arrays of (document, position) keys read once per index
   state, and scored as Whoosh scores it: the sum of its words' scores there.
   A request matches at most its budget's number of distinct phrases by
   position (budget.py), and none once past its deadline: a phrase is then
   matched as its words, all required;
4. anything else is matched by Whoosh itself, leaf by leaf.

The scores equal those of ``searcher.search(q, optimize=False)``, except that an
Or with a ``scale`` applies Lucene-style coordination (a document matching k of
its n parts keeps (k/n)**scale of its score) instead of Whoosh's negligible one.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from threading import Lock
from typing import Any, TypeVar

import numpy as np
from whoosh import query as wq
from whoosh.codec.whoosh3 import W3LeafMatcher
from whoosh.matching import Matcher
from whoosh.scoring import BM25FScorer, bm25
from whoosh.searching import Searcher

from engine import persisted
from engine.budget import Budget
from engine.persisted import generation_folder

MAX_CACHED_TERMS = 50_000
MAX_CACHED_POSTINGS_BYTES = 64 * 2**20  # a common word's postings at 10x MedQuAD are 880 kB: bound bytes, not terms
MAX_CACHED_POSITIONS = 4_000_000  # (document, position) keys kept for phrases: 32 MB
POSITION_BITS = 32  # a key is document << POSITION_BITS | position
T = TypeVar("T")


@dataclass
class Scored:
    """Scores over every document number of the searcher and which of them match."""

    scores: np.ndarray
    matched: np.ndarray

    def top(self, limit: int) -> np.ndarray:
        """Document numbers of the best `limit` matches, best first; ties go to the lower number."""
        return best_first(self.scores, limit, np.flatnonzero(self.matched))


def _blocks(postings: Matcher) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """A term's postings a block at a time: document numbers (int64) and weights (float64).

    Whoosh's own segments keep postings in blocks of up to 128, delta-coded; reading a
    block as arrays instead of three method calls per posting made a common word's
    postings at 10x MedQuAD several times quicker. Any other matcher (one that skips
    deleted documents, say, or byte ids) is read posting by posting.
    """
    if type(postings) is not W3LeafMatcher or postings._byteids:
        docs, weights = [], []
        while postings.is_active():
            docs.append(postings.id())
            weights.append(postings.weight())
            postings.next()
        yield np.array(docs, dtype=np.int64), np.array(weights, dtype=np.float64)
        return
    while postings.is_active():  # whoosh-reloaded is pinned exactly: its block layout is known
        if postings._data is None:
            postings._read_data()
        ids, weights = postings._data[0], postings._data[1]
        count = postings._blocklength
        docs = np.cumsum(np.asarray(ids, dtype=np.int64))  # delta-coded
        if weights is None or isinstance(weights, float):
            yield docs, np.full(count, 1.0 if weights is None else weights, dtype=np.float32).astype(np.float64)
        else:
            yield docs, np.asarray(weights, dtype=np.float64)
        postings._next_block()


def _nbytes(arrays: tuple[np.ndarray, ...]) -> int:
    return sum(array.nbytes for array in arrays)


def best_first(values: np.ndarray, limit: int, among: np.ndarray | None = None) -> np.ndarray:
    """Positions of the `limit` largest `values` (of `among`, ascending, if given), largest first.

    Ties go to the lower position, at the cut too: the same as a stable sort's first
    `limit`, for the cost of a partition (sorting 55,000 closeness values per query
    took more time than computing them).
    """
    candidates = np.arange(len(values)) if among is None else among
    if limit < len(candidates):
        chosen = values[candidates]
        cut = -np.partition(-chosen, limit - 1)[limit - 1]  # the limit-th largest value
        above = candidates[chosen > cut]
        candidates = np.concatenate([above, candidates[chosen == cut][: limit - len(above)]])
    return candidates[np.lexsort((candidates, -values[candidates]))]


@dataclass
class IndexState:
    """What scoring needs from one state of the index: sizes, field lengths, cached postings."""

    doc_count: int
    postings: OrderedDict[tuple[str, ...], tuple[np.ndarray, np.ndarray]] = field(default_factory=OrderedDict)
    postings_bytes: int = 0
    positions: OrderedDict[tuple[str, str], np.ndarray] = field(default_factory=OrderedDict)
    derived: dict[str, Any] = field(default_factory=dict)
    lock: Lock = field(default_factory=Lock)


MAX_STATES = 2  # the live generation and the one a swap is leaving: a process may serve both for a while
_STATES: OrderedDict[tuple, IndexState] = OrderedDict()
_STATES_LOCK = Lock()


def state_key(searcher: Searcher) -> tuple:
    """Names exactly this index state: its segments and their deletions."""
    parts = []
    for leaf, offset in searcher.reader().leaf_readers():
        segment = getattr(leaf, "segment", None)
        if not callable(segment):
            return ("unkeyed", id(searcher))
        parts.append((segment().segment_id(), segment().deleted_count(), offset))
    return tuple(parts)


def index_state(searcher: Searcher) -> IndexState:
    key = state_key(searcher)
    with _STATES_LOCK:
        state = _STATES.get(key)
        if state is None:
            state = _STATES[key] = IndexState(searcher.doc_count_all())
            while len(_STATES) > MAX_STATES:  # older states are no longer served
                _STATES.popitem(last=False)
        else:
            _STATES.move_to_end(key)
        # The caller keeps this state even if a thread serving another generation replaces it.
        return state


def derived(searcher: Searcher, name: str, compute: Callable[[Searcher], T], persist: bool = True) -> T:
    """Something computed from the index once per index state: a quality prior, facet postings.

    With `persist` it is also kept in the generation folder (engine.persisted), so
    other processes load it instead of computing it; a per-process memo passes False.
    """
    state = index_state(searcher)
    with state.lock:
        if name in state.derived:
            return state.derived[name]
    generation = generation_folder(searcher) if persist else None
    value = persisted.load(generation, name) if generation else persisted.MISSING
    if value is persisted.MISSING:
        value = compute(searcher)
        if generation:
            persisted.save(generation, name, value)
    with state.lock:
        state.derived[name] = value
    return value


def evaluate(searcher: Searcher, query: wq.Query, budget: Budget | None = None) -> Scored:
    """Scores and matches of a query over every document of the searcher."""
    return _Evaluator(searcher, index_state(searcher), budget or Budget()).node(query)


class _Evaluator:
    def __init__(self, searcher: Searcher, state: IndexState, budget: Budget) -> None:
        self.searcher = searcher
        self.state = state
        self.size = state.doc_count
        self.budget = budget

    def empty(self) -> Scored:
        return Scored(np.zeros(self.size), np.zeros(self.size, dtype=bool))

    def node(self, query: wq.Query) -> Scored:
        if isinstance(query, wq.Term):
            return self.term(query)
        if isinstance(query, wq.DisjunctionMax):
            return self.best_of(query)
        if isinstance(query, wq.Or):
            return self.union(query)
        if isinstance(query, wq.And):
            return self.intersection(query)
        if isinstance(query, wq.AndMaybe):
            main, optional = self.node(query.a), self.node(query.b)
            return Scored(main.scores + np.where(main.matched, optional.scores, 0.0), main.matched)
        if isinstance(query, wq.Phrase):
            return self.phrase(query)
        if isinstance(query, wq.AndNot):
            main, excluded = self.node(query.a), self.node(query.b)
            matched = main.matched & ~excluded.matched
            return Scored(np.where(matched, main.scores, 0.0), matched)
        return self.by_whoosh(query)

    def union(self, query: wq.Or) -> Scored:
        result = self.empty()
        matching = np.zeros(self.size)
        for sub in query.subqueries:
            part = self.node(sub)
            result.scores += part.scores
            result.matched |= part.matched
            matching += part.matched
        result.scores *= query.boost
        if query.scale and query.subqueries:
            # Coordination: a document matching k of the n parts keeps (k/n)**scale of its score.
            result.scores *= (matching / len(query.subqueries)) ** query.scale
        return result

    def best_of(self, query: wq.DisjunctionMax) -> Scored:
        """Each document's best part, plus `tiebreak` times the rest (Lucene's dis_max)."""
        parts = [self.node(sub) for sub in query.subqueries]
        if not parts:
            return self.empty()
        scores = np.array([p.scores for p in parts])
        best = scores.max(axis=0)
        combined = best + query.tiebreak * (scores.sum(axis=0) - best)
        return Scored(combined * query.boost, np.logical_or.reduce([p.matched for p in parts]))

    def intersection(self, query: wq.And) -> Scored:
        parts = [self.node(sub) for sub in query.subqueries]
        if not parts:
            return self.empty()
        matched = np.logical_and.reduce([p.matched for p in parts])
        scores = np.sum([p.scores for p in parts], axis=0) * query.boost
        return Scored(np.where(matched, scores, 0.0), matched)

    def term(self, query: wq.Term) -> Scored:
        return self.posted(query.boost, *self.term_postings(query.fieldname, query.text))

    def posted(self, boost: float, docs: np.ndarray, scores: np.ndarray) -> Scored:
        result = self.empty()
        result.scores[docs] = scores * boost
        result.matched[docs] = True
        return result

    def term_postings(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """A term's documents and unboosted scores, read from the index once per index state."""
        return self.cached((fieldname, text), lambda: self.read_term(fieldname, text))

    def phrase(self, query: wq.Phrase) -> Scored:
        """A phrase matched by position while the budget allows, else as its words, all required."""
        if query.slop != 1:
            return self.by_whoosh(query)
        words = tuple(query.words)
        if not self.budget.may_match_phrase(words):
            return self.node(wq.And([wq.Term(query.fieldname, w) for w in words], boost=query.boost))
        return self.posted(query.boost, *self.phrase_postings(query.fieldname, words))

    def phrase_postings(self, fieldname: str, words: tuple[str, ...]) -> tuple[np.ndarray, np.ndarray]:
        """The documents where `words` stand one after another, scored as Whoosh's phrase matcher scores them.

        Whoosh scores a phrase match as the sum of its words' scores in the document.
        """
        starts = self.positions(fieldname, words[0])
        for offset, word in enumerate(words[1:], 1):
            following = self.positions(fieldname, word)
            if not len(following) or not len(starts):
                starts = starts[:0]
                break
            at = np.minimum(np.searchsorted(following, starts + offset), len(following) - 1)
            starts = starts[following[at] == starts + offset]
        docs = np.unique(starts >> POSITION_BITS)
        scores = np.zeros(len(docs))
        for word in words:
            term_docs, term_scores = self.term_postings(fieldname, word)
            if len(docs):
                scores += term_scores[np.searchsorted(term_docs, docs)]
        return docs, scores

    def positions(self, fieldname: str, text: str) -> np.ndarray:
        """A term's (document << POSITION_BITS | position) keys, sorted; read once per index state (LRU by size)."""
        state = self.state
        key = (fieldname, text)
        with state.lock:
            if key in state.positions:
                state.positions.move_to_end(key)
                return state.positions[key]
        found = self.read_positions(fieldname, text)
        with state.lock:
            state.positions[key] = found
            while sum(map(len, state.positions.values())) > MAX_CACHED_POSITIONS and len(state.positions) > 1:
                state.positions.popitem(last=False)
        return found

    def read_positions(self, fieldname: str, text: str) -> np.ndarray:
        schema = self.searcher.schema
        keys: list[int] = []
        if fieldname not in schema or not schema[fieldname].format.supports("positions"):
            return np.zeros(0, dtype=np.int64)
        btext = schema[fieldname].to_bytes(text)
        for leaf, offset in self.searcher.reader().leaf_readers():
            if (fieldname, btext) not in leaf:
                continue
            postings = leaf.postings(fieldname, btext)
            while postings.is_active():
                doc = (postings.id() + offset) << POSITION_BITS
                keys += [doc | position for position in postings.value_as("positions")]
                postings.next()
        return np.array(keys, dtype=np.int64)

    def cached(
        self, key: tuple[str, ...], read: Callable[[], tuple[np.ndarray, np.ndarray]]
    ) -> tuple[np.ndarray, np.ndarray]:
        """Documents and unboosted scores of a term or phrase, found once per index state (LRU)."""
        state = self.state
        with state.lock:
            if key in state.postings:
                state.postings.move_to_end(key)
                return state.postings[key]
        found = read()
        with state.lock:
            if key not in state.postings:
                state.postings[key] = found
                state.postings_bytes += _nbytes(found)
            while len(state.postings) > 1 and (
                len(state.postings) > MAX_CACHED_TERMS or state.postings_bytes > MAX_CACHED_POSTINGS_BYTES
            ):
                state.postings_bytes -= _nbytes(state.postings.popitem(last=False)[1])
        return found

    def read_term(self, fieldname: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        searcher = self.searcher
        schema = searcher.schema
        if fieldname not in schema:
            return np.zeros(0, dtype=np.int64), np.zeros(0)
        docs: list[int] = []
        weights: list[float] = []
        for leaf, offset in searcher.reader().leaf_readers():
            try:
                btext = schema[fieldname].to_bytes(text)
            except ValueError:
                break
            if (fieldname, btext) not in leaf:
                continue
            for block_docs, block_weights in _blocks(leaf.postings(fieldname, btext)):
                docs.append(block_docs + offset)
                weights.append(block_weights)
        doc_array = np.concatenate(docs) if docs else np.zeros(0, dtype=np.int64)
        weight_array = np.concatenate(weights) if weights else np.zeros(0)
        return doc_array, self.weigh(fieldname, text, doc_array, weight_array)

    def weigh(self, fieldname: str, text: str, docs: np.ndarray, weights: np.ndarray) -> np.ndarray:
        """BM25F as Whoosh computes it; unscorable fields score their raw weight."""
        if not len(docs):
            return weights
        scorer = self.searcher.weighting.scorer(self.searcher, fieldname, text)
        if not isinstance(scorer, BM25FScorer):
            return weights
        lengths = self.field_lengths(fieldname)[docs]
        return bm25(scorer.idf, weights, lengths, scorer.avgfl, scorer.B, scorer.K1)

    def field_lengths(self, fieldname: str) -> np.ndarray:
        name = f"field_lengths.{fieldname}"
        return derived(self.searcher, name, lambda searcher: _field_lengths(searcher, fieldname))

    def by_whoosh(self, query: wq.Query) -> Scored:
        """Other positional queries: Whoosh's own matcher, leaf by leaf."""
        result = self.empty()
        for leaf_searcher, offset in self.searcher.leaf_searchers():
            matcher = query.matcher(leaf_searcher, leaf_searcher.context(weighting=self.searcher.weighting))
            while matcher.is_active():
                docnum = matcher.id() + offset
                result.scores[docnum] += matcher.score()
                result.matched[docnum] = True
                matcher.next()
        return result


def _field_lengths(searcher: Searcher, fieldname: str) -> np.ndarray:
    """Every document's length in a field, as BM25F weighs it (a pass over all documents: kept per generation)."""
    lengths = np.zeros(searcher.doc_count_all())
    for leaf, offset in searcher.reader().leaf_readers():
        for docnum in range(leaf.doc_count_all()):
            lengths[offset + docnum] = leaf.doc_field_length(docnum, fieldname, 0)
    return lengths
