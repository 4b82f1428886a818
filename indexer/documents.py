"""Article -> Whoosh document: the one place that knows which text goes where."""

from __future__ import annotations

import json

from indexer.article import Article
from indexer.schema import name_key

TITLE_KEY_MARK = "="  # a title's key is marked so an exact title can outrank an exact alias


def name_keys(article: Article) -> list[str]:
    """The article's exact-name terms: its marked title key, then its aliases' keys."""
    keys = [TITLE_KEY_MARK + name_key(article.title)]
    keys += [key for key in map(name_key, article.aliases) if key]
    return list(dict.fromkeys(keys))


def to_document(article: Article) -> dict[str, str]:
    """The fields of one article's index document."""
    document = {
        "id": article.id,
        "title": article.title,
        "title_exact": article.title,
        "name_key": ",".join(name_keys(article)),
        "aliases": "\n".join(article.aliases),
        "content": "\n\n".join(s.text for s in article.sections),
        "source": article.source,
        "kinds": ",".join(article.section_kinds()),
        "specialist_tags": ",".join(article.entities.specialists),
        "content_hash": article.content_hash,
        "reviewed": article.reviewed,
        "types": "\n".join(article.entities.types),
        "treatments": "\n".join(article.entities.treatments),
        "specialists": "\n".join(article.entities.specialists),
        "article": json.dumps(article.to_dict(with_hash=False), ensure_ascii=False),
    }
    return {name: value for name, value in document.items() if value}
