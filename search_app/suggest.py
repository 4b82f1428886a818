"""Suggestions as a visitor types: names, aliases and article sections, from memory.

Stages: read every article's title, aliases and section kinds from an index
generation (``load_names``); arrange them as ranked entries with a word index, a
sorted list for phrase prefixes and a one-typo index, all of it numpy arrays
(``suggester_table``), once per generation, kept in it by the build and
memory-mapped by every worker (``suggester_for``), so the workers of a machine
share those pages and a new one starts at once; answer each keystroke from those
arrays without touching Whoosh (``Suggester.suggest``), making an ``Entry`` only
for the few suggestions shown.  A search-box keystroke must cost well under 5 ms,
which a query on the index cannot promise, hence memory.

Ranking is by match quality first — the whole name typed, the name starting
with what was typed, every word found at a word start anywhere, then the same
with one typo — and then by how often visitors opened the article, which the
app reads from its query log once a minute when it keeps one.  Popularity is not
part of the suggester: it is a small table applied at query time (``Popularity``:
the most opened articles' entries indexed apart in their own order), so a new
reading of the log never rebuilds the suggester.
"""

from __future__ import annotations

import json
import re
import threading
import time
import unicodedata
import zlib
from bisect import bisect_left
from collections import Counter
from collections.abc import Callable, Container, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import NamedTuple

import numpy as np
from flask import Flask, current_app

from engine import persisted
from engine.synonyms import Synonyms, load_synonyms
from indexer.article import SECTION_LABELS
from indexer.mapped import open_mapped
from indexer.store import IndexMissing, IndexStore
from search_app.columns import (
    Sorted,
    Strings,
    Table,
    Vocabulary,
    pack_lists,
    pack_strings,
    part,
    prefixed,
    ranges,
    smallest,
)

MIN_CHARS = 2  # shorter prefixes match too much to help
TYPO_MIN_LETTERS = 5  # one typo is tolerated in words this long, as Elasticsearch's AUTO fuzziness does
MAX_SUGGESTIONS = 8
SECTIONS_PER_ARTICLE = 2  # one rare article's sections must not crowd out other conditions
POPULARITY_TTL = 60.0  # seconds a popularity table from the query log is trusted
POPULAR_ARTICLES = 1000  # the most opened articles ranked by how often; the rest as never opened

# Sections worth jumping to, in the order a visitor most often wants them; the
# overview is the article itself, so the title suggestion already lands there.
SECTION_ORDER: tuple[str, ...] = (
    "treatment",
    "symptoms",
    "causes",
    "diagnosis",
    "when_to_see_doctor",
    "prevention",
    "outlook",
    "risk_factors",
    "complications",
    "types",
    "specialist",
    "living_with",
    "inheritance",
    "genetics",
    "frequency",
    "stages",
    "research",
)
# Words people type for a section that its label does not contain.
SECTION_WORDS: dict[str, tuple[str, ...]] = {
    "treatment": ("treat", "treatments", "therapy", "cure", "medicine", "remedies"),
    "symptoms": ("signs", "symptom"),
    "causes": ("cause", "why"),
    "diagnosis": ("diagnose", "tests"),
    "when_to_see_doctor": ("emergency", "urgent"),
    "prevention": ("prevent", "avoid"),
    "outlook": ("prognosis", "life", "expectancy"),
    "risk_factors": ("risk",),
    "inheritance": ("inherited", "hereditary"),
    "genetics": ("genes", "gene", "genetic"),
    "frequency": ("common", "prevalence"),
}

TITLE, ALIAS, SECTION = "title", "alias", "section"
KINDS = (TITLE, ALIAS, SECTION)  # an entry's kind is kept as its place here
SECTION_KIND = KINDS.index(SECTION)
MERGED_NUMBERS = 1 << 22  # entry numbers of merged postings a process keeps for the next keystrokes (16 MB)
_APOSTROPHES = re.compile(r"['’]")
_WORD = re.compile(r"[^\W_]+")
_DISPLAY_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*")


def fold(text: str) -> str:
    """Lower case, accents off, apostrophes out: how names and prefixes are compared.

    >>> fold("Sjögren's Syndrome")
    'sjogrens syndrome'
    """
    lowered = _APOSTROPHES.sub("", text.lower())
    if lowered.isascii():  # nearly every name: skip the decomposition
        return lowered
    return "".join(c for c in unicodedata.normalize("NFKD", lowered) if not unicodedata.combining(c))


