"""MedQuAD's templated questions and flattened answers, as people read them.

Stages: a question made from a template and the article's focus ("What is (are)
Scars ?", "Do you have information about Pain Relievers", "What are the treatments
for What I need to know about Cirrhosis ?") becomes the section's label when it only
asks what the article is about, else the question with the focus cleaned up; an
answer gets its paragraphs back, spaces between sentences a scraper glued together
("discomfort.Most"), and its dash lists (" - Fever - Cough") as one "• item" line
each, the shape the article page renders as a list.
"""

from __future__ import annotations

import re

from indexer.article import SECTION_LABELS
from indexer.text import squash

# Focus wrappers of NIH booklets: "What I need to know about Cirrhosis" is about Cirrhosis.
_FOCUS_WRAPPER = re.compile(r"^(?:what (?:i|you) need to know about|your guide to|facts about)\s+", re.IGNORECASE)
_ABOUT = re.compile(r"^(?:what is \(are\)|do you have information about)\s*(.*?)\s*\??$", re.IGNORECASE)
_REWRITES = (
    (re.compile(r"^how to diagnose (.+)$", re.IGNORECASE), "How is {} diagnosed?"),
    (re.compile(r"^how to prevent (.+)$", re.IGNORECASE), "How can {} be prevented?"),
    (
        re.compile(r"^what research \(or clinical trials\) is being done for (.+)$", re.IGNORECASE),
        "What research is being done on {}?",
    ),
)
_GLUED = re.compile(r"(?<=[a-z][.!?])(?=[A-Z][a-z])")
# An item starts with a capital: " - a rare form - " inside a sentence is a dash, not a list.
_DASH_ITEM = re.compile(r"(?:^|\s)-\s+(?=[A-Z(\"'])")


def readable_heading(question: str, title: str, kind: str) -> str:
    """The heading a reader sees for one MedQuAD question.

    >>> readable_heading("What is (are) Scars ?", "Scars", "overview")
    'Overview'
    >>> readable_heading("Do you have information about Pain Relievers", "Pain Relievers", "overview")
    'Overview'
    >>> readable_heading("What is (are) Childhood Glioma ?", "Brain Tumors", "overview")
    'About Childhood Glioma'
    >>> readable_heading("What are the treatments for What I need to know about Cirrhosis ?", "x", "treatment")
    'What are the treatments for Cirrhosis?'
    >>> readable_heading("How to diagnose Gout ?", "Gout", "diagnosis")
    'How is Gout diagnosed?'
    """
    text = _focus_cleaned(re.sub(r"\s*\?[\s?]*$", "", squash(question)))
    about = _ABOUT.match(text)
    if about:
        focus = _focus_cleaned(about.group(1))
        same = not focus or _key(focus) in (_key(title), _key(_focus_cleaned(title)))
        return SECTION_LABELS.get(kind, "Overview") if same else f"About {focus}"
    for pattern, template in _REWRITES:
        match = pattern.match(text)
        if match:
            return template.format(match.group(1))
    return text[:1].upper() + text[1:] + "?" if text else SECTION_LABELS.get(kind, "Overview")


def _focus_cleaned(text: str) -> str:
    """The question with a booklet wrapper taken off the focus it names."""
    return re.sub(
        r"(?<=\s)(?:what (?:i|you) need to know about|your guide to)\s+",
        "",
        _FOCUS_WRAPPER.sub("", text),
        flags=re.IGNORECASE,
    )


def _key(text: str) -> str:
    return " ".join(re.findall(r"\w+", text.lower()))


def readable_answer(raw: str) -> str:
    """Paragraphs, spaced sentences and "• item" list lines from an answer's raw text.

    >>> readable_answer("Symptoms include: - Fever - Cough and sneezing -")
    'Symptoms include:\\n\\n• Fever\\n• Cough and sneezing'
    >>> readable_answer("It hurts.Most people recover.")
    'It hurts. Most people recover.'
    """
    paragraphs = [squash(p) for p in re.split(r"\n\s*\n", raw)]
    blocks = [block for p in paragraphs if p for block in _blocks(_GLUED.sub(" ", p))]
    return "\n\n".join(blocks)


def _blocks(paragraph: str) -> list[str]:
    """A paragraph, or its lead-in and its dash list when it holds two items or more."""
    parts = _DASH_ITEM.split(paragraph)
    items = [p.strip(" -") for p in parts[1:] if p.strip(" -")]
    if len(items) < 2:
        return [paragraph]
    lead = parts[0].strip()
    return ([lead] if lead else []) + ["\n".join("• " + item for item in items)]
