"""Section@1 for peers: which section of its top article a plain engine would highlight.

Peers index whole articles and know nothing of sections, so the benchmark picks for
them, the way a highlighter picks a fragment: every section of every article is a
small document, and the section of the top article with the highest BM25 score
against the query wins (k1 1.2, b 0.75; idf and average length over all 16,000-odd
sections of the corpus; query and text lower-cased, English stop words dropped,
Porter-stemmed).  Ties, and a query that matches no section, go to the first section,
which in MedQuAD is the overview ("information") whenever there is one.  The picked
section is named by its MedQuAD qtype, so no section map is needed.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache

from whoosh.analysis import STOP_WORDS
from whoosh.lang.porter import stem

from bench.corpus import Doc

K1 = 1.2
B = 0.75
_WORD = re.compile(r"\w+")


@cache
def _stem(word: str) -> str:
    # The vocabulary is small next to the text, so caching makes stemming nearly free.
    return stem(word)


def terms(text: str) -> list[str]:
    """Stemmed, stop-word-free terms.

    >>> terms("Are the symptoms of Diabetes...")
    ['symptom', 'diabet']
    """
    return [_stem(w) for w in _WORD.findall(text.lower()) if w not in STOP_WORDS]


@dataclass(frozen=True)
class _Counted:
    qtype: str
    counts: Counter[str]
    length: int


class SectionPicker:
    """BM25 over sections, with corpus statistics gathered once for all peers."""

    def __init__(self, docs: list[Doc]) -> None:
        self._sections: dict[str, list[_Counted]] = {}
        self._df: Counter[str] = Counter()
        for doc in docs:
            counted = [_count(section.qtype, section.text) for section in doc.sections]
            self._sections[doc.id] = counted
            for section in counted:
                self._df.update(section.counts.keys())
        lengths = [s.length for counted in self._sections.values() for s in counted]
        self._n = len(lengths)
        self._avglen = sum(lengths) / self._n if self._n else 1.0

    def pick(self, docid: str, query: str) -> str | None:
        """The qtype of the best-matching section of `docid`; None when it has none."""
        sections = self._sections.get(docid)
        if not sections:
            return None
        query_terms = set(terms(query))
        scores = [self._score(section, query_terms) for section in sections]
        return sections[scores.index(max(scores))].qtype  # index() keeps the first of equals

    def _score(self, section: _Counted, query_terms: set[str]) -> float:
        norm = K1 * (1 - B + B * section.length / self._avglen)
        score = 0.0
        for term in query_terms:
            tf = section.counts.get(term, 0)
            if tf:
                idf = math.log(1 + (self._n - self._df[term] + 0.5) / (self._df[term] + 0.5))
                score += idf * tf * (K1 + 1) / (tf + norm)
        return score


def _count(qtype: str, text: str) -> _Counted:
    words = terms(text)
    return _Counted(qtype, Counter(words), len(words))