@lru_cache(maxsize=65536)
def words_of(text: str) -> tuple[str, ...]:
    """The folded words of a name or a query.

    >>> words_of("Bardet-Biedl syndrome 10")
    ('bardet', 'biedl', 'syndrome', '10')
    """
    return tuple(_WORD.findall(fold(text)))


@dataclass(frozen=True, slots=True)
class Name:
    """A title or alias as read from the index, with the sections of its article."""

    article_id: str
    title: str
    alias: str  # "" for the title itself
    sections: tuple[tuple[str, str, str], ...]  # (kind, label, anchor), in SECTION_ORDER


class Entry(NamedTuple):
    """One thing that can be suggested (a tuple: a generation's 60,000 of them unpickle in a tenth of the time)."""

    text: str  # as shown: "Acne Scars", "Pink eye → Conjunctivitis", "Acne Scars — Treatment"
    folded: str  # the words, folded, joined by spaces: what phrase prefixes are matched against
    words: tuple[str, ...]  # folded words a query word may start, section synonyms included
    kind: str  # TITLE, ALIAS or SECTION
    article_id: str
    name: str  # the title or alias the entry is for
    label: str = ""  # the section's label
    anchor: str = ""  # the section's anchor
    section_kind: str = ""


Ranked = tuple[int, int, tuple[tuple[str, ...], ...]]  # (tier, entry number, the typed words' matchers)


@dataclass(frozen=True, slots=True)
class Suggestion:
    entry: Entry
    marks: tuple[tuple[int, int], ...]  # [start, end) character ranges of `entry.text` that matched

    def to_json(self) -> dict:
        e = self.entry
        return {
            "text": e.text,
            "kind": e.kind,
            "id": e.article_id,
            "name": e.name,
            "section": e.label or None,
            "anchor": e.anchor or None,
            "marks": [list(m) for m in self.marks],
        }


def load_names(generation: Path, synonyms: Synonyms | None = None) -> list[Name]:
    """Titles and aliases of every article of one index generation, with their sections.

    A title the synonym table knows brings its other names too: typing "lockj"
    offers "Lockjaw → Tetanus", as searching "lockjaw" finds Tetanus.
    """
    synonyms = load_synonyms() if synonyms is None else synonyms
    names: list[Name] = []
    for own in articles_names(generation):
        names.extend(own + _synonym_names(own, synonyms))
    return names


def articles_names(generation: Path) -> list[list[Name]]:
    """Each article's own names, read from the index once per generation and kept in it (engine.persisted)."""
    kept = persisted.load(generation, "suggest_names")
    if kept is not persisted.MISSING:
        return kept
    with open_mapped(generation).reader() as reader:
        read = [_names_of(json.loads(fields["article"])) for fields in reader.all_stored_fields()]
    persisted.save(generation, "suggest_names", read)
    return read


def _synonym_names(own: list[Name], synonyms: Synonyms) -> list[Name]:
    title = own[0]
    known = {words_of(name.alias or name.title) for name in own}
    extra = []
    for term in synonyms.group_of(title.title):
        if words_of(term) not in known:
            known.add(words_of(term))
            extra.append(Name(title.article_id, title.title, term[:1].upper() + term[1:], title.sections))
    return extra


def _names_of(article: dict) -> list[Name]:
    sections = _sections_of(article["sections"])
    title_key = words_of(article["title"])
    aliases = [a for a in dict.fromkeys(article.get("aliases", ())) if words_of(a) not in ((), title_key)]
    return [Name(article["id"], article["title"], alias, sections) for alias in ["", *aliases]]


def _sections_of(sections: list[dict]) -> tuple[tuple[str, str, str], ...]:
    """One section per kind worth jumping to, labelled by kind so MedQuAD's question headings read well."""
    first: dict[str, tuple[str, str, str]] = {}
    for section in sections:
        kind = section["kind"]
        if kind in SECTION_ORDER and kind not in first:
            first[kind] = (kind, SECTION_LABELS[kind], section["anchor"])
    return tuple(first[kind] for kind in SECTION_ORDER if kind in first)


