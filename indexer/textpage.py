"""Text files -> Article: Markdown, wiki text, plain text and flattened pages, each known by its shape.

Stages: tell the shape from the lines (a page whose scraper flattened it into one or
two lines goes to ``flat``); turn wiki ``== Heading ==`` lines and plain text's
question or short heading lines into Markdown headings; find the title (the Markdown
``# H1``, a short first line, or the subject of the first sentence: "Asthma is a ...")
and the names that sentence gives; render the Markdown to HTML with markdown-it-py
(CommonMark: ATX and Setext headings, lists, links, emphasis); then read that HTML with
the page parser, so every text shape gets the same sections, boilerplate rules, aliases
and review date as a web page.
"""

from __future__ import annotations

import itertools
import re
from datetime import date
from html import escape
from typing import Any

import yaml
from markdown_it import MarkdownIt

from indexer.article import Article
from indexer.flat import parse_flat
from indexer.lead import title_from_lead
from indexer.parse import parse_html

_WIKI_HEADING = re.compile(r"^(={2,6})\s*([^=].*?)\s*\1\s*$")
_ATX = re.compile(r"^ {0,3}#{1,6}\s+\S")
_SETEXT = re.compile(r"^ {0,3}(=+|-{2,})\s*$")
_LIST_ITEM = re.compile(r"^\s*([-*+•]|\d+[.)])\s+")
_MARKDOWN = MarkdownIt("commonmark")
_READER_HEADER = re.compile(
    r"\A((?:(?:Title|URL Source|Published Time|Description|Warning):[^\n]*\n\s*){1,8})Markdown Content:[ \t]*\n"
)
_FRONT_MATTER = re.compile(r"\A---[ \t]*\n(.*?\n)---[ \t]*\n", re.DOTALL)
# Front-matter keys scrapers and site generators use for the page's other names, address and review date.
ALIAS_KEYS = ("also_called", "aliases", "also_known_as", "synonyms", "other_names")
URL_KEYS = ("source_url", "url", "canonical_url", "canonical", "source")
DATE_KEYS = ("last_reviewed", "reviewed", "lastReviewed", "date_reviewed", "updated", "last_updated")


def parse_text(text: str, article_id: str, fallback_title: str = "") -> Article:
    """An article from one text file, whatever its shape; raises ParseError when none is in it."""
    meta, text = front_matter(text)
    if not meta:
        meta, text = reader_header(text)
    shape = text_shape(text)
    if shape == "flat" and not meta:
        return parse_flat(text, article_id, fallback_title)
    shape = "plain" if shape == "flat" else shape
    lines = text.splitlines()
    body = _MARKDOWN.render(text) if shape == "markdown" else ""
    has_h1 = _has_h1(body)
    head = _meta_block(meta, with_title=not has_h1)
    if not (meta.get("title") or meta.get("page_title") or has_h1):
        lead_head, lines = _title_block(lines)
        head += lead_head
        body = ""  # the title line may have gone: render what is left
    body = body or _MARKDOWN.render("\n".join(lines) if shape == "markdown" else _to_markdown(lines, shape))
    page = f"<html><head>{_meta_head(meta)}</head><body><article>{head}{body}</article></body></html>"
    return parse_html(page, article_id, fallback_title)


def front_matter(text: str) -> tuple[dict[str, Any], str]:
    """A scraper's YAML front matter (title, also_called, source_url ...) and the text after it.

    >>> front_matter('---\\ntitle: "Gout"\\nalso_called: ["Podagra"]\\n---\\n# Gout\\n')
    ({'title': 'Gout', 'also_called': ['Podagra']}, '# Gout\\n')
    """
    match = _FRONT_MATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.safe_load(match.group(1))
    except yaml.YAMLError:
        return {}, text
    return (meta, text[match.end() :]) if isinstance(meta, dict) else ({}, text)


def reader_header(text: str) -> tuple[dict[str, Any], str]:
    """The header a reader service puts above its Markdown ("Title:", "URL Source:", "Markdown Content:").

    >>> reader_header("Title: Gout - A Clinic\\n\\nURL Source: https://a.org/gout\\n\\nMarkdown Content:\\n# Gout\\n")
    ({'page_title': 'Gout - A Clinic', 'source_url': 'https://a.org/gout'}, '# Gout\\n')
    """
    match = _READER_HEADER.match(text)
    if not match:
        return {}, text
    fields = dict(re.findall(r"^([A-Za-z ]+):[ \t]*(.*)$", match.group(1), flags=re.MULTILINE))
    names = {"Title": "page_title", "URL Source": "source_url"}
    meta = {names[key]: value.strip() for key, value in fields.items() if key in names and value.strip()}
    return meta, text[match.end() :]


