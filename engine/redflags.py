"""Queries that describe an emergency, from a list staff can edit."""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

DEFAULT_LIST = Path(__file__).parent / "data" / "red_flags.txt"


@cache
def _patterns(path: str) -> tuple[re.Pattern[str], ...]:
    file = Path(path)
    if not file.exists():
        return ()
    lines = (line.strip() for line in file.read_text(encoding="utf-8").splitlines())
    return tuple(re.compile(rf"\b(?:{line})\b") for line in lines if line and not line.startswith("#"))


def red_flags(text: str, path: str = str(DEFAULT_LIST)) -> list[tuple[re.Pattern[str], str]]:
    """The lines a query matches, each with the words that matched it.

    >>> [said for _line, said in red_flags("Crushing chest pain and sweating")]
    ['chest pain']
    """
    lowered = _normalised(text)
    return [(pattern, found.group(0)) for pattern in _patterns(path) if (found := pattern.search(lowered))]


def _normalised(text: str) -> str:
    return " ".join(text.lower().replace("’", "'").split())


def is_emergency(text: str, path: str = str(DEFAULT_LIST)) -> bool:
    """Whether a query reads like someone in an emergency.

    >>> is_emergency("crushing chest pain and sweating"), is_emergency("chest x-ray")
    (True, False)
    """
    return bool(red_flags(text, path))
