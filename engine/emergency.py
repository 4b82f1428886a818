"""Emergency queries put the conditions that are the emergency first.

A red-flag query ("chest pain") is someone who may be having a heart attack now,
not someone reading about back pain.  The articles that answer it are found by
what they say of themselves, never by a rule per query:

1. an article whose title or alias is named by the red-flag words ("having a
   heart attack", "stroke symptoms") is that emergency;
2. an article whose own Symptoms section lists the red-flag words is a condition
   that presents that way, the more so the earlier it lists them (Heart Attack
   starts its symptoms with chest pain).

An article whose When-to-see-a-doctor section names the words as a warning sign is
not lifted: measured on the bundled articles, that is how a condition says "this is
no longer me, get help" (Tonsillitis, Hay Fever and Common Cold all warn of trouble
breathing; Atrial Fibrillation of slurred speech), and lifting them pushed Asthma
and Stroke down.

The best-scored matches are checked (a bounded number of stored articles read, each
once per index state and red-flag phrase) and lifted above every other match in that
order, keeping their own order within each strength.
"""

from __future__ import annotations

import json
import re

from whoosh.searching import Searcher

from engine.executor import Scored, derived
from engine.query import ParsedQuery
from engine.redflags import red_flags
from indexer.schema import name_key

CHECKED = 200  # best-scored matches read: enough for every plausible emergency article
NAMED = 3.0  # strength of a named emergency; a symptom lies between 1 and 2 by how early it is listed


def emergency_first(searcher: Searcher, parsed: ParsedQuery, scored: Scored) -> None:
    """Lift the articles that are the query's emergency above the rest (scores changed in place)."""
    flags = red_flags(parsed.text) if parsed.emergency else []
    if not flags or not scored.matched.any():
        return
    candidates = Scored(scored.scores, scored.matched).top(CHECKED)
    top = float(scored.scores[candidates[0]]) or 1.0
    # red-flag queries are few and repeat ("chest pain"): each article is read once per index state
    known: dict[tuple[str, str, int], float] = derived(
        searcher, "emergency_strengths", lambda _searcher: {}, persist=False
    )
    for docnum in map(int, candidates):
        for pattern, said in flags:
            if (pattern.pattern, said, docnum) not in known:
                article = json.loads(searcher.stored_fields(docnum)["article"])
                known[pattern.pattern, said, docnum] = emergency_strength(article, pattern, said)
        scored.scores[docnum] += max(known[pattern.pattern, said, docnum] for pattern, said in flags) * top


def emergency_strength(article: dict, pattern: re.Pattern[str], said: str) -> float:
    """How surely an article is about the emergency the red-flag words describe (0: not at all).

    >>> attack = {"title": "Heart Attack", "aliases": [], "sections": [
    ...     {"kind": "symptoms", "text": "Chest pain or pressure."}]}
    >>> pattern = re.compile(r"chest pain|having a heart attack")
    >>> emergency_strength(attack, pattern, "having a heart attack"), emergency_strength(attack, pattern, "chest pain")
    (3.0, 2.0)
    """
    said_key = f" {name_key(said)} "
    if any(f" {key} " in said_key for key in map(name_key, [article["title"], *article.get("aliases", [])]) if key):
        return NAMED
    strength = 0.0
    for section in article["sections"]:
        if section["kind"] != "symptoms":
            continue
        text = " ".join(section["text"].lower().replace("’", "'").split())
        found = pattern.search(text)
        if found is None:
            continue
        strength = max(strength, 2.0 - found.start() / max(len(text), 1))
    return strength
