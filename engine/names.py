"""The index's names (every title and alias, as a name key) and the ones a query holds.

Ranking looks for names inside longer questions, intent words inside names, and
spelling candidates that complete a name; all three ask the same question of one
structure, built once per index state.
"""

from __future__ import annotations

from collections import Counter

from whoosh.searching import Searcher

from engine.executor import derived
from indexer.documents import TITLE_KEY_MARK


def names_in(searcher: Searcher, words: set[str]) -> set[str]:
    """The name keys whose words are all among `words` (key words): "back pain" in "pain in my lower back"."""
    by_word = derived(searcher, "names_by_word", _names_by_word)
    return {key for word in words for key in by_word.get(word, ()) if words.issuperset(key.split())}


def _names_by_word(searcher: Searcher) -> dict[str, list[str]]:
    """Every title and alias key of the index, filed under its rarest word.

    A name inside a query holds all its words, so looking it up by any one of them
    finds it; the rarest keeps the lists short ("syndrome" is in thousands of names).
    """
    keys = {term.decode("utf-8").removeprefix(TITLE_KEY_MARK) for term in searcher.reader().lexicon("name_key")}
    names_with_word = Counter(word for key in keys for word in set(key.split()))
    by_word: dict[str, list[str]] = {}
    for key in sorted(keys):
        rarest = min(key.split(), key=lambda word: (names_with_word[word], word))
        by_word.setdefault(rarest, []).append(key)
    return by_word
