"""The production command as real processes: gunicorn workers keep answering while `healthsearch index` swaps
generations, and each worker moves to the new one without a restart."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

from bench.servers import free_port, stop, wait_for
from bench.servers import http_get as get
from indexer.build import build_index
from indexer.store import IndexStore
from tests.conftest import CORPUS

WORKERS = 3
CLI = "from search_app.cli import main; main()"
# Each client pauses between requests, as people do: requests stay continuous across every swap while
# the clients leave the cores to the servers and the build under test (unpaced, they took both).
THINK_TIME = 0.05
PATHS = ("/api/search?q=gout+treatment", "/search?q=asthma", "/articles/gout?q=joint", "/healthz", "/api/search?q=hic")


@contextmanager
def production_server(
    index: Path, workers: int = WORKERS, stderr: Path | None = None, **settings: str
) -> Iterator[str]:
    """`healthsearch serve --production` on a free loopback port, until the block ends.

    `settings` become HEALTHSEARCH_* variables; the server's stderr goes to `stderr` when given.
    """
    port = free_port()
    env = {**os.environ, "HEALTHSEARCH_API_RATE_LIMIT": "100000/second", "HEALTHSEARCH_REQUEST_LOG": ""}
    env["HEALTHSEARCH_PAGE_RATE_LIMIT"] = "100000/second"
    env.update({f"HEALTHSEARCH_{name}": value for name, value in settings.items()})
    command = [sys.executable, "-c", CLI, "serve", "--production", "--workers", str(workers), "--port", str(port)]
    errors = open(stderr, "wb") if stderr else None  # noqa: SIM115 (closed with the server)
    server = subprocess.Popen([*command, "--index", str(index)], env=env, stdout=subprocess.DEVNULL, stderr=errors)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: get(base + "/healthz")[0] == 200, "the production server")
        yield base
    finally:
        stop(server)
        if errors:
            errors.close()


def reindex(corpus: Path, index: Path) -> None:
    """`healthsearch index` in its own process, as an operator would run it."""
    result = subprocess.run([sys.executable, "-c", CLI, "index", str(corpus), "--index", str(index)],
                            capture_output=True, text=True)  # fmt: skip
    assert result.returncode == 0, result.stderr


class Traffic:
    """Threads that fire requests until stopped, counting answers and failures."""

    def __init__(self, base: str, threads: int = 6) -> None:
        self.base = base
        self.stop = threading.Event()
        self.answers = 0
        self.failures: list[str] = []
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._run, args=(n,)) for n in range(threads)]

    def __enter__(self) -> Traffic:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join()

    def _run(self, offset: int) -> None:
        n = offset
        while not self.stop.is_set():
            path = PATHS[n % len(PATHS)]
            n += 1
            try:
                status, body = get(self.base + path)
                if path.startswith(("/api/", "/healthz")):
                    json.loads(body)
                failure = None if status == 200 else f"{path}: {status}"
            except (OSError, ValueError) as error:
                failure = f"{path}: {error!r}"
            with self.lock:
                self.answers += 1
                if failure:
                    self.failures.append(failure)
            self.stop.wait(THINK_TIME)


def generations_by_worker(base: str, wanted: int, timeout: float = 15) -> dict[int, int]:
    """Ask /healthz over fresh connections until every worker has answered; {worker pid: generation}."""
    seen: dict[int, int] = {}
    deadline = time.monotonic() + timeout
    while len(seen) < WORKERS and time.monotonic() < deadline:
        with ThreadPoolExecutor(2 * WORKERS) as pool:  # concurrent connections spread over the workers
            bodies = list(pool.map(lambda _: json.loads(get(base + "/healthz")[1]), range(2 * WORKERS)))
        for body in bodies:
            assert body["generation"] == wanted, f"worker {body['worker']} still serves {body['generation']}"
            seen[body["worker"]] = body["generation"]
    return seen


def test_reindex_while_serving_loses_no_request(tmp_path: Path, small_corpus: Path) -> None:
    index = tmp_path / "index"
    build_index([small_corpus], IndexStore(index))
    with production_server(index) as base:
        assert set(generations_by_worker(base, wanted=1).values()) == {1}
        with Traffic(base) as traffic:
            for round_ in range(2):
                (small_corpus / f"hiccups-{round_}.html").write_text(
                    f"<h1>Hiccups {round_}</h1><h2>Causes</h2><p>Hiccups come from eating fast.</p>"
                )
                (small_corpus / "gout.html").write_text(
                    (small_corpus / "gout.html").read_text().replace("</h1>", f" (rev {round_})</h1>", 1)
                )
                reindex(small_corpus, index)
                time.sleep(0.2)  # traffic on the new generation before the next swap
        assert traffic.failures == []
        assert traffic.answers > 40, "too little traffic to prove anything"
        workers = generations_by_worker(base, wanted=3)
        assert len(workers) == WORKERS, f"only {len(workers)} of {WORKERS} workers answered"
        hits = json.loads(get(base + "/api/search?q=hiccups")[1])["hits"]
        assert {hit["id"] for hit in hits} == {"hiccups-0", "hiccups-1"}
        assert json.loads(get(base + "/healthz")[1])["documents"] == 6


def test_a_build_killed_while_serving_changes_nothing(tmp_path: Path, small_corpus: Path) -> None:
    index = tmp_path / "index"
    build_index([small_corpus], IndexStore(index))
    with production_server(index) as base, Traffic(base, threads=3) as traffic:
        for page in sorted(CORPUS.glob("*.html"))[:16]:  # enough to write that the kill lands mid-build
            shutil.copy(page, small_corpus / page.name)
        build = subprocess.Popen([sys.executable, "-c", CLI, "index", str(small_corpus), "--index", str(index)])
        while not (index / "gen-000002").exists() and build.poll() is None:
            time.sleep(0.005)
        build.send_signal(signal.SIGKILL)
        assert build.wait() == -signal.SIGKILL, "the build ended before it could be killed"
        time.sleep(0.3)
        assert set(generations_by_worker(base, wanted=1).values()) == {1}
        reindex(small_corpus, index)
        assert set(generations_by_worker(base, wanted=2).values()) == {2}
    assert traffic.failures == [] and traffic.answers > 10
