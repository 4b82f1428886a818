"""The library's A–Z: every article filed under the first letter of its title.

Read once per index state (a pass over the stored titles), so a page of the A–Z
costs a dictionary lookup.
"""

from __future__ import annotations

import string
import unicodedata
from dataclasses import dataclass

from whoosh.searching import Searcher

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
