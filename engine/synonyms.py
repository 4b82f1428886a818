"""Lay and clinical names that find each other: a table staff can edit, and the HPO's lay words.

The table (``data/synonyms.tsv``) has one group of equivalent terms per line,
tab separated, the preferred clinical name first. The Human Phenotype Ontology's
layperson synonyms (engine/lay_terms.py) can join it (LAY_TERMS, off: see
there why): an HPO group that shares a term with a group of the table adds its
other terms to that group; the rest stand as groups of their own. The table wins
where the two disagree.
"""

from __future__ import annotations

import hashlib
import re
from functools import cache, cached_property
from pathlib import Path

from engine.lay_terms import hpo_groups, hpo_version
from indexer.schema import name_key

DEFAULT_TABLE = Path(__file__).parent / "data" / "synonyms.tsv"
# The HPO's lay words, measured on every set (all-MiniLM fusion on, MedQuAD): lay-dev nDCG@10
# 0.661 -> 0.664 (symptom descriptions 0.393 -> 0.402), but liveqa-original 0.775 -> 0.769,
# liveqa-summary 0.853 -> 0.851, lay-dev section@1 0.506 -> 0.500: not kept on until they help.
LAY_TERMS = False


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
        self._longest = max((len(key.split()) for key in self._key_group), default=0)

    @cached_property
    def digest(self) -> str:
        """A short hash of the groups: what was derived with one table is not reused with another."""
        return hashlib.sha256(repr(self.groups).encode()).hexdigest()[:12]

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
        found += self._key_groups_in(name_key(text).split())
        return list(dict.fromkeys(found))

    def _key_groups_in(self, words: list[str]) -> list[tuple[str, ...]]:
        """Leftmost, longest terms first, never overlapping: a dictionary lookup per word run."""
        found, start = [], 0
        while start < len(words):
            for size in range(min(self._longest, len(words) - start), 0, -1):
                group = self._key_group.get(" ".join(words[start : start + size]))
                if group is not None:
                    found.append(group)
                    start += size
                    break
            else:
                start += 1
        return found

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
def load_synonyms(path: str = str(DEFAULT_TABLE), lay_terms: bool | None = None) -> Synonyms:
    """The table at `path`, joined with the HPO's lay words when `lay_terms` (default LAY_TERMS); once per process."""
    lay_terms = LAY_TERMS if lay_terms is None else lay_terms
    file = Path(path)
    table = Synonyms.from_file(file) if file.exists() else Synonyms([])
    return Synonyms(joined(table.groups, list(hpo_groups()))) if lay_terms else table


def lay_terms_source() -> str:
    """What the served synonyms take lay words from besides the table ("" when only the table)."""
    version = hpo_version() if LAY_TERMS else ""
    return f"Human Phenotype Ontology {version}" if version else ""


def joined(table: list[tuple[str, ...]], extra: list[tuple[str, ...]]) -> list[tuple[str, ...]]:
    """The table's groups, each grown by the extra groups that share a term with it, then the other extra groups.

    >>> joined([("dysphonia", "hoarseness")], [("hoarse voice", "hoarseness"), ("alopecia", "hair loss")])
    [('dysphonia', 'hoarseness', 'hoarse voice'), ('alopecia', 'hair loss')]
    """
    grown = [list(group) for group in table]
    owner = {name_key(term): grown[i] for i, group in enumerate(table) for term in group}
    rest = []
    for group in extra:
        home = next((owner[key] for key in map(name_key, group) if key in owner), None)
        if home is None:
            rest.append(group)
        else:
            home += [term for term in group if name_key(term) not in {name_key(t) for t in home}]
    return [tuple(group) for group in grown] + rest
