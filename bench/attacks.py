"""Costly-query benchmark: the CPU time of the worst queries within the limits, next to a normal query's.

Stages: bring the MedQuAD index up to date (in bench/runs/attacks/); take the
index's commonest words and longest name words; build each attack (many quoted
phrases of common words, excluded phrases, two-edit misspellings, random
words, everything at once) afresh for every run, so no cache has seen that
query; send it through the app in this process to `/search`, `/api/search`,
`/articles/<id>?q=` and `/api/suggest`; print the CPU milliseconds each
request took (time.process_time: what it costs the server, whatever else the
machine is doing): the first of its kind in the process (it also reads its
words' postings and positions, once per index state), then the median and
worst of `--runs` more after `--warm` others, the worst as a multiple of
what "diabetes treatment" costs on `/search` (a visitor's normal search).  The same generators serve the tests
(tests/test_budget.py).  Then the staff pages over a query log of 1,000
distinct zero-result searches, each classified as it was logged: what that
classification cost the searches, and how long the pages take to load.

    python -m bench.attacks [--runs 5] [--warm 10] [--zero 1000]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
import string
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from flask.testing import FlaskClient

from engine.budget import MAX_EXCLUSIONS
from engine.query import MAX_QUERY_CHARS
from engine.search import SCORING
from indexer.build import build_index
from indexer.store import IndexStore
from search_app import accounts, create_app

REPO = Path(__file__).resolve().parent.parent
NORMAL = "diabetes treatment"
ARTICLE_QUERY_CHARS = 500  # what the article page reads of its q
SUGGEST_CHARS = 200  # the longest prefix /api/suggest accepts


def filled(pieces: Callable[[], str], limit: int = MAX_QUERY_CHARS) -> str:
    """As many pieces as fit in `limit` characters, space separated."""
    text = ""
    while True:
        piece = pieces()
        if len(text) + len(piece) + 1 > limit:
            return text
        text = f"{text} {piece}".strip()


def quoted_phrases(rng: random.Random, common: list[str], words: int = 2, limit: int = MAX_QUERY_CHARS) -> str:
    """`"disease treatment" "people often" ...`: phrases of common words, up to the query's length."""
    return filled(lambda: '"' + " ".join(rng.choice(common) for _ in range(words)) + '"', limit)


def excluded_phrases(rng: random.Random, common: list[str], count: int = MAX_EXCLUSIONS) -> str:
    """A common word, then `count` excluded two-word phrases of common words."""
    return " ".join([rng.choice(common), *(f'-"{rng.choice(common)} {rng.choice(common)}"' for _ in range(count))])


def two_edits(rng: random.Random, word: str) -> str:
    """`word` with two letters (never the first) replaced."""
    letters = list(word)
    for position in rng.sample(range(1, len(word)), 2):
        letters[position] = rng.choice(string.ascii_lowercase)
    return "".join(letters)


def misspellings(rng: random.Random, long_words: list[str], limit: int = MAX_QUERY_CHARS) -> str:
    """Two-edit misspellings of long name words, up to `limit` characters."""
    return filled(lambda: two_edits(rng, rng.choice(long_words)), limit)


def random_words(rng: random.Random, count: int = 125, letters: int = 7) -> str:
    return " ".join("".join(rng.choice(string.ascii_lowercase) for _ in range(letters)) for _ in range(count))


def everything(rng: random.Random, common: list[str], long_words: list[str]) -> str:
    """Phrases, exclusions, misspellings and random words at once, within the query's length."""
    text = " ".join(
        [
            quoted_phrases(rng, common, 3, 200),
            excluded_phrases(rng, common),
            misspellings(rng, long_words, 200),
            random_words(rng, 30),
        ]
    )
    return text[:MAX_QUERY_CHARS].rsplit(" ", 1)[0]


def vocabulary(store: IndexStore) -> tuple[list[str], list[str]]:
    """The index's commonest text words (stems) and its longest title words."""
    with store.open().searcher(weighting=SCORING) as searcher:
        reader = searcher.reader()
        common = [t.decode() for _n, t in reader.most_frequent_terms("content", 80) if t.decode().isalpha()]
        titles = [t.decode() for _n, t in reader.most_frequent_terms("title_exact", 400)]
    return common, [w for w in titles if len(w) >= 8 and w.isalpha()]


def attacks(common: list[str], long_words: list[str]) -> dict[str, Callable[[random.Random], str]]:
    return {
        "two-word phrases": lambda rng: quoted_phrases(rng, common),
        "three-word phrases": lambda rng: quoted_phrases(rng, common, 3),
        "excluded phrases": lambda rng: excluded_phrases(rng, common),
        "misspellings": lambda rng: misspellings(rng, long_words),
        "random words": random_words,
        "everything": lambda rng: everything(rng, common, long_words),
    }