def entries_of(names: Iterable[Name]) -> list[Entry]:
    """Every suggestible entry: each name, and each name with each of its sections."""
    names = list(names)
    titles = {words_of(name.title) for name in names}
    entries: list[Entry] = []
    for name in names:
        if name.alias and words_of(name.alias) in titles:
            continue  # another article has it as its title, which is suggested already
        shown = f"{name.alias} → {name.title}" if name.alias else name.title
        own = name.alias or name.title
        own_words = words_of(own)
        kind = ALIAS if name.alias else TITLE
        entries.append(Entry(shown, " ".join(own_words), own_words, kind, name.article_id, own))
        for section_kind, label, anchor in name.sections:
            label_words = words_of(label)
            extra = tuple(w for w in SECTION_WORDS.get(section_kind, ()) if w not in label_words)
            entries.append(
                Entry(
                    f"{shown} — {label}",
                    " ".join(own_words + label_words),
                    own_words + label_words + extra,
                    SECTION,
                    name.article_id,
                    own,
                    label,
                    anchor,
                    section_kind,
                )
            )
    return entries


def one_edit(a: str, b: str) -> bool:
    """True when `a` and `b` differ by one insertion, deletion, substitution or swap of neighbours.

    >>> [one_edit("astma", "asthm"), one_edit("diabtes", "diabetes"), one_edit("acne", "acen")]
    [False, True, True]
    """
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return True
        i, j = diffs[0], diffs[-1]
        return len(diffs) == 2 and j == i + 1 and a[i] == b[j] and a[j] == b[i]
    short, long = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long[i]:
        i += 1
    return short[i:] == long[i + 1 :]


def deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


# --- the structures a keystroke searches ---


def _typo_key(text: str) -> int:
    """A string as a number the typo index sorts on (two strings may share one: every candidate is checked)."""
    return zlib.crc32(text.encode())


class TypoIndex:
    """Word prefixes by their one-letter deletions, to find a typed prefix's one-typo neighbours.

    Two strings one edit apart share a deletion (or one is a deletion of the other),
    so looking up the typed prefix and its deletions finds every candidate at the
    cost of a few binary searches (the symmetric-delete method of SymSpell).  Each key
    is kept as its CRC-32 beside the prefix it stands for, sorted by it; a
    prefix is a word of the vocabulary and a length.
    """

    def __init__(self, table: Table, vocabulary: Vocabulary) -> None:
        self._keys = table["keys"]
        self._prefixes = table["prefixes"]
        self._words = memoryview(table["prefix_words"])
        self._lengths = memoryview(table["prefix_lengths"])
        self._vocabulary = vocabulary

    @staticmethod
    def table(vocabulary: Sequence[str]) -> Table:
        """The arrays for a sorted vocabulary."""
        prefixes = sorted({w[:n] for w in vocabulary for n in range(TYPO_MIN_LETTERS - 1, len(w) + 1)})
        pairs = [(_typo_key(key), number) for number, p in enumerate(prefixes) for key in (p, *deletions(p))]
        keys = np.array([key for key, _n in pairs], dtype=np.uint32)
        order = np.argsort(keys, kind="stable")
        return {
            "keys": keys[order],
            "prefixes": np.array([n for _key, n in pairs], dtype=np.int32)[order],
            "prefix_words": np.array([bisect_left(vocabulary, p) for p in prefixes], dtype=np.int32),
            "prefix_lengths": np.array([len(p) for p in prefixes], dtype=np.int32),
        }

    def neighbours(self, typed: str) -> tuple[str, ...]:
        """The word prefixes one edit from `typed` (never `typed` itself)."""
        keys = np.array([_typo_key(key) for key in (typed, *deletions(typed))], dtype=np.uint32)
        lows = np.searchsorted(self._keys, keys, "left").tolist()
        highs = np.searchsorted(self._keys, keys, "right").tolist()
        numbers = {n for low, high in zip(lows, highs, strict=True) for n in self._prefixes[low:high].tolist()}
        found = {self._vocabulary[self._words[n]][: self._lengths[n]] for n in numbers}
        return tuple(sorted(p for p in found if one_edit(typed, p)))


