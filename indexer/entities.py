"""Types, treatments and specialists named in an article, as short lists.

Stages: list items of the Types and Treatment sections, enumerations in their
running text ("These include ice pick, boxcar, and rolling scars"), lists a
scraper glued together ("...XL Pro)Microneedling Dermal fillers"), and a
vocabulary of specialist job titles searched across the whole article.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache

from indexer.article import Entities, Section
from indexer.text import sentences, squash

SPECIALISTS: tuple[str, ...] = (
    "allergist",
    "anesthesiologist",
    "audiologist",
    "cardiologist",
    "dentist",
    "dermatologist",
    "dietitian",
    "endocrinologist",
    "ent specialist",
    "gastroenterologist",
    "general practitioner",
    "geneticist",
    "genetic counselor",
    "geriatrician",
    "gynecologist",
    "hematologist",
    "hepatologist",
    "immunologist",
    "infectious disease specialist",
    "nephrologist",
    "neurologist",
    "neurosurgeon",
    "obstetrician",
    "occupational therapist",
    "oncologist",
    "ophthalmologist",
    "optometrist",
    "orthopedic surgeon",
    "orthopedist",
    "otolaryngologist",
    "pediatrician",
    "physiotherapist",
    "physical therapist",
    "podiatrist",
    "primary care doctor",
    "psychiatrist",
    "psychologist",
    "pulmonologist",
    "radiologist",
    "rheumatologist",
    "sleep specialist",
    "speech therapist",
    "surgeon",
    "urologist",
)
_SINGLE_SPECIALISTS = {s for s in SPECIALISTS if " " not in s}
_MULTI_SPECIALISTS = {s for s in SPECIALISTS if " " in s}
# Specialist job titles end in one of these; matching the endings first keeps the
# scan linear instead of trying forty alternatives at every position.
_SPECIALIST_WORD = re.compile(r"\b(?:(\w+) )?(?:(\w+) )?(\w+(?:ist|eon|ian|ner|lor|tor|ent))s?\b")
_ENUMERATION = re.compile(
    r"\b(?:include|includes|including|such as|options are|types are|are called)\b"
    r"[ \t]*(:?)[ \t]*([^\n]+?)(?:\.(?=\s|$|[A-Z])|;|\n|$)",
    re.IGNORECASE,
)
# Types are enumerated by a sentence about the types themselves: "These include
# ice pick, boxcar, and rolling scars", not "caused by conditions such as a stroke".
_TYPE_ENUMERATION = re.compile(
    r"\b(?:these|types|forms|kinds|main ones)\b[^.:]{0,40}?\b(?:include|includes|are)\b"
    r"[ \t]*(:?)[ \t]*([^\n]+?)(?:\.(?=\s|$|[A-Z])|;|\n|$)",
    re.IGNORECASE,
)
_PARENTHESISED = re.compile(r"([^()]*)\(([^()]*)\)")
# First words that start a clause or a pronoun, never a name.
_NOT_NAMES = {
    "these",
    "they",
    "it",
    "this",
    "some",
    "most",
    "both",
    "each",
    "many",
    "other",
    "there",
    "the",
    "which",
    "that",
    "who",
    "where",
    "when",
    "while",
    "although",
    "because",
    "but",
    "so",
    "as",
    "if",
}
MAX_ITEM_WORDS = 6


def extract_entities(sections: Iterable[Section], title: str) -> Entities:
    """The named types, treatments and specialists of an article."""
    sections = list(sections)
    head = _head_noun(title)
    type_sections = [s for s in sections if s.kind == "types"]
    # Enumerations leave the head noun on their last item only ("boxcar, and rolling scars").
    enumerated = [_strip_head(t, head) for t in _enumerated(type_sections, _TYPE_ENUMERATION)]
    types = _listed(type_sections) + enumerated + _type_lead_names(type_sections, head)
    treatment_sections = [s for s in sections if s.kind == "treatment"]
    return Entities(
        types=_dedupe(types, key=lambda t: _strip_head(t, head)),
        treatments=_dedupe(_listed(treatment_sections) + _enumerated(treatment_sections, _ENUMERATION)),
        specialists=find_specialists(sections),
    )


def find_specialists(sections: list[Section]) -> tuple[str, ...]:
    """Specialists by first mention, the Specialist section's first."""
    order = {"specialist": 0, "when_to_see_doctor": 1, "diagnosis": 2}
    ranked = sorted(sections, key=lambda s: order.get(s.kind, 3))
    return _dedupe(name for s in ranked for name in _specialists_in(s.text.lower()))


def _specialists_in(text: str) -> Iterator[str]:
    for match in _SPECIALIST_WORD.finditer(text):
        words = [w for w in match.groups() if w]
        for name in (" ".join(words[i:]) for i in range(len(words))):
            if name in _MULTI_SPECIALISTS or name in _SINGLE_SPECIALISTS:
                yield name
                break


