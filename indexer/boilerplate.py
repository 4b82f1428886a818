"""Page furniture: what a health page carries around its article, told apart from the article.

Stages, each a test a parser asks: elements to take out before reading (scripts,
controls, navigation, blocks whose class/id/role names furniture: cookie banners,
sidebars, newsletter boxes), lists of links (resource lists, tables of contents),
lines that are furniture wherever they stand (bylines, "Continued", "On this page",
citation footers, helpline banners), and headings that open back matter (sources,
references, "Did we answer your question?") whose whole section is left out.

No element is dropped for its tag name alone when it holds the article: a CMS that
wraps the whole page in a ``<form>`` or a ``<div class="has-sidebar">`` keeps it.
"""

from __future__ import annotations

import re

from bs4 import BeautifulSoup, Comment, NavigableString, Tag

# Never article text, whatever holds them.
DROP_TAGS = (
    "script",
    "style",
    "noscript",
    "template",
    "iframe",
    "svg",
    "button",
    "select",
    "input",
    "textarea",
    "object",
    "embed",
    "canvas",
    "video",
    "audio",
    "img",
)
# Containers that are furniture unless they hold the article.
FURNITURE_TAGS = ("nav", "aside")
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
    "byline",
    "pagination",
    "pager",
    "helpline",
    "hotline",
    "testimonial",
    "testimonials",
    "teaser",
    "toc",
    "citation",
    "reviewed",
}
CONTENT_MARKS = ("main", "article")
NOISE_LINES = re.compile(
    r"^(share( this( page| article)?)?|print( this page)?|advertisement|back to top|related "
    r"(articles|links|topics)|was this (page|article) helpful\??.*|email this page|"
    r"(page )?(last )?(reviewed|updated)\s*:?.{0,40}(next review due\s*:?.{0,40})?|also (called|known as)\s*:.*|"
    r"next review due\s*:?.{0,40}|(request|make|book|schedule) an appointment.{0,40}|find a (doctor|location).{0,40}|"
    r"show sources|"
    r"on this page|in this (article|section|page)|table of contents|contents|"
    r"continued( on (the )?next page)?|(next|previous)( page)?|page \d+( of \d+)?|"
    r"no (links|items|results|content) (are )?(available|found)\.?|"
    r"read (now|more|next)|(learn|see|find out) more|show (more|less)( show (more|less))?|"
    r"(sign up|subscribe)( for| to)? .{0,80}|to receive email updates.{0,120}|"
    r"(learn how to )?cite this (page|article)|citation of the source is appreciated\.?|"
    r"(content )?source:.{0,120}|"
    r"(medically |clinically )?(reviewed|written|edited)( and \w+)? by .{0,160}|"
    r"by [A-Z][\w.'-]+( [A-Z][\w.'-]+){1,3}(,? (MD|M\.D\.|DO|PhD|RN|NP|PA-C|MPH))*|"
    r"(call|contact) .{0,60}(helpline|hotline).{0,160})$",
    re.IGNORECASE,
)
# Headings that open back matter: the section under them is not the article.
BACK_MATTER = re.compile(
    r"^(sources?|references?|citations?|bibliography|footnotes|notes and references|works cited|"
    r"see also|external links|further reading|other languages|disclaimers?|"
    r"did we answer your question.*|for more information.*|more information( on| about)?.*|"
    r"related( health)? (topics|articles|links|conditions|pages|content|information)|"
    r"(additional |other )?resources|contact us|find an expert|patient handouts|"
    r"journal articles.*|clinical trials|reference desk|share this( page)?|"
    r"(sign up|subscribe).*|(newsletter|stay informed).*)$",
    re.IGNORECASE,
)


def drop_furniture(soup: BeautifulSoup) -> int:
    """Take comments, controls, hidden text and furniture blocks out of the page, in place.

    Returns how many characters of visible text the page had before its furniture went.
    """
    for comment in soup.find_all(string=lambda s: isinstance(s, Comment)):
        comment.extract()
    for tag in soup.find_all(DROP_TAGS):
        tag.decompose()
    for tag in soup.find_all(_is_hidden):
        tag.decompose()
    body_chars = len((soup.body or soup).get_text(" ", strip=True)) or 1
    for tag in soup.find_all(lambda t: _is_noise(t, body_chars)):
        tag.decompose()
    return body_chars


