"""Topic text -> the article that covers it, through titles, aliases and the synonym table.

Names are compared as `name_key`s (case, punctuation, stop words and word
endings ignored); a looser key (words sorted, "disease"/"syndrome" dropped)
catches reordered or generic-suffixed names.
"""

from __future__ import annotations

from dataclasses import dataclass

from engine.synonyms import Synonyms
from indexer.schema import name_key

# Words that name no particular condition: "Gout" and "Gout disease" are one topic.
GENERIC = frozenset({"diseas", "disease", "disord", "disorder", "syndrom", "syndrome", "condit", "condition"})


def loose_key(key: str) -> str:
    """A name key with its words sorted and generic words dropped.

    >>> loose_key(name_key("Stones, Kidney")) == loose_key(name_key("kidney stone disease"))
    True
    """
    return " ".join(sorted(set(key.split()) - GENERIC))


@dataclass(frozen=True)
class Match:
    article: dict
    via: str  # "title", "alias", "synonym: <term>", "similar title"
    term: str = ""  # for a synonym match: the article's own name the synonym led to


class Catalog:
    """Every article by the keys of its title and aliases."""

    def __init__(self, articles: list[dict], synonyms: Synonyms) -> None:
        self.synonyms = synonyms
        self.by_title: dict[str, dict] = {}
        self.by_alias: dict[str, dict] = {}
        self.by_loose: dict[str, dict] = {}
        self.same_named: dict[str, list[dict]] = {}
        for article in articles:
            self.by_title.setdefault(article["title_key"], article)
            self.same_named.setdefault(article["title_key"], []).append(article)
            self.by_loose.setdefault(loose_key(article["title_key"]), article)
            for key in article["alias_keys"]:
                self.by_alias.setdefault(key, article)

    def namesakes(self, article: dict) -> list[dict]:
        """Every article with the same name as `article` (itself first): MedQuAD has Heart Attack three times."""
        same = self.same_named.get(article["title_key"], [])
        return [article, *(other for other in same if other["id"] != article["id"])]

    def named(self, text: str) -> Match | None:
        """The article whose own title or alias is `text`."""
        key = name_key(text)
        if not key:
            return None
        if key in self.by_title:
            return Match(self.by_title[key], "title")
        if key in self.by_alias:
            return Match(self.by_alias[key], "alias")
        return None

    def find(self, text: str) -> Match | None:
        """The article covering `text`: its own name, a synonym of one, or a similar title."""
        found = self.named(text)
        if found:
            return found
        for term in self.synonyms.group_of(text):
            if (other := self.named(term)) is not None:
                return Match(other.article, f"synonym: {term}", term)
        loose = loose_key(name_key(text))
        if loose and loose in self.by_loose:
            return Match(self.by_loose[loose], "similar title")
        return None
