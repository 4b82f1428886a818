"""The article model every input shape is parsed into, and the section kinds it knows.

Articles are plain frozen data: the parsers produce them, the index builder and
the web app consume them, and nothing here knows about HTML or Whoosh.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field

# The canonical section vocabulary, in the order an article usually tells it.
# The first thirteen are the general health-library kinds; inheritance..stages
# carry the genetic and research sections of NIH articles (MedQuAD qtypes).
SECTION_KINDS: tuple[str, ...] = (
    "overview",
    "types",
    "symptoms",
    "causes",
    "risk_factors",
    "diagnosis",
    "treatment",
    "complications",
    "prevention",
    "outlook",
    "when_to_see_doctor",
    "specialist",
    "living_with",
    "inheritance",
    "genetics",
    "frequency",
    "research",
    "stages",
    "other",
)

SECTION_LABELS: dict[str, str] = {
    "overview": "Overview",
    "types": "Types",
    "symptoms": "Symptoms",
    "causes": "Causes",
    "risk_factors": "Risk factors",
    "diagnosis": "Diagnosis",
    "treatment": "Treatment",
    "complications": "Complications",
    "prevention": "Prevention",
    "outlook": "Outlook",
    "when_to_see_doctor": "When to see a doctor",
    "specialist": "Specialist",
    "living_with": "Living with it",
    "inheritance": "Inheritance",
    "genetics": "Genetic changes",
    "frequency": "How common",
    "research": "Research",
    "stages": "Stages",
    "other": "Other",
}


@dataclass(frozen=True)
class Section:
    """One titled part of an article; `heading` keeps the author's own words."""

    kind: str
    heading: str
    anchor: str
    text: str
    qtype: str = ""  # the source's own section name (MedQuAD qtype), when it has one
    items: tuple[str, ...] = ()  # list items, in order, for entity extraction


@dataclass(frozen=True)
class Entities:
    """Named things an article lists: searched as their own fields."""

    types: tuple[str, ...] = ()
    treatments: tuple[str, ...] = ()
    specialists: tuple[str, ...] = ()


@dataclass(frozen=True)
class Article:
    """One health article about one condition, as every input shape ends up."""

    id: str
    title: str
    sections: tuple[Section, ...]
    url: str = ""
    source: str = ""
    path: str = ""
    aliases: tuple[str, ...] = ()
    entities: Entities = field(default_factory=Entities)
    reviewed: str = ""  # ISO date, when the page says when it was reviewed or updated
    warnings: tuple[str, ...] = ()

    @property
    def content_hash(self) -> str:
        """A digest of what is searchable, so unchanged articles are never re-indexed."""
        payload = json.dumps(self.to_dict(with_hash=False), sort_keys=True)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    def section_kinds(self) -> list[str]:
        return list(dict.fromkeys(s.kind for s in self.sections))

    def to_dict(self, with_hash: bool = True) -> dict:
        """The JSON shape `healthsearch parse --json` prints and the index stores."""
        data = {
            "id": self.id,
            "title": self.title,
            "url": self.url,
            "source": self.source,
            "path": self.path,
            "aliases": list(self.aliases),
            "reviewed": self.reviewed,
            "sections": [_section_dict(s) for s in self.sections],
            "entities": {k: list(v) for k, v in asdict(self.entities).items()},
            "warnings": list(self.warnings),
        }
        if with_hash:
            data["content_hash"] = self.content_hash
        return data


def _section_dict(section: Section) -> dict:
    data = {
        "kind": section.kind,
        "heading": section.heading,
        "anchor": section.anchor,
        "text": section.text,
    }
    if section.qtype:
        data["qtype"] = section.qtype
    if section.items:
        data["items"] = list(section.items)
    return data


class ParseError(ValueError):
    """An input file that cannot become an article; the message says why."""
