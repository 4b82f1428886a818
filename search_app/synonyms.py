"""Lay and clinical names that find each other: a table staff can edit.

The table (``data/synonyms.tsv``) has one group of equivalent terms per line,
tab separated, the preferred clinical name first.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

from indexer.schema import name_key

DEFAULT_TABLE = Path(__file__).parent / "data" / "synonyms.tsv"


class Synonyms:
    """Groups of equivalent terms, found in query text by longest match.

    Terms and text are compared as name keys (no case, stop words or word endings), so
    "ringing in ears" finds the group of "ringing in the ears", "wear and tear
    arthritis" that of "wear-and-tear arthritis". Abbreviations (one word of up to
    four letters) are compared as written: stemmed, "eds" would be "ed".
    """

    def __init__(self, groups: list[tuple[str, ...]]) -> None:
        self.groups = groups
        self._abbreviation_group = {term: group for group in groups for term in group if is_abbreviation(term)}
        self._key_group = {
            key: group for group in groups for term in group if not is_abbreviation(term) and (key := name_key(term))
        }
        self._abbreviations = _alternatives(self._abbreviation_group)
        self._keys = _alternatives(self._key_group)

    @classmethod
    def from_file(cls, path: Path) -> Synonyms:
        groups = []
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip() and not line.startswith("#"):
                terms = tuple(dict.fromkeys(t.strip().lower() for t in line.split("\t") if t.strip()))
                if len(terms) > 1:
                    groups.append(terms)
        return cls(groups)

    def groups_in(self, text: str) -> list[tuple[str, ...]]:
        """The groups whose terms occur in `text` (lower case), each once, in order."""
        found: list[tuple[str, ...]] = []
        if self._abbreviations:
            found += [self._abbreviation_group[m.group(1)] for m in self._abbreviations.finditer(text.lower())]
        if self._keys:
            found += [self._key_group[m.group(1)] for m in self._keys.finditer(name_key(text))]
        return list(dict.fromkeys(found))

    def group_of(self, term: str) -> tuple[str, ...]:
        """The group `term` belongs to, compared as groups_in compares; () when none."""
        lowered = term.lower().strip()
        if is_abbreviation(lowered):
            return self._abbreviation_group.get(lowered, ())
        return self._key_group.get(name_key(lowered), ())


def is_abbreviation(term: str) -> bool:
    return " " not in term and len(term) <= 4


def _alternatives(terms: dict[str, tuple[str, ...]]) -> re.Pattern[str] | None:
    """One pattern for all the terms, longest first, matching whole words."""
    ordered = sorted(terms, key=len, reverse=True)
    return re.compile(r"\b(" + "|".join(map(re.escape, ordered)) + r")\b") if ordered else None


@cache
def load_synonyms(path: str = str(DEFAULT_TABLE)) -> Synonyms:
    """The table at `path`, read once per process."""
    file = Path(path)
    return Synonyms.from_file(file) if file.exists() else Synonyms([])
