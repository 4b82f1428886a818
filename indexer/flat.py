"""Flattened scraped text -> Article: headings run inline with the text.

Stages: find the known headings in the running text, take the title from the
text before the first one (a scraped page repeats it around its breadcrumbs),
cut the site disclaimer off the end, then build sections and entities.
"""

from __future__ import annotations

import re

from indexer.article import Article, ParseError, Section
from indexer.entities import extract_entities
from indexer.sections import FLAT_HEADINGS, kind_of_heading
from indexer.text import Anchors, find_review_date, slugify, squash, strip_disclaimer


def _heading_pattern() -> re.Pattern[str]:
    # First letter exactly as listed, the rest in any case; a heading is followed
    # by a capitalised word (the section's first sentence) or by the end.
    alternatives = sorted(FLAT_HEADINGS, key=len, reverse=True)
    parts = [re.escape(h[0]) + "(?i:" + re.escape(h[1:]) + ")" for h in alternatives]
    return re.compile(r"(?<![\w-])(" + "|".join(parts) + r")(?=\s+[\"“'(]?[A-Z0-9]|\s*$)")


_HEADING = _heading_pattern()


def parse_flat(text: str, article_id: str, fallback_title: str = "") -> Article:
    """An article from one flattened page; raises ParseError when nothing is left."""
    text = squash(text)
    if not text:
        raise ParseError("no text")
    warnings: list[str] = []
    reviewed = find_review_date(text)
    matches = list(_HEADING.finditer(text))
    if not matches:
        warnings.append("no section headings found: the whole text is one overview section")
    prefix = text[: matches[0].start()] if matches else ""
    title = title_from_prefix(prefix) or fallback_title
    if not title:
        raise ParseError("no title")
    if not title_from_prefix(prefix):
        warnings.append("no title in the text: using the file name")
    sections = _sections(text, matches, title)
    if not sections:
        raise ParseError("no section text")
    return Article(
        id=article_id,
        title=title,
        sections=sections,
        entities=extract_entities(sections, title),
        reviewed=reviewed,
        warnings=tuple(warnings),
    )


def title_from_prefix(prefix: str) -> str:
    """The title that a flattened page repeats around its breadcrumbs.

    >>> title_from_prefix("Acne Scars Home A-Z Health Library Acne Scars")
    'Acne Scars'
    """
    words = prefix.split()
    for size in range(len(words) // 2, 0, -1):
        if words[:size] == words[-size:]:
            return " ".join(words[:size])
    return " ".join(words) if 0 < len(words) <= 8 else ""


def unglue(text: str) -> str:
    """Put back the spaces a scraper dropped between sentences and list items.

    >>> unglue("after acne:Atrophic scars.Hypertrophic (Harmony XL Pro)Microneedling")
    'after acne: Atrophic scars. Hypertrophic (Harmony XL Pro) Microneedling'
    """
    return re.sub(r"(?<=[a-z][.:;!?])(?=[A-Z])|(?<=\))(?=[A-Z])", " ", text)


def _sections(text: str, matches: list[re.Match[str]], title: str) -> tuple[Section, ...]:
    if not matches:
        body = strip_disclaimer(text)
        return (Section("overview", "Overview", "overview", body),) if body else ()
    sections: list[Section] = []
    anchors = Anchors()
    for i, match in enumerate(matches):
        end = matches[i + 1].start() if i + 1 < len(matches) else len(text)
        body = text[match.end() : end].strip()
        if i + 1 == len(matches):
            body = strip_disclaimer(body)
        if not body:
            continue
        heading = match.group(1)
        body = unglue(body)
        anchor = anchors.claim(slugify(heading))
        sections.append(Section(kind_of_heading(heading, title), heading, anchor, body))
    return tuple(sections)
