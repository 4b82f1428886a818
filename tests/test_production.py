"""Production behaviour through the Flask test client: headers, caching, /healthz, limits, errors, request log."""

from __future__ import annotations

import json
import sqlite3
from collections import OrderedDict
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from indexer.build import build_index
from indexer.store import IndexStore
from search_app import create_app
from search_app.production import gunicorn_argv


def limited_app(index_dir: Path, **config: object) -> Flask:
    return create_app({"TESTING": True, "INDEX_DIR": str(index_dir), **config})


@pytest.mark.parametrize("path", ["/", "/search?q=gout", "/articles/gout", "/api/search?q=gout", "/healthz", "/nope"])
def test_security_headers_on_every_response(client: FlaskClient, path: str) -> None:
    response = client.get(path)
    csp = response.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "object-src 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["Referrer-Policy"] == "same-origin"


def test_templates_have_no_inline_script_or_style() -> None:
    """The CSP forbids inline code, so none may be relied on."""
    templates = Path(__file__).resolve().parent.parent / "search_app" / "templates"
    for template in templates.glob("*.html"):
        text = template.read_text().lower()
        assert "<style" not in text and " style=" not in text, template.name
        assert "<script>" not in text and " on" + "click=" not in text, template.name
        assert "javascript:" not in text, template.name


def test_static_files_are_versioned_and_cached_for_a_year(client: FlaskClient) -> None:
    page = client.get("/").get_data(as_text=True)
    start = page.index("/static/site.css?v=")
    url = page[start : page.index('"', start)]
    with client.get(url) as response:
        assert response.status_code == 200
        assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    with client.get("/static/site.css") as response:
        assert response.headers["Cache-Control"] == "public, max-age=3600"


@pytest.mark.parametrize(
    ("path", "cache_control"),
    [
        ("/search?q=gout", "public, max-age=60"),
        ("/api/search?q=gout", "public, max-age=60"),
        ("/articles/gout", "public, max-age=60"),
        ("/healthz", "no-store"),
        ("/api/search?page=0", "no-store"),
        ("/articles/no-such-article", "no-store"),
    ],
)
def test_cache_control_fits_the_answer(client: FlaskClient, path: str, cache_control: str) -> None:
    assert client.get(path).headers["Cache-Control"] == cache_control


def test_healthz_reports_generation_and_documents(client: FlaskClient, index_dir: Path, small_corpus: Path) -> None:
    body = client.get("/healthz").get_json()
    assert body["status"] == "ok" and body["generation"] == 1 and body["documents"] == 4
    (small_corpus / "extra.html").write_text("<h1>Hiccups</h1><h2>Causes</h2><p>Eating fast.</p>")
    build_index([small_corpus], IndexStore(index_dir))
    body = client.get("/healthz").get_json()
    assert body["generation"] == 2 and body["documents"] == 5  # the same app, the new index


def test_healthz_without_index_is_503(tmp_path: Path) -> None:
    response = create_app({"TESTING": True, "INDEX_DIR": str(tmp_path / "none")}).test_client().get("/healthz")
    assert response.status_code == 503
    assert response.get_json()["status"] == "unavailable"


