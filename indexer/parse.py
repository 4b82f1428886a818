"""HTML -> Article, for authored pages and pages saved from other sites.

Stages: decode and soup (lxml); bound the nesting (what lies deeper than
MAX_DEPTH elements is read as plain text, so no walk recurses or rescans
without bound); take out boilerplate (scripts, navigation,
breadcrumbs, cookie banners, sidebars, related links, footers, disclaimers);
pick the content root; read title, aliases and review date; walk the content
into a stream of headings and text blocks; group the stream into sections.
Blind to the index: it returns plain sections.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from indexer.article import Article, ParseError, Section
from indexer.boilerplate import drop_furniture, is_back_matter, is_link_list, is_link_paragraph, is_noise_line
from indexer.content import content_root, headline
from indexer.entities import extract_entities
from indexer.lead import lead_aliases
from indexer.sections import is_known_heading, kind_of_heading
from indexer.text import Anchors, block_text, find_review_date, is_disclaimer, iso_date, slugify, squash

BLOCK_TAGS = {
    "p",
    "div",
    "section",
    "article",
    "main",
    "ul",
    "ol",
    "li",
    "dl",
    "dt",
    "dd",
    "table",
    "tr",
    "td",
    "th",
    "tbody",
    "thead",
    "blockquote",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "footer",
    "figure",
    "pre",
    "center",
    "font",
    "span",
}
HEADINGS = ("h2", "h3", "h4", "h5", "h6")
SAVED_FROM = re.compile(r"(?:saved from url=\(\d+\)|Mirrored from )(\S+)")
REVIEW_METAS = ("last-reviewed", "lastreviewed", "reviewed", "dcterms.reviewed")
UPDATE_METAS = ("article:modified_time", "dcterms.modified", "last-modified", "date")
# Real pages nest up to about 20 elements deep; the walk recurses once per level and
# several steps search below each element, so depth bounds both.
MAX_DEPTH = 64
ALIAS_LABEL = re.compile(r"^\s*(also (called|known as)|other names?|synonyms?)\s*:?\s*", re.IGNORECASE)


@dataclass
class _Block:
    """One item of the linear content stream."""

    text: str
    heading_level: int = 0  # 0 for text, else the heading's rank (dt and bold lines count as 2)
    anchor: str = ""
    items: list[str] = field(default_factory=list)


def parse_html(html: str, article_id: str, fallback_title: str = "") -> Article:
    """An article from one HTML page; raises ParseError when no article is in it."""
    soup = BeautifulSoup(html, "lxml")
    deep = _flatten_deep(soup, MAX_DEPTH)
    page_title = _page_title(soup)
    reviewed = _review_date(soup)
    url = _canonical_url(soup)
    page_chars = drop_furniture(soup)
    root = content_root(soup)
    title, warnings = _title_or_fallback(headline(root, soup, page_title, _own_text) or page_title, fallback_title)
    if deep:
        warnings.append(f"markup nested more than {MAX_DEPTH} elements deep: what lies deeper is read as plain text")
    aliases = _aliases(root)
    blocks = list(_walk(root))
    aliases += lead_aliases(" ".join(b.text for b in blocks if not b.heading_level)[:4000], title, aliases)
    sections = _group(blocks, title)
    if not sections:
        raise ParseError("no article text")
    warnings += _extraction_warnings(sections, blocks, soup, page_chars)
    return Article(
        id=article_id,
        title=title,
        url=url,
        aliases=aliases,
        sections=sections,
        entities=extract_entities(sections, title),
        reviewed=reviewed,
        warnings=tuple(warnings),
    )


def _title_or_fallback(title: str, fallback_title: str) -> tuple[str, list[str]]:
    if title:
        return title, []
    if not fallback_title:
        raise ParseError("no title")
    return fallback_title, ["no <h1> or <title>: using the file name as the title"]


def _extraction_warnings(
    sections: tuple[Section, ...], blocks: list[_Block], soup: BeautifulSoup, page_chars: int
) -> list[str]:
    """Signs that the article was not found where it is: little text from a big page, headings lost."""
    warnings: list[str] = []
    kept = sum(len(s.text) for s in sections)
    if page_chars > 5000 and kept < page_chars * 0.05:
        warnings.append(f"only {kept} characters of article text from a page of {page_chars}: content may be missed")
    if not any(block.heading_level for block in blocks):
        page_headings = len(soup.find_all(HEADINGS))
        warnings.append(
            f"the page has {page_headings} headings but none are in the article text: sections may be missed"
            if page_headings >= 3
            else "no section headings found: the whole text is one overview section"
        )
    return warnings


def _flatten_deep(soup: BeautifulSoup, limit: int) -> bool:
    """Replace what lies below `limit` levels of elements by its text; True when anything did.

    Iterative, and each deep subtree is read once: linear in the size of the page.
    """
    deep: list[Tag] = []
    stack: list[tuple[Tag, int]] = [(soup, 0)]
    while stack:
        tag, depth = stack.pop()
        children = [child for child in tag.children if isinstance(child, Tag)]
        if depth < limit:
            stack += [(child, depth + 1) for child in children]
        elif children:
            deep.append(tag)
    for tag in deep:
        text = tag.get_text(" ")
        tag.clear()
        tag.append(text)
    return bool(deep)


def _page_title(soup: BeautifulSoup) -> str:
    """<title> without the site name: "Vertigo | City Hospital" -> "Vertigo"."""
    tag = soup.find("meta", attrs={"property": "og:title"}) or soup.title
    text = squash(tag.get("content", "") if tag and tag.name == "meta" else (tag.get_text() if tag else ""))
    return squash(re.split(r"\s+[|–—-]\s+|\s+::\s+", text)[0]) if text else ""


def _review_date(soup: BeautifulSoup) -> str:
    """The stated review date: schema.org's lastReviewed, a review meta, a visible label, then an update date."""
    stated = soup.find(attrs={"itemprop": "lastReviewed"})
    if stated is not None:
        date = iso_date(stated.get("content") or stated.get("datetime") or stated.get_text(" "))
        if date:
            return date
    metas = _metas(soup)
    return (
        _meta_date(soup, metas, REVIEW_METAS)
        or find_review_date(soup.get_text(" "))
        or _meta_date(soup, metas, UPDATE_METAS)
    )


