"""The production server: gunicorn running the app factory in several worker processes.

Each worker is a separate process with its own searcher per request over the
live index generation, so a re-index needs no restart; `gthread` workers keep
connections alive and let a slow client hold a thread, not a whole process.
gunicorn's own access log stays off: the app writes JSON request lines itself;
the worker class (worker.py) gives gunicorn's own error answers (414, 400, 431)
the app's security headers.
"""

from __future__ import annotations

import sys

THREADS_PER_WORKER = 4
MAX_REQUEST_LINE = 8190  # gunicorn's ceiling; a 1,000-character query fits even percent-encoded


def gunicorn_argv(host: str, port: int, workers: int) -> list[str]:
    """The command line `healthsearch serve --production` runs (settings travel as HEALTHSEARCH_* variables)."""
    return [
        sys.executable, "-m", "gunicorn",
        "--bind", f"{host}:{port}",
        "--workers", str(workers),
        "--worker-class", "search_app.worker.Worker",  # gthread, its own error pages with the security headers
        "--threads", str(THREADS_PER_WORKER),
        "--timeout", "30",
        "--graceful-timeout", "10",
        "--keep-alive", "5",
        "--limit-request-line", str(MAX_REQUEST_LINE),
        "--no-control-socket",  # one fixed socket path per user would clash between servers
        "search_app:create_app()",
    ]  # fmt: skip
