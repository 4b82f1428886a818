"""`python -m bench.staff`: every staff page over a query log of 100,000 searches, timed.

Stages: bring a MedQuAD index in WORK/staff/ up to date; seed a fresh query log with
searches spread over 30 days the way visitors search — the shared topic sets' queries
with a Zipf-like popularity, a long tail of one-off variants (a typo, a word more), one
in twelve finding nothing, a third of page searches clicked, and some junk and bot
bursts — through the log's own writer; then sign in and time each staff page and
export twice: the first load in a fresh process (nothing computed yet) and a second
one (what the per-generation coverage and the per-hour demand counts save).  Printed
as a table; nothing is asserted.
"""

from __future__ import annotations

import argparse
import random
import re
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import NamedTuple

from flask import Flask
from flask.testing import FlaskClient

from bench.report import markdown_table
from indexer.build import build_index
from indexer.store import IndexStore
from search_app import accounts, create_app
from search_app.prepare import prepare_generation
from search_app.querylog import QueryLog, SearchEntry

REPO = Path(__file__).resolve().parents[1]
PAGES = (
    "/staff",
    "/staff/demand?days=30",
    "/staff/demand?days=30&format=json",
    "/staff/demand?days=30&format=csv&table=zero",
    "/staff/demand?days=365",
    "/staff/coverage",
    "/staff/coverage?sort=traffic",
    "/staff/coverage?format=json",
    "/staff/coverage?format=csv&table=matrix",
    "/staff/checklist",
)
TAIL = 0.25  # share of searches that are one-off variants of a topic: a typo, or a word more
JUNK = ("a", "!!!", "x" * 300, "'; DROP TABLE articles; --")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.staff", description=__doc__.splitlines()[0])
    parser.add_argument("--medquad", type=Path, default=REPO.parent / "shared" / "data" / "medquad")
    parser.add_argument("--eval", type=Path, default=REPO.parent / "shared" / "eval")
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "runs")
    parser.add_argument("--searches", type=int, default=100_000)
    args = parser.parse_args(argv)
    index = args.work / "staff" / "index"
    build_index([args.medquad], IndexStore(index), vectors=False, prepare=prepare_generation)
    with tempfile.TemporaryDirectory() as scratch:
        log_path = f"{scratch}/querylog.sqlite3"
        started = time.perf_counter()
        seed(QueryLog(log_path, 90), queries(args.eval), args.searches)
        print(f"seeded {args.searches:,} searches in {time.perf_counter() - started:.1f} s", flush=True)
        config = {"TESTING": True, "INDEX_DIR": str(index), "INSTANCE_DIR": scratch, "QUERY_LOG": log_path}
        config["STAFF_DB"] = f"{scratch}/s.db"  # and the secret key in INSTANCE_DIR: nothing written in the checkout
        client = signed_in(create_app({**config, "REQUEST_LOG": ""}))
        first = time_loads(client, PAGES)
        print(report(first, time_loads(client, PAGES), args.searches))
    return 0


def queries(eval_dir: Path) -> list[str]:
    texts = []
    for path in sorted(eval_dir.glob("*.topics.tsv")):
        texts += [line.split("\t", 1)[1] for line in path.read_text().splitlines() if "\t" in line]
    return texts


def seed(log: QueryLog, texts: list[str], count: int) -> None:
    """`count` searches over 30 days: popular queries often, most rarely; some find nothing; some junk."""
    rng = random.Random(7)
    weights = [1 / (rank + 1) for rank in range(len(texts))]
    now = datetime.now(timezone.utc)
    with log.connect() as connection:
        connection.execute("BEGIN")
        # In the order they were made, as a server logs them: a burst is judged by the searches before it.
        moments = sorted(now - timedelta(seconds=rng.uniform(0, 30 * 86_400)) for _ in range(count))
        for number, at in enumerate(moments):
            text = rng.choices(texts, weights)[0] if rng.random() > 0.01 else rng.choice(JUNK)
            if rng.random() < TAIL and text not in JUNK:
                text = variant(rng, text, texts)
            results = 0 if rng.random() < 1 / 12 else rng.randint(1, 400)
            endpoint = "page" if rng.random() < 0.6 else "api"
            entry = SearchEntry(endpoint, text, text.lower(), results, {}, 1, rng.uniform(5, 60))
            search_id = log.record_search(connection, entry, at=at, request_id=f"seed-{number}")
            if endpoint == "page" and results and rng.random() < 1 / 3:
                log.record_click(connection, search_id, "GARD_0000001", rng.randint(1, min(results, 10)), at=at)
        connection.execute("COMMIT")


def variant(rng: random.Random, text: str, texts: list[str]) -> str:
    """A query as one visitor types it: a letter dropped or doubled, or a word of another query added."""
    position = rng.randrange(len(text))
    choice = rng.random()
    if choice < 0.4:
        return text[:position] + text[position + 1 :]
    if choice < 0.7:
        return text[:position] + text[position] + text[position:]
    return f"{text} {rng.choice(rng.choice(texts).split())}"


class Load(NamedTuple):
    """One page load: wall-clock seconds, and the CPU seconds this process spent (what a busy machine cannot hide)."""

    page: str
    status: int
    seconds: float
    cpu: float


def time_pages(app: Flask, pages: tuple[str, ...] = PAGES) -> list[Load]:
    """The first load of each page, signed in as a staff account made for it."""
    return time_loads(signed_in(app), pages)


def signed_in(app: Flask) -> FlaskClient:
    """A test client signed in as a staff account made for it."""
    accounts.add(app.config["STAFF_DB"], "bench", "bench password")
    client = app.test_client()
    form = client.get("/staff/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    client.post("/staff/login", data={"name": "bench", "password": "bench password", "csrf_token": token})
    return client


def time_loads(client: FlaskClient, pages: tuple[str, ...]) -> list[Load]:
    """Each page loaded once."""
    timings = []
    for page in pages:
        started, cpu = time.perf_counter(), time.process_time()
        status = client.get(page).status_code
        timings.append(Load(page, status, time.perf_counter() - started, time.process_time() - cpu))
    return timings


def report(first: list[Load], again: list[Load], searches: int) -> str:
    rows = [
        [one.page, str(one.status), f"{one.seconds:.3f}", f"{one.cpu:.3f}", f"{two.seconds:.3f}", f"{two.cpu:.3f}"]
        for one, two in zip(first, again, strict=True)
    ]
    table = markdown_table(["page", "status", "first load (s)", "its CPU (s)", "again (s)", "its CPU (s)"], rows)
    return f"## Staff pages over {searches:,} logged searches (Flask's test client)\n\n{table}\n"


if __name__ == "__main__":
    raise SystemExit(main())
