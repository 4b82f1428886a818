"""What visitors read: counts in words, and errors without developers' terms."""

from __future__ import annotations

from engine.query import QueryError
from search_app.params import MAX_PAGE, BadParameter


def plural(count: int, noun: str) -> str:
    """
    >>> plural(1, "condition"), plural(1234, "condition")
    ('1 condition', '1,234 conditions')
    """
    return f"{count:,} {noun}{'' if count == 1 else 's'}"


def count_text(total: int, all_words: int | None) -> str:
    """The results count as a visitor can trust it: all the words, or some of them.

    >>> count_text(12, None)
    '12 conditions found'
    >>> count_text(12, 12)
    '12 conditions match all your words'
    >>> count_text(4751, 3)
    '3 conditions match all your words, and 4,748 more match some of them'
    >>> count_text(40, 0)
    'No condition matches all your words; 40 match some of them'
    """
    if all_words is None:
        return f"{plural(total, 'condition')} found"
    if all_words == total:
        return f"{plural(total, 'condition')} {'matches' if total == 1 else 'match'} all your words"
    if all_words == 0:
        return f"No condition matches all your words; {total:,} {'matches' if total == 1 else 'match'} some of them"
    some = total - all_words
    verb, more = ("matches" if all_words == 1 else "match"), ("matches" if some == 1 else "match")
    return f"{plural(all_words, 'condition')} {verb} all your words, and {some:,} more {more} some of them"


def friendly_error(error: BadParameter | QueryError) -> str:
    """A bad request as a visitor reads it: what to do, not which parameter failed."""
    message = str(error)
    if isinstance(error, QueryError):
        return message  # already written for visitors
    if message.startswith("'page'"):
        return f"There is no such page of results. Results pages run from 1 to {MAX_PAGE}: try the first page."
    if message.startswith("'section'"):
        return "That kind of section is not one we know. Search without it, or pick one from the filters."
    return "Something in the address was not understood. Try your search again from the search box."