def _metas(soup: BeautifulSoup) -> dict[tuple[str, str], str]:
    """(attribute, value) -> content of the first <meta> with it, for name= and property=: one pass over the page."""
    found: dict[tuple[str, str], str] = {}
    for meta in soup.find_all("meta"):
        for attribute in ("name", "property"):
            value = meta.get(attribute)
            if isinstance(value, str):
                found.setdefault((attribute, value), meta.get("content", ""))
    return found


def _meta_date(soup: BeautifulSoup, metas: dict[tuple[str, str], str], names: tuple[str, ...]) -> str:
    for name in names:
        content = metas.get(("name", name), metas.get(("property", name)))
        if content is not None and iso_date(content[:10]):
            return iso_date(content[:10])
    for time in soup.find_all("time") if names is UPDATE_METAS else ():
        context = squash(time.parent.get_text(" ")) if time.parent else ""
        if re.search(r"review|update|modified", context, re.IGNORECASE):
            return iso_date(time.get("datetime", "")[:10]) or iso_date(time.get_text())
    return ""


def _canonical_url(soup: BeautifulSoup) -> str:
    """The page's address: its canonical link, resolved against where a saved copy says it came from."""
    saved = _saved_from(soup)
    link = soup.find("link", rel="canonical")
    href = link.get("href", "") if link else ""
    return urljoin(saved, href) if saved and href else (href or saved)


def _saved_from(soup: BeautifulSoup) -> str:
    """The URL a saved copy names: a browser's "saved from url=(0042)...", HTTrack's "Mirrored from ..."."""
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment), limit=20):
        match = SAVED_FROM.search(comment)
        if match:
            url = match.group(1)
            return url if "://" in url else "https://" + url
    return ""