def test_api_rate_limit_is_429_with_retry_after(index_dir: Path) -> None:
    client = limited_app(index_dir, API_RATE_LIMIT="3 per minute").test_client()
    statuses = [client.get("/api/search?q=gout").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    refused = client.get("/api/articles/gout")  # the limit covers the whole API
    assert refused.status_code == 429
    assert int(refused.headers["Retry-After"]) > 0
    assert "Too many requests" in refused.get_json()["error"]
    assert client.get("/search?q=gout").status_code == 200  # pages and health are not the API's budget
    assert client.get("/healthz").status_code == 200


def test_rate_limit_is_per_client(index_dir: Path) -> None:
    client = limited_app(index_dir, API_RATE_LIMIT="1 per minute").test_client()
    assert client.get("/api/search?q=gout", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 200
    assert client.get("/api/search?q=gout", environ_base={"REMOTE_ADDR": "10.0.0.1"}).status_code == 429
    assert client.get("/api/search?q=gout", environ_base={"REMOTE_ADDR": "10.0.0.2"}).status_code == 200


def test_forwarded_client_is_believed_only_behind_a_trusted_proxy(index_dir: Path) -> None:
    for proxies, second in ((0, 429), (1, 200)):
        client = limited_app(index_dir, API_RATE_LIMIT="1 per minute", TRUSTED_PROXIES=proxies).test_client()
        assert client.get("/api/search?q=a", headers={"X-Forwarded-For": "203.0.113.1"}).status_code == 200
        assert client.get("/api/search?q=a", headers={"X-Forwarded-For": "203.0.113.2"}).status_code == second


def test_suggest_gets_its_own_limit() -> None:
    """An `api.suggest` endpoint is held to SUGGEST_RATE_LIMIT instead of the API's; others to the API's."""
    from flask import Blueprint

    from search_app import limits

    app = Flask(__name__)
    app.config.update(
        MAX_CONTENT_LENGTH=1000,
        TRUSTED_PROXIES=0,
        RATELIMIT_STORAGE_URI="memory://",
        API_RATE_LIMIT="1 per minute",
        SUGGEST_RATE_LIMIT="3 per minute",
    )
    bp = Blueprint("api", __name__, url_prefix="/api")

    @bp.get("/search")
    def search() -> str:
        return "results"

    @bp.get("/suggest")
    def suggest() -> str:
        return "suggestions"

    app.register_blueprint(bp)
    limits.init_app(app)
    client = app.test_client()
    assert [client.get("/api/suggest").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert [client.get("/api/search").status_code for _ in range(2)] == [200, 429]


def test_rate_limit_error_page_for_visitors(index_dir: Path) -> None:
    from werkzeug.exceptions import TooManyRequests

    app = limited_app(index_dir)
    with app.test_request_context("/search"):
        from search_app.errors import http_error

        response = http_error(TooManyRequests("5 per 1 minute"))
    assert response.status_code == 429 and response.mimetype == "text/html"
    assert "Too many requests (5 per 1 minute)" in response.get_data(as_text=True)


def test_large_body_is_413(client: FlaskClient) -> None:
    for path in ("/api/search", "/search"):
        response = client.post(path, data=b"x" * 100_000)
        assert response.status_code == 413
    assert "at most 65536 bytes" in client.post("/api/search", data=b"x" * 100_000).get_json()["error"]


@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/api/search?q=gout&size=51", 400),
        ("/api/search?q=gout&size=0", 400),
        ("/api/search?q=gout&page=101", 400),
        ("/api/search?q=gout&page=-1", 400),
        ("/api/search?q=" + "a" * 1001, 400),
        ("/search?q=gout&page=101", 400),
        ("/api/nowhere", 404),
    ],
)
def test_limits_answer_json_errors(client: FlaskClient, path: str, status: int) -> None:
    response = client.get(path)
    assert response.status_code == status
    assert response.get_json()["error"] if path.startswith("/api/") else "<!doctype html>" in response.text


def test_errors_are_pages_for_visitors(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "There is nothing at this address." in response.get_data(as_text=True)
    response = client.post("/search")
    assert response.status_code == 405 and "GET" in response.headers["Allow"]


def test_unexpected_exception_is_a_calm_500(index_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    app = limited_app(index_dir, TESTING=False)

    def broken(*_args: object, **_kwargs: object) -> None:
        raise RuntimeError("secret detail")

    monkeypatch.setattr("search_app.pages.search_page", broken)
    monkeypatch.setattr(app.logger, "disabled", True)  # the traceback would go to the log; not under test here
    response = app.test_client().get("/search?q=gout")
    assert response.status_code == 500
    assert "Something went wrong" in response.text and "secret detail" not in response.text


def test_request_log_is_json_lines_without_the_query(index_dir: Path, tmp_path: Path) -> None:
    log = tmp_path / "requests.log"
    client = limited_app(index_dir, REQUEST_LOG=str(log)).test_client()
    client.get("/search?q=private+symptom")
    client.get("/api/search?q=x&page=0")
    records = [json.loads(line) for line in log.read_text().splitlines()]
    assert [(r["route"], r["status"]) for r in records] == [("/search", 200), ("/api/search", 400)]
    assert records[0]["generation"] == 1 and records[0]["ms"] >= 0 and records[0]["bytes"] > 0
    assert "private" not in log.read_text()


def test_request_log_cannot_be_joined_to_the_query_log_or_a_reader(index_dir: Path, tmp_path: Path) -> None:
    """A click's /go/<search>/<position> and an article's id stay out, and so does the client's address."""
    log = tmp_path / "requests.log"
    client = limited_app(index_dir, REQUEST_LOG=str(log), TRUSTED_PROXIES=1).test_client()
    client.get("/search?q=gout")
    search_id = max(row[0] for row in sqlite3.connect(tmp_path / "querylog.sqlite3").execute("SELECT id FROM searches"))
    environ = {"REMOTE_ADDR": "198.51.100.23"}
    go = client.get(
        f"/go/{search_id}/1?to=/articles/gout", environ_base=environ, headers={"X-Forwarded-For": "203.0.113.99"}
    )
    assert go.status_code == 303
    client.get("/articles/gout", environ_base=environ)
    client.get("/no/such/page/for-asthma", environ_base=environ)
    text = log.read_text()
    records = [json.loads(line) for line in text.splitlines()]
    assert [r["route"] for r in records[1:]] == [
        "/go/<int:search_id>/<int:position>",
        "/articles/<path:article_id>",
        None,
    ]
    assert f"/go/{search_id}" not in text and "gout" not in text and "asthma" not in text
    assert "198.51.100.23" not in text and "203.0.113.99" not in text and "127.0.0.1" not in text
    assert all("client" not in r and "path" not in r for r in records)


def test_gunicorn_command_runs_the_factory_in_workers() -> None:
    argv = gunicorn_argv("127.0.0.1", 8000, 3)
    assert argv[1:3] == ["-m", "gunicorn"] and argv[-1] == "search_app:create_app()"
    assert argv[argv.index("--workers") + 1] == "3" and argv[argv.index("--bind") + 1] == "127.0.0.1:8000"


def test_index_state_cache_survives_another_thread_clearing_it(
    client: FlaskClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    """During a swap a worker's threads serve two generations and clear each other's cached index state
    (postings, facets); this replays the worst interleaving: the clear lands right after this request stored it."""
    from engine import executor

    class ClearedByAnotherThread(OrderedDict):
        def __setitem__(self, key: object, value: object) -> None:
            super().__setitem__(key, value)
            self.clear()

    monkeypatch.setattr(executor, "_STATES", ClearedByAnotherThread())
    response = client.get("/api/search?q=gout")
    assert response.status_code == 200 and response.get_json()["facets"]["section"]
