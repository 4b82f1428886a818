"""Text files by shape: Markdown, wiki text, plain text with question headings, flattened pages."""

from __future__ import annotations

import pytest

from indexer.article import Article
from indexer.textpage import parse_text, text_shape
from tests.conftest import SEED

MARKDOWN = """# Gout: Symptoms, causes and treatment

Also called: gouty arthritis, podagra

On this page

- [Summary](#summary)
- [Start Here](#start)

## Summary

### What is gout?

Gout is a painful kind of arthritis.

### Who gets gout?

Men over 40 get it **most often**.

Symptoms
--------

- Sudden pain in a joint
- Red, swollen skin

## Start Here

- [Gout](https://example.org/gout) (Arthritis Agency)
- [Living with gout](https://example.org/living) (Arthritis Agency)

## References

1. Smith J. Gout. 2020.
"""

WIKI = """Gout, commonly known as podagra, is a form of inflammatory arthritis.
It causes sudden attacks of pain.


== Signs and symptoms ==
Gout can present in several ways.

=== Tophi ===
Long-standing gout forms lumps.

== Causes ==
The Centers for Disease Control and Prevention say diet plays a part.

== References ==
Smith J. Gout. 2020.
"""

PLAIN = """Gout

Gout is a painful kind of arthritis that affects the joints.
What are the symptoms of gout?
Sudden pain in the big toe at night, with redness and swelling.
How is gout treated?
Medicines ease the pain, and diet changes lower uric acid.
"""


def headings(article: Article) -> list[tuple[str, str]]:
    return [(s.kind, s.heading) for s in article.sections]


@pytest.mark.parametrize(
    ("text", "shape"),
    [
        (MARKDOWN, "markdown"),
        (WIKI, "wiki"),
        (PLAIN, "plain"),
        ("Gout Home Gout Overview Gout is arthritis. Causes Uric acid.", "flat"),
        ("Title\n\nText under a Setext heading\n-----------\n\nMore text.", "markdown"),
        ("- one\n---\n- two\n- three", "plain"),
    ],
)
def test_shape(text: str, shape: str) -> None:
    assert text_shape(text) == shape


def test_markdown_title_aliases_sections_and_furniture() -> None:
    article = parse_text(MARKDOWN, "gout")
    assert article.title == "Gout"
    assert article.aliases == ("gouty arthritis", "podagra")
    assert headings(article) == [
        ("overview", "What is gout?"),
        ("risk_factors", "Who gets gout?"),
        ("symptoms", "Symptoms"),
    ]
    assert article.sections[1].text == "Men over 40 get it most often."
    assert article.sections[2].text == "• Sudden pain in a joint\n• Red, swollen skin"
    every = str(article.to_dict())
    assert "On this page" not in every and "Arthritis Agency" not in every and "Smith J" not in every


def test_wiki_text_title_from_the_lead_and_headings() -> None:
    article = parse_text(WIKI, "gout")
    assert article.title == "Podagra"
    assert article.aliases == ("Gout",)
    assert headings(article) == [
        ("overview", "Overview"),
        ("symptoms", "Signs and symptoms"),
        ("causes", "Causes"),
    ]
    assert "Long-standing gout forms lumps." in article.sections[1].text
    assert "Smith J" not in str(article.to_dict())


def test_plain_text_title_line_and_question_headings() -> None:
    article = parse_text(PLAIN, "gout")
    assert article.title == "Gout"
    assert headings(article) == [
        ("overview", "Overview"),
        ("symptoms", "What are the symptoms of gout?"),
        ("treatment", "How is gout treated?"),
    ]
    assert article.sections[0].text == "Gout is a painful kind of arthritis that affects the joints."


def test_flattened_page_still_goes_to_the_flat_parser() -> None:
    article = parse_text(SEED.read_text(encoding="utf-8"), "acne-scars")
    assert article.title == "Acne Scars"
    assert [s.kind for s in article.sections][:3] == ["overview", "types", "symptoms"]


def test_markdown_text_is_text_not_markup() -> None:
    article = parse_text("# Gout\n\nGout <script>alert(1)</script> hurts.\n\n## Causes\n\nUric acid crystals.\n", "g")
    assert "alert" not in str(article.to_dict())
    assert article.sections[0].heading == "Overview"


def test_front_matter_gives_title_names_address_and_date() -> None:
    text = (
        '---\ntitle: "Gout"\nalso_called: ["Podagra", "Gouty arthritis"]\nsource_url: "https://example.org/gout"\n'
        "last_reviewed: 2024-05-06\ncontent_hash: abc123\n---\n### What is gout?\n\nGout is arthritis.\n"
    )
    article = parse_text(text, "gout")
    assert (article.title, article.aliases) == ("Gout", ("Podagra", "Gouty arthritis"))
    assert (article.url, article.reviewed) == ("https://example.org/gout", "2024-05-06")
    assert headings(article) == [("overview", "What is gout?")]
    assert "abc123" not in str(article.to_dict()["sections"])


def test_broken_front_matter_is_text_not_a_crash() -> None:
    article = parse_text("---\ntitle: [unclosed\n---\n# Gout\n\nGout is arthritis of the big toe.\n", "gout")
    assert article.title == "Gout"


READER = """Title: Gout - Symptoms and causes - City Clinic

URL Source: https://www.example.org/gout/symptoms-causes

Markdown Content:
Gout - Symptoms and causes - City Clinic
===============

[Skip to content](https://www.example.org/gout#main)

*   [Find a Doctor](https://www.example.org/doctors)
*   [Request Appointment](https://www.example.org/appointments)
*   [Health Library](https://www.example.org/library)

Gout
====

Overview
--------

Gout is a common and painful form of arthritis that most often strikes the big toe.

Symptoms
--------

The signs and symptoms of gout almost always occur suddenly, and often at night.

*   [Request an appointment](https://www.example.org/appointments)
"""


def test_reader_service_markdown_keeps_the_article_and_its_address() -> None:
    article = parse_text(READER, "gout")
    assert article.title == "Gout"
    assert article.url == "https://www.example.org/gout/symptoms-causes"
    assert headings(article) == [("overview", "Overview"), ("symptoms", "Symptoms")]
    every = str(article.to_dict()["sections"])
    assert "Find a Doctor" not in every and "Skip to content" not in every and "City Clinic" not in every
