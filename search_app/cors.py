"""Cross-origin reads of the search box's two endpoints, for the origins the site names.

A page on another origin that embeds the search box fetches suggestions and
results from here; the browser lets it read them only with an
Access-Control-Allow-Origin naming that page's origin.  Only the read-only
suggestion and search endpoints open, only for GET (and the browser's preflight),
only to the origins in CORS_ORIGINS; every other page and endpoint stays
same-origin.  No credentials are allowed: the answers are the same for everyone.
"""

from __future__ import annotations

from collections.abc import Iterable

from flask import Flask, Response, current_app, request

OPEN_ENDPOINTS = frozenset({"api.suggest", "api.search"})


def allowed_origins(setting: str | Iterable[str]) -> frozenset[str]:
    """The CORS_ORIGINS setting as a set of origins, trailing slashes off.

    >>> sorted(allowed_origins(" https://a.example, https://b.example/ ,"))
    ['https://a.example', 'https://b.example']
    """
    items = setting.split(",") if isinstance(setting, str) else setting
    return frozenset(item.strip().rstrip("/") for item in items if item.strip())


def add_cors_headers(response: Response) -> Response:
    """Allow the request's origin to read this response when the endpoint and origin are both open."""
    if request.endpoint not in OPEN_ENDPOINTS:
        return response
    response.vary.add("Origin")  # caches must not hand one origin's answer to another
    origin = request.headers.get("Origin", "")
    allowed = allowed_origins(current_app.config.get("CORS_ORIGINS", ""))
    if origin and (origin in allowed or "*" in allowed):
        response.headers["Access-Control-Allow-Origin"] = origin
        if request.method == "OPTIONS":
            response.headers["Access-Control-Allow-Methods"] = "GET"
            response.headers["Access-Control-Max-Age"] = "86400"
    return response


def init_app(app: Flask) -> None:
    app.after_request(add_cors_headers)