class EntryIndex:
    """Entries in rank order (best first) with what finds them: their folded texts sorted, for
    phrase prefixes, and word postings (entry numbers, ascending), for words anywhere.

    All of it is arrays: the folded texts and the sorted vocabulary as packed strings,
    the postings and each entry's words as compressed sparse rows of numbers.  A word
    prefix is a range of the sorted vocabulary, so whether an entry has a word with a
    typed prefix is a comparison of word numbers.
    """

    def __init__(self, table: Table) -> None:
        self.folded = Strings(table, "folded")
        self._order = table["folded_order"]
        self._sorted = Sorted(self.folded, self._order, table["folded_heads"])
        self.vocabulary = Vocabulary(table["vocabulary"])
        self._postings = table["postings"]
        self._posting_starts = memoryview(table["postings_offsets"])
        self._words = table["words"]
        self._word_starts = table["words_offsets"]
        self._merged: dict[tuple[str, ...], np.ndarray] = {}
        self._merged_size = 0

    @staticmethod
    def table(folded: Sequence[str], words: Sequence[Sequence[str]]) -> Table:
        """The arrays for entries' folded texts and words, in entry order."""
        vocabulary = sorted({w for own in words for w in own})
        number = {w: n for n, w in enumerate(vocabulary)}
        postings: list[list[int]] = [[] for _ in vocabulary]
        for entry, own in enumerate(words):
            for w in set(own):
                postings[number[w]].append(entry)
        order = sorted(range(len(folded)), key=folded.__getitem__)
        return {
            **pack_strings("folded", folded),
            "folded_order": np.array(order, dtype=np.int32),
            "folded_heads": Sorted.heads(folded, order),
            "vocabulary": Vocabulary.pack(vocabulary),
            **pack_lists("postings", postings),
            **pack_lists("words", [[number[w] for w in own] for own in words]),
        }

    def words_of(self, number: int) -> tuple[str, ...]:
        start, end = self._word_starts[number : number + 2].tolist()
        return self.vocabulary.decoded(self._words[start:end])

    def phrase_prefix(self, folded: str, limit: int) -> list[Ranked]:
        """Entries whose words start with the whole typed phrase: tier 0 if all of it, else 1."""
        low = self._sorted.position(folded)
        exact = self._sorted.position(folded, after_equals=True)
        high = self._sorted.position(folded + "\uffff")
        matchers = tuple((t,) for t in folded.split())
        # the exact names always, however far down the popular longer names push them
        ranked = [(0, n, matchers) for n in self._order[low:exact].tolist()]
        return ranked + [(1, n, matchers) for n in smallest(self._order[exact:high], limit * 4)]

    def anywhere(self, matchers: list[tuple[str, ...]], tier: int, limit: int) -> list[Ranked]:
        """Entries where every typed word starts one of the entry's words, in any order."""
        spans = [self.vocabulary.spans(m) for m in matchers]
        sizes = [sum(self._posting_starts[hi] - self._posting_starts[lo] for lo, hi in s) for s in spans]
        rarest = sizes.index(min(sizes))
        others = [s for i, s in enumerate(spans) if i != rarest]
        found = self._having(self._merged_postings(matchers[rarest], spans[rarest]), others, limit * 4)
        return [(tier, number, tuple(matchers)) for number in found]

    def _merged_postings(self, prefixes: tuple[str, ...], spans: list[tuple[int, int]]) -> np.ndarray:
        """Entry numbers holding a word with one of `prefixes`, best first; kept for the next keystroke."""
        merged = self._merged.get(prefixes)
        if merged is None:
            starts = self._posting_starts
            lists = [self._postings[starts[lo] : starts[hi]] for lo, hi in spans]
            one_word = len(spans) == 1 and spans[0][1] - spans[0][0] <= 1
            merged = lists[0] if one_word else np.unique(np.concatenate(lists))
            if len(self._merged) > 256 or self._merged_size > MERGED_NUMBERS:
                self._merged.clear()
                self._merged_size = 0
            self._merged[prefixes] = merged
            self._merged_size += len(merged)
        return merged

    def _having(self, candidates: np.ndarray, others: list[list[tuple[int, int]]], count: int) -> list[int]:
        """The first `count` candidates with a word in each of `others`' spans, read a growing batch at a time."""
        if not others:
            return candidates[:count].tolist()
        found: list[int] = []
        start, batch = 0, 64
        while start < len(candidates) and len(found) < count:
            part = candidates[start : start + batch]
            found += part[self._match(part, others)].tolist()
            start, batch = start + batch, batch * 4
        return found[:count]

    def _match(self, numbers: np.ndarray, others: list[list[tuple[int, int]]]) -> np.ndarray:
        """Which of these entries have, for each of `others`, a word in one of its vocabulary ranges."""
        # every entry found has a word (the postings found it), so no range is empty
        slots, firsts = ranges(self._word_starts[numbers], self._word_starts[numbers + 1])
        words = self._words[slots]
        matched = np.ones(len(numbers), dtype=bool)
        for spans in others:
            hit = np.zeros(len(words), dtype=bool)
            for lo, hi in spans:
                hit |= (words >= lo) & (words < hi)
            matched &= np.logical_or.reduceat(hit, firsts)
        return matched


