"""Batch runs for evaluation: topics in, TREC run (and best sections) out."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

from whoosh.searching import Searcher

from engine.query import QueryError, parse_query
from engine.search import search
from engine.synonyms import load_synonyms


def read_topics(path: Path) -> Iterator[tuple[str, str]]:
    """(qid, query) pairs of a `qid<TAB>query` file; a header line `qid` is skipped."""
    with open(path, encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE):
            if len(row) >= 2 and row[0] != "qid":
                yield row[0], row[1]


def write_run(
    searcher: Searcher,
    topics: Path,
    run: TextIO,
    sections: TextIO | None = None,
    k: int = 100,
    tag: str = "healthsearch",
) -> int:
    """Answer every topic; return how many topics had at least one hit."""
    answered = 0
    synonyms = load_synonyms()
    for qid, text in read_topics(topics):
        try:
            hits = search(searcher, parse_query(text[:1000], synonyms), limit=k, with_sections=1)
        except QueryError:
            continue
        for rank, hit in enumerate(hits, 1):
            run.write(f"{qid} Q0 {hit.id} {rank} {hit.score:.4f} {tag}\n")
        if hits:
            answered += 1
            if sections is not None and hits[0].sections:
                best = hits[0].sections[0]
                sections.write(f"{qid}\t{hits[0].id}\t{best.qtype or best.kind}\n")
    return answered
