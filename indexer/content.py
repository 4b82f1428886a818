"""Which part of a page is the article, and which heading is its headline.

Stages: gather candidate containers the way readability and trafilatura do
(``itemprop=articleBody``, ``<article>``, ``<main>``, ``role=main``, the blocks
around the ``<h1>``), score each by its text outside links, favouring the
semantic marks, and keep the best; then pick the headline among the page's
``<h1>``s by agreement with the page's ``<title>`` (a site's topic-centre
``<h1>`` names the centre, not the article).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from bs4 import BeautifulSoup, Tag

from indexer.boilerplate import link_density
from indexer.sections import is_known_heading
from indexer.text import block_text, squash

# How much a semantic mark is trusted over plain size (a multiplier on the score).
MARK_WEIGHT = {"articleBody": 1.6, "article": 1.3, "main": 1.2}


def content_root(soup: BeautifulSoup) -> Tag:
    """The element that holds the article."""
    body = soup.body or soup
    candidates = _candidates(soup, body)
    if not candidates:
        return body
    return max(candidates, key=lambda tag: _score(tag, body))


def _candidates(soup: BeautifulSoup, body: Tag) -> list[Tag]:
    found = soup.find_all(attrs={"itemprop": "articleBody"}) + soup.find_all(["article", "main"])
    found += soup.find_all(attrs={"role": "main"})
    around = _around_h1(body)
    if around is not None and around is not body:
        found.append(around)
    unique = {id(tag): tag for tag in found}  # by identity: a Tag hashes by rendering its whole subtree
    return [tag for tag in unique.values() if tag.get_text(strip=True)]


def _score(tag: Tag, body: Tag) -> float:
    """Text outside links, weighted by the tag's mark; a teaser card scores by its size alone."""
    chars = len(tag.get_text(" ", strip=True))
    score = chars * (1 - link_density(tag))
    return score * _mark(tag) + (chars * 0.1 if tag.find("h1") else 0)


def _mark(tag: Tag) -> float:
    if tag.get("itemprop") == "articleBody":
        return MARK_WEIGHT["articleBody"]
    if tag.name == "article":
        return MARK_WEIGHT["article"]
    if tag.name == "main" or tag.get("role") == "main":
        return MARK_WEIGHT["main"]
    return 1.0


def _around_h1(body: Tag) -> Tag | None:
    """From the title, the smallest block holding most of the page's text.

    That leaves out side columns of old table layouts and headers beside the content.
    """
    h1 = body.find("h1")
    if h1 is None:
        return None
    total = len(body.get_text(" ", strip=True))
    node = h1.parent
    while node is not None and node is not body and len(node.get_text(" ", strip=True)) < total * 0.5:
        node = node.parent
    return node


def headline(root: Tag, soup: BeautifulSoup, page_title: str, own_text: Callable[[Tag], str]) -> str:
    """The article's headline: the ``<h1>`` the page title agrees with, else the content's own."""
    return without_subtitle(_headline(root, soup, page_title, own_text))


def without_subtitle(title: str) -> str:
    """A title without a subtitle that only lists section topics.

    >>> without_subtitle("Asthma: Symptoms, causes and treatment"), without_subtitle("Type 1 diabetes: in children")
    ('Asthma', 'Type 1 diabetes: in children')
    """
    parts = re.split(r"\s*:\s+|\s+[–—-]\s+", title, maxsplit=1)
    if len(parts) == 2 and parts[0] and is_known_heading(parts[1]):
        return parts[0]
    return title


def _headline(root: Tag, soup: BeautifulSoup, page_title: str, own_text: Callable[[Tag], str]) -> str:
    h1s = [own_text(h) for h in soup.find_all("h1")]
    h1s = [h for h in h1s if h]
    if page_title:
        agreeing = [h for h in h1s if _agrees(h, page_title)]
        if agreeing:
            return agreeing[-1] if len(agreeing) > 1 else agreeing[0]
        if h1s and any(_agrees(block_text(h), page_title) for h in root.find_all(["h2", "h3"])[:3]):
            return page_title
    inside = root.find("h1")
    if inside is not None and own_text(inside):
        return own_text(inside)
    return h1s[0] if h1s else ""


def _agrees(heading: str, page_title: str) -> bool:
    a, b = _words(heading), _words(page_title)
    return bool(a) and (a == b or (a <= b and len(b - a) <= 3) or (b <= a and len(a - b) <= 3))


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", squash(text).lower()))
