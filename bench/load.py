"""Load benchmark: the production command on loopback under a realistic mix, at several concurrencies.

Stages: bring the MedQuAD index up to date; turn the query sets in
../shared/eval into request paths (result pages and API searches for the
queries, suggestions for their prefixes, article views of their top hits),
mixed by weight; start `healthsearch serve --production`; drive it with wrk
(C, event-driven: the client is not the bottleneck) for a fixed time at each
concurrency; once more while `healthsearch index --rebuild` swaps in a whole
new generation; print throughput, latency percentiles and errors as a table.

    python -m bench.load [--levels 1,8,32] [--duration 15] [--mix page=3,api=3,suggest=2,article=2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from engine.query import parse_query
from engine.search import SCORING, search
from engine.synonyms import load_synonyms
from indexer.build import build_index
from indexer.store import IndexStore

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
LUA = Path(__file__).with_name("load.lua")
KINDS = ("page", "api", "suggest", "article")
CLI = "from search_app.cli import main; main()"


@dataclass
class Level:
    """One wrk run, as its Lua `done` hook reports it."""

    name: str
    clients: int
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p95_ms: float
    p99_ms: float
    note: str = ""

    @property
    def throughput(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def row(self) -> str:
        return (
            f"| {self.name} | {self.clients} | {self.requests} | {self.throughput:.1f} | {self.p50_ms:.1f} | "
            f"{self.p95_ms:.1f} | {self.p99_ms:.1f} | {self.errors} | {self.note} |"
        )


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--medquad", type=Path, default=SHARED / "data" / "medquad")
    parser.add_argument("--eval", type=Path, default=SHARED / "eval", help="folder of *.topics.tsv query sets")
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "runs" / "load", help="index, request list")
    parser.add_argument("--levels", default="1,8,32", help="concurrent clients, one run each")
    parser.add_argument("--duration", type=float, default=15.0, help="seconds per level")
    parser.add_argument("--mix", default="page=3,api=3,suggest=2,article=2", help=f"weights of {', '.join(KINDS)}")
    parser.add_argument("--workers", type=int, default=4, help="server worker processes")
    parser.add_argument("--reindex-clients", type=int, default=8, help="clients during the re-index; 0 skips it")
    return parser.parse_args(argv)


def wrk_missing() -> bool:
    """True, with a way to install it on stderr, when wrk is not on the PATH."""
    if shutil.which("wrk"):
        return False
    print("wrk is needed: apt-get install wrk (or brew install wrk)", file=sys.stderr)
    return True


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if wrk_missing():
        return 2
    args.work.mkdir(parents=True, exist_ok=True)
    store = IndexStore(args.work / "index")
    report = build_index([args.medquad], store)
    print(f"index: {report.articles} articles, generation {report.generation} ({report.seconds:.1f} s)")
    queries = load_queries(args.eval)
    mix = parse_mix(args.mix)
    port = free_port()
    server = start_server(store.root, port, args.workers, args.work / "requests.log")
    base = f"http://127.0.0.1:{port}"
    try:
        if mix.get("suggest") and status_of(base + "/api/suggest?q=asth") == 404:
            print("no /api/suggest on this server: suggestions left out of the mix")
            mix.pop("suggest")
        paths = request_paths(queries, mix, store, random.Random(6))
        requests_file = args.work / "requests.txt"
        requests_file.write_text("\n".join(paths) + "\n")
        print(f"{len(paths)} request paths, mix {mix}, {args.workers} workers, {args.duration:.0f} s per level")
        run_wrk(base, requests_file, 8, 3.0, "warm-up")
        levels = [run_wrk(base, requests_file, int(c), args.duration, "steady") for c in args.levels.split(",")]
        if args.reindex_clients:
            levels.append(during_reindex(base, requests_file, args, store))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=30)
    table = render(levels, args)
    print(table)
    (args.work / "results.md").write_text(table + "\n")
    return 0


def load_queries(folder: Path) -> list[str]:
    """Every query of every topic set, as visitors typed them (the server's 1,000-character cap kept)."""
    queries = []
    for topics in sorted(folder.glob("*.topics.tsv")):
        for line in topics.read_text().splitlines():
            if "\t" in line:
                queries.append(line.split("\t", 1)[1].strip()[:1000])
    return [q for q in queries if q]


def parse_mix(text: str) -> dict[str, int]:
    mix = {}
    for part in text.split(","):
        kind, _, weight = part.partition("=")
        if kind not in KINDS or not weight.isdigit():
            raise SystemExit(f"--mix: {part!r} is not KIND=WEIGHT with KIND one of {', '.join(KINDS)}")
        if int(weight):
            mix[kind] = int(weight)
    return mix


def request_paths(queries: list[str], mix: dict[str, int], store: IndexStore, rng: random.Random) -> list[str]:
    """Weighted, shuffled request paths: searches, suggestions of prefixes, views of top hits."""
    makers = {
        "page": lambda q: "/search?" + urllib.parse.urlencode({"q": q}),
        "api": lambda q: "/api/search?" + urllib.parse.urlencode({"q": q}),
        "suggest": lambda q: "/api/suggest?" + urllib.parse.urlencode({"q": prefix(q, rng)}),
    }
    paths = [makers[kind](q) for kind in makers if kind in mix for q in queries for _ in range(mix[kind])]
    if "article" in mix:
        views = article_views(rng.sample(queries, min(300, len(queries))), store)
        paths += [rng.choice(views) for _ in range(len(queries) * mix["article"])]
    rng.shuffle(paths)
    return paths


def prefix(query: str, rng: random.Random) -> str:
    """What the box holds while a visitor is still typing: the first 2-12 characters."""
    return query[: rng.randint(2, max(2, min(12, len(query))))]


def article_views(queries: list[str], store: IndexStore) -> list[str]:
    """The article a visitor opens from each query's top hit, at its best section."""
    views = []
    synonyms = load_synonyms()
    with store.open().searcher(weighting=SCORING) as searcher:
        for query in queries:
            for hit in search(searcher, parse_query(query, synonyms), limit=1):
                section = hit.sections[0].anchor if hit.sections else ""
                params = urllib.parse.urlencode({"q": query, "section": section})
                views.append(f"/articles/{urllib.parse.quote(hit.id)}?{params}")
    return views


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def status_of(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def health(base: str) -> dict:
    with urllib.request.urlopen(base + "/healthz", timeout=10) as response:
        return json.loads(response.read())


def start_server(index: Path, port: int, workers: int, log: Path) -> subprocess.Popen:
    """The documented production command, with the rate limits raised out of the way of one busy client."""
    env = {
        **os.environ,
        "HEALTHSEARCH_API_RATE_LIMIT": "1000000 per second",
        "HEALTHSEARCH_SUGGEST_RATE_LIMIT": "1000000 per second",
        "HEALTHSEARCH_PAGE_RATE_LIMIT": "1000000 per second",
        "HEALTHSEARCH_REQUEST_LOG": str(log),
    }
    command = [sys.executable, "-c", CLI, "serve", "--production", "--workers", str(workers), "--port", str(port)]
    server = subprocess.Popen([*command, "--index", str(index)], env=env, stdout=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if health(f"http://127.0.0.1:{port}")["status"] == "ok":
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("the production server did not start")


def wrk_command(base: str, requests_file: Path, clients: int, seconds: float) -> list[str]:
    threads = max(1, min(2, clients))
    duration = f"{max(1, round(seconds))}s"
    return ["wrk", "-t", str(threads), "-c", str(clients), "-d", duration, "--timeout", "30s", "-s", str(LUA), base]


def run_wrk(base: str, requests_file: Path, clients: int, seconds: float, name: str) -> Level:
    env = {**os.environ, "REQUESTS_FILE": str(requests_file)}
    out = subprocess.run(wrk_command(base, requests_file, clients, seconds), env=env, capture_output=True, text=True)
    return to_level(out.stdout, name, clients)


def during_reindex(base: str, requests_file: Path, args: argparse.Namespace, store: IndexStore) -> Level:
    """wrk until a full `healthsearch index --rebuild` has been swapped in (and 2 s after), then SIGINT."""
    before = health(base)["generation"]
    env = {**os.environ, "REQUESTS_FILE": str(requests_file)}
    command = wrk_command(base, requests_file, args.reindex_clients, 3600)
    wrk = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    time.sleep(1)
    started = time.monotonic()
    index = [sys.executable, "-c", CLI, "index", str(args.medquad), "--index", str(store.root), "--rebuild"]
    subprocess.run(index, check=True, stdout=subprocess.DEVNULL)
    took = time.monotonic() - started
    time.sleep(2)
    wrk.send_signal(signal.SIGINT)  # wrk stops and still reports
    stdout, _ = wrk.communicate(timeout=30)
    after = health(base)["generation"]
    return to_level(stdout, "re-index", args.reindex_clients, f"generation {before} → {after}, rebuild {took:.0f} s")


def wrk_figures(stdout: str) -> dict:
    """The JSON line bench/load.lua's `done` hook prints: counts, errors by kind, latency percentiles (µs)."""
    line = next((s for s in stdout.splitlines() if s.startswith("{")), None)
    if line is None:
        raise SystemExit(f"wrk printed no result:\n{stdout}")
    return json.loads(line)


def to_level(stdout: str, name: str, clients: int, note: str = "") -> Level:
    data = wrk_figures(stdout)
    kinds = {k: data[k] for k in ("connect", "read", "write", "non2xx", "timeout") if data[k]}
    errors = sum(kinds.values())
    if kinds:
        note = "; ".join(filter(None, [note, ", ".join(f"{n} {k}" for k, n in kinds.items())]))
    return Level(name, clients, data["requests"], data["seconds"], errors,
                 data["p50_us"] / 1000, data["p95_us"] / 1000, data["p99_us"] / 1000, note)  # fmt: skip


def render(levels: list[Level], args: argparse.Namespace) -> str:
    head = [
        f"Load: `python -m bench.load` — {args.workers} gunicorn workers on {os.cpu_count()} cores, "
        f"{args.duration:.0f} s per level, wrk on loopback; "
        "errors = answers outside 2xx + socket errors + timeouts (30 s).",
        "",
        "| run | clients | requests | req/s | p50 ms | p95 ms | p99 ms | errors | note |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    return "\n".join(head + [level.row() for level in levels if level.name != "warm-up"])


if __name__ == "__main__":
    raise SystemExit(main())
