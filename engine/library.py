"""The library's A–Z: every article filed under the first letter of its title.

Read once per index state (a pass over the stored titles), so a page of the A–Z
costs a dictionary lookup; the same pass gives the title order that browsing uses.
"""

from __future__ import annotations

import string
import unicodedata
from dataclasses import dataclass

import numpy as np
from whoosh.searching import Searcher

from engine.executor import derived
from indexer.documents import TITLE_KEY_MARK
from indexer.schema import name_key

OTHER = "0-9"  # titles that start with a digit or a sign ("2009 H1N1 Flu")
LETTERS: tuple[str, ...] = (*string.ascii_lowercase, OTHER)


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    source: str


@dataclass(frozen=True)
class Listing:
    """One name of the A–Z with every article of that name (any case), one per source."""

    title: str
    articles: tuple[Entry, ...]


def a_to_z(searcher: Searcher) -> dict[str, list[Listing]]:
    """Letter -> the names filed under it, in alphabetical order, each once."""
    return derived(searcher, "a_to_z", _by_letter)


def title_rank(searcher: Searcher) -> np.ndarray:
    """Each document's place in title order (ties in document order), for browsing without words."""
    return derived(searcher, "title_rank", _title_rank)


def entries(searcher: Searcher) -> list[Entry | None]:
    """Every article's id, title and source by document number (None for a deleted one): one pass."""
    return derived(searcher, "entries", _read)


def namesakes(searcher: Searcher, article_id: str, title: str) -> list[Entry]:
    """Other articles with the same title (MedQuAD has Canavan disease from three sites)."""
    term = TITLE_KEY_MARK + name_key(title)
    reader = searcher.reader()
    if not reader.doc_frequency("name_key", term):
        return []
    found = []
    for docnum in reader.postings("name_key", term).all_ids():
        fields = reader.stored_fields(docnum)
        if fields["id"] != article_id:
            found.append(Entry(fields["id"], fields["title"], fields["source"]))
    return sorted(found, key=lambda entry: (entry.source, entry.id))


def letter_of(title: str) -> str:
    """The A–Z letter a title is filed under, accents folded.

    >>> letter_of("Ébola"), letter_of("2009 H1N1 Flu"), letter_of("  acne")
    ('e', '0-9', 'a')
    """
    folded = unicodedata.normalize("NFKD", title.strip()).encode("ascii", "ignore").decode().lower()
    first = folded[:1]
    return first if first in string.ascii_lowercase else OTHER


def _read(searcher: Searcher) -> list[Entry | None]:
    reader = searcher.reader()
    found: list[Entry | None] = [None] * searcher.doc_count_all()
    for docnum in reader.all_doc_ids():
        fields = reader.stored_fields(docnum)
        found[docnum] = Entry(fields["id"], fields["title"], fields["source"])
    return found


def _by_letter(searcher: Searcher) -> dict[str, list[Listing]]:
    by_name: dict[str, list[Entry]] = {}
    for entry in filter(None, entries(searcher)):
        by_name.setdefault(" ".join(entry.title.casefold().split()), []).append(entry)
    by_letter: dict[str, list[Listing]] = {letter: [] for letter in LETTERS}
    for name in sorted(by_name):
        articles = sorted(by_name[name], key=lambda entry: (entry.source, entry.id))
        by_letter[letter_of(name)].append(Listing(_shown_title(articles), tuple(articles)))
    return by_letter


def _shown_title(articles: list[Entry]) -> str:
    """The spelling most articles use, capitalised ones first: "Acatalasemia", not "acatalasemia"."""
    spellings = [entry.title.strip() for entry in articles]
    return max(spellings, key=lambda title: (spellings.count(title), title[:1].isupper(), title))


def _title_rank(searcher: Searcher) -> np.ndarray:
    titles = [entry.title.casefold() if entry else "" for entry in entries(searcher)]
    rank = np.empty(len(titles))
    rank[np.argsort(titles, kind="stable")] = np.arange(len(titles))
    return rank
