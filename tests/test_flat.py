"""Flattened scraped text -> Article: the real seed page and small hand-made texts."""

from __future__ import annotations

import pytest

from indexer.article import Article, ParseError
from indexer.flat import parse_flat, title_from_prefix, unglue
from tests.conftest import SEED


@pytest.fixture(scope="module")
def seed() -> Article:
    return parse_flat(SEED.read_text(encoding="utf-8"), "acne-scars")


def test_seed_title(seed: Article) -> None:
    """The title comes from around the breadcrumbs, which are not part of it."""
    assert seed.title == "Acne Scars"
    assert seed.warnings == ()


def test_seed_sections_in_order(seed: Article) -> None:
    """All nine inline headings split the text, each with its own words kept."""
    assert [(s.kind, s.heading) for s in seed.sections] == [
        ("overview", "Overview"),
        ("types", "Types"),
        ("symptoms", "Symptoms"),
        ("causes", "Causes"),
        ("diagnosis", "Diagnostics"),
        ("treatment", "Treatment"),
        ("when_to_see_doctor", "When to see a Doctor?"),
        ("prevention", "Prevention"),
        ("specialist", "Specialist to approach"),
    ]


def test_seed_anchors_unique(seed: Article) -> None:
    anchors = [s.anchor for s in seed.sections]
    assert len(set(anchors)) == len(anchors) == 9


@pytest.mark.parametrize(
    "noise",
    ["Home", "A-Z", "Health Library", "Disclaimer", "educational purposes", "emergency facility"],
)
def test_seed_sections_free_of_page_furniture(seed: Article, noise: str) -> None:
    """Breadcrumbs and the site disclaimer must never be searchable."""
    assert not [s.heading for s in seed.sections if noise in s.text]


def test_seed_section_text(seed: Article) -> None:
    """Section bodies start right after their heading and glued sentences come apart."""
    texts = {s.kind: s.text for s in seed.sections}
    assert texts["overview"].startswith("Acne scars are to permanent textural changes")
    assert "acne: Atrophic scars" in texts["types"]
    assert texts["specialist"] == (
        "A dermatologist is the right specialist to consult for evaluation and treatment of acne scars."
    )


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ("types", {"ice pick", "boxcar", "rolling", "hypertrophic"}),
        (
            "treatments",
            {
                "laser treatments",
                "clear + brilliant",
                "microneedling",
                "dermal fillers",
                "platelet-rich plasma therapy",
            },
        ),
        ("specialists", {"dermatologist"}),
    ],
)
def test_seed_entities(seed: Article, field: str, expected: set[str]) -> None:
    """Glued and enumerated lists of the seed page yield their names."""
    found = {name.lower() for name in getattr(seed.entities, field)}
    assert expected <= found


def test_heading_words_inside_a_sentence_do_not_split() -> None:
    """ "Several treatment options" is prose; only "Treatment" before a capital is a heading."""
    text = (
        "Gout Home Gout Overview Gout is a form of arthritis. Several treatment options exist, "
        "and doctors discuss Treatment options with patients. Treatment Colchicine eases a flare."
    )
    article = parse_flat(text, "gout")
    assert article.title == "Gout"
    assert [(s.kind, s.heading, s.text) for s in article.sections] == [
        (
            "overview",
            "Overview",
            "Gout is a form of arthritis. Several treatment options exist, "
            "and doctors discuss Treatment options with patients.",
        ),
        ("treatment", "Treatment", "Colchicine eases a flare."),
    ]


def test_text_without_headings_is_one_overview() -> None:
    """Nothing is lost when no heading is found, but the build report says so."""
    article = parse_flat("Gout is a painful kind of arthritis that affects the joints.", "gout", "Gout")
    assert [(s.kind, s.heading, s.text) for s in article.sections] == [
        ("overview", "Overview", "Gout is a painful kind of arthritis that affects the joints.")
    ]
    assert "no section headings found: the whole text is one overview section" in article.warnings
    assert article.title == "Gout"


def test_trailing_disclaimer_cut_and_review_date_read() -> None:
    text = (
        "Gout Home Gout Overview Gout hurts. Last reviewed: 14 September 2025 Causes Uric acid builds up. "
        "Disclaimer: This page is for educational purposes only."
    )
    article = parse_flat(text, "gout")
    assert article.reviewed == "2025-09-14"
    assert article.sections[-1].text == "Uric acid builds up."


@pytest.mark.parametrize("text", ["", "   \n\t  "])
def test_empty_text_is_a_parse_error(text: str) -> None:
    with pytest.raises(ParseError, match="no text"):
        parse_flat(text, "empty", "Empty")


@pytest.mark.parametrize(
    ("prefix", "title"),
    [
        ("Acne Scars Home A-Z Health Library Acne Scars", "Acne Scars"),
        ("Gout Home Gout", "Gout"),
        ("Vertigo", "Vertigo"),
        ("", ""),
        ("one two three four five six seven eight nine", ""),
    ],
)
def test_title_from_prefix(prefix: str, title: str) -> None:
    """A long prefix without a repeated title is page furniture, not a title."""
    assert title_from_prefix(prefix) == title


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("after acne:Atrophic scars", "after acne: Atrophic scars"),
        ("rolling scars.Hypertrophic", "rolling scars. Hypertrophic"),
        ("(Harmony XL Pro)Microneedling", "(Harmony XL Pro) Microneedling"),
        ("e.g. U.S.A. stays", "e.g. U.S.A. stays"),
    ],
)
def test_unglue(text: str, expected: str) -> None:
    """Spaces a scraper dropped come back; abbreviations are left alone."""
    assert unglue(text) == expected


def test_inline_also_called_gives_aliases_and_leaves_the_text() -> None:
    article = parse_flat(
        "Gout Home Gout Also called: podagra, gouty arthritis Overview Gout is a form of arthritis. "
        "Causes Uric acid builds up.",
        "gout",
    )
    assert article.aliases == ("podagra", "gouty arthritis")
    assert article.sections[0].text == "Gout is a form of arthritis."


def test_long_text_before_the_first_heading_is_kept_as_the_lead() -> None:
    lead = "Gout is a common and painful kind of arthritis that strikes one joint at a time, often the big toe."
    article = parse_flat(f"{lead} Causes Uric acid builds up in the blood and forms crystals.", "gout", "Gout")
    assert (article.title, article.sections[0].heading, article.sections[0].text) == ("Gout", "Overview", lead)


def test_heading_word_bound_into_a_name_does_not_split() -> None:
    text = "Gout Home Gout Overview The Centers for Disease Control and Prevention track gout. Causes Uric acid."
    article = parse_flat(text, "gout")
    assert [s.heading for s in article.sections] == ["Overview", "Causes"]
