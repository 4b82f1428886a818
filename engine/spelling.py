"""Unknown words -> the known names they were meant to be ("diabetis" -> "diabetes").

Stages: a word any name, alias or text in the index uses is known and never
corrected; an unknown one gets the closest title and alias words (Levenshtein with
swaps, one edit for short words, two for long), the commoner first; among equally
close words, the ones that share a name with the query's other words come first
("mondo disease" -> "mondor", not the commoner "mono").  Candidates are kept per
index state: a query needs them for its clauses, its name boosts and "did you mean".
"""

from __future__ import annotations

import re

from whoosh.fields import Schema
from whoosh.searching import Searcher

from engine.budget import Budget
from engine.executor import derived
from indexer.documents import TITLE_KEY_MARK
from indexer.schema import name_key

MAX_CORRECTIONS = 2  # an unknown word is matched through at most this many known ones
MAX_CANDIDATES = 5  # close words looked at per unknown word, before its context picks
MAX_REMEMBERED = 10_000  # a long message's first words carry its subject; more only cost time
NAME_FIELDS = ("title", "aliases")
_POSSESSIVE = re.compile(r"['’]s$")


def analysed_terms(schema: Schema, fieldname: str, text: str) -> list[str]:
    """Text as the index holds it in a field: stemmed, folded, stop words out."""
    return list(schema[fieldname].process_text(text, mode="query"))


def known_word(searcher: Searcher, stem: str) -> bool:
    """Whether any name, alias or text in the index uses the stem; known words are never corrected."""
    reader = searcher.reader()
    return any(reader.doc_frequency(name, stem) for name in ("title", "aliases", "content"))


def corrections(
    searcher: Searcher,
    word: str,
    limit: int = MAX_CORRECTIONS,
    context: tuple[str, ...] = (),
    budget: Budget | None = None,
) -> list[str]:
    """Known name words close to an unknown one, best first; `context` is the rest of the query.

    A word this index state has already looked up costs nothing; a new one only while
    the budget allows (none when it is spent: the word is then searched as typed).
    """
    word = _POSSESSIVE.sub("", word)
    if len(word) < 4 or not word.isalnum() or sum(ch.isalpha() for ch in word) < 3:
        return []
    known: dict[str, list[str]] = derived(searcher, "corrections", lambda _searcher: {}, persist=False)
    found = known.get(word)
    if found is None:
        if budget is not None and not budget.may_correct(word):
            return []
        if len(known) >= MAX_REMEMBERED:
            known.clear()
        found = known[word] = _closest_names(searcher, word)
    if context and len(found) > 1:
        found = _in_context(searcher, word, found, context)
    return found[:limit]


def corrected_words(searcher: Searcher, words: list[str], budget: Budget | None = None) -> list[str]:
    """The words with each unknown one replaced by its best correction, if any (as far as `budget` allows)."""
    return [_corrected(searcher, word, tuple(w for w in words if w != word), budget) for word in words]


def _corrected(searcher: Searcher, word: str, context: tuple[str, ...], budget: Budget | None) -> str:
    if "-" in word:
        return "-".join(_corrected(searcher, part, context, budget) for part in word.split("-"))
    stems = analysed_terms(searcher.schema, "content", word)
    if not stems or known_word(searcher, stems[0]):
        return word
    best = corrections(searcher, word, limit=1, context=context, budget=budget)
    if not best:
        return word
    return best[0] + ("'s" if _POSSESSIVE.search(word) else "")


def _closest_names(searcher: Searcher, word: str) -> list[str]:
    maxdist = 1 if len(word) < 7 else 2
    found: list[str] = []
    for name in NAME_FIELDS:
        found += searcher.suggest(name, word, limit=MAX_CANDIDATES, maxdist=maxdist, prefix=1)
    reader = searcher.reader()
    if maxdist == 1:  # Whoosh counts a swap as two edits; one swap is one typo ("dicre1" for "dicer1")
        found += [swapped for swapped in _swaps(word) if is_name_word(searcher, swapped)]

    def usage(candidate: str) -> int:
        stems = analysed_terms(searcher.schema, "content", candidate)
        return reader.doc_frequency("content", stems[0]) if stems else 0

    close = [c for c in dict.fromkeys(found) if distance(word, c) <= maxdist]
    return sorted(close, key=lambda c: (distance(word, c), -usage(c)))[:MAX_CANDIDATES]


def _swaps(word: str) -> list[str]:
    """The word with each pair of neighbouring letters swapped (never the first letter)."""
    return [word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(1, len(word) - 1) if word[i] != word[i + 1]]


def is_name_word(searcher: Searcher, word: str) -> bool:
    """Whether a title holds the word as written, or an alias holds its stem."""
    reader = searcher.reader()
    if reader.doc_frequency("title_exact", word):
        return True
    stems = analysed_terms(searcher.schema, "aliases", word)
    return bool(stems) and bool(reader.doc_frequency("aliases", stems[0]))


def _in_context(searcher: Searcher, word: str, candidates: list[str], context: tuple[str, ...]) -> list[str]:
    """Equally close candidates reordered: those in one name with more of the query's other words first."""
    others = {key_word for w in context for key_word in name_key(w).split()}
    if not others:
        return candidates
    names = derived(searcher, "names_with_word", _names_with_word)

    def together(candidate: str) -> int:
        words = name_key(candidate).split()
        return max((len(others & name) for name in names.get(words[0], ())), default=0) if words else 0

    return sorted(candidates, key=lambda c: (distance(word, c), -together(c)))  # stable: commoner first on ties


def _names_with_word(searcher: Searcher) -> dict[str, list[frozenset[str]]]:
    """Every title and alias of the index, as its set of key words, filed under each of them."""
    names: dict[str, list[frozenset[str]]] = {}
    for term in searcher.reader().lexicon("name_key"):
        words = frozenset(term.decode("utf-8").removeprefix(TITLE_KEY_MARK).split())
        for key_word in words:
            names.setdefault(key_word, []).append(words)
    return names


def distance(a: str, b: str) -> int:
    """Levenshtein distance, with adjacent swaps counting one (the commonest typo).

    >>> distance("diabetis", "diabetes"), distance("stoos", "sotos")
    (1, 1)
    """
    previous_previous: list[int] = []
    previous = list(range(len(b) + 1))
    for i, char_a in enumerate(a, 1):
        current = [i]
        for j, char_b in enumerate(b, 1):
            cost = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char_a != char_b))
            if i > 1 and j > 1 and char_a == b[j - 2] and a[i - 2] == char_b:
                cost = min(cost, previous_previous[j - 2] + 1)
            current.append(cost)
        previous_previous, previous = previous, current
    return previous[-1]
