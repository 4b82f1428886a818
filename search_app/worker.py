"""The gunicorn worker of `serve --production`: gthread, with gunicorn's own error answers made safe.

gunicorn answers some requests itself, before the app sees them: a request line
over --limit-request-line (414), a malformed line or header (400), too many or
too large headers (431).  It writes those as a fixed page with no headers but
Content-Type and Content-Length, and logs them with the client's address and
the error, which can quote the request line, query and all.  This worker keeps
gunicorn's handling and adds two things:

- the app's security headers (headers.SECURITY_HEADERS) and `Cache-Control:
  no-store` on those answers, inserted after the status line as they are sent;
- no client address in their log line, and only the error's kind, never the
  request line (health searches are personal; see requestlog.py).
"""

from __future__ import annotations

import logging
import socket
from typing import Any

from gunicorn.workers.gthread import ThreadWorker

from search_app.headers import SECURITY_HEADERS

EXTRA_HEADERS = "".join(
    f"{name}: {value}\r\n" for name, value in {**SECURITY_HEADERS, "Cache-Control": "no-store"}.items()
)
INVALID_REQUEST = "Invalid request from ip="  # how gunicorn starts the log line of a refused request


class Worker(ThreadWorker):
    """gunicorn's gthread worker; its own error answers carry the security headers and log no client."""

    def init_process(self) -> None:
        self.log.error_log.addFilter(_without_client_details)
        super().init_process()

    def handle_error(self, req: Any, client: socket.socket, addr: Any, exc: BaseException) -> None:
        super().handle_error(req, _WithHeaders(client), None, exc)  # type: ignore[arg-type]


class _WithHeaders:
    """A socket whose writes gain the extra headers after the status line (gunicorn writes its error page once)."""

    def __init__(self, sock: socket.socket) -> None:
        self._sock = sock

    def __getattr__(self, name: str) -> Any:
        return getattr(self._sock, name)

    def sendall(self, data: bytes) -> None:
        status, separator, rest = data.partition(b"\r\n")
        self._sock.sendall(status + separator + EXTRA_HEADERS.encode("latin-1") + rest if separator else data)


def _without_client_details(record: logging.LogRecord) -> bool:
    """gunicorn's "Invalid request from ip=…: <error quoting the request>" becomes "Invalid request: <kind>"."""
    message = record.getMessage()
    if message.startswith(INVALID_REQUEST):
        error = message.split(": ", 1)[-1]
        record.msg, record.args = "Invalid request: %s", (error.split("'")[0].split(":")[0].strip(),)
    return True
