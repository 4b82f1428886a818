"""Heading text -> canonical section kind, from one table of variants.

Headings are normalised (lower case, punctuation and the article's own
condition name removed) and tried against the patterns below in order; the
first match wins.  Headings no pattern knows become ``other`` and keep their
text, so nothing an author wrote is lost.
"""

from __future__ import annotations

import re

# (kind, pattern) pairs, tried in order on the normalised heading.  Order
# matters: "when to see a doctor" must win over "doctor", "risk factors" over
# "factors", "genetic cause" over "cause".
HEADING_PATTERNS: tuple[tuple[str, str], ...] = (
    (
        "when_to_see_doctor",
        r"^when (to|should (i|you)) (see|call|contact|consult|visit|seek)|"
        r"^(seeking|getting) (medical )?(help|care)|^when to (seek|get) (medical )?(help|care|advice)|"
        r"^see a doctor|^emergency signs",
    ),
    ("specialist", r"specialist|which doctor|who (treats|to see)|type of doctor|doctor to (see|approach|consult)"),
    # Questions whose topic word would mislead the table below ("Will my symptoms go away?" is
    # about the outlook, "What can happen if it is not treated?" about complications).
    ("research", r"\bresearch$"),
    (
        "outlook",
        r"^(prognosis|outlook)\b|\bgo(es)? away\b|\bbe worse (during|after|in|with)|get (better|worse) (with|over|as)",
    ),
    (
        "complications",
        r"\bif .*\bnot treated|untreated|^what (can|could|will) happen|health problems|\blinked to|turn into|"
        r"worry about|^comorbid|^associated conditions|^how (does|do|can|will) .*\baffects?\b",
    ),
    (
        "treatment",
        r"\b(improve|relieve|ease|manage|control)\w* (my |your |the )?(\w+ )?symptoms|what (should|can) (i|you) do|"
        r"lifestyle changes|help (lower|reduce|relieve|ease|improve)|"
        r"(types?|kinds?) of (medicines?|medications?|drugs?)",
    ),
    (
        "types",
        r"\bdifferent (kinds|types|forms)\b|^are there (different |other )?(kinds|types|forms)|^what are the types",
    ),
    ("frequency", r"\bmore common (in|among|than)|^mortality"),
    (
        "diagnosis",
        r"how (can|do|would|will) (i|you) (tell|know)|find out if|\btests? (are|is) used|difference between|"
        r"differ from|\bvs\b|versus",
    ),
    ("causes", r"^(can|does|do|could) \w+( \w+){0,3} cause\b|\bmake .*\bworse|\b(be|is|are) (it |they )?related to"),
    (
        "risk_factors",
        r"risk factors?|^who (is|gets|are) (at risk|affected|most likely)|who is likely|"
        r"susceptib|^are you at risk|^who (gets|can get|develops?)\b|\bmore (likely|at risk)\b|\bat risk\b",
    ),
    ("genetics", r"genetic (cause|change|basis)|^genetics?$|^gene(s)?( involved)?$|what genes"),
    ("inheritance", r"inherit|passed down|hereditary|run in families"),
    ("frequency", r"^(how common|frequency|prevalence|incidence|epidemiology)|how many people"),
    ("types", r"^(types?|kinds?|forms?|classification|subtypes?|varieties)( of( it| this condition)?)?$"),
    ("symptoms", r"symptom|^signs?\b|warning signs|clinical (features|presentation)|what does it feel like"),
    (
        "causes",
        r"^(causes?|etiology|aetiology)\b|what causes|^why does|^cause of|how do you get|"
        r"how (is it|does it) (spread|caught)|^transmission",
    ),
    ("diagnosis", r"diagnos|exams? and tests?|^tests?\b|^testing|^screening|how is it (found|detected)"),
    (
        "treatment",
        r"treat|therap|^(care|management)$|\bmedications?\b|\bmedicines?\b|^remed|^surgery|cure|"
        r"^drugs?\b|breastfe",
    ),
    ("complications", r"complication|^risks of|^dangers|long[- ]term effects|(get|become|getting|becoming) pregnant"),
    ("prevention", r"prevent|avoid|^reducing (your )?risk|\b(lower|reduce)\w* (my |your |the )?risk|\bprotect"),
    ("outlook", r"outlook|prognos|life expectancy|^recovery|expectations|what to expect|^survival"),
    (
        "living_with",
        r"^living with|^self[- ]care|^coping|^support( groups?)?$|^home (care|remedies)|"
        r"^lifestyle|^daily life|^tips|^managing( life| day to day)?$",
    ),
    ("research", r"research|clinical trials?|^studies"),
    ("stages", r"^stages?\b|^staging|^grades?\b"),
    (
        "overview",
        r"^(overview|introduction|summary|about|definition|description|information|"
        r"key (facts|points)|at a glance)\b|^what (is|are)\b",
    ),
)

