"""Attacks on a real `healthsearch serve --production` process on loopback: staff sign-in and its cookie,
gunicorn's own error answers, header injection through redirect targets, a query log deleted while serving."""

from __future__ import annotations

import http.client
import re
import socket
import sqlite3
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from search_app import accounts
from search_app.production import MAX_REQUEST_LINE
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


def login(base: str, password: str, headers: dict[str, str], next_page: str = "") -> tuple[int, dict]:
    """GET the form (a session holding its CSRF token), then POST it, as a browser would."""
    _status, form_headers, form = request(base, "GET", "/staff/login", headers)
    cookie = form_headers["set-cookie"][0].split(";")[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)  # type: ignore[union-attr]
    body = urlencode({"name": "editor", "password": password, "csrf_token": token, "next": next_page})
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


def raw(base: str, request_line: bytes) -> tuple[int, str]:
    """Send one request line by hand (no client library would send a broken one); status and head of the answer."""
    url = urlsplit(base)
    with socket.create_connection((url.hostname, url.port), timeout=10) as connection:
        connection.sendall(request_line + b"\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    head = answer.split(b"\r\n\r\n", 1)[0].decode("latin-1")
    return int(head.split(" ", 2)[1]), head


def test_gunicorns_own_414_carries_the_security_headers_and_logs_no_client(index_dir: Path, tmp_path: Path) -> None:
    log = tmp_path / "server.log"
    with production_server(index_dir, workers=1, stderr=log) as base:
        long_line = b"GET /search?q=" + b"private%20symptom%20" * 500 + b" HTTP/1.1"
        assert len(long_line) > MAX_REQUEST_LINE
        status, head = raw(base, long_line)
        assert status == 414  # gunicorn's own answer, before the app
        assert "Content-Security-Policy: default-src 'self'" in head and "X-Frame-Options: DENY" in head
        assert "X-Content-Type-Options: nosniff" in head and "Cache-Control: no-store" in head
        status, head = raw(base, b"GET /search?q=\x01bad HTTP/1.1")  # a malformed line: gunicorn's 400
        assert status == 400 and "Content-Security-Policy" in head
        assert raw(base, b"GET /search?q=" + b"a" * 900 + b" HTTP/1.1")[0] == 200  # the app's own answers
    refusals = [line for line in log.read_text().splitlines() if "Invalid request" in line]
    assert len(refusals) == 2  # gunicorn did log the refusals ...
    assert not any("ip=" in line or "127.0.0.1" in line for line in refusals)  # ... without the client
    assert not any("private" in line or "bad" in line for line in refusals)  # ... or the request


def test_crlf_in_a_redirect_target_is_a_clean_answer_never_a_500(index_dir: Path, tmp_path: Path) -> None:
    accounts.add(str(tmp_path / "staff.sqlite3"), "editor", PASSWORD)
    with production_server(index_dir, workers=1) as base:
        request(base, "GET", "/search?q=gout", {})
        search_id = sqlite3.connect(tmp_path / "querylog.sqlite3").execute("SELECT MAX(id) FROM searches").fetchone()[0]
        for injected in ("%0d%0aSet-Cookie:%20x=1", "%0aX-Evil:%201", "%0d"):
            status, headers, _body = request(base, "GET", f"/go/{search_id}/1?to=/articles/gout{injected}", {})
            assert status == 400 and "x-evil" not in headers and not headers["set-cookie"]
        status, headers = login(base, PASSWORD, {}, next_page="/staff/demand\r\nSet-Cookie: x=1")
        assert status == 302 and headers["location"] == "/staff"  # signed in, sent to the overview
        assert all("x=1" not in cookie for cookie in headers["set-cookie"])


def test_a_query_log_deleted_while_serving_is_made_again(index_dir: Path, tmp_path: Path) -> None:
    path = tmp_path / "querylog.sqlite3"  # the server's HEALTHSEARCH_QUERY_LOG
    with production_server(index_dir, workers=1) as base:
        assert request(base, "GET", "/api/search?q=gout", {})[0] == 200
        for file in tmp_path.glob("querylog.sqlite3*"):
            file.unlink()
        assert not path.exists()
        assert request(base, "GET", "/api/search?q=asthma", {})[0] == 200
        assert request(base, "GET", "/api/search?q=acne", {})[0] == 200
        rows = sqlite3.connect(path).execute("SELECT query FROM searches ORDER BY id").fetchall()
    assert rows == [("asthma",), ("acne",)]
