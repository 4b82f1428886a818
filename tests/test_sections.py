"""Heading text -> canonical kind: the one table every parser relies on."""

from __future__ import annotations

import pytest

from indexer.article import SECTION_KINDS
from indexer.sections import FLAT_HEADINGS, QTYPE_KINDS, kind_of_heading, kind_of_qtype, normalise_heading


@pytest.mark.parametrize(
    ("heading", "title", "kind"),
    [
        # the wordings of the seed page and its siblings
        ("Overview", "", "overview"),
        ("Introduction", "", "overview"),
        ("What is gout?", "Gout", "overview"),
        ("Types", "", "types"),
        ("Types of acne scars", "Acne Scars", "types"),
        ("Forms of asthma", "Asthma", "types"),
        ("Symptoms", "", "symptoms"),
        ("Signs and symptoms", "", "symptoms"),
        ("Gout symptoms", "Gout", "symptoms"),
        ("What are the symptoms of conjunctivitis?", "Conjunctivitis", "symptoms"),
        ("Causes", "", "causes"),
        ("What causes gout?", "Gout", "causes"),
        ("What causes gout?", "", "causes"),
        ("How do you get conjunctivitis?", "Conjunctivitis", "causes"),
        ("Risk factors", "", "risk_factors"),
        ("Who is at risk?", "", "risk_factors"),
        ("Diagnostics", "", "diagnosis"),
        ("Diagnosis", "", "diagnosis"),
        ("How is it diagnosed?", "", "diagnosis"),
        ("Exams and tests", "", "diagnosis"),
        ("Tests and diagnosis", "", "diagnosis"),
        ("Screening", "", "diagnosis"),
        ("Treatment", "", "treatment"),
        ("Treatment options", "", "treatment"),
        ("How is gout treated?", "Gout", "treatment"),
        ("Medications", "", "treatment"),
        ("Surgery", "", "treatment"),
        ("Complications", "", "complications"),
        ("Long-term effects", "", "complications"),
        ("Prevention", "", "prevention"),
        ("How can it be prevented?", "", "prevention"),
        ("Preventing gout", "Gout", "prevention"),
        ("Outlook", "", "outlook"),
        ("Outlook (prognosis)", "", "outlook"),
        ("Life expectancy", "", "outlook"),
        # "when to see a doctor" must win over the "doctor" of the specialist row
        ("When to see a Doctor?", "", "when_to_see_doctor"),
        ("When should I call my doctor?", "", "when_to_see_doctor"),
        ("When to seek medical care", "", "when_to_see_doctor"),
        ("Specialist to approach", "", "specialist"),
        ("Which doctor treats asthma?", "Asthma", "specialist"),
        ("Who treats gout?", "Gout", "specialist"),
        ("Self-care", "", "living_with"),
        ("Living with asthma", "Asthma", "living_with"),
        ("Home remedies", "", "living_with"),
        ("Is asthma inherited?", "Asthma", "inheritance"),
        ("Genetic changes", "", "genetics"),
        ("How common is it?", "", "frequency"),
        ("Clinical trials", "", "research"),
        ("Stages of cancer", "", "stages"),
        # unknown headings keep their text elsewhere and become "other"
        ("History of the disease", "", "other"),
        ("References", "", "other"),
        ("Contact us", "", "other"),
        ("", "", "other"),
    ],
)
def test_kind_of_heading(heading: str, title: str, kind: str) -> None:
    """Authors word headings many ways; search filters need one kind per section."""
    assert kind_of_heading(heading, title) == kind


@pytest.mark.parametrize(
    ("heading", "title", "kind"),
    [
        pytest.param(
            "Types of treatment",
            "",
            "treatment",
        ),
    ],
)
def test_kind_of_heading_more_variants(heading: str, title: str, kind: str) -> None:
    """Headings the table gets wrong today."""
    assert kind_of_heading(heading, title) == kind


