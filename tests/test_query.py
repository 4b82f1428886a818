"""Query understanding: user syntax, intent words, synonyms; nothing a visitor types breaks it."""

from __future__ import annotations

import pytest

from engine.intent import detect_intent
from engine.query import MAX_QUERY_CHARS, QueryError, parse_query
from engine.synonyms import Synonyms, load_synonyms


@pytest.mark.parametrize(
    ("query", "kind"),
    [
        ("boxcar scar treatment", "treatment"),
        ("pills for gout", "treatment"),
        ("home remedies for eczema", "treatment"),
        ("migraine medication", "treatment"),
        ("what helps a migraine", "treatment"),
        ("can liver cancer be detected early", "diagnosis"),
        ("signs of stroke", "symptoms"),
        ("why do i get kidney stones", "causes"),
        ("how to avoid flu", "prevention"),
        ("diabetis test", "diagnosis"),
        ("glaucoma exam", "diagnosis"),
        ("life expectancy with copd", "outlook"),
        ("is sepsis deadly", "outlook"),
        ("is hemophilia passed down", "inheritance"),
        ("cystic fibrosis genetic cause", "genetics"),
        ("how common is gout", "frequency"),
        ("who gets shingles", "risk_factors"),
        ("psoriasis clinical trials", "research"),
        ("which specialist for acne", "specialist"),
        ("how is hepatitis b spread", "causes"),
        ("can you catch shingles", "causes"),
        ("what does a shingles rash look like", "symptoms"),
        ("headache when to worry", "when_to_see_doctor"),
    ],
)
def test_intent_words_pick_the_section(query: str, kind: str) -> None:
    assert detect_intent(query).kinds[0] == kind


@pytest.mark.parametrize(
    "query", ["type 2 diabetes", "pink eye", "acne scars", "familial isolated hyperparathyroidism"]
)
def test_no_intent_word_means_no_intent(query: str) -> None:
    assert detect_intent(query).kinds == ()


def test_intent_words_leave_the_topic() -> None:
    assert detect_intent("boxcar scar treatment").topic == "boxcar scar"


def test_user_syntax() -> None:
    parsed = parse_query('"acne scars" -rolling section:treatment laser')
    assert parsed.phrases == ("acne scars",)
    assert parsed.excluded == ("rolling",)
    assert parsed.filters == (("kinds", "treatment"),)
    assert parsed.words == ("laser",)


def test_section_filter_accepts_lay_words() -> None:
    assert parse_query("section:treatments gout").filters == (("kinds", "treatment"),)


@pytest.mark.parametrize("query", ['"', "AND OR", "*", "field:", "-", '"unbalanced', "\x00\x1f", "<script>", "שלום"])
def test_any_short_input_parses(query: str) -> None:
    parsed = parse_query(query)
    assert all("<" not in word and '"' not in word for word in parsed.words)


def test_over_long_query_is_refused_clearly() -> None:
    with pytest.raises(QueryError, match="too long"):
        parse_query("a" * (MAX_QUERY_CHARS + 1))


def test_synonym_groups_found_by_longest_match() -> None:
    table = Synonyms([("conjunctivitis", "pink eye"), ("hypertension", "high blood pressure")])
    assert table.groups_in("pink eye in children") == [("conjunctivitis", "pink eye")]
    assert table.groups_in("HIGH blood pressure diet") == [("hypertension", "high blood pressure")]
    assert table.groups_in("eye pink") == []


def test_shipped_synonym_table_is_large_and_clean() -> None:
    table = load_synonyms()
    assert len(table.groups) >= 150
    terms = [term for group in table.groups for term in group]
    assert len(terms) == len(set(terms)), "a term belongs to one group only"
    assert table.groups_in("heart attack")[0][0] == "myocardial infarction"
    assert table.groups_in("ringing in ears")[0][0] == "tinnitus"  # "ringing in the ears", as a name key
    assert table.groups_in("testing for eds")[0][0] == "ehlers-danlos syndrome"  # not "ed", its stem
    assert table.groups_in("ed treatment")[0][0] == "erectile dysfunction"
