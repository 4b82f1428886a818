"""A parsed query read against the index's names, before it is searched.

Stages: two words that a name writes as one become that word ("bed wetting" is
Bedwetting); intent words that are part of a name the query holds stop asking for
a section ("hereditary" in "hereditary angioedema treatment"); in a description,
function words written in lower case are noted as plain words, never a name ("all"
in "seems down all the time" is not ALL, acute lymphocytic leukemia; "his" in "his
throat starts to swell" is not His bundle tachycardia); the words that belong to a
name the query holds are noted, so ranking can tell a name from a description
("chest gets tight when i walk uphill" holds no name: "i" is not "type I").  All
but the plain words need the index, which parsing does not have.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bm25s.stopwords import STOPWORDS_EN_PLUS
from whoosh.searching import Searcher

from engine.names import names_in
from engine.query import ParsedQuery, with_intent
from engine.spelling import is_name_word
from indexer.schema import name_key

MIN_COMPOUND_PART = 3  # "hemoglobin e" is not "hemoglobine"
# A query of more than this many topic words may describe a condition rather than name it.
NAMING_WORDS = 3
FUNCTION_WORDS = frozenset(STOPWORDS_EN_PLUS)  # NLTK's 179 English stop words, as bm25s ships them


def understood(searcher: Searcher, parsed: ParsedQuery) -> ParsedQuery:
    """The parsed query read against the index's names: compounds joined, named intent dropped, name words noted."""
    parsed = without_named_intent(searcher, with_compounds(searcher, parsed))
    parsed = replace(parsed, plain_words=plain_words(parsed))
    return replace(parsed, name_words=held_name_words(searcher, parsed))


def plain_words(parsed: ParsedQuery) -> frozenset[str]:
    """A description's function words, unless written in capitals ("ALL", "ME" may name a condition)."""
    if len(parsed.topic) <= NAMING_WORDS:
        return frozenset()
    capitals = {word.lower() for word in re.findall(r"\w+", parsed.text) if len(word) > 1 and word.isupper()}
    return frozenset(word for word in parsed.words if word in FUNCTION_WORDS and word not in capitals)


def plain_keys(parsed: ParsedQuery) -> set[str]:
    """The plain words as name keys: a name made only of them is no name here."""
    return {name_key(word) for word in parsed.plain_words} - {""}


def held_name_words(searcher: Searcher, parsed: ParsedQuery) -> frozenset[str]:
    """The name-key words of every title or alias the query holds whole (one-letter names and plain words aside)."""
    present = set(name_key(" ".join([*parsed.words, *parsed.phrases])).split())
    plain = plain_keys(parsed)
    names = [
        key
        for key in names_in(searcher, present)
        if any(len(word) > 1 for word in key.split()) and not set(key.split()) <= plain
    ]
    return frozenset(word for key in names for word in key.split())


def with_compounds(searcher: Searcher, parsed: ParsedQuery) -> ParsedQuery:
    """Two words that a name writes as one become that one: "bed wetting" is Bedwetting.

    The two words stay an alternative, as a phrase: an article may write them apart.
    """
    words = list(parsed.words)
    joined: list[str] = []
    split: list[str] = []
    index = 0
    while index < len(words):
        pair = "".join(words[index : index + 2])
        parts_long = index + 1 < len(words) and min(len(words[index]), len(words[index + 1])) >= MIN_COMPOUND_PART
        if parts_long and pair.isalpha() and is_name_word(searcher, pair):
            joined.append(pair)
            split.append(" ".join(words[index : index + 2]))
            index += 2
        else:
            joined.append(words[index])
            index += 1
    if not split:
        return parsed
    return with_intent(replace(parsed, words=tuple(joined), split_forms=tuple(split)))


def without_named_intent(searcher: Searcher, parsed: ParsedQuery) -> ParsedQuery:
    """The query without the intent words that are part of a name it holds.

    "hereditary" in "hereditary paraganglioma-pheochromocytoma treatment" and "treatment"
    in "treatment methods for kidney failure" name an article; they ask for no section.
    A name made only of intent words ("Genetic Testing") does not count: in "huntington
    disease genetic testing" those words still ask.
    """
    if not parsed.intent.words:
        return parsed
    asking = {word for phrase in parsed.intent.words for word in name_key(phrase).split()}
    present = set(name_key(" ".join([*parsed.words, *parsed.phrases])).split())
    names = [words for key in names_in(searcher, present) if (words := set(key.split())) - asking]

    def is_named(phrase: str) -> bool:
        # The name must be as full a name of the condition as any the query holds without
        # the phrase: "cancer test" inside "penile cancer test" loses to "penile cancer",
        # so "test" still asks for the Diagnosis.
        words = set(name_key(phrase).split())
        if not words:
            return False
        holding = [len(name - asking) for name in names if words < name]
        others = [len(name - asking) for name in names if not words <= name]
        return bool(holding) and max(holding) >= max(others, default=0)

    if not any(is_named(phrase) for phrase in parsed.intent.words):
        return parsed
    return with_intent(parsed, is_named)
