"""Lay and clinical names that find each other: a table staff can edit.

The table (``data/synonyms.tsv``) has one group of equivalent terms per line,
tab separated, the preferred clinical name first.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

DEFAULT_TABLE = Path(__file__).parent / "data" / "synonyms.tsv"


class Synonyms:
    """Groups of equivalent terms, found in query text by longest match."""

    def __init__(self, groups: list[tuple[str, ...]]) -> None:
        self.groups = groups
        self._group_of = {term: group for group in groups for term in group}
        terms = sorted(self._group_of, key=len, reverse=True)
        self._pattern = re.compile(r"\b(" + "|".join(map(re.escape, terms)) + r")\b") if terms else None

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
        if self._pattern is None:
            return []
        found = (self._group_of[m.group(1)] for m in self._pattern.finditer(text.lower()))
        return list(dict.fromkeys(found))


@cache
def load_synonyms(path: str = str(DEFAULT_TABLE)) -> Synonyms:
    """The table at `path`, read once per process."""
    file = Path(path)
    return Synonyms.from_file(file) if file.exists() else Synonyms([])
