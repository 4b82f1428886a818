"""Section text -> escaped snippets and passages where only <mark> is markup.

Stages: stem the query's words once; split a section into sentences; pick the
sentences that hold the most query words (sentence-bounded, a few hundred
characters); escape every piece of text, then wrap the matching words in
<mark>; finally pass the result through an allow-list sanitiser (nh3) that
keeps <mark> alone, so even a bug in the escaping could not let article or
query text add markup.  Only this module's output becomes Markup.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import nh3
from markupsafe import Markup, escape

from indexer.schema import text_analyzer
from indexer.text import sentences

SNIPPET_CHARS = 240
_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)?")
_ANALYZER = text_analyzer()
ALLOWED_TAGS = frozenset({"mark"})  # no attributes on any of them


def stems_of(words: Iterable[str]) -> frozenset[str]:
    """The index's form of each query word ("treatments" -> "treatment")."""
    return frozenset(token.text for word in words for token in _ANALYZER(word))


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    tokens = list(_ANALYZER(word))
    return tokens[0].text if tokens else ""


def mark(text: str, stems: frozenset[str]) -> Markup:
    """`text` escaped, with the words whose stem the query has wrapped in <mark>.

    >>> mark("Laser <b>treatments</b> help", frozenset({"treatment"}))
    Markup('Laser &lt;b&gt;<mark>treatments</mark>&lt;/b&gt; help')
    """
    out: list[str] = []
    last = 0
    for match in _WORD.finditer(text):
        if _stem(match.group(0)) in stems:
            out.append(str(escape(text[last : match.start()])))
            out.append(f"<mark>{escape(match.group(0))}</mark>")
            last = match.end()
    out.append(str(escape(text[last:])))
    return sanitise("".join(out))


def sanitise(html: str) -> Markup:
    """`html` reduced to text and the allowed tags, without attributes; scripts go with their content.

    >>> sanitise('<mark onclick="steal()">a</mark><script>alert(1)</script><img src=x onerror=alert(1)>b')
    Markup('<mark>a</mark>b')
    """
    return Markup(nh3.clean(html, tags=set(ALLOWED_TAGS), attributes={}))


def _parts(text: str) -> list[str]:
    """Sentences of running text, and each list line as one part that keeps its bullet."""
    parts: list[str] = []
    for line in text.split("\n"):
        line = " ".join(line.split())
        if line.startswith("• "):
            parts.append(line)
        elif line:
            parts.extend(sentences(line))
    return parts


def _list_start(parts: list[str], best: int, limit: int) -> int:
    """A list item is shown with its list's lead-in and the items before it, when they fit."""
    start = best
    while start > 0 and parts[start].startswith("• "):
        start -= 1
    return start if len(" ".join(parts[start : best + 1])) < limit else best


def snippet(text: str, stems: frozenset[str], limit: int = SNIPPET_CHARS) -> Markup:
    """The best whole sentences of a section for the query, marked; its opening when none match."""
    parts = _parts(text)
    if not parts:
        return Markup("")
    scores = [len({_stem(w) for w in _WORD.findall(s)} & stems) for s in parts]
    best = _list_start(parts, max(range(len(parts)), key=lambda i: (scores[i], -i)), limit)
    chosen = [parts[best]]
    following = best + 1
    while following < len(parts) and len(" ".join(chosen)) + len(parts[following]) < limit:
        chosen.append(parts[following])
        following += 1
    text = " ".join(chosen)
    if len(text) > limit:
        text = text[:limit].rsplit(" ", 1)[0] + " …"
    prefix = "… " if best > 0 else ""
    return Markup(prefix) + mark(text, stems)
