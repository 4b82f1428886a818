"""Small text helpers shared by the parsers: whitespace, anchors, sentences, boilerplate."""

from __future__ import annotations

import re
import unicodedata

from bs4 import Tag

_SPACE = re.compile(r"\s+")
# A sentence ends at . ! ? (or a colon before a glued capital, as flattened pages do).
_SENTENCE_END = re.compile(r"(?<=[.!?:])\s+(?=[\"“(A-Z0-9])|(?<=[a-z)][.:!?])(?=[A-Z][a-z])")

DISCLAIMER_MARKERS = (
    "for educational purposes only",
    "for general education only",
    "for informational purposes only",
    "not a substitute for professional medical advice",
    "does not replace advice from",
    "not intended to replace",
    "does not establish a doctor",
)


def squash(text: str) -> str:
    """Collapse runs of whitespace (including non-breaking spaces) to one space."""
    return _SPACE.sub(" ", text.replace("\u00a0", " ")).strip()


def block_text(tag: Tag) -> str:
    """The visible text of an element, without the spaces get_text puts before punctuation."""
    return re.sub(r"\s+([,.;:!?)])", r"\1", squash(tag.get_text(" ")))


def slugify(text: str, fallback: str = "section") -> str:
    """A URL fragment for a heading.

    >>> slugify("When to see a Doctor?")
    'when-to-see-a-doctor'
    """
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:60].rstrip("-") or fallback


class Anchors:
    """Hands out an article's section anchors: `anchor`, or `anchor-2`, `anchor-3`... so each is its own.

    Each anchor remembers the next number to try, so a page of 20,000 headings
    named alike costs 20,000 steps, not the 200 million of counting up from 2
    every time.

    >>> anchors = Anchors()
    >>> [anchors.claim(a) for a in ("faq", "faq", "faq-2", "faq")]
    ['faq', 'faq-2', 'faq-2-2', 'faq-3']
    """

    def __init__(self) -> None:
        self._taken: set[str] = set()
        self._next: dict[str, int] = {}  # numbers below it are all taken

    def claim(self, anchor: str) -> str:
        n = self._next.get(anchor, 1)
        candidate = anchor if n == 1 else f"{anchor}-{n}"
        while candidate in self._taken:
            n += 1
            candidate = f"{anchor}-{n}"
        self._next[anchor] = n + 1
        self._taken.add(candidate)
        return candidate


def sentences(text: str) -> list[str]:
    """Split running text into sentences, also where a scraper glued them together."""
    return [s.strip() for s in _SENTENCE_END.split(text) if s.strip()]


def is_disclaimer(text: str) -> bool:
    """Site-wide legal text that must never become searchable content."""
    lowered = text.lower()
    if lowered.startswith("disclaimer"):
        return True
    return len(lowered) < 1200 and any(marker in lowered for marker in DISCLAIMER_MARKERS)


def strip_disclaimer(text: str) -> str:
    """Cut a trailing disclaimer off running text (flattened pages end with one)."""
    match = re.search(r"\bDisclaimer\s*:", text)
    if match:
        text = text[: match.start()]
    kept = [s for s in sentences(text) if not is_disclaimer(s)]
    return " ".join(kept).strip() if len(kept) != len(sentences(text)) else text.strip()


_DATE = (
    r"(\d{4}-\d{2}-\d{2}|\d{1,2}\s+[A-Z][a-z]+\.?\s+\d{4}|[A-Z][a-z]+\.?\s+\d{1,2},?\s+\d{4}|"
    r"[A-Z][a-z]+\s+\d{4}|\d{1,2}/\d{1,2}/\d{4})"
)
# A review date beats an update date; "Reviewed by Dr X, MD on July 19, 2022" names the reviewer first.
_DATE_LABELS = (
    re.compile(r"\b(?:last\s+)?(?:medically\s+)?reviewed(?:\s+by\s+[^\n]{1,100}?)?(?:\s+on)?\s*:?\s*" + _DATE, re.I),
    re.compile(r"\b(?:last\s+)?(?:updated|modified)(?:\s+on)?\s*:?\s*" + _DATE, re.IGNORECASE),
)


def find_review_date(text: str) -> str:
    """The ISO date of a "Last reviewed: ..." line (or, failing one, a "Last updated" line), or ''.

    >>> find_review_date("Page last reviewed: March 4, 2015 Page last updated: October 26, 2016")
    '2015-03-04'
    >>> find_review_date("Medically reviewed by Jane Roe, MD on July 19, 2022")
    '2022-07-19'
    """
    for label in _DATE_LABELS:
        for match in label.finditer(text):
            if iso_date(match.group(1)):
                return iso_date(match.group(1))
    return ""


def iso_date(text: str) -> str:
    """'14 September 2026', 'September 14, 2026', '2026-09-14' -> '2026-09-14'; else ''."""
    from datetime import datetime

    text = squash(text.replace(",", " "))
    text = text.replace(".", "")
    for fmt in ("%Y-%m-%d", "%d %B %Y", "%B %d %Y", "%d %b %Y", "%b %d %Y", "%B %Y", "%b %Y", "%m/%d/%Y"):
        try:
            return datetime.strptime(text[:40], fmt).date().isoformat()
        except ValueError:
            continue
    match = re.match(r"(\d{4}-\d{2}-\d{2})", text)
    return match.group(1) if match else ""
