"""Names an article gives its condition in its opening sentences.

Stages: a sentence that starts with a name the article already uses (its title, or
an alias found before) is read on from that name for the other names it states —
"Bacterial vaginosis (BV) is", "Polycystic ovary syndrome (PCOS), also known as
polycystic ovarian syndrome, is", "UTIs are also called bladder infections",
"Hashimoto's disease, or Hashimoto's thyroiditis, is", "Another medical term for
fibroids is leiomyoma" — and, for a text with no title line, the subject of its
first sentence is its title ("Diabetes mellitus, commonly known as diabetes, is").
Only sentences that open with a known name count, so a name mentioned in passing
("the so-called aura") never becomes an alias.
"""

from __future__ import annotations

import re

from indexer.text import sentences, squash

_LABEL = (
    r"(?:(?:also|sometimes|commonly|often|previously|formerly|usually)\s+)?(?:called|known as|referred to as|named)"
)
_PHRASE_END = r"(?=\s*(?:[,.;:)]|\s+(?:but|and|which|that|is|are|was)\b|$))"
_AFTER_NAME = (
    re.compile(r"\s*\(\s*(?:" + _LABEL + r"\s+)?([^()]{1,40}?)\s*\)"),
    re.compile(r"\s*,\s*(?:or|" + _LABEL + r")\s+(.{1,60}?)\s*,"),
    re.compile(r"\s+(?:is|are)\s+(?:" + _LABEL + r")\s+(.{1,60}?)" + _PHRASE_END),
)
_OTHER_TERM = re.compile(
    r"^(?:another|other|a)\s+(?:\w+\s+)?(?:term|name)s?\s+for\s+(.{1,40}?)\s+(?:is|are|include)\s+(.{1,80}?)\.?$",
    re.IGNORECASE,
)
_SUBJECT = re.compile(r"^(.{2,100}?)\s+(?:is|are|refers to)\s+(?:a|an|the|one|any|also|usually|typically|\w+ly)\b")
_COMMON = re.compile(r",\s*(?:commonly|usually|more often)\s+(?:called|known as)\s+(.{1,40}?)\s*,")
MAX_NAME_WORDS = 6


def lead_aliases(text: str, title: str, known: tuple[str, ...] = ()) -> tuple[str, ...]:
    """Other names of the condition that the opening text states.

    >>> lead_aliases("Polycystic ovary syndrome (PCOS), also known as polycystic ovarian syndrome, is common.",
    ...              "Polycystic ovary syndrome")
    ('PCOS', 'polycystic ovarian syndrome')
    >>> lead_aliases("UTIs are common. UTIs are also called bladder infections.", "UTIs")
    ('bladder infections',)
    """
    names = [title, *known]
    found: list[str] = []
    for sentence in sentences(squash(text)):
        for alias in _names_in(sentence, names):
            if _key(alias) not in {_key(n) for n in names}:
                names.append(alias)
                found.append(alias)
    return tuple(found)


def _names_in(sentence: str, names: list[str]) -> list[str]:
    other = _OTHER_TERM.match(sentence)
    if other and _overlaps(other.group(1), names):
        return _split_names(other.group(2))
    for name in sorted(names, key=len, reverse=True):
        if sentence.lower().startswith(name.lower()) and not sentence[len(name) : len(name) + 1].isalnum():
            return _read_on(sentence[len(name) :])
    return []


def _read_on(tail: str) -> list[str]:
    """The names stated right after a known name, in the order they come."""
    found: list[str] = []
    progressed = True
    while progressed:
        progressed = False
        for pattern in _AFTER_NAME:
            match = pattern.match(tail)
            if match:
                found += _split_names(match.group(1))
                tail = tail[match.end() - (1 if match.group(0).endswith(",") else 0) :]
                progressed = True
                break
    return found


def _split_names(phrase: str) -> list[str]:
    parts = re.split(r",\s*(?:or\s+)?|\s+or\s+(?:just\s+|simply\s+)?", phrase)
    names = [_clean(p) for p in parts]
    return [n for n in names if n and len(n.split()) <= MAX_NAME_WORDS and not n[0].isdigit()]


def _clean(name: str) -> str:
    name = name.strip(" \"'“”‘’.,;:")
    name = re.sub(r"^(?:a|an|the|just|simply)\s+", "", name, flags=re.IGNORECASE)
    return name.strip(" \"'“”‘’.,;:")


def _overlaps(words: str, names: list[str]) -> bool:
    mine = set(re.findall(r"\w+", words.lower()))
    return any(mine & set(re.findall(r"\w+", n.lower())) for n in names)


def _key(name: str) -> str:
    return " ".join(re.findall(r"\w+", name.lower()))


def title_from_lead(text: str) -> tuple[str, tuple[str, ...]]:
    """A title and aliases from the first sentence of a text that has no title line.

    >>> title_from_lead("Diabetes mellitus, commonly known as diabetes, is a group of diseases.")
    ('Diabetes', ('Diabetes mellitus',))
    >>> title_from_lead("Coronavirus disease 2019 (COVID-19) is a contagious disease.")
    ('Coronavirus disease 2019 (COVID-19)', ('Coronavirus disease 2019', 'COVID-19'))
    """
    first = next(iter(sentences(squash(text))), "")
    subject = _SUBJECT.match(first)
    if not subject:
        return "", ()
    words = subject.group(1)
    common = _COMMON.search(words + ",")
    name = re.split(r"\s*[(,]", words, maxsplit=1)[0].strip()
    if not name or not name[0].isupper() or len(name.split()) > MAX_NAME_WORDS:
        return "", ()
    if common:
        common_name = _clean(common.group(1))
        return common_name[:1].upper() + common_name[1:], (name,)
    aside = re.match(r"^[^(]+\(([^()]{1,30})\)$", words)
    if aside:
        return words, (name, aside.group(1).strip())
    return name, ()
