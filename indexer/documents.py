"""Article -> Whoosh document: the one place that knows which text goes where."""

from __future__ import annotations

import json
import re

from indexer.article import Article
from indexer.schema import name_key

TITLE_KEY_MARK = "="  # a title's key is marked so an exact title can outrank an exact alias
_ASIDE = re.compile(r"\s*\(([^()]*)\)")
_AUDIENCE_NOTES = {"for"}
_INCLUSIONS = {"including", "includes"}


def name_keys(article: Article) -> list[str]:
    """The article's exact-name terms: its marked title keys, then its other names' keys."""
    shortened, other_names = title_variants(article.title)
    keys = [TITLE_KEY_MARK + key for key in map(name_key, [article.title, *shortened]) if key]
    keys += [key for key in map(name_key, [*article.aliases, *other_names]) if key]
    return list(dict.fromkeys(keys))


def title_variants(title: str) -> tuple[list[str], list[str]]:
    """Names a title carries besides itself: the title without its asides, and the names in them.

    Visitors type "Klippel-Trenaunay syndrome", not "Klippel-Trenaunay Syndrome (KTS)";
    "Liver (Hepatocellular) Cancer" is also "liver cancer" and "hepatocellular cancer";
    "Hematuria (Blood in the Urine)" is also "blood in the urine"; the name before a
    colon ("Kidney Failure: Choosing a Treatment") is what the article is about.
    """
    shortened: list[str] = []
    other_names: list[str] = []
    for aside in _ASIDE.finditer(title):
        words = aside.group(1).split()
        if not words or words[0].lower() in _AUDIENCE_NOTES:
            continue  # "(For Health Care Professionals)" says who it is for, not what it is
        name = " ".join(words[1:] if words[0].lower() in _INCLUSIONS else words)
        after = title[aside.end() :].strip()  # "Gum (Periodontal) Disease" is "Periodontal Disease"
        other_names.append(f"{name} {after}".strip())
    without = _ASIDE.sub("", title).strip()
    if without and without != title:
        shortened.append(without)
    if ":" in without:
        other_names.append(without.split(":", 1)[0])
    return shortened, other_names


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
