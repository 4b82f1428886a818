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

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

from indexer.article import Article, ParseError, Section
from indexer.entities import extract_entities
from indexer.sections import is_known_heading, kind_of_heading
from indexer.text import Anchors, block_text, find_review_date, is_disclaimer, iso_date, slugify, squash

DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "svg",
    "form",
    "button",
    "nav",
    "aside",
    "select",
    "input",
    "object",
    "embed",
    "canvas",
    "video",
    "audio",
    "img",
)
# class/id/role words that mark a block as page furniture rather than article content
NOISE_WORDS = {
    "breadcrumb",
    "breadcrumbs",
    "cookie",
    "cookies",
    "consent",
    "banner",
    "sidebar",
    "related",
    "share",
    "sharing",
    "social",
    "newsletter",
    "subscribe",
    "advert",
    "advertisement",
    "ad",
    "ads",
    "sponsor",
    "promo",
    "print",
    "skip",
    "menu",
    "navbar",
    "navigation",
    "nav",
    "footer",
    "disclaimer",
    "comments",
    "toolbar",
    "masthead",
    "signup",
    "popup",
    "modal",
    "feedback",
    "rating",
}
NOISE_LINES = re.compile(
    r"^(share( this( page| article)?)?|print( this page)?|advertisement|back to top|related "
    r"(articles|links|topics)|was this (page|article) helpful\??.*|email this page|"
    r"(last )?(reviewed|updated)\s*:?.{0,40}|also (called|known as)\s*:.*)$",
    re.IGNORECASE,
)
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
    warnings: list[str] = []
    if _flatten_deep(soup, MAX_DEPTH):
        warnings.append(f"markup nested more than {MAX_DEPTH} elements deep: what lies deeper is read as plain text")
    page_title = _page_title(soup)
    reviewed = _review_date(soup)
    url = _canonical_url(soup)
    _drop_boilerplate(soup)
    root = _content_root(soup)
    title = _title(root, soup) or page_title
    if not title:
        if not fallback_title:
            raise ParseError("no title")
        title = fallback_title
        warnings.append("no <h1> or <title>: using the file name as the title")
    aliases = _aliases(root)
    blocks = list(_walk(root))
    if not reviewed:
        reviewed = find_review_date(" ".join(b.text for b in blocks[:20]))
    sections = _group(blocks, title)
    if not sections:
        raise ParseError("no article text")
    if not any(block.heading_level for block in blocks):
        warnings.append("no section headings found: the whole text is one overview section")
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
    for name in ("article:modified_time", "last-reviewed", "reviewed", "dcterms.modified", "date"):
        meta = soup.find("meta", attrs={"name": name}) or soup.find("meta", attrs={"property": name})
        if meta and iso_date(meta.get("content", "")[:10]):
            return iso_date(meta.get("content", "")[:10])
    for time in soup.find_all("time"):
        context = squash(time.parent.get_text(" ")) if time.parent else ""
        if re.search(r"review|update|modified", context, re.IGNORECASE):
            return iso_date(time.get("datetime", "")[:10]) or iso_date(time.get_text())
    return ""


def _canonical_url(soup: BeautifulSoup) -> str:
    link = soup.find("link", rel="canonical")
    return link.get("href", "") if link else ""


def _drop_boilerplate(soup: BeautifulSoup) -> None:
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in soup.find_all(DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(_is_noise):
        tag.decompose()


def _is_noise(tag: Tag) -> bool:
    if tag.attrs is None or tag.name in ("html", "body", "main", "article", "h1"):
        return False
    if tag.name in ("header", "footer") and not tag.find("h1"):
        return True
    words: set[str] = set()
    for attr in ("class", "id", "role", "aria-label"):
        value = tag.get(attr)
        value = " ".join(value) if isinstance(value, list) else (value or "")
        words.update(w for w in re.split(r"[^a-z]+", value.lower()) if w)
    return bool(words & NOISE_WORDS) and not tag.find("h1")


def _content_root(soup: BeautifulSoup) -> Tag:
    """The element that holds the article: <article> or <main>, else the h1's surroundings."""
    candidates = soup.find_all("article") or soup.find_all("main") or soup.find_all(attrs={"role": "main"})
    if candidates:
        return max(candidates, key=lambda tag: (bool(tag.find("h1")), len(tag.get_text())))
    body = soup.body or soup
    h1 = body.find("h1")
    if h1 is None:
        return body
    # Climb from the title until the block holds most of the page's text: that
    # leaves out side columns of old table layouts and headers beside the content.
    total = len(body.get_text(" ", strip=True))
    node = h1.parent
    while node is not None and node is not body and len(node.get_text(" ", strip=True)) < total * 0.5:
        node = node.parent
    return node or body


def _title(root: Tag, soup: BeautifulSoup) -> str:
    h1 = root.find("h1") or soup.find("h1")
    return _own_text(h1) if h1 else ""


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
    elif name in ("ul", "ol"):
        items = [li for li in tag.find_all("li", recursive=False)]
        # One line per item, so pages can render the list again.
        text = "\n".join("• " + block_text(li) for li in items) or block_text(tag)
        yield _Block(text, items=[_item_text(li) for li in items])
    elif _bold_heading(tag):
        yield from _split_bold_heading(tag)
    elif name in ("p", "dd", "td", "th", "blockquote", "pre", "li") and not tag.find(_is_block_child):
        text = block_text(tag)
        if text:
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
    if not bold or len(bold.split()) > 8:
        return None
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
    """Headings at the top level start sections; deeper unknown ones stay inside."""
    levels = [b.heading_level for b in blocks if b.heading_level]
    top = min(levels) if levels else 0
    drafts: list[tuple[str, str, list[str], list[str]]] = []  # heading, anchor, texts, items
    for block in blocks:
        if block.heading_level and (block.heading_level == top or is_known_heading(block.text, title)):
            drafts.append((block.text, block.anchor, [], []))
            continue
        text = block.text
        if is_disclaimer(text) or NOISE_LINES.match(text):
            continue
        if not drafts:
            drafts.append(("Overview", "", [], []))
        drafts[-1][2].append(text)
        drafts[-1][3].extend(block.items)
    return _sections(drafts, title)


def _sections(drafts: list[tuple[str, str, list[str], list[str]]], title: str) -> tuple[Section, ...]:
    sections: list[Section] = []
    anchors = Anchors()
    for heading, anchor, texts, items in drafts:
        kind = kind_of_heading(heading, title)
        if not texts or re.match(r"^disclaimer\b", heading, re.IGNORECASE):
            continue
        anchor = anchors.claim(anchor or slugify(heading))
        sections.append(Section(kind, heading, anchor, "\n\n".join(texts), items=tuple(items)))
    return tuple(sections)
