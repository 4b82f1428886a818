"""Attacks on a real `healthsearch serve --production` process on loopback: staff sign-in and its cookie."""

from __future__ import annotations

import http.client
import re
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from search_app import accounts
from tests.test_serving import production_server
from tests.test_staff import PASSWORD

PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}


def request(
    base: str, method: str, path: str, headers: dict[str, str], body: str | None = None
) -> tuple[int, dict, str]:
    """One request over a fresh connection: status, headers (Set-Cookie as a list), body."""
    url = urlsplit(base)
    connection = http.client.HTTPConnection(url.hostname, url.port, timeout=10)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        found = {name.lower(): value for name, value in response.getheaders()}
        found["set-cookie"] = [v for name, v in response.getheaders() if name.lower() == "set-cookie"]
        return response.status, found, response.read().decode("utf-8", "replace")
    finally:
        connection.close()


def login(base: str, password: str, headers: dict[str, str]) -> tuple[int, dict]:
    """GET the form (a session holding its CSRF token), then POST it, as a browser would."""
    _status, form_headers, form = request(base, "GET", "/staff/login", headers)
    cookie = form_headers["set-cookie"][0].split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    body = urlencode({"name": "editor", "password": password, "csrf_token": token})
    scheme = "https" if headers.get("X-Forwarded-Proto") == "https" else "http"
    posted = {
        **headers,
        "Cookie": cookie,
        "Content-Type": "application/x-www-form-urlencoded",
        "Referer": f"{scheme}://{urlsplit(base).netloc}/staff/login",  # Flask-WTF checks it over HTTPS
    }
    status, answer, _body = request(base, "POST", "/staff/login", posted, body)
    return status, answer


def test_session_cookie_is_secure_lax_and_httponly_behind_a_trusted_tls_proxy(index_dir: Path, tmp_path: Path) -> None:
    accounts.add(str(tmp_path / "staff.sqlite3"), "editor", PASSWORD)  # the server's HEALTHSEARCH_STAFF_DB
    with production_server(index_dir, TRUSTED_PROXIES="1") as base:
        status, headers = login(base, PASSWORD, PROXY)
        assert status == 302
        cookie = headers["set-cookie"][0]
        assert "; Secure" in cookie and "; HttpOnly" in cookie and "; SameSite=Lax" in cookie
        status, headers = login(base, PASSWORD, {})  # plain HTTP, straight to the server: not Secure
        assert status == 302
        cookie = headers["set-cookie"][0]
        assert "; Secure" not in cookie and "; SameSite=Lax" in cookie


def test_wrong_passwords_meet_the_login_limit(index_dir: Path, tmp_path: Path) -> None:
    accounts.add(str(tmp_path / "staff.sqlite3"), "editor", PASSWORD)
    with production_server(index_dir, workers=1, TRUSTED_PROXIES="1", LOGIN_RATE_LIMIT="3 per minute") as base:
        statuses = [login(base, f"guess number {n}", PROXY)[0] for n in range(5)]
        assert statuses == [401, 401, 401, 429, 429]
        status, headers = login(base, PASSWORD, PROXY)
        assert status == 429 and int(headers["retry-after"]) > 0
