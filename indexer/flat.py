"""Flattened scraped text -> Article: headings run inline with the text.

Stages: find the known headings in the running text, take the title from the
text before the first one (a scraped page repeats it around its breadcrumbs),
cut the site disclaimer off the end, then build sections and entities.
"""

from __future__ import annotations

import re

from indexer.article import Article, ParseError, Section
from indexer.entities import extract_entities
from indexer.lead import lead_aliases, title_from_lead
from indexer.sections import FLAT_HEADINGS, kind_of_heading
from indexer.text import Anchors, find_review_date, slugify, squash, strip_disclaimer


def _heading_pattern() -> re.Pattern[str]:
    # First letter exactly as listed, the rest in any case; a heading is followed
    # by a capitalised word (the section's first sentence) or by the end.
    alternatives = sorted(FLAT_HEADINGS, key=len, reverse=True)
    parts = [re.escape(h[0]) + "(?i:" + re.escape(h[1:]) + ")" for h in alternatives]
    # Not after a word that binds it into a name ("Control and Prevention", "Director of Research").
    binders = "".join(rf"(?<!\b{w} )" for w in ("and", "of", "for", "the", "to", "&"))
    return re.compile(r"(?<![\w-])" + binders + "(" + "|".join(parts) + r")(?=\s+[\"“'(]?[A-Z0-9]|\s*$)")


_HEADING = _heading_pattern()
_ALIAS_LABEL = re.compile(r"\b(?:also called|also known as|other names?)\s*:\s*", re.IGNORECASE)


def parse_flat(text: str, article_id: str, fallback_title: str = "") -> Article:
    """An article from one flattened page; raises ParseError when nothing is left."""
    text = squash(text)
    if not text:
        raise ParseError("no text")
    warnings: list[str] = []
    reviewed = find_review_date(text)
    aliases, text = _labelled_aliases(text)
    matches = list(_HEADING.finditer(text))
    if not matches:
        warnings.append("no section headings found: the whole text is one overview section")
    prefix = text[: matches[0].start()] if matches else ""
    title = title_from_prefix(prefix) or title_from_lead(prefix)[0] or fallback_title
    if not title:
        raise ParseError("no title")
    if not (title_from_prefix(prefix) or title_from_lead(prefix)[0]):
        warnings.append("no title in the text: using the file name")
    lead = _lead(prefix, title)
    anchors = Anchors()
    for section in lead:
        anchors.claim(section.anchor)
    sections = lead + _sections(text, matches, title, anchors)
    if not sections:
        raise ParseError("no section text")
    aliases += lead_aliases(sections[0].text[:2000], title, aliases)
    return Article(
        id=article_id,
        title=title,
        aliases=aliases,
        sections=sections,
        entities=extract_entities(sections, title),
        reviewed=reviewed,
        warnings=tuple(warnings),
    )


def _labelled_aliases(text: str) -> tuple[tuple[str, ...], str]:
    """Names from an inline "Also called: a, b" (up to the next heading or sentence end), and the text without it.

    >>> _labelled_aliases("Gout Also called: podagra, gouty arthritis Overview Gout is arthritis.")
    (('podagra', 'gouty arthritis'), 'Gout Overview Gout is arthritis.')
    """
    label = _ALIAS_LABEL.search(text)
    if not label:
        return (), text
    heading = _HEADING.search(text, label.end())
    stop = text.find(". ", label.end())
    end = min(i for i in (heading.start() if heading else len(text), stop if stop >= 0 else len(text)))
    names = [n.strip(" .") for n in re.split(r",|;|\s+or\s+", text[label.end() : end]) if n.strip(" .")]
    return tuple(n for n in names if len(n.split()) <= 6), squash(text[: label.start()] + " " + text[end:])


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


def _lead(prefix: str, title: str) -> tuple[Section, ...]:
    """Text before the first heading that is more than the title and its breadcrumbs: the article's lead."""
    if title_from_prefix(prefix) or len(prefix.split()) <= 12:
        return ()
    return (Section("overview", "Overview", "overview", unglue(prefix.strip())),)


def _sections(text: str, matches: list[re.Match[str]], title: str, anchors: Anchors) -> tuple[Section, ...]:
    if not matches:
        body = strip_disclaimer(text)
        return (Section("overview", "Overview", "overview", body),) if body else ()
    sections: list[Section] = []
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
