"""Taking one filter out of what a visitor typed, for the "remove filter" links."""

from __future__ import annotations

import pytest

from engine.query import parse_query, without_filter


@pytest.mark.parametrize(
    ("text", "field", "value", "expected"),
    [
        ("skin section:causes", "kinds", "causes", "skin"),
        ('skin section:"causes" acne', "kinds", "causes", "skin acne"),
        ("skin section:cause", "kinds", "causes", "skin"),  # the lay word maps onto the kind it filters
        ("skin section:causes section:treatment", "kinds", "treatment", "skin section:causes"),
        ("lupus source:GARD", "source", "gard", "lupus"),
        ("lupus -section:causes", "kinds", "causes", "lupus -section:causes"),  # not a filter
        ('"section:causes" skin', "kinds", "causes", '"section:causes" skin'),  # a phrase, not a filter
    ],
)
def test_without_filter(text: str, field: str, value: str, expected: str) -> None:
    assert without_filter(text, field, value) == expected


def test_a_section_filter_is_asked_for_first_and_counted_once() -> None:
    parsed = parse_query("gout symptoms section:treatment section:treatment")
    assert parsed.intent.kinds[:2] == ("treatment", "symptoms")
    assert parsed.filters == (("kinds", "treatment"),)


@pytest.mark.parametrize(("text", "words"), [("gout section:zzz", ("gout", "zzz")), ('gout section:""', ("gout",))])
def test_a_filter_that_names_nothing_filters_nothing(text: str, words: tuple[str, ...]) -> None:
    parsed = parse_query(text)
    assert parsed.filters == () and parsed.words == words
