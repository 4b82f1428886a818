"""One zero-result query -> why the library had nothing, and what would fix it.

Tried in order, each on the query's topic (what is left without intent and
question words):

- now found: the index answers it today (articles, aliases or synonyms were
  added since; a term the synonym table links to an article's name is found);
- missing section: the condition has an article, but not the section asked for;
- likely misspelling: a close known word exists in the index's names or text;
- missing article: none of the above.
"""

from __future__ import annotations

from dataclasses import dataclass

from whoosh.searching import Searcher

from indexer.article import SECTION_LABELS
from search_app.audit.catalog import Catalog
from search_app.query import parse_query
from search_app.search import search
from search_app.spelling import analysed_terms, corrections, known_word

NOW_FOUND = "now found"
MISSPELLING = "likely misspelling"
MISSING_SECTION = "missing section"
MISSING_ARTICLE = "missing article"
CLASSES = (MISSPELLING, MISSING_SECTION, MISSING_ARTICLE, NOW_FOUND)


@dataclass(frozen=True)
class Diagnosis:
    kind: str
    detail: str
    fix: str


def classify(searcher: Searcher, catalog: Catalog, query: str, filters: dict | None = None) -> Diagnosis:
    """Why `query` (with the filters it was searched with) found nothing."""
    filters = filters or {}
    text = query + "".join(f' {name}:"{value}"' for name, value in filters.items() if name != "exact")
    parsed = parse_query(text, catalog.synonyms, correct=not filters.get("exact"))
    if not parsed.is_empty and search(searcher, parsed, limit=1, with_sections=0):
        return Diagnosis(NOW_FOUND, "the index answers it now", "none needed")
    topic = " ".join(parsed.topic) or " ".join(parsed.words)
    asked = [*parsed.intent.kinds, *(value for name, value in parsed.filters if name == "kinds")]
    return (
        _missing_section(catalog, topic, asked)
        or _misspelling(searcher, catalog, topic)
        or Diagnosis(MISSING_ARTICLE, f"no article on “{topic}”", f"write an article on “{topic}”")
    )


def _missing_section(catalog: Catalog, topic: str, asked: list[str]) -> Diagnosis | None:
    match = catalog.find(topic)
    if match is None or not asked:
        return None
    lacking = [kind for kind in dict.fromkeys(asked) if not match.article["words"].get(kind)]
    if not lacking:
        return None
    names = ", ".join(SECTION_LABELS.get(kind, kind) for kind in lacking)
    title = match.article["title"]
    return Diagnosis(
        MISSING_SECTION,
        f"“{title}” has no {names} section",
        f"write the {names} section of “{title}” [{match.article['id']}]",
    )


def _misspelling(searcher: Searcher, catalog: Catalog, topic: str) -> Diagnosis | None:
    fixed, changed = [], []
    for word in topic.split():
        stems = analysed_terms(searcher.schema, "content", word)
        best = close_word(searcher, word) if stems and not known_word(searcher, stems[0]) else None
        fixed.append(best or word)
        if best:
            changed.append(f"{word} → {best}")
    if not changed:
        return None
    spelled = " ".join(fixed)
    match = catalog.find(spelled)
    where = f"the aliases of “{match.article['title']}” [{match.article['id']}]" if match else "synonyms.tsv"
    return Diagnosis(MISSPELLING, ", ".join(changed), f"add the spelling “{topic}” to {where}")


def close_word(searcher: Searcher, word: str) -> str | None:
    """A known name word close to `word`: the search's own corrections first, then any first letter."""
    found = corrections(searcher, word, limit=1)
    if found:
        return found[0]
    if len(word) < 4 or not word.isalpha():
        return None
    maxdist = 1 if len(word) < 7 else 2
    for name in ("title", "aliases"):
        suggestions = searcher.suggest(name, word, limit=1, maxdist=maxdist, prefix=0)
        if suggestions:
            return suggestions[0]
    return None