def routes(article_id: str) -> dict[str, Callable[[str], str]]:
    return {
        "/search": lambda q: "/search?q=" + quote(q),
        "/api/search": lambda q: "/api/search?q=" + quote(q),
        "/articles/<id>?q=": lambda q: f"/articles/{article_id}?q=" + quote(q[:ARTICLE_QUERY_CHARS]),
        "/api/suggest": lambda q: "/api/suggest?q=" + quote(q[:SUGGEST_CHARS]),
    }


def cpu_seconds(client: FlaskClient, path: str) -> float:
    started = time.process_time()
    response = client.get(path)
    spent = time.process_time() - started
    if response.status_code != 200:
        raise SystemExit(f"{path[:80]}: status {response.status_code}")
    return spent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.attacks", description=__doc__.split("\n\n")[0])
    parser.add_argument("--medquad", type=Path, default=REPO.parent / "shared" / "data" / "medquad")
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "runs" / "attacks")
    parser.add_argument("--runs", type=int, default=5, help="fresh queries measured per attack and route")
    parser.add_argument("--warm", type=int, default=10, help="fresh queries sent first, unmeasured")
    parser.add_argument("--zero", type=int, default=1000, help="zero-result searches logged before the staff pages")
    args = parser.parse_args(argv)
    store = IndexStore(args.work / "index")
    build_index([args.medquad], store)
    common, long_words = vocabulary(store)
    app = create_app(
        {
            "INDEX_DIR": str(store.root),
            "QUERY_LOG": "",
            "REQUEST_LOG": "",
            "STAFF_DB": str(args.work / "staff.sqlite3"),
            "SECRET_KEY": "bench",
            "RATELIMIT_ENABLED": False,
        }
    )
    client = app.test_client()
    rng = random.Random(12)
    article_id = client.get("/api/search?q=diabetes").get_json()["hits"][0]["id"]
    print(f"CPU ms per request over MedQuAD ({args.runs} fresh queries each; ratio: worst / normal on /search)")
    print(f"| {'route':18} | {'query':18} | {'first':>7} | {'median':>7} | {'worst':>7} | {'ratio':>5} |")
    print(f"|{'-' * 20}|{'-' * 20}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 7}|")
    reference = 0.0
    for route, path_of in routes(article_id).items():
        for _ in range(3):  # warm the caches every request shares (field lengths, names, postings)
            cpu_seconds(client, path_of(NORMAL))
        normal = statistics.median(cpu_seconds(client, path_of(NORMAL)) for _ in range(args.runs))
        reference = reference or normal
        print(f"| {route:18} | {NORMAL:18} | {'':7} | {normal * 1000:7.1f} | {'':7} | {normal / reference:5.1f} |")
        for name, make in attacks(common, long_words).items():
            first = cpu_seconds(client, path_of(make(rng)))
            for _ in range(args.warm):
                cpu_seconds(client, path_of(make(rng)))
            laps = [cpu_seconds(client, path_of(make(rng))) for _ in range(args.runs)]
            worst = max(laps)
            row = f"| {route:18} | {name:18} | {first * 1000:7.1f} | {statistics.median(laps) * 1000:7.1f} |"
            print(f"{row} {worst * 1000:7.1f} | {worst / reference:5.1f} |")
    staff_pages(store, args.work, args.zero)
    return 0


def staff_pages(store: IndexStore, work: Path, count: int) -> None:
    """Log `count` distinct zero-result searches through the API, then load the staff pages over them."""
    log = work / "querylog.sqlite3"
    log.unlink(missing_ok=True)
    staff_db = str(work / "staff.sqlite3")
    accounts.add(staff_db, "bench", "bench password")
    config = {"INDEX_DIR": str(store.root), "QUERY_LOG": str(log), "REQUEST_LOG": "", "STAFF_DB": staff_db}
    app = create_app({**config, "SECRET_KEY": "bench", "RATELIMIT_ENABLED": False})
    client = app.test_client()
    rng = random.Random(13)
    zero: list[float] = []
    while len(zero) < count:
        path = "/api/search?q=" + quote(random_words(rng, 2))
        started = time.process_time()
        found = client.get(path).get_json()["total"]
        if not found:
            zero.append(time.process_time() - started)
    print(f"\n{count} zero-result searches logged and classified: CPU ms per search", end=" ")
    print(f"median {statistics.median(zero) * 1000:.1f}, worst {max(zero) * 1000:.1f}")
    form = client.get("/staff/login").get_data(as_text=True)
    csrf_token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    client.post("/staff/login", data={"name": "bench", "password": "bench password", "csrf_token": csrf_token})
    for path in ("/staff", "/staff", "/staff/demand?days=7", "/staff/demand?days=7&format=json"):
        started, cpu = time.perf_counter(), time.process_time()
        assert client.get(path).status_code == 200
        wall, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"GET {path} over {count} zero-result queries: {wall * 1000:.0f} ms ({cpu * 1000:.0f} ms CPU)")
    print("(the first page load also reads the index's article summaries, once per generation)")


if __name__ == "__main__":
    raise SystemExit(main())
