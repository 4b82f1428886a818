"""Bounds on what one client may ask: request size, and per-client rate limits on every search route.

Stages: believe X-Forwarded-For only from the configured number of proxies
(the client address is the rate-limit key); refuse bodies over
MAX_CONTENT_LENGTH before any view runs; count each client's requests in
flask-limiter (in memory by default, so per worker process): the API, the
visitors' results and article pages (both run the query: an article page
marks its words), and the staff login; answer a breach with 429 and
Retry-After.  Query length, page size and page depth are checked where the
parameters are read (query.py, params.py); the work one query may cause is
bounded in budget.py.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, abort, current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

# Endpoints with their own limit instead of the API's; registered when they exist.
OWN_LIMITS = {"api.suggest": "SUGGEST_RATE_LIMIT"}
# Visitors' pages that run a query, sharing one budget per client.
PAGE_ENDPOINTS = ("pages.results", "pages.article")
LOGIN_ENDPOINT = "staff.login"


def init_app(app: Flask) -> Limiter:
    """Wire the limits; call after the blueprints are registered."""
    proxies = app.config["TRUSTED_PROXIES"]
    if proxies:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)  # type: ignore[method-assign]
    app.before_request(_refuse_large_bodies)
    limiter = Limiter(get_remote_address, app=app, headers_enabled=True)
    app.extensions["healthsearch.limiter"] = limiter  # flask-limiter keeps only a weak reference when disabled
    if "api" in app.blueprints:
        # One budget for the whole API (shared scope), not one per endpoint.
        limiter.shared_limit(_setting("API_RATE_LIMIT"), scope="api")(app.blueprints["api"])
    for endpoint, setting in OWN_LIMITS.items():
        if endpoint in app.view_functions:
            app.view_functions[endpoint] = limiter.limit(_setting(setting))(app.view_functions[endpoint])
    pages = limiter.shared_limit(_setting("PAGE_RATE_LIMIT"), scope="pages")
    for endpoint in PAGE_ENDPOINTS:
        if endpoint in app.view_functions:
            app.view_functions[endpoint] = pages(app.view_functions[endpoint])
    if LOGIN_ENDPOINT in app.view_functions:
        app.view_functions[LOGIN_ENDPOINT] = _login_limits(limiter)(app.view_functions[LOGIN_ENDPOINT])
    return limiter


def _login_limits(limiter: Limiter) -> Callable[[Callable], Callable]:
    """LOGIN_RATE_LIMIT failed sign-ins per client address and, apart, per account name.

    Only refused passwords count (a 401), so staff who sign in are never held up; a
    guesser spreading attempts over addresses still meets the per-name limit.
    """
    failed = {"methods": ["POST"], "deduct_when": lambda response: response.status_code == 401}
    per_client = limiter.limit(_setting("LOGIN_RATE_LIMIT"), scope="login-client", **failed)
    per_name = limiter.limit(_setting("LOGIN_RATE_LIMIT"), key_func=_account_name, scope="login-name", **failed)
    return lambda view: per_client(per_name(view))


def _account_name() -> str:
    return "account:" + request.form.get("name", "").strip().lower()[:64]


def _setting(name: str) -> Callable[[], str]:
    """Read the limit per request, so a test or benchmark config applies without a new limiter."""
    return lambda: current_app.config[name]


def _refuse_large_bodies() -> None:
    """413 on the declared length alone: no view here reads a body, so none should be sent."""
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is not None and request.content_length > limit:
        abort(413)
