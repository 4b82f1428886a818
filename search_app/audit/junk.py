"""Which logged searches are junk or bots, so the demand reports count them apart instead of listing them.

A search is judged once, when it is logged, from its own text and the log's last
minute: no letters at all, a single character, more words or characters than a
visitor types, or the same query again and again within a minute (a script, not a
person).  The reason is stored with the search; reports leave such searches out of
their tables and say how many there were.
"""

from __future__ import annotations

MAX_WORDS = 32  # as the search reads at most this many distinct words
MAX_CHARS = 200
BURST_SECONDS = 60
BURST_SEARCHES = 5  # this many identical searches within BURST_SECONDS: the rest of the burst is a bot's
DISPLAY_CHARS = 80  # reports show at most this much of a query


def junk_reason(query: str) -> str:
    """Why a query is junk by its text alone, or "" when a person may have typed it.

    >>> [junk_reason(q) for q in ("gout", "a", "!!! 123", "x " * 40)]
    ['', 'one character', 'no letters', 'over 32 words']
    """
    text = query.strip()
    if not any(ch.isalpha() for ch in text):
        return "no letters"
    if len(text) == 1:
        return "one character"
    if len(text.split()) > MAX_WORDS:
        return f"over {MAX_WORDS} words"
    if len(text) > MAX_CHARS:
        return f"over {MAX_CHARS} characters"
    return ""


def shown(query: str) -> str:
    """A query as a report shows it: at most DISPLAY_CHARS characters.

    >>> shown("pain " * 30)[-12:]
    'n pain pain…'
    """
    return query if len(query) <= DISPLAY_CHARS else query[: DISPLAY_CHARS - 1] + "…"
