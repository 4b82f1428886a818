"""One JSON line per request: which route was asked, the answer's status and size, how long it took.

Nothing in a line says who asked what: health searches and reading are
personal, and an access log outlives its purpose.  So the query string is left
out, the path is logged as its route template (`/articles/<path:article_id>`,
`/go/<int:search_id>/<int:position>`: a concrete `/go/14/1` would join the line
to search 14 in the query log, and `/articles/hiv` would say what was read),
and no client address is kept (the rate limits count addresses in memory, not
here).  The route, status and timing are enough to run the service.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import time
from datetime import datetime, timezone
from typing import TextIO

from flask import Flask, Response, current_app, g, request

LOGGER_NAME = "healthsearch.requests"


def init_app(app: Flask) -> None:
    target = app.config["REQUEST_LOG"]
    if not target:
        return
    app.extensions["request_log"] = _logger(target)
    app.before_request(_start_clock)
    app.after_request(_log)


def _logger(target: str) -> logging.Logger:
    """One logger per destination, shared by every app that writes there."""
    logger = logging.getLogger(f"{LOGGER_NAME}.{'stderr' if target == '-' else target}")
    if not logger.handlers:
        handler = _StderrHandler() if target == "-" else logging.FileHandler(target)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
    return logger


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is at the time (test runners swap it)."""

    @property  # type: ignore[override]
    def stream(self) -> TextIO:
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def _start_clock() -> None:
    g.request_started = time.perf_counter()


def _log(response: Response) -> Response:
    started = g.get("request_started", time.perf_counter())
    record = {
        "time": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "method": request.method,
        "route": request.url_rule.rule if request.url_rule else None,  # None: no route matched (a 404)
        "endpoint": request.endpoint,
        "status": response.status_code,
        "bytes": response.content_length,
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "generation": g.get("generation"),
        "worker": os.getpid(),
    }
    current_app.extensions["request_log"].info(json.dumps(record, ensure_ascii=False))
    return response