class Entries(Sequence[Entry]):
    """The suggester's entries by number, each made when asked for: a keystroke shows a handful of them."""

    def __init__(self, table: Table, index: EntryIndex) -> None:
        self.texts = Strings(table, "text")
        self.kinds = memoryview(table["kind"])  # numbers in KINDS
        self.articles = memoryview(table["article"])  # numbers in article_ids
        self.article_ids = Strings(table, "article_ids")
        self._names = Strings(table, "names")
        self._name = memoryview(table["name"])
        self._section = memoryview(table["section"])  # numbers in the section columns, 0 for none
        self._section_kinds, self._labels = Strings(table, "section_kinds"), Strings(table, "labels")
        self._anchors = Strings(table, "anchors")
        # one suggestion per shown text and per destination: entries with the same of either share its number
        self.shown, self.destinations = memoryview(table["shown"]), memoryview(table["destination"])
        self._index = index

    def __len__(self) -> int:
        return len(self.kinds)

    def __getitem__(self, number: int) -> Entry:  # type: ignore[override]
        section = self._section[number]
        return Entry(
            self.texts[number],
            self._index.folded[number],
            self._index.words_of(number),
            KINDS[self.kinds[number]],
            self.article_ids[self.articles[number]],
            self._names[self._name[number]],
            self._labels[section],
            self._anchors[section],
            self._section_kinds[section],
        )


def entries_table(entries: Sequence[Entry]) -> Table:
    """The columns of ranked entries; articles, names and sections repeat, so each entry keeps their numbers."""
    articles = {a: n for n, a in enumerate(sorted({e.article_id for e in entries}))}
    names = {name: n for n, name in enumerate(dict.fromkeys(e.name for e in entries))}
    sections = {s: n for n, s in enumerate(dict.fromkeys([("", "", ""), *map(_section_of, entries)]))}
    by_article: list[list[int]] = [[] for _ in articles]
    for n, e in enumerate(entries):
        by_article[articles[e.article_id]].append(n)
    shown = _numbered(e.text.casefold() for e in entries)
    destinations = _numbered((e.article_id, e.anchor) for e in entries)
    return {
        **pack_strings("text", [e.text for e in entries]),
        "kind": np.array([KINDS.index(e.kind) for e in entries], dtype=np.int8),
        "article": np.array([articles[e.article_id] for e in entries], dtype=np.int32),
        **pack_strings("article_ids", list(articles)),
        **pack_lists("by_article", by_article),
        "name": np.array([names[e.name] for e in entries], dtype=np.int32),
        **pack_strings("names", list(names)),
        "section": np.array([sections[_section_of(e)] for e in entries], dtype=np.int32),
        **pack_strings("section_kinds", [kind for kind, _label, _anchor in sections]),
        **pack_strings("labels", [label for _kind, label, _anchor in sections]),
        **pack_strings("anchors", [anchor for _kind, _label, anchor in sections]),
        "shown": np.array(shown, dtype=np.int32),
        "destination": np.array(destinations, dtype=np.int32),
    }


def _numbered(keys: Iterable[Hashable]) -> list[int]:
    """Each key's number, equal keys sharing the number of the first."""
    numbers: dict[Hashable, int] = {}
    return [numbers.setdefault(key, len(numbers)) for key in keys]


def _section_of(entry: Entry) -> tuple[str, str, str]:
    return entry.section_kind, entry.label, entry.anchor


