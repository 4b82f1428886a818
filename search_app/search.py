"""Parsed query -> ranked hits.

A first ranking: any word may match (OR, with a bonus for matching more of
them), the condition name and aliases weigh most, then the named entities,
then the article text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from whoosh import qparser
from whoosh.searching import Searcher

FIELD_BOOSTS = {"title": 6.0, "aliases": 4.0, "types": 2.0, "treatments": 2.0, "specialists": 1.5, "content": 1.0}


@dataclass(frozen=True)
class Hit:
    id: str
    title: str
    score: float
    url: str
    source: str


def search(searcher: Searcher, text: str, limit: int = 10) -> list[Hit]:
    """The best `limit` articles for `text`; an empty list for an empty query."""
    parser = qparser.MultifieldParser(
        list(FIELD_BOOSTS), searcher.schema, fieldboosts=FIELD_BOOSTS, group=qparser.OrGroup.factory(0.9)
    )
    parser.remove_plugin_class(qparser.FieldsPlugin)
    query = parser.parse(text)
    hits = []
    for result in searcher.search(query, limit=limit):
        article = json.loads(result["article"])
        hits.append(Hit(result["id"], result["title"], result.score, article.get("url", ""), result["source"]))
    return hits
