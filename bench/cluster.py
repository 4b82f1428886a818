"""`python -m bench.cluster`: searches through nginx while a replica is killed, a generation published, it restarts.

Stages: bring a lexical MedQuAD index (no section vectors: semantic search off) in
WORK/builder up to date and publish it to one folder per replica in a temporary folder;
make the next generation in the builder (one small article in WORK/extra changes), so
publishing it mid-run costs only the copy; start PostgreSQL, Redis, the replicas
(`healthsearch serve --production`) and nginx on loopback (bench.servers, the same
deployment tests/test_replicas.py runs); drive searches (`/search` and `/api/search` for
the topic sets' queries, every request logged) through nginx with wrk (bench/load.lua) in
phases of equal length: steady; one replica SIGKILLed a quarter of the way in and the new
generation published to every replica folder; the replica restarted a second in; after
the restart.  Then print per phase requests, failures, throughput and latency
percentiles, which generation each replica serves, and the shared query log's rows
against the searches answered.  It measures; tests/test_replicas.py asserts.

    python -m bench.cluster [--duration 20] [--clients 8] [--replicas 3] [--workers 2]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import partial
from pathlib import Path

import psycopg

from bench import servers
from bench.load import (
    REPO,
    SHARED,
    Level,
    load_queries,
    request_paths,
    to_level,
    wrk_command,
    wrk_figures,
    wrk_missing,
)
from indexer.build import build_index
from indexer.store import IndexStore
from search_app.prepare import prepare_generation

SETTINGS = {  # rate limits out of the way of one busy client; no request log on the shared cores
    "HEALTHSEARCH_API_RATE_LIMIT": "1000000 per second",
    "HEALTHSEARCH_PAGE_RATE_LIMIT": "1000000 per second",
    "HEALTHSEARCH_SUGGEST_RATE_LIMIT": "1000000 per second",
    "HEALTHSEARCH_REQUEST_LOG": "",
}
START_TIMEOUT = 180.0  # seconds a replica may take to answer /healthz on busy cores
DROPPED = "search not logged"  # the warning a replica prints for a query-log line it dropped


@dataclass
class Run:
    """One phase: wrk's figures, and what happened during it."""

    level: Level
    figures: dict

    @property
    def answered(self) -> int:
        return self.figures["requests"] - self.figures["non2xx"]

    @property
    def unanswered(self) -> int:
        """Requests sent but never answered: in flight when wrk stopped, or lost to a socket error."""
        return self.figures["sent"] - self.figures["requests"]


Event = tuple[float, Callable[[], str]]  # seconds into the phase, and an action that says what it did


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.cluster", description=__doc__.splitlines()[0])
    parser.add_argument("--medquad", type=Path, default=SHARED / "data" / "medquad")
    parser.add_argument("--eval", type=Path, default=SHARED / "eval", help="folder of *.topics.tsv query sets")
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "runs" / "cluster", help="index, results")
    parser.add_argument("--duration", type=float, default=20.0, help="seconds per phase")
    parser.add_argument("--clients", type=int, default=8, help="concurrent wrk connections")
    parser.add_argument("--replicas", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2, help="worker processes per replica")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if wrk_missing():
        return 2
    args.work.mkdir(parents=True, exist_ok=True)
    store = IndexStore(args.work / "builder")
    build(args, store, "index")
    requests_file = write_requests(args, store)
    with tempfile.TemporaryDirectory(prefix="healthsearch-cluster-") as temporary:
        root = Path(temporary)
        folders = [root / f"replica-{n}" for n in range(args.replicas)]
        servers.publish(store.root, folders)
        write_extra(args.work / "extra")
        new = build(args, store, "next generation")
        print(f"starting PostgreSQL, Redis, {args.replicas} replicas × {args.workers} workers and nginx", flush=True)
        with servers.cluster(root, folders, SETTINGS, args.workers, START_TIMEOUT) as running:
            table = drive(running, store, requests_file, new, args)
        table += "\n" + dropped_lines(root)
    print(table)
    (args.work / "results.md").write_text(table + "\n")
    return 0


def build(args: argparse.Namespace, store: IndexStore, what: str) -> int:
    """Bring the builder up to date with MedQuAD and the extra article; its live generation."""
    if not (args.work / "extra").exists():
        write_extra(args.work / "extra")
    sources = [args.medquad, args.work / "extra"]
    report = build_index(sources, store, vectors=False, prepare=prepare_generation)
    print(f"{what}: {report.articles} articles, generation {report.generation} ({report.seconds:.1f} s)", flush=True)
    return report.generation


