"""Several replicas behind nginx sharing PostgreSQL and Redis: a replica killed and a generation published under load.

Real processes throughout: PostgreSQL, Redis and nginx from Debian's packages on
loopback, three `healthsearch serve --production` replicas with their own index
folders, and `healthsearch publish` moving them to a new generation while clients search.
"""

from __future__ import annotations

import http.cookiejar
import json
import os
import re
import subprocess
import sys
import threading
import time
import urllib.parse
import urllib.request
from collections import Counter
from collections.abc import Iterator

import psycopg
import pytest

from bench import servers
from bench.servers import CLI, Replica, http_get, http_status, publish
from indexer.build import build_index
from indexer.store import IndexStore
from tests.conftest import CORPUS

SUGGEST_LIMIT = 20
THINK_TIME = 0.05  # seconds a client pauses between searches: continuous load that leaves cores to the cluster
CLIENT_TIMEOUT = 60.0  # seconds a client waits, as a browser would: on 2 busy cores a restart slows answers
pytestmark = pytest.mark.xdist_group("replicas")  # one cluster per run, in one test process


@pytest.fixture(scope="session")  # one cluster per test process, whatever runs between its tests
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict]:
    root = tmp_path_factory.mktemp("cluster")
    builder = root / "builder"
    small = root / "small"
    small.mkdir()
    for name in ("asthma.html", "gout.html", "acne.html"):
        (small / name).write_bytes((CORPUS / name).read_bytes())
    build_index([small], IndexStore(builder))
    folders = [root / f"replica-{n}" for n in range(3)]
    publish(builder, folders)
    settings = {
        "HEALTHSEARCH_API_RATE_LIMIT": "100000 per minute",
        "HEALTHSEARCH_PAGE_RATE_LIMIT": "100000 per minute",
        "HEALTHSEARCH_SUGGEST_RATE_LIMIT": f"{SUGGEST_LIMIT} per minute",
        "HEALTHSEARCH_REQUEST_LOG": "",
    }
    with servers.cluster(root, folders, settings) as running:
        yield {
            "balancer": running.balancer,
            "replicas": running.replicas,
            "builder": builder,
            "corpus": small,
            "database": running.database,
            "env": running.env,
        }


class Load:
    """Clients searching through the balancer, each query different, until stopped."""

    def __init__(self, base: str, clients: int = 6) -> None:
        self.base, self.statuses, self.sent = base, Counter[int](), 0
        self.queries: list[str] = []
        self.stopping = threading.Event()
        self.lock = threading.Lock()
        self.threads = [threading.Thread(target=self._client, args=(n,), daemon=True) for n in range(clients)]

    def _client(self, number: int) -> None:
        count = 0
        while not self.stopping.is_set():
            count += 1
            query = f"asthma loadclient{number}x{count}"
            try:
                status = http_status(f"{self.base}/api/search?q={urllib.parse.quote(query)}", timeout=CLIENT_TIMEOUT)
            except OSError:
                status = 0  # a refused or reset connection: the worst failure a visitor sees
            with self.lock:
                self.statuses[status] += 1
                self.sent += 1
                self.queries.append(query)
            self.stopping.wait(THINK_TIME)

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stopping.set()
        for thread in self.threads:
            thread.join(timeout=30)


def generation_of(replica: Replica) -> int:
    status, body = http_get(replica.url + "/healthz")
    assert status == 200, body
    return json.loads(body)["generation"]


def test_kill_publish_restart_under_load_fails_no_request(cluster: dict) -> None:
    replicas: list[Replica] = cluster["replicas"]
    with Load(cluster["balancer"]) as load:
        time.sleep(1.0)
        replicas[0].kill()
        time.sleep(1.0)
        (cluster["corpus"] / "gout.html").unlink()
        build_index([cluster["corpus"]], IndexStore(cluster["builder"]))
        publish(cluster["builder"], [r.index for r in replicas])
        time.sleep(0.5)
        replicas[0].start()
        time.sleep(1.5)
    assert load.sent > 50, load.statuses
    assert load.statuses == Counter({200: load.sent}), load.statuses
    assert [generation_of(r) for r in replicas] == [2, 2, 2]
    with psycopg.connect(cluster["database"]) as connection:
        rows = connection.execute("SELECT query FROM searches WHERE query LIKE 'asthma load%'")
        logged = Counter(row[0] for row in rows)
    assert logged == Counter(load.queries), "every search, from every replica, logged exactly once"


def test_a_staff_session_works_on_every_replica(cluster: dict) -> None:
    """One account in the shared database, one secret: signed in through the balancer, known everywhere."""
    subprocess.run(
        [sys.executable, "-c", CLI, "staff", "add", "editor", "--password", "correct horse"],
        env={**os.environ, **cluster["env"]},
        check=True,
        capture_output=True,
    )
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    form = opener.open(cluster["balancer"] + "/staff/login", timeout=60).read().decode()
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    data = urllib.parse.urlencode({"name": "editor", "password": "correct horse", "csrf_token": token}).encode()
    signed_in = opener.open(cluster["balancer"] + "/staff/login", data=data, timeout=60)
    assert signed_in.url.endswith("/staff"), f"the sign-in ended on {signed_in.url}"
    for replica in cluster["replicas"]:
        page = opener.open(replica.url + "/staff", timeout=60)
        assert page.status == 200 and page.url.endswith("/staff"), f"{replica.url} answered {page.url}"


def test_the_rate_limit_holds_across_replicas(cluster: dict) -> None:
    statuses = Counter(http_status(f"{cluster['balancer']}/api/suggest?q=ast{n}") for n in range(SUGGEST_LIMIT + 25))
    assert statuses == Counter({200: SUGGEST_LIMIT, 429: 25})
