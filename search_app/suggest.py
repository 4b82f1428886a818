"""Suggestions as a visitor types: names, aliases and article sections, from memory.

Stages: read every article's title, aliases and section kinds from an index
generation (``load_names``); arrange them as ranked entries with a word index, a
sorted list for phrase prefixes and a one-typo index (``Suggester``), once per
generation, kept in it by the build (``suggester_for``); answer each keystroke from
those structures without touching Whoosh (``Suggester.suggest``).  A search-box
keystroke must cost well under 5 ms, which a query on the index cannot promise,
hence memory.

Ranking is by match quality first — the whole name typed, the name starting
with what was typed, every word found at a word start anywhere, then the same
with one typo — and then by how often visitors opened the article, which the
app reads from its query log once a minute when it keeps one.  Popularity is not
part of the suggester: it is a small table applied at query time (``Popularity``:
the most opened articles' entries indexed apart in their own order), so a new
reading of the log never rebuilds the suggester.
"""

from __future__ import annotations

import heapq
import json
import re
import threading
import time
import unicodedata
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate
from pathlib import Path
from typing import NamedTuple

from flask import Flask, current_app

from engine import persisted
from engine.synonyms import Synonyms, load_synonyms
from indexer.article import SECTION_LABELS
from indexer.mapped import open_mapped
from indexer.store import IndexMissing, IndexStore

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


class TypoIndex:
    """Word prefixes by their one-letter deletions, to find a typed prefix's one-typo neighbours.

    Two strings one edit apart share a deletion (or one is a deletion of the other),
    so looking up the typed prefix and its deletions finds every candidate at the
    cost of a few dictionary reads (the symmetric-delete method of SymSpell).
    """

    def __init__(self, vocabulary: Iterable[str]) -> None:
        prefixes = {w[:n] for w in vocabulary for n in range(TYPO_MIN_LETTERS - 1, len(w) + 1)}
        # key -> its prefixes separated by spaces: most keys have one, and a string costs
        # a third of a list of one (the index is most of the suggester's memory)
        self._by_key: dict[str, str] = {}
        for prefix in prefixes:
            for key in (prefix, *deletions(prefix)):
                known = self._by_key.get(key)
                self._by_key[key] = prefix if known is None else f"{known} {prefix}"

    def neighbours(self, typed: str) -> tuple[str, ...]:
        """The word prefixes one edit from `typed` (never `typed` itself)."""
        found = {p for key in (typed, *deletions(typed)) for p in self._by_key.get(key, "").split()}
        return tuple(sorted(p for p in found if one_edit(typed, p)))


class EntryIndex:
    """Entries in rank order (best first) with what finds them: their folded texts sorted, for
    phrase prefixes, and word postings (entry positions, ascending), for words anywhere."""

    def __init__(self, entries: Sequence[Entry]) -> None:
        self.entries = entries
        by_folded = sorted(range(len(entries)), key=lambda i: entries[i].folded)
        self._folded = [entries[i].folded for i in by_folded]
        self._folded_ids = by_folded
        postings: dict[str, list[int]] = {}
        for number, entry in enumerate(entries):
            for word in set(entry.words):
                postings.setdefault(word, []).append(number)
        self.vocabulary = sorted(postings)
        self._postings = [postings[w] for w in self.vocabulary]
        self._sizes = [0, *accumulate(len(p) for p in self._postings)]
        self._merged: dict[tuple[str, ...], list[int]] = {}

    def __getstate__(self) -> dict:
        return {**self.__dict__, "_merged": {}}  # a keystroke cache, not part of the generation

    def phrase_prefix(self, folded: str, limit: int) -> list[Ranked]:
        """Entries whose words start with the whole typed phrase: tier 0 if all of it, else 1."""
        low = bisect_left(self._folded, folded)
        exact = bisect_right(self._folded, folded, low)
        high = bisect_left(self._folded, folded + "\uffff", exact)
        matchers = tuple((t,) for t in folded.split())
        # the exact names always, however far down the popular longer names push them
        ranked = [(0, n, matchers) for n in self._folded_ids[low:exact]]
        return ranked + [(1, n, matchers) for n in heapq.nsmallest(limit * 4, self._folded_ids[exact:high])]

    def anywhere(self, matchers: list[tuple[str, ...]], tier: int, limit: int) -> list[Ranked]:
        """Entries where every typed word starts one of the entry's words, in any order."""
        spans = [self._span(m) for m in matchers]
        rarest = min(range(len(matchers)), key=lambda i: sum(self._sizes[hi] - self._sizes[lo] for lo, hi in spans[i]))
        others = [m for i, m in enumerate(matchers) if i != rarest]
        found = []
        for number in self._merged_postings(matchers[rarest], spans[rarest]):
            words = self.entries[number].words
            if all(any(w.startswith(m) for w in words) for m in others):
                found.append((tier, number, tuple(matchers)))
                if len(found) >= limit * 4:
                    break
        return found

    def _span(self, prefixes: tuple[str, ...]) -> list[tuple[int, int]]:
        """Ranges of the sorted vocabulary whose words start with one of `prefixes`."""
        return [
            (lo := bisect_left(self.vocabulary, p), bisect_left(self.vocabulary, p + "\uffff", lo)) for p in prefixes
        ]

    def _merged_postings(self, prefixes: tuple[str, ...], spans: list[tuple[int, int]]) -> list[int]:
        """Entry numbers holding a word with one of `prefixes`, best first; kept for the next keystroke."""
        merged = self._merged.get(prefixes)
        if merged is None:
            lists = [self._postings[i] for lo, hi in spans for i in range(lo, hi)]
            merged = lists[0] if len(lists) == 1 else sorted(set().union(*lists))
            if len(self._merged) > 256:
                self._merged.clear()
            self._merged[prefixes] = merged
        return merged


