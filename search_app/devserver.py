"""The development server of `healthsearch serve`, without Werkzeug's access lines.

Werkzeug prints every request as `127.0.0.1 - - [...] "GET /search?q=... HTTP/1.1" 200`:
a visitor's address beside what they searched for.  The app's own JSON request log
(search_app.requestlog) already says what a developer needs, without either.
"""

from __future__ import annotations

from typing import Any

from werkzeug.serving import WSGIRequestHandler


class PrivateRequestHandler(WSGIRequestHandler):
    """Logs no request lines, and errors without the request that caused them."""

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        pass

    def log_error(self, format: str, *args: Any) -> None:
        # The stdlib's messages carry the raw request line ("Bad request syntax ('GET /search?q=...')").
        code = args[0] if args and isinstance(args[0], int) else "?"
        self.log("error", "request rejected with status %s", code)
