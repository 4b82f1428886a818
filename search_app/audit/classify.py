"""One zero-result query -> why the library had nothing, and what would fix it.

Tried in order, each on the query's topic (what is left without intent and
question words):

- now found: the index answers it today (articles, aliases or synonyms were
  added since; a term the synonym table links to an article's name is found;
  not tried for a search classified as it is logged, which just found nothing);
- missing section: the condition has an article, but not the section asked for;
- likely misspelling: a close known word exists in the index's names or text;
- missing article: none of the above.

The work is bounded by a Budget (budget.py): spelling lookups count against it.
"""

from __future__ import annotations

from dataclasses import dataclass

from whoosh.searching import Searcher

from engine.budget import Budget
from engine.executor import derived
from engine.query import parse_query
from engine.search import search
from engine.spelling import analysed_terms, corrections, known_word
from indexer.article import SECTION_LABELS
from search_app.audit.catalog import Catalog
from search_app.suggest import deletions, one_edit

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


def classify(
    searcher: Searcher,
    catalog: Catalog,
    query: str,
    filters: dict | None = None,
    budget: Budget | None = None,
    known_zero: bool = False,
) -> Diagnosis:
    """Why `query` (with the filters it was searched with) found nothing; `known_zero`: it just did."""
    filters = filters or {}
    budget = budget or Budget()
    text = query + "".join(f' {name}:"{value}"' for name, value in filters.items() if name != "exact")
    parsed = parse_query(text, catalog.synonyms, correct=not filters.get("exact"))
    if not known_zero and not parsed.is_empty and search(searcher, parsed, limit=1, with_sections=0, budget=budget):
        return Diagnosis(NOW_FOUND, "the index answers it now", "none needed")
    topic = " ".join(parsed.topic) or " ".join(parsed.words)
    asked = [*parsed.intent.kinds, *(value for name, value in parsed.filters if name == "kinds")]
    return (
        _missing_section(catalog, topic, asked)
        or _misspelling(searcher, catalog, topic, budget)
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


def _misspelling(searcher: Searcher, catalog: Catalog, topic: str, budget: Budget) -> Diagnosis | None:
    fixed, changed = [], []
    for word in topic.split():
        stems = analysed_terms(searcher.schema, "content", word)
        best = close_word(searcher, word, budget) if stems and not known_word(searcher, stems[0]) else None
        fixed.append(best or word)
        if best:
            changed.append(f"{word} → {best}")
    if not changed:
        return None
    spelled = " ".join(fixed)
    match = catalog.find(spelled)
    where = f"the aliases of “{match.article['title']}” [{match.article['id']}]" if match else "synonyms.tsv"
    return Diagnosis(MISSPELLING, ", ".join(changed), f"add the spelling “{topic}” to {where}")


def close_word(searcher: Searcher, word: str, budget: Budget) -> str | None:
    """A known name word close to `word`: the search's own corrections first, then one typo anywhere.

    The search never changes a first letter ("kout" is not corrected); a name word one
    edit away, the first letter included, is found in an index of deletions built once
    per index state (a scan of every name word cost a tenth of a second per word).
    """
    found = corrections(searcher, word, limit=1, budget=budget)
    if found:
        return found[0]
    if len(word) < 4 or not word.isalpha() or not budget.may_correct(word):
        return None
    near = derived(searcher, "name_words", NameWords.of).near(word)
    reader = searcher.reader()
    return max(near, key=lambda w: (reader.doc_frequency("title_exact", w), w), default=None)


class NameWords:
    """Every word of a title, filed under itself and its one-letter deletions (SymSpell's method).

    Two words one edit apart share a deletion, so a word's neighbours are a few lookups away.
    """

    def __init__(self, words: set[str]) -> None:
        self.by_key: dict[str, list[str]] = {}
        for word in words:
            for key in (word, *deletions(word)):
                self.by_key.setdefault(key, []).append(word)

    @classmethod
    def of(cls, searcher: Searcher) -> NameWords:
        lexicon = (term.decode("utf-8") for term in searcher.reader().lexicon("title_exact"))
        return cls({word for word in lexicon if len(word) >= 3 and word.isalpha()})

    def near(self, typed: str) -> list[str]:
        """The words one edit from `typed`."""
        found = {word for key in (typed, *deletions(typed)) for word in self.by_key.get(key, ())}
        return sorted(word for word in found if one_edit(typed, word))