def _is_hidden(tag: Tag) -> bool:
    """Small hidden text (a pronunciation, a screen-reader copy); a collapsed accordion panel is article."""
    if tag.attrs is None:
        return False
    style = (tag.get("style") or "").replace(" ", "").lower()
    hidden = "display:none" in style or tag.has_attr("hidden") or tag.get("aria-hidden") == "true"
    return hidden and len(tag.get_text(" ", strip=True)) < 200


def _is_noise(tag: Tag, body_chars: int) -> bool:
    if tag.attrs is None or tag.name in ("html", "body", "main", "article", "h1"):
        return False
    if tag.get("itemprop") == "articleBody" or tag.get("role") == "main":
        return False
    if _furniture_by_tag(tag):
        return not _holds_article(tag)
    # A class name is a weaker sign: "page has-sidebar" may wrap the whole page.
    return _furniture_by_name(tag) and not _holds_article(tag, body_chars)


def _furniture_by_tag(tag: Tag) -> bool:
    if tag.name in FURNITURE_TAGS:
        return True
    # A page's header and footer are furniture, and so is an article's footer (tags, sharing,
    # citations); an article's own header holds its headline and lead.
    return tag.name == "footer" or (tag.name == "header" and tag.find_parent(CONTENT_MARKS) is None)


def _furniture_by_name(tag: Tag) -> bool:
    words: set[str] = set()
    for attr in ("class", "id", "role", "aria-label"):
        value = tag.get(attr)
        value = " ".join(value) if isinstance(value, list) else (value or "")
        words.update(w for w in re.split(r"[^a-z]+", value.lower()) if w)
    return bool(words & NOISE_WORDS)


def _holds_article(tag: Tag, body_chars: int = 0) -> bool:
    """A block marked as furniture that wraps the article (or, given the page's size, most of it) stays."""
    if tag.find(["h1", *CONTENT_MARKS]) or tag.find(attrs={"itemprop": "articleBody"}):
        return True
    return bool(body_chars) and len(tag.get_text(" ", strip=True)) > body_chars * 0.5


# A byline anywhere in a short block: "WebMD Medical Reference. Reviewed by Jane Roe, MD on July 19, 2022".
REVIEW_BYLINE = re.compile(r"\breviewed by\b.{0,120}\bon\b", re.IGNORECASE)


def is_noise_line(text: str) -> bool:
    """A short block that is furniture wherever it stands ("On this page", "Continued", a byline)."""
    line = text.strip().lstrip("•").strip()
    return len(line) < 300 and bool(NOISE_LINES.match(line) or (len(line) < 250 and REVIEW_BYLINE.search(line)))


def is_back_matter(heading: str) -> bool:
    """A heading whose section is the page's back matter, not the article.

    >>> is_back_matter("Did we answer your question about BV?"), is_back_matter("Causes")
    (True, False)
    """
    return bool(BACK_MATTER.match(heading.strip().rstrip(":")))


def is_link_list(tag: Tag) -> bool:
    """A list whose items are mostly links with a note (resource lists, tables of contents).

    An item counts when it starts with a link and the rest holds no sentence: content
    lists whose items start with a linked term go on to explain it in sentences.
    """
    items = tag.find_all("li", recursive=False)
    if not items:
        return False
    linked = sum(1 for li in items if _is_link_item(li))
    return linked * 3 >= len(items) * 2


def _is_link_item(li: Tag) -> bool:
    first = next((c for c in li.children if not (isinstance(c, NavigableString) and not c.strip())), None)
    while isinstance(first, Tag) and first.name in ("strong", "b", "em", "span", "p") and first.name != "a":
        first = next((c for c in first.children if not (isinstance(c, NavigableString) and not c.strip())), None)
    if not (isinstance(first, Tag) and first.name == "a"):
        return False
    rest = li.get_text(" ")
    for link in li.find_all("a"):
        rest = rest.replace(link.get_text(" "), " ", 1)
    rest = re.sub(r"\([^)]*\)", " ", " ".join(rest.split()))
    return not re.search(r"\w[.!?](\s|$)", rest) or len(rest) < 40


def is_link_paragraph(tag: Tag, text: str) -> bool:
    """A short paragraph that mostly points elsewhere ("Find health information in other languages")."""
    if len(text) >= 200:
        return False
    density = link_density(tag)
    return density > 0.6 or (density > 0.3 and text[-1] not in ".!?:")


def link_density(tag: Tag) -> float:
    """The share of a block's text that sits in links (readability's measure)."""
    text = len(tag.get_text(" ", strip=True))
    links = sum(len(a.get_text(" ", strip=True)) for a in tag.find_all("a"))
    return links / text if text else 0.0