class Suggester:
    """The entries of one index generation, numbered best first without popularity, with the indexes that find them.

    Nothing in it changes while the generation serves, so the build makes it once and
    keeps it in the generation (``suggester_for``); how often articles are opened is
    applied per keystroke from a small separate table (``Popularity``).
    """

    def __init__(self, names: list[Name]) -> None:
        kind_rank = {TITLE: 0, ALIAS: 1} | {k: 2 + i for i, k in enumerate(SECTION_ORDER)}
        entries = entries_of(names)
        # an entry's number is its rank among equally good, equally popular matches:
        # names before sections, titles before aliases, short before long
        entries.sort(key=lambda e: (e.kind == SECTION, kind_rank[e.section_kind or e.kind], len(e.text), e.folded))
        self.entries = entries
        self.index = EntryIndex(entries)
        self.typos = TypoIndex(self.index.vocabulary)
        self.by_article: dict[str, list[int]] = {}
        for number, entry in enumerate(entries):
            self.by_article.setdefault(entry.article_id, []).append(number)

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
        picked = _pick(self.entries, ranked, limit, popularity.counts)
        return [Suggestion(self.entries[n], _marks(self.entries[n].text, m)) for n, m in picked]

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
        return sum(self.entries[n].kind != SECTION for n, _m in _pick(self.entries, ranked, limit, popularity.counts))

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
        known = suggester.by_article if suggester else {}
        opened = ((n, a) for a, n in (counts or {}).items() if n > 0 and a in known)
        self.counts = {a: n for n, a in heapq.nlargest(POPULAR_ARTICLES, opened)}
        numbers = [n for article in self.counts for n in known[article]]
        entries = suggester.entries if suggester else []
        # names before sections, as in the static numbering; the most opened first within each
        self.order = sorted(numbers, key=lambda n: (entries[n].kind == SECTION, -self.counts[entries[n].article_id], n))
        self.index = EntryIndex([entries[n] for n in self.order])


NO_POPULARITY = Popularity(None, None)


def _pick(entries: list[Entry], ranked: list[Ranked], limit: int, counts: Mapping[str, int]) -> list[tuple[int, tuple]]:
    """The best `limit` distinct entries: names first, then at most two sections of any one article.

    A visitor typing "acn" wants conditions to choose from; sections of one article
    come after every name and never take more than SECTIONS_PER_ARTICLE places.
    Within a tier, the more opened article comes first, then the static order.
    """
    ranked.sort(key=lambda r: (entries[r[1]].kind == SECTION, r[0], -counts.get(entries[r[1]].article_id, 0), r[1]))
    chosen: list[tuple[int, tuple]] = []
    seen: set[str] = set()
    sections: Counter[str] = Counter()
    for _tier, number, matchers in ranked:
        entry = entries[number]
        # one suggestion per shown text and per destination: an alias adds nothing once its title is there
        keys = (entry.text.casefold(), f"{entry.article_id}#{entry.anchor}")
        if seen.intersection(keys) or (entry.kind == SECTION and sections[entry.article_id] >= SECTIONS_PER_ARTICLE):
            continue
        seen.update(keys)
        sections[entry.article_id] += entry.kind == SECTION
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
    """The generation's suggester: kept in it by the build (search_app.prepare), else built once and kept.

    Its names depend on the synonym table too, so the table's digest names what is kept.
    """
    synonyms = load_synonyms() if synonyms is None else synonyms
    name = f"suggester-{synonyms.digest}"
    kept = persisted.load(generation, name)
    if isinstance(kept, Suggester):
        return kept
    built = Suggester(load_names(generation, synonyms))
    persisted.save(generation, name, built)
    return built


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