@pytest.mark.parametrize(
    ("heading", "title", "normalised"),
    [
        ("What causes Acne Scars?", "Acne Scars", "what causes"),
        ("When to see a Doctor?", "", "when to see a doctor"),
        ("Outlook (prognosis)", "", "outlook prognosis"),
        ("  Self-care  ", "", "self-care"),
    ],
)
def test_normalise_heading(heading: str, title: str, normalised: str) -> None:
    """The condition's own name and punctuation must not decide the kind."""
    assert normalise_heading(heading, title) == normalised


@pytest.mark.parametrize(
    ("qtype", "kind"),
    [
        ("information", "overview"),
        ("symptoms", "symptoms"),
        ("causes", "causes"),
        ("treatment", "treatment"),
        ("prevention", "prevention"),
        ("exams and tests", "diagnosis"),
        ("outlook", "outlook"),
        ("complications", "complications"),
        ("inheritance", "inheritance"),
        ("genetic changes", "genetics"),
        ("frequency", "frequency"),
        ("susceptibility", "risk_factors"),
        ("research", "research"),
        ("considerations", "other"),
        ("stages", "stages"),
        ("support groups", "living_with"),
        # case and spacing as MedQuAD files vary them
        ("Exams  and Tests", "diagnosis"),
        # a qtype the table lacks falls back to the heading patterns
        ("risk factors", "risk_factors"),
        ("unheard of", "other"),
    ],
)
def test_kind_of_qtype(qtype: str, kind: str) -> None:
    """Every MedQuAD qtype lands on a canonical kind."""
    assert kind_of_qtype(qtype) == kind


def test_qtype_kinds_are_canonical() -> None:
    """A kind outside SECTION_KINDS would have no label or filter in the app."""
    assert set(QTYPE_KINDS.values()) <= set(SECTION_KINDS)


@pytest.mark.parametrize("heading", FLAT_HEADINGS)
def test_flat_headings_are_known(heading: str) -> None:
    """A heading that splits flattened text must never land in "other"."""
    assert kind_of_heading(heading) in set(SECTION_KINDS) - {"other"}


@pytest.mark.parametrize(
    ("heading", "title", "kind"),
    [
        # questions as health sites ask them; the topic word alone would mislead
        ("Who gets lupus?", "Lupus", "risk_factors"),
        ("Are some people more at risk for gout?", "Gout", "risk_factors"),
        ("Who is more likely to develop psoriasis?", "Psoriasis", "risk_factors"),
        ("What can happen if gout is not treated?", "Gout", "complications"),
        ("How does lupus affect pregnancy?", "Lupus", "complications"),
        ("Can I get pregnant if I have lupus?", "Lupus", "complications"),
        ("Is psoriasis linked to other health problems?", "Psoriasis", "complications"),
        ("Will my lupus symptoms go away after menopause?", "Lupus", "outlook"),
        ("What steps can I take at home to improve my psoriasis symptoms?", "Psoriasis", "treatment"),
        ("What should I do if I have gout?", "Gout", "treatment"),
        ("What are the types of medicines for gout?", "Gout", "treatment"),
        ("Who needs gout medicines?", "Gout Medicines", "treatment"),
        ("Is it safe to treat pregnant women who have lupus?", "Lupus", "treatment"),
        ("How can I lower my risk of gout?", "Gout", "prevention"),
        ("How can I protect myself from lupus flares?", "Lupus", "prevention"),
        ("Are there different kinds of psoriasis?", "Psoriasis", "types"),
        ("What are the different types of lupus?", "Lupus", "types"),
        ("How can I tell if I have gout or just a sprain?", "Gout", "diagnosis"),
        ("What is the difference between lupus and arthritis?", "Lupus", "diagnosis"),
        ("What tests are used to find out if I have lupus?", "Lupus", "diagnosis"),
        ("Is gout more common in men than women?", "Gout", "frequency"),
        ("Can stress cause psoriasis flares?", "Psoriasis", "causes"),
        ("Can alcohol make my gout worse?", "Gout", "causes"),
        ("When should I seek help for my headaches?", "Migraine", "when_to_see_doctor"),
        ("Prognosis and risk factors", "", "outlook"),
        ("Treatment-related research", "", "research"),
    ],
)
def test_question_headings(heading: str, title: str, kind: str) -> None:
    assert kind_of_heading(heading, title) == kind