def _meta_block(meta: dict[str, Any], with_title: bool = True) -> str:
    """The front matter's title and other names, as the page parser reads them in a page."""
    title = _meta_text(meta, "title") if with_title else ""
    names = [str(n) for key in ALIAS_KEYS for n in _as_list(meta.get(key)) if str(n).strip()]
    also = f"<p>Also called: {escape(', '.join(names))}</p>" if names else ""
    return (f"<h1>{escape(title)}</h1>" if title else "") + also


def _meta_head(meta: dict[str, Any]) -> str:
    url = next((_meta_text(meta, key) for key in URL_KEYS if _meta_text(meta, key).startswith("http")), "")
    date = next((_meta_text(meta, key) for key in DATE_KEYS if _meta_text(meta, key)), "")
    link = f'<link rel="canonical" href="{escape(url)}">' if url else ""
    title = _meta_text(meta, "title") or _meta_text(meta, "page_title")
    link += f"<title>{escape(title)}</title>" if title else ""
    return link + (f'<meta name="last-reviewed" content="{escape(date)}">' if date else "")


def _meta_text(meta: dict[str, Any], key: str) -> str:
    value = meta.get(key)
    return str(value).strip() if isinstance(value, (str, int, float, date)) else ""


def _as_list(value: object) -> list[object]:
    if isinstance(value, list):
        return value
    return list(value.split(",")) if isinstance(value, str) else []


def text_shape(text: str) -> str:
    """ "flat", "markdown", "wiki" or "plain".

    >>> text_shape("== Causes ==\\nIt spreads.\\nMore."), text_shape("# Asthma\\n\\nText.\\n\\n## Causes")
    ('wiki', 'markdown')
    """
    lines = [line for line in text.splitlines() if line.strip()]
    if any(_WIKI_HEADING.match(line) for line in lines):
        return "wiki"
    after_text = (cur for prev, cur in itertools.pairwise(lines) if not _LIST_ITEM.match(prev))
    if any(_ATX.match(line) for line in lines) or any(_SETEXT.match(line) for line in after_text):
        return "markdown"
    return "flat" if len(lines) <= 2 else "plain"


def _to_markdown(lines: list[str], shape: str) -> str:
    """Each line a paragraph (or list item); heading lines as ATX headings."""
    out: list[str] = []
    texts = [line.strip() for line in lines]
    for i, line in enumerate(texts):
        if not line:
            continue
        wiki = _WIKI_HEADING.match(line)
        following = next((t for t in texts[i + 1 :] if t), "")
        if wiki:
            out.append("#" * len(wiki.group(1)) + " " + wiki.group(2))
        elif shape == "plain" and _is_plain_heading(line, following) and out:
            out.append("## " + line)
        else:
            out.append(line if _LIST_ITEM.match(line) else _escape_start(line))
    return "\n\n".join(out) + "\n"


def _is_plain_heading(line: str, following: str) -> bool:
    """A question on its own line, or a short unpunctuated line before a longer sentence."""
    words = line.split()
    if _LIST_ITEM.match(line) or not following or len(words) > 20:
        return False
    if line.endswith("?"):
        return not following.endswith("?")
    return (
        len(words) <= 8
        and line[0].isupper()
        and line[-1] not in ".,;:!"
        and len(following.split()) > 2 * len(words)
        and following[-1] in ".!?:"
    )


def _escape_start(line: str) -> str:
    """Plain text that would read as Markdown syntax at the start of a line stays text."""
    return re.sub(r"^([#>=]|\d+[.)]\s)", r"\\\1", line)


def _has_h1(html: str) -> bool:
    return "<h1>" in html


def _title_block(lines: list[str]) -> tuple[str, list[str]]:
    """The title (and names) of a text without a Markdown title line, and the lines after a title line."""
    texts = [line.strip() for line in lines if line.strip()]
    if texts and _is_title_line(texts[0], texts[1] if len(texts) > 1 else ""):
        first = next(i for i, line in enumerate(lines) if line.strip())
        return f"<h1>{escape(texts[0])}</h1>", lines[first + 1 :]
    lead = next((line for line in texts if not _WIKI_HEADING.match(line)), "")
    title, aliases = title_from_lead(lead)
    if not title:
        return "", lines
    also = f"<p>Also called: {escape(', '.join(aliases))}</p>" if aliases else ""
    return f"<h1>{escape(title)}</h1>{also}", lines


def _is_title_line(line: str, following: str) -> bool:
    words = line.split()
    return 0 < len(words) <= 10 and line[-1] not in ".,;!?" and len(following.split()) > len(words)
