"""Real servers on loopback for the tests and benchmarks, each in a temporary folder: PostgreSQL, Redis, nginx, the app.

Debian's packages provide them (`.ci/run` installs what is missing); nothing here
listens beyond 127.0.0.1, and every server stops when its context ends.  `cluster`
puts them together as the README's "Several machines" deployment: replicas behind
nginx sharing PostgreSQL and Redis (tests/test_replicas.py, bench/cluster.py).
"""

from __future__ import annotations

import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from search_app.database import Database

POSTGRES_BIN = Path("/usr/lib/postgresql")
# Seconds a replica may take to answer /healthz: its workers import the app on cores that other
# work may share (a replica took over 30 s on 2 cores under a load average of 15).
REPLICA_START = 120.0
CLI = "from search_app.cli import main; main()"
# Seconds a server may take to come up: a bound on a wait, not a speed test (2 cores shared with other
# suites have taken over 30 s to start three gunicorn workers).
STARTUP_TIMEOUT = 120.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for(check: object, what: str, timeout: float = STARTUP_TIMEOUT) -> None:
    """Poll `check()` until it is true; RuntimeError naming `what` after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if check():  # type: ignore[operator]
                return
        except OSError:
            pass
        time.sleep(0.05)
    raise RuntimeError(f"{what} did not come up within {timeout:.0f} s")


def stop(process: subprocess.Popen, signal_number: int = signal.SIGTERM, group: bool = False) -> None:
    """Ask a server to stop with `signal_number` (its whole process group with `group`); SIGKILL after 15 s."""
    if process.poll() is not None:
        return

    def send(number: int) -> None:
        if group:
            os.killpg(process.pid, number)
        else:
            process.send_signal(number)

    send(signal_number)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        send(signal.SIGKILL)
        process.wait()


def http_status(url: str, timeout: float = 10.0) -> int:
    return http_get(url, timeout)[0]


def http_get(url: str, timeout: float = 10.0) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


def _postgres_tool(name: str) -> str:
    versions = sorted(POSTGRES_BIN.glob("*/bin"), key=lambda p: int(p.parent.name))
    if not versions:
        raise RuntimeError("PostgreSQL is not installed (apt-get install postgresql)")
    return str(versions[-1] / name)


def fresh_schema(url: str, name: str) -> str:
    """The URL of a new, empty schema of the server at `url`: one test's own tables."""
    admin = Database(url, [])
    with admin.connect() as connection:
        connection.execute(f"CREATE SCHEMA {name}")
    admin.close()
    return f"{url}?options=-csearch_path%3D{name}"


@contextmanager
def postgres() -> Iterator[str]:
    """A PostgreSQL server with an empty `healthsearch` database; yields its URL.

    PostgreSQL refuses to run as root, so it runs as the `postgres` account when the tests
    are root, in a folder of its own under the system's temporary folder (pytest's are
    private to root).
    """
    folder = Path(tempfile.mkdtemp(prefix="healthsearch-pg-"))
    data, sockets = folder / "data", folder / "sockets"
    sockets.mkdir()
    run_as = {}
    if os.geteuid() == 0:
        account = pwd.getpwnam("postgres")
        os.chown(folder, account.pw_uid, account.pw_gid)
        os.chown(sockets, account.pw_uid, account.pw_gid)
        run_as = {"user": account.pw_uid, "group": account.pw_gid}
    port = free_port()
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    initdb = [_postgres_tool("initdb"), "-D", str(data), "-U", "postgres", "--auth=trust", "-E", "UTF8"]
    subprocess.run(initdb, check=True, cwd=folder, **run_as, **quiet)
    options = f"-c listen_addresses=127.0.0.1 -c port={port} -c unix_socket_directories={sockets} -c fsync=off"
    command = [_postgres_tool("postgres"), "-D", str(data), *options.split()]
    server = subprocess.Popen(command, cwd=folder, **run_as, **quiet)
    try:
        ready = [_postgres_tool("pg_isready"), "-h", "127.0.0.1", "-p", str(port)]
        wait_for(lambda: subprocess.run(ready, **quiet).returncode == 0, "PostgreSQL")
        create = [_postgres_tool("createdb"), "-h", "127.0.0.1", "-p", str(port), "-U", "postgres", "healthsearch"]
        subprocess.run(create, check=True, **quiet)
        yield f"postgresql://postgres@127.0.0.1:{port}/healthsearch"
    finally:
        server.send_signal(signal.SIGINT)  # fast shutdown
        server.wait(timeout=30)
        shutil.rmtree(folder, ignore_errors=True)


