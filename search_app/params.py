"""Request parameters -> checked values; one error type the app answers with 400."""

from __future__ import annotations

from collections.abc import Mapping

from indexer.article import SECTION_KINDS

MAX_PAGE = 100
MAX_SIZE = 50
MAX_PREFIX = 200  # characters of a search-box prefix; a longer one is no longer being typed


class BadParameter(ValueError):
    """A request parameter out of range; the message is safe to show."""


def parse_int(args: Mapping[str, str], name: str, default: int, low: int, high: int) -> int:
    raw = args.get(name, "")
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError as error:
        raise BadParameter(f"'{name}' must be a whole number") from error
    if not low <= value <= high:
        raise BadParameter(f"'{name}' must be between {low} and {high}")
    return value


def parse_section(args: Mapping[str, str]) -> str | None:
    section = args.get("section", "").strip().lower() or None
    if section is not None and section not in SECTION_KINDS:
        raise BadParameter(f"'section' must be one of: {', '.join(SECTION_KINDS)}")
    return section


def query_text(args: Mapping[str, str]) -> str:
    """The q parameter plus the filters given as their own parameters."""
    text = args.get("q", "")
    section = parse_section(args)
    if section:
        text += f" section:{section}"
    specialist = args.get("specialist", "").strip()
    if specialist:
        text += f' specialist:"{specialist}"'
    return text


def prefix_text(args: Mapping[str, str]) -> str:
    """The q of a suggestion request: required, at most MAX_PREFIX characters, any content."""
    if "q" not in args:
        raise BadParameter("'q' is required")
    text = args["q"]
    if len(text) > MAX_PREFIX:
        raise BadParameter(f"'q' must be at most {MAX_PREFIX} characters")
    return text


def has_control_characters(text: str) -> bool:
    """Whether `text` holds CR, LF or another control character: never part of a URL to redirect to.

    >>> has_control_characters("/staff\\r\\nSet-Cookie: x=1"), has_control_characters("/staff/demand?days=7")
    (True, False)
    """
    return any(ord(ch) < 32 or ord(ch) == 127 for ch in text)


def parse_choice(args: Mapping[str, str], name: str, choices: tuple[str, ...]) -> str:
    """One of `choices`; the first when the parameter is absent or empty."""
    value = args.get(name, "") or choices[0]
    if value not in choices:
        raise BadParameter(f"'{name}' must be one of: {', '.join(choices)}")
    return value