class ByArticle(Mapping[str, list[int]]):
    """Article id -> the numbers of its entries, ascending: ids sorted for bisect, numbers as sparse rows."""

    def __init__(self, table: Table, article_ids: Strings) -> None:
        self._ids = article_ids
        self._entries = table["by_article"]
        self._starts = memoryview(table["by_article_offsets"])

    def number(self, article_id: str) -> int | None:
        """The article's number in this suggester, None for an article it lacks."""
        found = bisect_left(self._ids, article_id)
        return found if found < len(self._ids) and self._ids[found] == article_id else None

    def __getitem__(self, article_id: str) -> list[int]:
        found = self.number(article_id)
        if found is None:
            raise KeyError(article_id)
        return self._entries[self._starts[found] : self._starts[found + 1]].tolist()

    def __contains__(self, article_id: object) -> bool:
        return isinstance(article_id, str) and self.number(article_id) is not None

    def __iter__(self) -> Iterator[str]:
        return iter(self._ids)

    def __len__(self) -> int:
        return len(self._ids)


def suggester_table(names: Iterable[Name]) -> Table:
    """Every array of a suggester for these names: what a generation keeps and every worker maps."""
    kind_rank = {TITLE: 0, ALIAS: 1} | {k: 2 + i for i, k in enumerate(SECTION_ORDER)}
    entries = entries_of(names)
    # an entry's number is its rank among equally good, equally popular matches:
    # names before sections, titles before aliases, short before long
    entries.sort(key=lambda e: (e.kind == SECTION, kind_rank[e.section_kind or e.kind], len(e.text), e.folded))
    return _ranked_table(entries)


def _ranked_table(entries: Sequence[Entry]) -> Table:
    index = EntryIndex.table([e.folded for e in entries], [e.words for e in entries])
    vocabulary = [word.decode() for word in index["vocabulary"].tolist()]
    return {**entries_table(entries), **prefixed("index_", index), **prefixed("typo_", TypoIndex.table(vocabulary))}


class Suggester:
    """The entries of one index generation, numbered best first without popularity, with the indexes that find them.

    Nothing in it changes while the generation serves, so the build makes it once and
    keeps its arrays in the generation (``suggester_for``), which every worker maps
    (``Suggester.mapped``): the workers of a machine share those pages.  How often
    articles are opened is applied per keystroke from a small separate table (``Popularity``).
    """

    def __init__(self, names: Iterable[Name]) -> None:
        self._open(suggester_table(names))

    @classmethod
    def mapped(cls, table: Table) -> Suggester:
        """A suggester over arrays made by `suggester_table` (kept in a generation, memory-mapped)."""
        suggester = cls.__new__(cls)
        suggester._open(table)
        return suggester

    def _open(self, table: Table) -> None:
        self.table = table
        plain = {key: array.view(np.ndarray) for key, array in table.items()}  # the same memory, faster to slice
        self.index = EntryIndex(part(plain, "index_"))
        self.typos = TypoIndex(part(plain, "typo_"), self.index.vocabulary)
        self.entries = Entries(plain, self.index)
        self.by_article = ByArticle(plain, self.entries.article_ids)

    def suggest(
        self, query: str, limit: int = MAX_SUGGESTIONS, popularity: Popularity | None = None
    ) -> list[Suggestion]:
        """Up to `limit` suggestions for what has been typed so far, best first."""
        tokens = words_of(query)
        if sum(map(len, tokens)) < MIN_CHARS:
            return []
        popularity = popularity if popularity is not None and popularity.suggester is self else NO_POPULARITY
        ranked = self._search(popularity, lambda index: index.phrase_prefix(" ".join(tokens), limit))
        # a weaker tier is only searched while the stronger ones leave places for names open
        if self._names(ranked, limit, popularity) < limit:
            ranked += self._search(popularity, lambda index: index.anywhere([(t,) for t in tokens], 2, limit))
        if self._names(ranked, limit, popularity) < limit:
            ranked += self._search(popularity, lambda index: self._with_typo(index, tokens, limit))
        picked = _pick(self.entries, ranked, limit, popularity)
        return [Suggestion(self.entries[n], _marks(self.entries.texts[n], m)) for n, m in picked]

    def _search(self, popularity: Popularity, tier: Callable[[EntryIndex], list[Ranked]]) -> list[Ranked]:
        """One tier over every entry, and over the popular articles' entries in their popularity order.

        Every index cuts a tier short at a few times `limit`, best first in its own order;
        the popular ones searched apart cannot be cut off by a static order that ignores them.
        """
        found = tier(self.index)
        if popularity.order:
            found += [(t, popularity.order[n], m) for t, n, m in tier(popularity.index)]
        return found

    def _names(self, ranked: list[Ranked], limit: int, popularity: Popularity) -> int:
        kinds = self.entries.kinds
        return sum(kinds[n] != SECTION_KIND for n, _m in _pick(self.entries, ranked, limit, popularity))

    def _with_typo(self, index: EntryIndex, tokens: tuple[str, ...], limit: int) -> list[Ranked]:
        """The same search with one long word read as its one-typo neighbours."""
        found: list[Ranked] = []
        for i, token in enumerate(tokens):
            if len(token) < TYPO_MIN_LETTERS:
                continue
            neighbours = self.typos.neighbours(token)
            if neighbours:
                matchers = [(t,) for t in tokens]
                matchers[i] = neighbours
                found += index.anywhere(matchers, 3, limit)
        return found