@contextmanager
def redis(folder: Path) -> Iterator[str]:
    """A Redis server that keeps nothing on disk; yields its URL."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    command = [shutil.which("redis-server") or "redis-server", "--port", str(port), "--bind", "127.0.0.1"]
    command += ["--save", "", "--appendonly", "no", "--dir", str(folder)]
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL)
    try:
        wait_for(lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close() is None, "Redis")
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        server.terminate()
        server.wait(timeout=30)


NGINX_CONF = """
worker_processes 1;
pid {folder}/nginx.pid;
error_log {folder}/error.log warn;
daemon off;
events {{ worker_connections 512; }}
http {{
  access_log off;
  client_body_temp_path {folder}/body;
  proxy_temp_path {folder}/proxy;
  fastcgi_temp_path {folder}/fastcgi;
  uwsgi_temp_path {folder}/uwsgi;
  scgi_temp_path {folder}/scgi;
  upstream healthsearch {{
{servers}
    keepalive 16;
  }}
  server {{
    listen 127.0.0.1:{port};
    location / {{
      proxy_pass http://healthsearch;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
      proxy_set_header Host $host;
      proxy_set_header X-Forwarded-For $remote_addr;
      proxy_set_header X-Forwarded-Proto $scheme;
      proxy_set_header X-Request-ID $request_id;
      proxy_connect_timeout 5s;
      proxy_next_upstream error timeout http_502 http_503;
      proxy_next_upstream_tries 3;
    }}
  }}
}}
"""


@contextmanager
def nginx(folder: Path, upstream_ports: list[int]) -> Iterator[str]:
    """nginx balancing over the given loopback ports, retrying an idempotent request on another; yields its URL."""
    folder.mkdir(parents=True, exist_ok=True)
    port = free_port()
    servers = "\n".join(f"    server 127.0.0.1:{p} max_fails=1 fail_timeout=2s;" for p in upstream_ports)
    config = folder / "nginx.conf"
    config.write_text(NGINX_CONF.format(folder=folder, servers=servers, port=port))
    binary = shutil.which("nginx") or "/usr/sbin/nginx"
    server = subprocess.Popen([binary, "-c", str(config), "-p", str(folder)], stderr=subprocess.DEVNULL)
    try:
        wait_for(lambda: socket.create_connection(("127.0.0.1", port), timeout=1).close() is None, "nginx")
        yield f"http://127.0.0.1:{port}"
    finally:
        stop(server, signal.SIGQUIT)  # graceful: finish the requests in flight


class Replica:
    """`healthsearch serve --production` with its own index folder, startable and killable (SIGKILL)."""

    def __init__(self, index: Path, env: dict[str, str], workers: int = 2, log: Path | None = None) -> None:
        self.index, self.env, self.workers, self.log = index, env, workers, log
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self, timeout: float = REPLICA_START) -> None:
        """Start it and wait until it answers `/healthz`; its stderr goes to `log` when given (appended)."""
        command = [sys.executable, "-c", CLI, "serve", "--production", "--workers", str(self.workers)]
        command += ["--port", str(self.port), "--index", str(self.index)]
        with open(self.log or os.devnull, "ab") as stderr:
            self.process = subprocess.Popen(
                command,
                env={**os.environ, **self.env},
                stdout=subprocess.DEVNULL,
                stderr=stderr if self.log else None,
                start_new_session=True,
            )
        wait_for(self.answers, f"replica on port {self.port}", timeout)

    def answers(self) -> bool:
        return http_status(self.url + "/healthz", timeout=2) == 200

    def kill(self) -> None:
        """SIGKILL the whole replica: the gunicorn arbiter and its workers, as a crashed machine would."""
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process is not None:
            stop(self.process, group=True)


def publish(builder: Path, folders: list[Path]) -> None:
    """`healthsearch publish`: the builder's live generation to every replica folder, flipped when all are whole."""
    command = [sys.executable, "-c", CLI, "publish", "--index", str(builder), *map(str, folders)]
    subprocess.run(command, check=True, capture_output=True)


@dataclass
class Cluster:
    """The deployment's addresses: nginx's URL, the replicas behind it, the shared database, their environment."""

    balancer: str
    replicas: list[Replica]
    database: str
    env: dict[str, str]


@contextmanager
def cluster(
    root: Path, folders: list[Path], settings: dict[str, str], workers: int = 2, start_timeout: float = REPLICA_START
) -> Iterator[Cluster]:
    """PostgreSQL, Redis, one replica per index folder (with `settings` as its environment) and nginx in front.

    Every replica gets the shared database and rate-limit store, one secret and one
    trusted proxy; `settings` adds to those or overrides them.  Replica logs go to
    `root/replica-N.log`.
    """
    with postgres() as database_url, redis(root / "redis") as redis_url:
        env = {
            "HEALTHSEARCH_DATABASE_URL": database_url,
            "HEALTHSEARCH_RATELIMIT_STORAGE_URI": redis_url,
            "HEALTHSEARCH_TRUSTED_PROXIES": "1",
            "HEALTHSEARCH_SECRET_KEY": "one secret for every replica",
            **settings,
        }
        replicas = [Replica(f, env, workers, root / f"replica-{n}.log") for n, f in enumerate(folders)]
        try:
            for replica in replicas:
                replica.start(start_timeout)
            with nginx(root / "nginx", [r.port for r in replicas]) as balancer:
                yield Cluster(balancer, replicas, database_url, env)
        finally:
            for replica in replicas:
                replica.stop()
