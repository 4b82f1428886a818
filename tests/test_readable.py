"""MedQuAD as people read it: headings from templated questions, spaced sentences, dash lists."""

from __future__ import annotations

import json
import re

import pytest

from engine.highlight import snippet
from indexer.sources.readable import readable_answer, readable_heading
from indexer.store import IndexStore


@pytest.mark.parametrize(
    ("question", "title", "kind", "heading"),
    [
        ("What is (are) Scars ?", "Scars", "overview", "Overview"),
        ("Do you have information about Pain Relievers", "Pain Relievers", "overview", "Overview"),
        ("What is (are) ?", "Vision Loss", "overview", "Overview"),
        ("What is (are) Adult Brain Tumors ?", "Brain Tumors", "overview", "About Adult Brain Tumors"),
        (
            "What are the treatments for What I need to know about Cirrhosis ?",
            "What I need to know about Cirrhosis",
            "treatment",
            "What are the treatments for Cirrhosis?",
        ),
        (
            "What is (are) What I need to know about Cirrhosis ?",
            "What I need to know about Cirrhosis",
            "overview",
            "Overview",
        ),
        ("Who is at risk for Gout? ?", "Gout", "risk_factors", "Who is at risk for Gout?"),
        ("How to prevent Gout ?", "Gout", "prevention", "How can Gout be prevented?"),
        ("how is rabies diagnosed?", "Rabies", "diagnosis", "How is rabies diagnosed?"),
        ("Is Gout inherited ?", "Gout", "inheritance", "Is Gout inherited?"),
    ],
)
def test_readable_heading(question: str, title: str, kind: str, heading: str) -> None:
    assert readable_heading(question, title, kind) == heading


@pytest.mark.parametrize(
    ("raw", "text"),
    [
        ("It causes discomfort.Most people recover.", "It causes discomfort. Most people recover."),
        ("Symptoms may include - Fever - Cough - Headache -", "Symptoms may include\n\n• Fever\n• Cough\n• Headache"),
        (
            "Key Points\n    - Gout is arthritis.    - It hurts.\n\n   Gout is common.",
            "Key Points\n\n• Gout is arthritis.\n• It hurts.\n\nGout is common.",
        ),
        (
            "Febrile dermatosis - also known as Sweet syndrome - is rare.",
            "Febrile dermatosis - also known as Sweet syndrome - is rare.",
        ),
        ("Between 5 - 10 years - or more.", "Between 5 - 10 years - or more."),
        ("See www.cdc.gov for e.g. details.", "See www.cdc.gov for e.g. details."),
    ],
)
def test_readable_answer(raw: str, text: str) -> None:
    assert readable_answer(raw) == text


def test_snippet_keeps_list_items_apart() -> None:
    html = str(snippet("Symptoms may include\n\n• Fever\n• Cough", frozenset({"cough"})))
    assert html == "Symptoms may include • Fever • <mark>Cough</mark>"


def test_no_templated_heading_or_glued_sentence_left_in_medquad(medquad_index: IndexStore) -> None:
    """Over the whole MedQuAD index: every heading reads as a heading, every answer as prose or a list."""
    templated = re.compile(r"what is \(are\)|do you have information about|for what (i|you) need to know", re.I)
    headings = lists = 0
    with medquad_index.open().searcher() as searcher:
        for fields in searcher.all_stored_fields():
            for section in json.loads(fields["article"])["sections"]:
                headings += 1
                assert not templated.search(section["heading"]), (fields["id"], section["heading"])
                assert not re.search(r"\b[a-z]{3,}[.!?][A-Z][a-z]{2,}", section["text"]), fields["id"]
                lists += "\n• " in section["text"] or section["text"].startswith("• ")
    assert headings > 16000 and lists > 1000
