"""User text -> a parsed query: words, phrases, exclusions, filters and intent.

Stages: split the user's syntax ("quoted phrases", -exclusions, section:kind
filters), bound its parts (budget.py: phrases past the first few become plain
words, words past the first MAX_TERMS distinct ones are dropped), recognise the
intent words, find lay and clinical synonyms.  Every string parses: unbalanced
quotes, lone operators and unknown filters become plain words; only over-long
input and too many exclusions are refused, with a QueryError.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace

from engine.budget import MAX_EXCLUSIONS, MAX_PHRASE_WORDS, MAX_PHRASES, MAX_TERMS
from engine.intent import Intent, detect_intent, topic_words
from engine.redflags import is_emergency
from engine.synonyms import Synonyms
from indexer.article import SECTION_KINDS

MAX_QUERY_CHARS = 1000
FILTER_FIELDS = {"section": "kinds", "kind": "kinds", "specialist": "specialist_tags", "source": "source"}
_TOKEN = re.compile(r'(-?)"([^"]*)"|(-?)([\w.&\'+-]+):("[^"]*"|\S+)|(-?)(\S+)')


class QueryError(ValueError):
    """A query that cannot be searched; the message is safe to show the visitor."""


@dataclass(frozen=True)
class ParsedQuery:
    text: str
    words: tuple[str, ...]  # plain words, in order, intent words included
    phrases: tuple[str, ...] = ()
    excluded: tuple[str, ...] = ()
    filters: tuple[tuple[str, str], ...] = ()  # (index field, value)
    intent: Intent = field(default_factory=lambda: Intent((), "", ()))
    synonyms: tuple[tuple[str, ...], ...] = ()  # groups of equivalent terms the query names
    emergency: bool = False  # the query describes an emergency: urgent notice, "when to see a doctor" first
    correct: bool = True  # match unknown words through their spelling corrections
    split_forms: tuple[str, ...] = ()  # "bed wetting" where the words became "bedwetting": still matched
    name_words: frozenset[str] = frozenset()  # name-key words of the names it holds (understand.py)
    plain_words: frozenset[str] = frozenset()  # a description's lower-case function words: never a name (understand.py)

    @property
    def topic(self) -> list[str]:
        """The words that name what the query is about (no intent or question words)."""
        return topic_words(self.intent.topic)

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.phrases)


def parse_query(text: str, synonyms: Synonyms | None = None, correct: bool = True) -> ParsedQuery:
    """Parse what a visitor typed; QueryError for input over MAX_QUERY_CHARS or over MAX_EXCLUSIONS exclusions."""
    if len(text) > MAX_QUERY_CHARS:
        raise QueryError(f"The query is too long: at most {MAX_QUERY_CHARS} characters, please.")
    text = "".join(ch if ch.isprintable() else " " for ch in text)
    words: list[str] = []
    phrases: list[str] = []
    excluded: list[str] = []
    filters: list[tuple[str, str]] = []
    for match in _TOKEN.finditer(text):
        neg_phrase, phrase, neg_field, name, value, neg_word, word = match.groups()
        if phrase is not None:
            (excluded if neg_phrase else phrases).append(_clean(phrase))
        elif name is not None and name.lower() in FILTER_FIELDS and not neg_field:
            chosen = _filter(name.lower(), value.strip('"'))
            if chosen is not None:
                filters.append(chosen)
            else:  # "section:zzz" filters nothing; its value may still be a word worth searching
                words += _clean(value).split()
        elif word is not None and neg_word and _clean(word):
            excluded.append(_clean(word))
        else:
            words += _clean(match.group(0).replace(":", " ")).split()
    phrases, words = _bounded(phrases, words)
    excluded = list(dict.fromkeys(_first_words(e) for e in excluded if e))
    if len(excluded) > MAX_EXCLUSIONS:
        raise QueryError(f'Too many exclusions: at most {MAX_EXCLUSIONS} -words or -"phrases", please.')
    all_words = words + [w for p in phrases for w in p.split()]
    plain = " ".join(all_words)
    parsed = ParsedQuery(
        text=text.strip(),
        words=tuple(words),
        phrases=tuple(phrases),
        excluded=tuple(excluded),
        filters=tuple(dict.fromkeys(filters)),
        synonyms=tuple(synonyms.groups_in(plain)) if synonyms else (),
        emergency=is_emergency(text),
        correct=correct,
    )
    return with_intent(parsed)


def _bounded(phrases: list[str], words: list[str]) -> tuple[list[str], list[str]]:
    """The first MAX_PHRASES phrases (of at most MAX_PHRASE_WORDS words), the rest as plain words; MAX_TERMS words.

    Each phrase is matched position by position, the query's costliest step, so the
    ones past the cap still count, as words.  Words past the first MAX_TERMS distinct
    ones are dropped: a query's subject is in its first words.
    """
    phrases = list(dict.fromkeys(_first_words(p) for p in phrases if p))
    words = words + [w for p in phrases[MAX_PHRASES:] for w in p.split()]
    kept = set(list(dict.fromkeys(words))[:MAX_TERMS])
    return phrases[:MAX_PHRASES], [w for w in words if w in kept]


def _first_words(phrase: str) -> str:
    return " ".join(phrase.split()[:MAX_PHRASE_WORDS])


def with_intent(parsed: ParsedQuery, is_named: Callable[[str], bool] | None = None) -> ParsedQuery:
    """The query with its intent found; `is_named` as in detect_intent.

    An emergency asks for "when to see a doctor" first; a section filter for its own
    kind before that ("lupus section:treatment" shows each article's Treatment section).
    """
    plain = " ".join([*parsed.words, *(w for p in parsed.phrases for w in p.split())])
    intent = detect_intent(plain, is_named)
    if parsed.emergency:
        intent = _first(intent, ("when_to_see_doctor",))
    chosen_kinds = tuple(value for name, value in parsed.filters if name == "kinds" and value in SECTION_KINDS)
    if chosen_kinds:
        intent = _first(intent, chosen_kinds)
    return replace(parsed, intent=intent)


def _first(intent: Intent, kinds: tuple[str, ...]) -> Intent:
    """The intent with `kinds` asked for before any other."""
    return replace(intent, kinds=(*kinds, *(k for k in intent.kinds if k not in kinds)))


def without_filter(text: str, field_name: str, value: str) -> str:
    """The query text without its filters on (index field, value): an active filter's "remove" link."""
    kept: list[str] = []
    start = 0
    for match in _TOKEN.finditer(text):
        _neg_phrase, _phrase, neg_field, name, raw, _neg_word, _word = match.groups()
        if name is None or neg_field or name.lower() not in FILTER_FIELDS:
            continue
        if _filter(name.lower(), raw.strip('"')) == (field_name, value):
            kept.append(text[start : match.start()])
            start = match.end()
    kept.append(text[start:])
    return " ".join("".join(kept).split())


def _clean(text: str) -> str:
    """Words only: operators and stray punctuation are not searchable."""
    return " ".join(re.findall(r"[^\W_]+(?:['’.+-][^\W_]+)*", text.lower()))


def _filter(name: str, value: str) -> tuple[str, str] | None:
    """(index field, value) of a filter; None when it names nothing ("section:zzz" is searched as words)."""
    value = value.strip().lower()
    if not value:
        return None
    if FILTER_FIELDS[name] == "kinds":
        value = value.replace(" ", "_").replace("-", "_")
        if value not in SECTION_KINDS:
            asked = detect_intent(value.replace("_", " ")).kinds
            if not asked:
                return None
            value = asked[0]
    return FILTER_FIELDS[name], value
