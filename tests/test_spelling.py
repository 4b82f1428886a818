"""Spelling corrections on a real tiny index: which known name an unknown word was meant to be."""

from __future__ import annotations

import pytest
from whoosh.searching import Searcher

from engine.query import parse_query
from engine.results import search_page
from engine.spelling import corrected_words, corrections

ARTICLES = {
    "mondor.html": ("Mondor disease", "", "A rare inflammation of a vein just under the skin of the chest."),
    "mono.html": (
        "Mononucleosis",
        "mono, kissing disease, glandular fever",
        "A viral infection common in teenagers; mono spreads through saliva. Mono causes tiredness.",
    ),
    "glandular.html": ("Sore throat", "", "Among its causes are colds, strep throat and mono."),
    "monro.html": ("Foramen of Monro cyst", "", "A fluid-filled cyst near the foramen of Monro in the brain."),
    "behcet.html": ("Behcet's disease", "", "Inflammation of blood vessels throughout the body."),
    "dicer.html": ("DICER1 syndrome", "", "An inherited condition that raises the risk of certain tumours."),
}


@pytest.fixture
def searcher(searcher_of) -> Searcher:
    pages = {}
    for name, (title, aliases, text) in ARTICLES.items():
        also = f'<p class="also-called">Also called: {aliases}</p>' if aliases else ""
        pages[name] = f"<article><h1>{title}</h1>{also}<h2>Overview</h2><p>{text}</p></article>"
    return searcher_of(pages)


def test_the_query_s_other_words_pick_among_equally_close_names(searcher) -> None:
    assert corrections(searcher, "mondo", limit=1) == ["mono"]  # alone, the commoner word
    assert corrected_words(searcher, ["mondo", "disease"]) == ["mondor", "disease"]  # "Mondor disease" is a name


def test_a_possessive_is_corrected_and_kept(searcher) -> None:
    assert corrected_words(searcher, ["bejcet's", "disease"]) == ["behcet's", "disease"]


def test_a_word_with_digits_is_corrected(searcher) -> None:
    assert corrected_words(searcher, ["dicre1", "syndrome"]) == ["dicer1", "syndrome"]


@pytest.mark.parametrize("word", ["mono", "vein", "abc", "x1y2"])
def test_known_or_too_short_or_letterless_words_are_left_alone(searcher, word: str) -> None:
    assert corrected_words(searcher, [word]) == [word]


def test_the_page_offers_and_searches_the_context_s_correction(searcher) -> None:
    page = search_page(searcher, parse_query("mondo disease"))
    assert page.did_you_mean == "mondor disease" and page.corrected
    assert page.hits[0].id == "mondor"
