"""This engine under test: a timed rebuild, runs through write_run, API and suggestion latency.

Runs go through engine.evaluate.write_run itself, one topic per call, so the run
files are exactly what `healthsearch run` writes while each query is timed on its
own.  A lap covers write_run for one topic: reading the one-line topics file,
parsing the query, searching, picking the best section and writing the lines.
"""

from __future__ import annotations

import tempfile
import time
from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path

from bench.corpus import TopicSet
from bench.runfiles import DEPTH, Run, run_paths
from bench.staff import time_pages
from bench.timing import stopwatch
from engine.evaluate import write_run
from engine.search import SCORING
from engine.semantic import query_vector
from indexer.build import build_index
from indexer.store import IndexStore
from search_app import create_app
from search_app.prepare import prepare_generation

NAME = "healthsearch"
SUGGEST_SETS = ("medquad-kw-dev", "medquad-typo-dev")  # names as people type them, and with their typos
SUGGEST_TOPICS = 150  # topics of each set whose typing is replayed
SUGGEST_MAX_CHARS = 30  # a visitor has picked a suggestion or pressed Enter by then


@dataclass(frozen=True)
class Build:
    seconds: float
    articles: int
    vectors: dict


def build(medquad: Path, folder: Path, vector_cache: Path) -> Build:
    """A from-scratch build of the MedQuAD index, timed from the first file read to the swap.

    Section vectors come from `vector_cache` where it has them (embedding all of
    MedQuAD takes minutes; the first run pays it and fills the cache).
    """
    started = time.perf_counter()
    store = IndexStore(folder)
    options = {"progress": True, "vector_cache": vector_cache, "prepare": prepare_generation}
    report = build_index([medquad], store, rebuild=True, **options)
    vectors = report.vectors.to_dict() if report.vectors else {}
    return Build(time.perf_counter() - started, report.articles, vectors)


def answer(folder: Path, topic_set: TopicSet, work: Path) -> Run:
    """Answer every topic of a set with write_run, timing each topic."""
    run_path, sections_path = run_paths(work, NAME, topic_set)
    scratch = work / f"{NAME}.topic.tsv"
    laps: list[float] = []
    with ExitStack() as stack:
        searcher = stack.enter_context(IndexStore(folder).open().searcher(weighting=SCORING))
        run = stack.enter_context(open(run_path, "w", encoding="utf-8"))
        sections = stack.enter_context(open(sections_path, "w", encoding="utf-8")) if sections_path else None
        for qid, text in topic_set.topics:
            scratch.write_text(f"{qid}\t{text}\n", encoding="utf-8")
            with stopwatch(laps):
                write_run(searcher, scratch, run, sections, k=DEPTH, tag=NAME)
    scratch.unlink()
    return Run(NAME, topic_set, run_path, sections_path, laps)


# One client sends every request: the per-client rate limits would turn most into 429s,
# and a JSON line per request on stderr would bury the tables.
UNLIMITED = {
    "TESTING": True,
    "REQUEST_LOG": "",
    "API_RATE_LIMIT": "1000000 per minute",
    "SUGGEST_RATE_LIMIT": "1000000 per minute",
    "PAGE_RATE_LIMIT": "1000000 per minute",
}


def api_laps(folder: Path, topic_set: TopicSet) -> tuple[list[float], int]:
    """Milliseconds per `/api/search?q=...` through Flask's test client, and how many failed.

    This is what a visitor's request costs inside the app (routing, a searcher per
    request, facets, snippets, JSON) without the network.
    """
    # Searches are logged as in production, but to a log of their own, not the site's.
    querylog = folder.with_name(folder.name + "-querylog.sqlite3")
    client = create_app({**UNLIMITED, "INDEX_DIR": str(folder), "QUERY_LOG": str(querylog)}).test_client()
    query_vector.cache_clear()  # the runs embedded these queries already: time each embedding here too
    laps: list[float] = []
    failed = 0
    for _qid, text in topic_set.topics:
        with stopwatch(laps):
            response = client.get("/api/search", query_string={"q": text})
        failed += response.status_code != 200
    return laps, failed


@dataclass(frozen=True)
class SuggestTiming:
    first_seconds: float  # the first request: loads the suggester the build kept in the generation
    laps: list[float]
    failed: int


def typed_prefixes(topic_sets: list[TopicSet]) -> list[str]:
    """What the search box holds keystroke by keystroke, from 2 characters, for the keyword and typo topics."""
    prefixes: list[str] = []
    for topic_set in topic_sets:
        if topic_set.name in SUGGEST_SETS:
            for _qid, text in topic_set.topics[:SUGGEST_TOPICS]:
                typed = text[:SUGGEST_MAX_CHARS]
                prefixes += [typed[:end] for end in range(2, len(typed) + 1)]
    return prefixes


def suggest_laps(folder: Path, prefixes: list[str]) -> SuggestTiming:
    """Milliseconds per `/api/suggest?q=...` through Flask's test client, after one request that loads."""
    client = create_app({**UNLIMITED, "INDEX_DIR": str(folder)}).test_client()
    started = time.perf_counter()
    client.get("/api/suggest", query_string={"q": "ac"})
    first = time.perf_counter() - started
    laps: list[float] = []
    failed = 0
    for prefix in prefixes:
        with stopwatch(laps):
            response = client.get("/api/suggest", query_string={"q": prefix})
        failed += response.status_code != 200
    return SuggestTiming(first, laps, failed)


STAFF_PAGES = ("/staff", "/staff/coverage", "/staff/coverage?format=json", "/staff/demand", "/staff/checklist")


def staff_seconds(folder: Path) -> list[tuple[str, float]]:
    """Seconds for each staff page through Flask's test client, signed in, with an empty query log of its own."""
    with tempfile.TemporaryDirectory() as scratch:
        config = {**UNLIMITED, "INDEX_DIR": str(folder)}
        config |= {"STAFF_DB": f"{scratch}/staff.sqlite3", "QUERY_LOG": f"{scratch}/log.sqlite3"}
        timings = time_pages(create_app(config), STAFF_PAGES)
        return [(f"{load.page} ({load.status})", load.seconds) for load in timings]