def _own_text(tag: Tag) -> str:
    """The inline text a heading starts with, before any block lxml nested into it.

    An unclosed ``<h2>`` swallows what follows it; only its leading words are the heading.
    """
    if not tag.find(_is_block_child):
        return block_text(tag)
    words = []
    for child in tag.children:
        if isinstance(child, Tag) and _is_block_child(child):
            break
        words.append(child.get_text(" ") if isinstance(child, Tag) else str(child))
    return squash(" ".join(words))


def _aliases(root: Tag) -> tuple[str, ...]:
    """Names from an "Also called: a, b" line, which is then no longer article text."""
    for tag in root.find_all(["p", "div", "dd", "span"]):
        text = block_text(tag)
        if ALIAS_LABEL.match(text) and len(text) < 300:
            names = re.split(r",|;|\s+or\s+", ALIAS_LABEL.sub("", text))
            tag.decompose()
            return tuple(n.strip(" .") for n in names if n.strip(" ."))
    return ()


def _walk(node: Tag) -> Iterator[_Block]:
    """The content as a flat stream of headings and text blocks, in document order.

    Runs of text and inline elements (b, a, em, span...) between blocks form one paragraph.
    """
    run: list[str] = []
    for child in node.children:
        if isinstance(child, NavigableString) or (isinstance(child, Tag) and _is_inline(child)):
            run.append(str(child) if isinstance(child, NavigableString) else child.get_text(" "))
            continue
        if run:
            yield from _paragraph(run)
            run = []
        if not isinstance(child, Tag):
            continue
        if child.name == "h1":
            yield from _nested_blocks(child)  # only what an unclosed <h1> swallowed
        else:
            yield from _blocks_of(child)
    yield from _paragraph(run)


def _paragraph(parts: list[str]) -> Iterator[_Block]:
    text = re.sub(r"\s+([,.;:!?)])", r"\1", squash(" ".join(parts)))
    if text.strip(" .,;:"):
        yield _Block(text)


def _is_inline(tag: Tag) -> bool:
    return tag.name not in BLOCK_TAGS and tag.name != "br" and not tag.find(_is_block_child)


def _nested_blocks(tag: Tag) -> Iterator[_Block]:
    """The blocks an unclosed heading swallowed, after its own leading words."""
    started = False
    for child in tag.children:
        started = started or (isinstance(child, Tag) and _is_block_child(child))
        if started and isinstance(child, Tag):
            yield from _blocks_of(child)


def _blocks_of(tag: Tag) -> Iterator[_Block]:
    name = tag.name
    if name in HEADINGS:
        yield _Block(_own_text(tag), int(name[1]), tag.get("id", ""))
        yield from _nested_blocks(tag)
    elif name == "dt":
        yield _Block(block_text(tag), 2, tag.get("id", ""))
    elif tag.get("role") == "heading" and not tag.find(_is_block_child):
        # An ARIA heading (<div role="heading" aria-level="3">) is a heading whatever its tag.
        level = str(tag.get("aria-level", "2"))
        yield _Block(block_text(tag), int(level) if level.isdigit() and 1 < int(level) < 7 else 2, tag.get("id", ""))
    elif name in ("ul", "ol"):
        if is_link_list(tag):
            return  # a resource list or table of contents, not article text
        items = [li for li in tag.find_all("li", recursive=False)]
        # One line per item, so pages can render the list again.
        text = "\n".join("• " + block_text(li) for li in items) or block_text(tag)
        yield _Block(text, items=[_item_text(li) for li in items])
    elif _bold_heading(tag):
        yield from _split_bold_heading(tag)
    elif name in ("p", "dd", "td", "th", "blockquote", "pre", "li") and not tag.find(_is_block_child):
        text = block_text(tag)
        if text and not is_link_paragraph(tag, text):
            yield _Block(text)
    else:
        yield from _walk(tag)


def _is_block_child(tag: Tag) -> bool:
    return tag.name in ("p", "div", "ul", "ol", "dl", "table", "h2", "h3", "h4", "h5", "h6", "section")


