"""What part of an article a query asks for, from the words people really use.

"acne scar treatment", "pills for gout", "what helps migraine" all ask for the
Treatment section; the words that said so are taken out of the query's topic,
so they need not appear in the article's title or text.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

# kind -> phrases (regular expressions over lower-case words) that ask for it.
# Multi-word phrases come first within a kind; the kinds are tried in order, so
# "genetic cause" is genetics before "cause" can make it causes.
INTENT_PHRASES: tuple[tuple[str, tuple[str, ...]], ...] = (
    (
        "when_to_see_doctor",
        (
            r"when (to|should (i|you)) (see|call|visit) (a |the )?(doctor|gp|physician)",
            r"see a doctor",
            r"go to (the )?(hospital|er|a&e|emergency)",
            r"urgent care",
            r"when to worry",
        ),
    ),
    (
        "specialist",
        (r"(which|what) (kind of |type of )?(doctor|specialist)", r"specialists?", r"doctors?", r"who (treats|to see)"),
    ),
    (
        "genetics",
        (
            r"genetic (cause|causes|change|changes|basis|mutation|mutations)",
            r"genes?",
            r"genetics?",
            r"mutations?",
            r"what gene",
        ),
    ),
    ("inheritance", (r"inherit\w*", r"passed down", r"hereditary", r"runs? in (the )?famil\w+", r"genetic")),
    (
        "frequency",
        (r"how (common|rare|many people|often|prevalent)", r"prevalence", r"frequency", r"incidence", r"how many"),
    ),
    (
        "risk_factors",
        (
            r"risk factors?",
            r"risks?",
            r"who (gets|is at risk|is affected|can get)",
            r"at risk",
            r"susceptib\w*",
            r"chances? of getting",
        ),
    ),
    (
        "outlook",
        (
            r"prognosis",
            r"outlook",
            r"life expectancy",
            r"survival( rate)?",
            r"recovery( time)?",
            r"how long (will|does|do|can)",
            r"(is it|can it be) (fatal|deadly)",
            r"fatal",  # a name's own word ("fatal familial insomnia") is the name's: see is_named
            r"deadly",
            r"go away",
            r"curable",
        ),
    ),
    ("research", (r"research", r"clinical trials?", r"trials?", r"studies", r"new (treatments?|drugs?)")),
    (
        "prevention",
        (r"prevent\w*", r"avoid\w*", r"stop (getting|it)", r"protect\w* against", r"vaccines?", r"how not to get"),
    ),
    (
        "diagnosis",
        (
            r"diagnos\w*",
            r"tests?",
            r"testing",
            r"exams?",
            r"examination",
            r"screening",
            r"scans?",
            r"how (do|can) (i|you) (know|tell)",
            r"check for",
            r"detect(ed|ing|s)?",
            r"detection",
            r"blood work",
        ),
    ),
    ("complications", (r"complications?", r"side effects?", r"dangers?", r"long[- ]term effects?", r"what happens if")),
    (
        "treatment",
        (
            r"treat\w*",
            r"therap\w*",
            r"cures?",
            r"cured",
            r"medicines?",
            r"medications?",
            r"meds",
            r"drugs?",
            r"pills?",
            r"tablets?",
            r"remed\w*",
            r"what helps",
            r"relief",
            r"relieve",
            r"get rid of",
            r"surgery",
            r"operation",
            r"manage\w*",
            r"antibiotics?",
            r"how to fix",
        ),
    ),
    (
        "symptoms",
        (
            r"symptoms?",
            r"signs?",
            r"sign and symptoms?",
            r"what does it feel like",
            r"how (do|does) (it|i) (feel|know)",
            r"warning signs?",
            r"feel like",
            r"look like",
        ),
    ),
    (
        "causes",
        (
            r"causes?",
            r"caused",
            r"causing",
            r"why (do|does|did|am|is)",
            r"reasons? for",
            r"what makes",
            r"triggers?",
            r"how do you get",
            r"etiology",
            r"contagious",
            r"spread(s|ing)?",
            r"catch(ing)?",
        ),
    ),
    ("types", (r"types?(?! ?\d)", r"kinds?", r"forms?")),
    ("stages", (r"stages?", r"staging", r"grades?")),
    ("living_with", (r"living with", r"coping", r"cope", r"self[- ]care", r"support groups?", r"diet")),
)

_COMPILED = tuple((kind, re.compile(r"\b(?:" + "|".join(phrases) + r")\b")) for kind, phrases in INTENT_PHRASES)
QUESTION_WORDS = re.compile(
    r"\b(what|whats|which|who|how|why|where|when|is|are|was|were|do|does|did|can|could|should|would|will|"
    r"i|me|my|mine|im|you|your|it|its|there|any|some|about|for|of|the|a|an|and|or|to|in|on|with|have|has|"
    r"had|get|info|information|tell|please|know|need|want)\b"
)


@dataclass(frozen=True)
class Intent:
    """The sections a query asks for (best first) and what is left of it: its topic."""

    kinds: tuple[str, ...]
    topic: str
    words: tuple[str, ...]  # the words that expressed the intent


def detect_intent(text: str, is_named: Callable[[str], bool] | None = None) -> Intent:
    """Find the section kinds a query asks for.

    `is_named(phrase)` says a phrase is part of a name the query holds ("hereditary"
    in "hereditary spastic paraplegia symptoms"): such a phrase names, it does not ask.

    >>> detect_intent("boxcar scar treatment")
    Intent(kinds=('treatment',), topic='boxcar scar', words=('treatment',))
    >>> detect_intent("what pills help with gout").kinds
    ('treatment',)
    >>> detect_intent("hereditary angioedema treatment", lambda phrase: phrase == "hereditary").kinds
    ('treatment',)
    """
    lowered = " ".join(re.findall(r"[\w'&-]+", text.lower()))
    kinds: list[str] = []
    words: list[str] = []
    topic = lowered
    for kind, pattern in _COMPILED:
        matches = [m for m in pattern.finditer(topic) if not (is_named and is_named(m.group(0)))]
        if matches:
            kinds.append(kind)
            words += [m.group(0) for m in matches]
            for match in reversed(matches):
                topic = topic[: match.start()] + " " + topic[match.end() :]
    return Intent(tuple(kinds), " ".join(topic.split()), tuple(words))


def topic_words(topic: str) -> list[str]:
    """The topic without question words: "what is the outlook for gout" -> ["gout"]."""
    return QUESTION_WORDS.sub(" ", topic).split()