_COMPILED = tuple((kind, re.compile(pattern)) for kind, pattern in HEADING_PATTERNS)

# MedQuAD names each question/answer pair by a qtype; these are its canonical kinds.
QTYPE_KINDS: dict[str, str] = {
    "information": "overview",
    "symptoms": "symptoms",
    "causes": "causes",
    "treatment": "treatment",
    "prevention": "prevention",
    "exams and tests": "diagnosis",
    "outlook": "outlook",
    "complications": "complications",
    "inheritance": "inheritance",
    "genetic changes": "genetics",
    "frequency": "frequency",
    "susceptibility": "risk_factors",
    "research": "research",
    "stages": "stages",
    "support groups": "living_with",
    "considerations": "other",
}


def normalise_heading(heading: str, title: str = "") -> str:
    """Lower-case words only, without the condition's own name.

    >>> normalise_heading("What causes Acne Scars?", "Acne Scars")
    'what causes'
    """
    text = heading.lower()
    if title:
        text = text.replace(title.lower(), " ")
    text = re.sub(r"[^\w\s-]", " ", text)
    return " ".join(text.split())


def kind_of_heading(heading: str, title: str = "") -> str:
    """The canonical kind of a heading, or ``other``.

    >>> kind_of_heading("When to see a Doctor?")
    'when_to_see_doctor'
    >>> kind_of_heading("How is it diagnosed?")
    'diagnosis'
    """
    for text in dict.fromkeys((normalise_heading(heading, title), normalise_heading(heading))):
        for kind, pattern in _COMPILED:
            if pattern.search(text):
                return kind
    return "other"


def kind_of_qtype(qtype: str) -> str:
    """MedQuAD's qtype as a canonical kind; unknown qtypes go to the heading table."""
    key = " ".join(qtype.lower().split())
    return QTYPE_KINDS.get(key) or kind_of_heading(key)


def is_known_heading(heading: str, title: str = "") -> bool:
    return kind_of_heading(heading, title) != "other"


# Headings as they appear in pages whose scraper flattened them into the text.
# Only these exact wordings (first letter capitalised) split flattened text, so a
# heading word inside a sentence ("Several treatment options") is never a heading.
FLAT_HEADINGS: tuple[str, ...] = (
    "Overview",
    "Introduction",
    "Summary",
    "Types",
    "Kinds",
    "Forms",
    "Symptoms",
    "Signs and symptoms",
    "Symptoms and signs",
    "Causes",
    "Risk factors",
    "Who is at risk?",
    "Diagnostics",
    "Diagnosis",
    "Tests and diagnosis",
    "Exams and tests",
    "How is it diagnosed?",
    "Treatment options",
    "Treatments",
    "Treatment",
    "How is it treated?",
    "Complications",
    "Prevention",
    "How can it be prevented?",
    "Outlook",
    "Prognosis",
    "Outlook (prognosis)",
    "When to see a doctor?",
    "When to see a doctor",
    "When to seek medical care",
    "Specialist to approach",
    "Which specialist?",
    "Self-care",
    "Living with it",
)
