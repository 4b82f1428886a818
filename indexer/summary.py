"""Articles -> compact summaries for the staff audits, written beside each generation.

The coverage audit needs every article's section kinds and word counts.
Reading thousands of stored articles on each page view would take seconds,
so the build writes one small record per article (id, title, aliases and their
name keys, source, reviewed date, warnings, words per section kind) into the generation
folder, updated incrementally like the index itself.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

from indexer.mapped import open_mapped
from indexer.schema import name_key

SUMMARIES = "summaries.json"


def summarize(article: dict) -> dict:
    """One article (as `Article.to_dict` shapes it) -> its audit record."""
    words: dict[str, int] = {}
    headings: dict[str, str] = {}
    for section in article["sections"]:
        words[section["kind"]] = words.get(section["kind"], 0) + len(section["text"].split())
        headings.setdefault(section["kind"], section["heading"])
    return {
        "id": article["id"],
        "title": article["title"],
        "aliases": list(article.get("aliases", [])),
        # name keys cost a text analysis each: done here once, not per page view
        "title_key": name_key(article["title"]),
        "alias_keys": [name_key(alias) for alias in article.get("aliases", [])],
        "url": article.get("url", ""),
        "source": article.get("source", ""),
        "reviewed": article.get("reviewed", ""),
        "warnings": list(article.get("warnings", [])),
        "words": words,
        "headings": headings,
    }


def write_summaries(generation: Path, articles: Iterable[dict], deleted_ids: Iterable[str], fresh: bool) -> None:
    """Apply a build's changes to the generation's summaries.

    A copied generation without summaries (built before they existed) gets
    them from the articles stored in its index, so no rebuild is needed.
    """
    path = generation / SUMMARIES
    if fresh:
        records: dict[str, dict] = {}
    elif path.exists():
        records = {record["id"]: record for record in json.loads(path.read_text(encoding="utf-8"))}
    else:
        records = {record["id"]: record for record in _from_index(generation)}
    for article_id in deleted_ids:
        records.pop(article_id, None)
    for article in articles:
        records[article["id"]] = summarize(article)
    ordered = sorted(records.values(), key=lambda record: record["id"])
    path.write_text(json.dumps(ordered, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")


def _from_index(generation: Path) -> list[dict]:
    ix = open_mapped(generation)
    try:
        with ix.reader() as reader:
            return [summarize(json.loads(fields["article"])) for fields in reader.all_stored_fields()]
    finally:
        ix.close()


def read_summaries(generation: Path) -> list[dict]:
    """The summaries of a generation; built from its stored articles if the file is missing."""
    path = generation / SUMMARIES
    if not path.exists():
        return sorted(_from_index(generation), key=lambda record: record["id"])
    return json.loads(path.read_text(encoding="utf-8"))