class Popularity:
    """How often each article was opened, applied to one suggester at query time.

    Ranking by popularity is an order on entries that the suggester's static numbering
    does not know, so the entries of the POPULAR_ARTICLES most opened articles get an
    index of their own in popularity order (most opened first, then the static order),
    searched beside the suggester's.  Making it costs in proportion to those articles'
    entries, not to the generation's: refreshing popularity never rebuilds the suggester.
    Articles beyond the most opened count as never opened.
    """

    def __init__(self, suggester: Suggester | None, counts: Mapping[str, int] | None) -> None:
        self.suggester = suggester
        self.counts = _most_opened(suggester.by_article if suggester is not None else {}, counts or {})
        self.by_number: dict[int, int] = {}  # article number -> opens
        self.order: list[int] = []
        if suggester is not None:
            self.by_number = {suggester.by_article.number(a): n for a, n in self.counts.items()}
            self.order = self._ordered(suggester)
        self.index = EntryIndex(self._table(suggester))

    def _ordered(self, suggester: Suggester) -> list[int]:
        """The popular articles' entries: names before sections, as in the static numbering; most opened first."""
        kinds, articles = suggester.entries.kinds, suggester.entries.articles
        numbers = [n for article in self.counts for n in suggester.by_article[article]]
        return sorted(numbers, key=lambda n: (kinds[n] == SECTION_KIND, -self.by_number[articles[n]], n))

    def _table(self, suggester: Suggester | None) -> Table:
        """The popular entries' folded texts and words, in popularity order (no whole Entry made for them)."""
        if suggester is None:
            return EntryIndex.table([], [])
        index = suggester.index
        return EntryIndex.table([index.folded[n] for n in self.order], [index.words_of(n) for n in self.order])


def _most_opened(known: Container[str], counts: Mapping[str, int]) -> dict[str, int]:
    """The POPULAR_ARTICLES most opened articles of the suggester, most opened first."""
    kept: dict[str, int] = {}
    for n, article in sorted(((n, a) for a, n in counts.items() if n > 0), reverse=True):
        if len(kept) == POPULAR_ARTICLES:
            break
        if article in known:
            kept[article] = n
    return kept


NO_POPULARITY = Popularity(None, None)


def _pick(entries: Entries, ranked: list[Ranked], limit: int, popularity: Popularity) -> list[tuple[int, tuple]]:
    """The best `limit` distinct entries: names first, then at most two sections of any one article.

    A visitor typing "acn" wants conditions to choose from; sections of one article
    come after every name and never take more than SECTIONS_PER_ARTICLE places.
    Within a tier, the more opened article comes first, then the static order.
    """
    kinds, articles, opened = entries.kinds, entries.articles, popularity.by_number
    ranked.sort(key=lambda r: (kinds[r[1]] == SECTION_KIND, r[0], -opened.get(articles[r[1]], 0), r[1]))
    chosen: list[tuple[int, tuple]] = []
    shown: set[int] = set()
    destinations: set[int] = set()
    sections: Counter[int] = Counter()
    for _tier, number, matchers in ranked:
        is_section, article = kinds[number] == SECTION_KIND, articles[number]
        # one suggestion per shown text and per destination: an alias adds nothing once its title is there
        text, destination = entries.shown[number], entries.destinations[number]
        if text in shown or destination in destinations:
            continue
        if is_section and sections[article] >= SECTIONS_PER_ARTICLE:
            continue
        shown.add(text)
        destinations.add(destination)
        sections[article] += is_section
        chosen.append((number, matchers))
        if len(chosen) == limit:
            break
    return chosen