def _listed(sections: list[Section]) -> list[str]:
    return [_sentence_case(n) for s in sections for n in map(item_name, s.items) if n]


def _enumerated(sections: list[Section], pattern: re.Pattern[str]) -> list[str]:
    return [
        name
        for section in sections
        for match in pattern.finditer(section.text)
        for name in split_enumeration(match.group(2), glued=bool(match.group(1)))
    ]


def item_name(item: str) -> str:
    """The name a list item starts with: "Boxcar scars: wide, sharp-edged pits" -> "Boxcar scars"."""
    name = re.split(r"\s*(?::|\s[-–—]\s|\.\s)", squash(item), maxsplit=1)[0].strip(" .,;")
    return name if 0 < len(name.split()) <= MAX_ITEM_WORDS else ""


def split_enumeration(text: str, glued: bool = False) -> list[str]:
    """Items of an enumeration; `glued` lists lost their separators to a scraper.

    >>> split_enumeration("ice pick, boxcar, and rolling scars")
    ['ice pick', 'boxcar', 'rolling scars']
    >>> split_enumeration("Lasers (Clear + Brilliant)Microneedling Dermal fillers", glued=True)
    ['lasers', 'Clear + Brilliant', 'microneedling', 'dermal fillers']
    """
    items: list[str] = []
    rest = text
    for match in _PARENTHESISED.finditer(text):
        items += _split_plain(match.group(1), glued)
        items += [p.strip() for p in match.group(2).split(",")]
        rest = text[match.end() :]
    if rest is not text or not items:
        items += _split_plain(rest, glued)
    return [i for i in (_clean_item(i) for i in items) if i]


def _split_plain(text: str, glued: bool) -> list[str]:
    parts = re.split(r",\s*(?:and|or)\s+|,\s*|\s+(?:and|or)\s+", text)
    if glued and len(parts) == 1:
        parts = re.split(r"\s+(?=[A-Z])", text)
    return parts


_CLAUSE_TAIL = re.compile(
    r"\s+(?:is|are|was|were|can|may|might|will|help|helps|ease|eases|work|works|reduce|reduces|relieve|"
    r"relieves|often|usually|should|must|which|that)\b.*$",
    re.IGNORECASE,
)


def _clean_item(item: str) -> str:
    item = re.sub(r"^(?:a|an|the)\s+", "", squash(item).strip(" .,;:•"), flags=re.IGNORECASE)
    item = _CLAUSE_TAIL.sub("", item)
    words = item.split()
    if not words or len(words) > MAX_ITEM_WORDS or words[0].lower() in _NOT_NAMES:
        return ""
    return _sentence_case(item)


def _sentence_case(item: str) -> str:
    """ "Laser treatments" -> "laser treatments", but "Clear + Brilliant" and "PRP" stay."""
    words = item.split()
    first = words[0]
    rest_is_lower = all(not w[:1].isupper() for w in words[1:])
    if rest_is_lower and first[:1].isupper() and first[1:].islower():
        return first[0].lower() + item[1:]
    return item


def _type_lead_names(sections: list[Section], head: str) -> list[str]:
    """Sentences that define a type: "Hypertrophic scars are raised scars..." -> "Hypertrophic"."""
    if not head or not sections:
        return []
    pattern = _type_lead_pattern(head)
    names = []
    for section in sections:
        for sentence in sentences(section.text):
            match = pattern.match(sentence)
            if match and match.group(1).split()[0].lower() not in _NOT_NAMES:
                names.append(_sentence_case(match.group(1)))
    return names


@lru_cache(maxsize=4096)
def _type_lead_pattern(head: str) -> re.Pattern[str]:
    """Compiled once per head noun: a build meets thousands, more than the `re` module's own cache keeps."""
    return re.compile(rf"^([A-Z][\w-]*(?: [\w-]+){{0,2}}?) {head}s? (?:are|is)\b", re.IGNORECASE)


def _head_noun(title: str) -> str:
    """The last word of the title, singular: "Acne Scars" -> "scar"."""
    words = re.findall(r"[a-z]+", title.lower())
    return words[-1].removesuffix("s") if words else ""


def _strip_head(name: str, head: str) -> str:
    """ "rolling scars" -> "rolling" for the "Acne Scars" article; "Hypertrophic" stays."""
    if head and len(name.split()) > 1:
        name = _head_tail(head).sub("", name)
    return name


@lru_cache(maxsize=4096)
def _head_tail(head: str) -> re.Pattern[str]:
    return re.compile(rf"\s+{head}s?$", re.IGNORECASE)


def _dedupe(items: Iterable[str], key: Callable[[str], str] = str) -> tuple[str, ...]:
    """Items in first-seen order, without repeats (case-insensitive, by `key`)."""
    seen: dict[str, str] = {}
    for item in items:
        if item and key(item).lower() not in seen:
            seen[key(item).lower()] = item
    return tuple(seen.values())
