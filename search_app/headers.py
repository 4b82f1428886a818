"""Security and caching headers on every response; versioned static URLs.

Stages: `url_for('static', ...)` gains a `v=` hash of the file's bytes, so a
static file can be cached for a year and a new release still reaches every
browser; after each request the security headers are set, then a
Cache-Control that fits what was answered (static, a page, or an error).
"""

from __future__ import annotations

import hashlib
import os
from functools import lru_cache
from typing import Any

from flask import Flask, Response, current_app, request

# No 'unsafe-inline' anywhere: the templates carry no inline script or style, so a
# script smuggled into a query or an article cannot run even if it escaped escaping.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
}
# Visitors' pages and the API answer the same to everyone: a shared cache may keep them
# briefly.  Anything else (health checks, other audiences' pages) is never stored.
PUBLIC_BLUEPRINTS = ("pages", "api")


def init_app(app: Flask) -> None:
    app.url_defaults(_version_static)
    app.after_request(_set_headers)


def _version_static(endpoint: str, values: dict[str, Any]) -> None:
    """Add ?v=<content hash> to static URLs: the cache-buster for year-long caching."""
    if endpoint == "static" and "filename" in values and "v" not in values:
        version = _file_version(os.path.join(current_app.static_folder or "", values["filename"]))
        if version:
            values["v"] = version


@lru_cache(maxsize=256)
def _file_version(path: str) -> str:
    try:
        with open(path, "rb") as handle:
            return hashlib.sha256(handle.read()).hexdigest()[:12]
    except OSError:
        return ""


def _set_headers(response: Response) -> Response:
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.endpoint == "static" or "Cache-Control" not in response.headers:  # a view's own choice stands
        response.headers["Cache-Control"] = _cache_control(response.status_code)
        response.headers.pop("Expires", None)
    return response


def _cache_control(status: int) -> str:
    """Year-long for versioned static files; short for public pages and API; never for errors or the rest."""
    config = current_app.config
    if status >= 400:
        return "no-store"
    if request.endpoint == "static":
        if request.args.get("v"):
            return f"public, max-age={config['STATIC_MAX_AGE']}, immutable"
        return "public, max-age=3600"
    if status == 200 and request.blueprint in PUBLIC_BLUEPRINTS:
        return f"public, max-age={config['PAGE_MAX_AGE']}"
    return "no-store"
