"""The library's A–Z: every article filed under the first letter of its title.

Read once per index state (a pass over the stored titles), so a page of the A–Z
costs a dictionary lookup.
"""

from __future__ import annotations

import string
import unicodedata
from dataclasses import dataclass

from whoosh.searching import Searcher

from indexer.documents import TITLE_KEY_MARK
from indexer.schema import name_key
from search_app.executor import derived

OTHER = "0-9"  # titles that start with a digit or a sign ("2009 H1N1 Flu")
LETTERS: tuple[str, ...] = (*string.ascii_lowercase, OTHER)


@dataclass(frozen=True)
class Entry:
    id: str
    title: str
    source: str


def a_to_z(searcher: Searcher) -> dict[str, list[Entry]]:
    """Letter -> the articles filed under it, in alphabetical order."""
    return derived(searcher, "a_to_z", _read)


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


def _read(searcher: Searcher) -> dict[str, list[Entry]]:
    by_letter: dict[str, list[Entry]] = {letter: [] for letter in LETTERS}
    reader = searcher.reader()
    for docnum in reader.all_doc_ids():
        fields = reader.stored_fields(docnum)
        by_letter[letter_of(fields["title"])].append(Entry(fields["id"], fields["title"], fields["source"]))
    for entries in by_letter.values():
        entries.sort(key=lambda entry: (entry.title.casefold(), entry.source))
    return by_letter