def _marks(text: str, matchers: tuple[tuple[str, ...], ...]) -> tuple[tuple[int, int], ...]:
    """The start of each shown word that a typed word (or its typo neighbour) begins.

    >>> _marks("Pink eye → Conjunctivitis", (("pink",), ("conj",)))
    ((0, 4), (11, 15))
    """
    marks = []
    prefixes = [p for m in matchers for p in m]
    for match in _DISPLAY_WORD.finditer(text):
        word = fold(match.group(0))
        hits = [p for p in prefixes if word.startswith(p)]
        if hits:
            marks.append((match.start(), match.start() + _chars_for(match.group(0), len(max(hits, key=len)))))
    return tuple(marks)


def _chars_for(word: str, folded_length: int) -> int:
    """How many characters of `word` fold to the first `folded_length` folded ones."""
    for end in range(1, len(word) + 1):
        if len(fold(word[:end])) >= folded_length:
            return end
    return len(word)


def suggester_for(generation: Path, synonyms: Synonyms | None = None) -> Suggester:
    """The generation's suggester, mapped from the arrays kept in it by the build (search_app.prepare), else
    built once and kept.  Its names depend on the synonym table too, so the table's digest names what is kept.
    """
    synonyms = load_synonyms() if synonyms is None else synonyms
    name = f"suggester-{synonyms.digest}"
    kept = _whole(persisted.load(generation, name))
    if kept is None:
        built = suggester_table(load_names(generation, synonyms))
        persisted.save(generation, name, built)
        # this process shares the pages too, unless it may not write (or a damaged table stays in the way)
        kept = _whole(persisted.load(generation, name)) or built
    return Suggester.mapped(kept)


def _whole(kept: object) -> Table | None:
    """A kept table with every array a suggester reads; None for none kept, or one missing a file."""
    if isinstance(kept, dict) and kept.keys() >= _table_keys():
        return kept
    return None


@cache
def _table_keys() -> frozenset[str]:
    return frozenset(_ranked_table([]))


class SuggesterCache:
    """The live generation's suggester, and the popularity table applied to it, re-read every POPULARITY_TTL.

    A new popularity table makes a new Popularity (the most opened articles' entries
    indexed apart); the suggester itself only changes with the generation.
    """

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._lock = threading.Lock()
        self._clock = clock
        self._generation: Path | None = None
        self._suggester: Suggester | None = None
        self._counts: Mapping[str, int] | None = None
        self._counts_at = float("-inf")
        self._popularity = NO_POPULARITY

    def get(
        self, store: IndexStore, popular: Callable[[], Mapping[str, int] | None]
    ) -> tuple[Suggester, Popularity] | None:
        """The suggester for the live generation and its popularity; None when no index has been built."""
        generation = store.current_dir()
        if generation is None:
            return None
        with self._lock:
            if generation != self._generation or self._suggester is None:
                self._suggester, self._generation = suggester_for(generation), generation
                self._popularity = Popularity(self._suggester, self._counts)
            if self._clock() - self._counts_at >= POPULARITY_TTL:
                fresh, self._counts_at = popular(), self._clock()
                if fresh != self._counts:
                    self._counts, self._popularity = fresh, Popularity(self._suggester, fresh)
            return self._suggester, self._popularity


def init_app(app: Flask) -> None:
    app.extensions["suggest"] = SuggesterCache()


def current_suggestions(text: str, limit: int) -> list[Suggestion]:
    """Suggestions from the app's suggester for the live index, ranked with the query log's popularity if kept."""
    found = current_app.extensions["suggest"].get(IndexStore(current_app.config["INDEX_DIR"]), _popularity)
    if found is None:
        raise IndexMissing("no index yet")
    suggester, popularity = found
    return suggester.suggest(text, limit, popularity)


def _popularity() -> Mapping[str, int] | None:
    """Opens per article over the last 90 days; None when the app keeps no query log or it fails."""
    log = current_app.extensions.get("querylog")
    if log is None:
        return None
    try:
        return dict(log.popular_articles(days=90))
    except Exception:  # suggestions without popularity beat no suggestions
        current_app.logger.exception("query log: popular articles unavailable")
        return None