def write_extra(folder: Path) -> None:
    """One small article that changes on every call: what makes the generation published mid-run new."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(timezone.utc).isoformat(timespec="seconds")
    text = f"A page the cluster benchmark rewrites on every run, last at {stamp}, so that each run publishes."
    page = f"<h1>Cluster benchmark note</h1><h2>Overview</h2><p>{text}</p>"
    (folder / "cluster-benchmark-note.html").write_text(page, encoding="utf-8")


def write_requests(args: argparse.Namespace, store: IndexStore) -> Path:
    """Result pages and API searches for every topic query, shuffled: every request is one logged search."""
    paths = request_paths(load_queries(args.eval), {"page": 1, "api": 1}, store, random.Random(16))
    requests_file = args.work / "requests.txt"
    requests_file.write_text("\n".join(paths) + "\n")
    return requests_file


def drive(running: servers.Cluster, store: IndexStore, requests_file: Path, new: int, args: argparse.Namespace) -> str:
    """The warm-up, then the four phases; the report."""
    victim = running.replicas[0]
    phase = partial(run_phase, running.balancer, requests_file, args)
    phase("warm-up", [])
    time.sleep(1.0)  # the warm-up's last searches reach the log
    logged_before = logged_searches(running.database)
    runs = [
        phase("steady", []),
        phase("replica killed", [(args.duration / 4, lambda: kill_and_publish(victim, running, store.root, new))]),
        phase("replica restarting", [(1.0, lambda: restart(victim))]),
        phase("after restart", []),
    ]
    time.sleep(2.0)
    logged = logged_searches(running.database) - logged_before
    return render(runs, args) + "\n\n" + generations(running, new) + "\n" + log_check(runs, logged)


def run_phase(base: str, requests_file: Path, args: argparse.Namespace, name: str, events: list[Event]) -> Run:
    """wrk for the phase's length, with each event run at its time; the phase's figures."""
    seconds = 5.0 if name == "warm-up" else args.duration
    command = wrk_command(base, requests_file, args.clients, seconds)
    env = {**os.environ, "REQUESTS_FILE": str(requests_file)}
    started = time.monotonic()
    wrk = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True)
    notes = []
    for at, action in events:
        time.sleep(max(0.0, started + at - time.monotonic()))
        notes.append(f"at {time.monotonic() - started:.0f} s: {action()}")
    stdout, _ = wrk.communicate(timeout=seconds + 120)
    print(f"[{name}] done", flush=True)
    return Run(to_level(stdout, name, args.clients, "; ".join(notes)), wrk_figures(stdout))


def kill_and_publish(victim: servers.Replica, running: servers.Cluster, builder: Path, new: int) -> str:
    victim.kill()
    started = time.monotonic()
    servers.publish(builder, [r.index for r in running.replicas])
    return f"replica 1 SIGKILLed, generation {new} published to all in {time.monotonic() - started:.1f} s"


def restart(victim: servers.Replica) -> str:
    started = time.monotonic()
    victim.start(START_TIMEOUT)
    return f"replica 1 restarted, answering /healthz after {time.monotonic() - started:.1f} s"


def logged_searches(database: str) -> int:
    with psycopg.connect(database) as connection:
        return connection.execute("SELECT count(*) FROM searches").fetchone()[0]


def render(runs: list[Run], args: argparse.Namespace) -> str:
    head = [
        f"Cluster: `python -m bench.cluster` — nginx over {args.replicas} replicas × {args.workers} workers "
        f"(lexical MedQuAD index), PostgreSQL and Redis, all on loopback with wrk on the same cores; "
        f"{args.clients} connections, {args.duration:.0f} s per phase; failures = answers outside 2xx + socket "
        "errors + timeouts (30 s).",
        "",
        "| phase | clients | requests | req/s | p50 ms | p95 ms | p99 ms | failures | note |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    return "\n".join(head + [run.level.row() for run in runs])


def generations(running: servers.Cluster, new: int) -> str:
    """Which generation each replica says it serves, asked directly (not through nginx)."""
    served = []
    for replica in running.replicas:
        status, body = servers.http_get(replica.url + "/healthz")
        served.append(json.loads(body)["generation"] if status == 200 else None)
    verdict = "yes" if all(g == new for g in served) else "no"
    return f"Every replica on the new generation ({new}): {verdict} — {', '.join(map(str, served))}."


def log_check(runs: list[Run], logged: int) -> str:
    """Log rows against searches answered 2xx; a search wrk sent but never read back may be logged too."""
    answered = sum(run.answered for run in runs)
    unanswered = sum(run.unanswered for run in runs)
    if logged == answered:
        verdict = "yes"
    elif answered < logged <= answered + unanswered:
        verdict = "yes, within the searches in flight when a phase ended"
    else:
        verdict = "no"
    return (
        f"Log rows == requests: {verdict} — {logged:,} rows in the shared query log for {answered:,} searches "
        f"answered 2xx; {unanswered} more were sent but not read back when wrk stopped (a replica may have "
        "answered and logged them)."
    )


def dropped_lines(root: Path) -> str:
    dropped = sum(log.read_text(errors="replace").count(DROPPED) for log in root.glob("replica-*.log"))
    return f"Query-log lines the replicas reported dropping: {dropped}."


if __name__ == "__main__":
    raise SystemExit(main())