def _item_text(li: Tag) -> str:
    """A list item's name when it leads with bold text, else its whole text."""
    first = next((c for c in li.children if not (isinstance(c, NavigableString) and not c.strip())), None)
    if isinstance(first, Tag) and first.name in ("strong", "b"):
        return block_text(first)
    return block_text(li)


def _bold_heading(tag: Tag) -> Tag | None:
    """The leading <strong>/<b> of a block that acts as a heading, if any.

    A block that is *only* bold and short is a heading; a bold lead-in followed by
    text is one only when its words are a known section heading.
    """
    if tag.name not in ("p", "div", "td"):
        return None
    first = next((c for c in tag.children if not (isinstance(c, NavigableString) and not c.strip())), None)
    if not isinstance(first, Tag) or first.name not in ("strong", "b"):
        return None
    bold = block_text(first)
    if not bold or len(bold.split()) > 8 or bold[-1] in ".,;":
        return None  # a run-in lead ("Medicine. There are two ways...") is part of its paragraph
    whole = block_text(tag)
    if whole == bold or is_known_heading(bold.rstrip(":")):
        return first
    return None


def _split_bold_heading(tag: Tag) -> Iterator[_Block]:
    bold = _bold_heading(tag)
    yield _Block(block_text(bold).rstrip(":"), 2, tag.get("id", ""))
    bold.extract()
    yield from _walk(tag)


def _group(blocks: list[_Block], title: str) -> tuple[Section, ...]:
    """Headings at the top level start sections; deeper ones only when known or asked as a question.

    A deeper heading that starts no section stays in its section's text, when text follows it.
    Back matter (sources, references, "Did we answer your question?") is left out down to
    the next heading of its rank or higher.
    """
    levels = [b.heading_level for b in blocks if b.heading_level]
    top = min(levels) if levels else 0
    drafts: list[tuple[str, str, list[str], list[str]]] = []  # heading, anchor, texts, items
    skipping = 0  # the rank of the back-matter heading being skipped, else 0
    pending = ""  # a sub-heading kept as text once text follows it
    for block in blocks:
        if block.heading_level:
            if skipping and block.heading_level > skipping:
                continue
            skipping = block.heading_level if is_back_matter(block.text) else 0
            starts = not skipping and _starts_section(block, top, title)
            if starts:
                drafts.append((block.text, block.anchor, [], []))
            pending = "" if skipping or starts else block.text
        elif not skipping and _is_article_text(block.text):
            if not drafts:
                drafts.append(("Overview", "", [], []))
            drafts[-1][2].extend([pending, block.text] if pending else [block.text])
            drafts[-1][3].extend(block.items)
            pending = ""
    return _sections(drafts, title)


def _is_article_text(text: str) -> bool:
    return not (is_disclaimer(text) or is_noise_line(text))


def _starts_section(block: _Block, top: int, title: str) -> bool:
    text = block.text
    return block.heading_level == top or is_known_heading(text, title) or text.rstrip().endswith("?")


def _sections(drafts: list[tuple[str, str, list[str], list[str]]], title: str) -> tuple[Section, ...]:
    sections: list[Section] = []
    anchors = Anchors()
    for heading, anchor, texts, items in drafts:
        kind = kind_of_heading(heading, title)
        if not texts or (not items and _too_little(texts, kind)) or re.match(r"^disclaimer\b", heading, re.IGNORECASE):
            continue
        anchor = anchors.claim(anchor or slugify(heading))
        sections.append(Section(kind, heading, anchor, "\n\n".join(texts), items=tuple(items)))
    return tuple(sections)


def _too_little(texts: list[str], kind: str) -> bool:
    """A scrap that is no sentence ("Video", a caption, a label): what is left of a widget.

    Under a known heading only a lone word counts as a scrap ("Symptoms: sudden joint pain" stays).
    """
    joined = " ".join(texts).strip()
    if joined.endswith((".", "!", "?")):
        return False
    return len(joined) < 40 if kind == "other" else len(joined.split()) <= 1
