"""Staff pages: login, CSRF, the audits as HTML/CSV/JSON, the checklist form, and the `healthsearch` commands."""

from __future__ import annotations

import csv
import io
import json
import re
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.security import generate_password_hash
from whoosh.reading import SegmentReader

from indexer.store import IndexStore
from search_app import accounts, create_app
from search_app.cli import main

PASSWORD = "correct horse battery"


def token(client: FlaskClient, url: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get(url).get_data(as_text=True)).group(1)


def sign_in(client: FlaskClient, password: str = PASSWORD, with_token: bool = True) -> object:
    data = {"name": "Editor", "password": password}
    if with_token:
        data["csrf_token"] = token(client, "/staff/login")
    return client.post("/staff/login", data=data)


@pytest.fixture
def staff(audit_app: Flask) -> FlaskClient:
    accounts.add(audit_app.config["STAFF_DB"], "editor", PASSWORD)
    client = audit_app.test_client()
    assert sign_in(client).status_code == 302
    return client


@pytest.mark.parametrize(
    "url",
    ["/staff", "/staff/coverage", "/staff/demand?format=json", "/staff/checklist", "/staff/coverage/articles/gout"],
)
def test_staff_pages_need_a_login(audit_app: Flask, url: str) -> None:
    response = audit_app.test_client().get(url)
    assert response.status_code == 302 and response.headers["Location"].startswith("/staff/login?next=")


def test_visitors_pages_and_api_stay_open(audit_app: Flask) -> None:
    client = audit_app.test_client()
    assert client.get("/").status_code == 200
    assert client.get("/search?q=gout").status_code == 200
    assert client.get("/api/search?q=gout").status_code == 200
    assert client.get("/articles/gout").status_code == 200


def test_wrong_password_and_unknown_name_are_refused(audit_app: Flask) -> None:
    accounts.add(audit_app.config["STAFF_DB"], "editor", PASSWORD)
    client = audit_app.test_client()
    response = sign_in(client, password="wrong password")
    assert response.status_code == 401 and "Wrong name or password" in response.get_data(as_text=True)
    assert client.get("/staff").status_code == 302
    assert accounts.verify(audit_app.config["STAFF_DB"], "nobody", PASSWORD) is None


def test_login_without_csrf_token_is_refused(audit_app: Flask) -> None:
    accounts.add(audit_app.config["STAFF_DB"], "editor", PASSWORD)
    client = audit_app.test_client()
    response = sign_in(client, with_token=False)
    assert response.status_code == 400 and "CSRF" in response.get_data(as_text=True)
    assert client.get("/staff").status_code == 302


def test_forms_after_login_need_the_token_too(staff: FlaskClient) -> None:
    assert staff.post("/staff/checklist", data={"topics": "gout"}).status_code == 400
    assert staff.post("/staff/logout").status_code == 400
    assert staff.get("/staff").status_code == 200  # still signed in


def test_login_goes_back_to_the_page_asked_for_but_never_off_site(audit_app: Flask) -> None:
    accounts.add(audit_app.config["STAFF_DB"], "editor", PASSWORD)
    client = audit_app.test_client()
    for target, landing in [("/staff/demand?days=30", "/staff/demand?days=30"), ("//evil.example/", "/staff")]:
        data = {"name": "editor", "password": PASSWORD, "next": target, "csrf_token": token(client, "/staff/login")}
        assert client.post("/staff/login", data=data).headers["Location"] == landing


def test_logout_and_removed_accounts(audit_app: Flask, staff: FlaskClient) -> None:
    assert staff.get("/staff").status_code == 200
    assert staff.post("/staff/logout", data={"csrf_token": token(staff, "/staff")}).status_code == 302
    assert staff.get("/staff").status_code == 302
    assert sign_in(staff).status_code == 302
    accounts.remove(audit_app.config["STAFF_DB"], "editor")
    assert staff.get("/staff").status_code == 302


def test_overview_and_coverage_pages(staff: FlaskClient) -> None:
    overview = staff.get("/staff").get_data(as_text=True)
    assert "5 articles; 1 have every section their policy requires" in overview and "<svg" in overview
    page = staff.get("/staff/coverage").get_data(as_text=True)
    assert "Kidney Stone Disease" in page and 'class="cell thin"' in page
    assert ">80.0%<" in page and ">20.0%<" in page  # overview, when to see a doctor
    assert not re.search(r"\sstyle=", page), "no inline styles"
    assert not re.search(r"<script(?![^>]*\ssrc=)", page), "no inline scripts"
    detail = staff.get("/staff/coverage/articles/hordeolum").get_data(as_text=True)
    assert "2015-06-01" in detail and "thin Treatment" in detail
    assert staff.get("/staff/coverage/articles/nope").status_code == 404


@pytest.mark.parametrize(
    "url",
    [
        "/staff/coverage?format=xml",
        "/staff/coverage?format=csv&table=nope",
        "/staff/coverage?page=99",
        "/staff/demand?days=0",
    ],
)
def test_bad_parameters_are_400s(staff: FlaskClient, url: str) -> None:
    response = staff.get(url)
    assert response.status_code == 400 and "must" in response.get_data(as_text=True)


def test_exports(staff: FlaskClient) -> None:
    data = staff.get("/staff/coverage?format=json").get_json()
    assert set(data["tables"]) == {"sections", "breaking", "stale", "duplicates", "matrix"}
    response = staff.get("/staff/coverage?format=csv&table=sections")
    disposition = response.headers["Content-Disposition"]
    assert response.mimetype == "text/csv"
    assert re.search(r"healthsearch-coverage-sections-\d{4}-\d\d-\d\d\.csv", disposition)
    records = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert records[0] == {
        "section": "Overview",
        "required": "True",
        "present": "3",
        "thin": "1",
        "missing": "1",
        "share": "0.8",
    }
    staff.get("/search?q=Kidney+STONES")
    demand = staff.get("/staff/demand?format=json").get_json()["tables"]
    assert {"zero", "top", "low_click", "daily", "junk"} == set(demand)
    assert demand["top"]["rows"][0]["query"] == "kidney stones"
    top = staff.get("/staff/demand?format=csv&table=top").get_data(as_text=True)
    assert top.splitlines()[0] == "query,searches,avg_results,clicks,last_seen" and "kidney stones,1," in top


def test_checklist_page_paste_upload_and_exports(staff: FlaskClient) -> None:
    topics = "Gout\nstye\nfrostbite\n"
    page = staff.post("/staff/checklist", data={"topics": topics, "csrf_token": token(staff, "/staff/checklist")})
    assert "1 covered, 1 partly covered, 1 missing" in page.get_data(as_text=True)
    upload = {"file": (io.BytesIO(topics.encode()), "topics.txt"), "format": "json"}
    upload["csrf_token"] = token(staff, "/staff/checklist")
    rows = staff.post("/staff/checklist", data=upload, content_type="multipart/form-data").get_json()
    assert [r["status"] for r in rows["tables"]["checklist"]["rows"]] == ["covered", "partly covered", "missing"]
    too_many = "\n".join(f"topic {i}" for i in range(5001))
    response = staff.post("/staff/checklist", data={"topics": too_many, "csrf_token": token(staff, "/staff/checklist")})
    assert response.status_code == 400 and "at most 5,000" in response.get_data(as_text=True)


def test_secret_key_is_generated_once_and_shared(tmp_path: Path) -> None:
    workers = [Flask("worker", instance_path=str(tmp_path / "instance")) for _ in range(2)]
    for worker in workers:
        accounts.ensure_secret_key(worker)
    first, second = (worker.config["SECRET_KEY"] for worker in workers)
    assert len(first) == 64 and first == second == (tmp_path / "instance" / accounts.SECRET_FILE).read_text()
    given = Flask("given", instance_path=str(tmp_path / "other"))
    given.config["SECRET_KEY"] = "from the settings"
    accounts.ensure_secret_key(given)
    assert given.config["SECRET_KEY"] == "from the settings" and not (tmp_path / "other").exists()


def test_staff_commands(tmp_path: Path) -> None:
    runner = CliRunner()
    added = runner.invoke(main, ["staff", "add", "Editor"], input=f"{PASSWORD}\n{PASSWORD}\n")
    assert added.exit_code == 0, added.output
    assert runner.invoke(main, ["staff", "list"]).output.startswith("editor\t")
    short = runner.invoke(main, ["staff", "add", "other", "--password", "short"])
    assert short.exit_code == 1 and "at least 8" in short.output
    assert runner.invoke(main, ["staff", "remove", "editor"]).exit_code == 0
    assert runner.invoke(main, ["staff", "remove", "editor"]).exit_code == 1
    assert runner.invoke(main, ["staff", "list"]).output == ""


def test_audit_command(tmp_path: Path, audit_app: Flask) -> None:
    runner = CliRunner()
    index = audit_app.config["INDEX_DIR"]
    coverage = json.loads(runner.invoke(main, ["audit", "--index", index]).output)
    assert coverage["report"] == "coverage" and len(coverage["tables"]["matrix"]["rows"]) == 5
    breaking = runner.invoke(main, ["audit", "--index", index, "--format", "csv", "--table", "breaking"]).output
    assert breaking.splitlines()[0] == "id,title,missing,thin" and len(breaking.splitlines()) == 5
    topics = tmp_path / "topics.txt"
    topics.write_text("gout\nstye\nfrostbite\n")
    checked = runner.invoke(main, ["audit", "--index", index, "--report", "checklist", str(topics), "--format", "csv"])
    assert [line.split(",")[1] for line in checked.output.splitlines()[1:]] == ["covered", "partly covered", "missing"]
    assert runner.invoke(main, ["audit", "--index", index, "--report", "checklist"]).exit_code == 2
    demand = json.loads(runner.invoke(main, ["audit", "--index", index, "--report", "demand", "--days", "30"]).output)
    assert demand["tables"]["daily"]["rows"][-1]["searches"] == 0
    missing = runner.invoke(main, ["audit", "--index", str(tmp_path / "none")])
    assert missing.exit_code == 1 and "no index" in missing.output


def test_coverage_of_medquad_reads_no_article_text(
    medquad_index: IndexStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page works from the build's summaries; its time is printed by `python -m bench` (staff section)."""
    app = create_app({"TESTING": True, "INDEX_DIR": str(medquad_index.root), "STAFF_DB": str(tmp_path / "s.db")})
    accounts.add(app.config["STAFF_DB"], "editor", PASSWORD)
    client = app.test_client()
    sign_in(client)
    stored_reads = []
    original = SegmentReader.stored_fields
    monkeypatch.setattr(
        SegmentReader, "stored_fields", lambda self, docnum: stored_reads.append(docnum) or original(self, docnum)
    )
    page = client.get("/staff/coverage")
    assert page.status_code == 200 and stored_reads == []
    shares = {
        row["section"]: row["share"]
        for row in client.get("/staff/coverage?format=json").get_json()["tables"]["sections"]["rows"]
    }
    assert shares["Overview"] > 0.7 and shares["Symptoms"] > 0.45 and shares["When to see a doctor"] == 0.0


def limited_staff_app(audit_app: Flask, **config: object) -> Flask:
    app = create_app({**audit_app.config, "TESTING": True, **config})
    accounts.add(app.config["STAFF_DB"], "editor", PASSWORD)
    return app


def attempt(client: FlaskClient, name: str, password: str, address: str) -> int:
    environ = {"REMOTE_ADDR": address}
    data = {"name": name, "password": password, "csrf_token": token(client, "/staff/login")}
    return client.post("/staff/login", data=data, environ_base=environ).status_code


def test_failed_logins_are_limited_per_client(audit_app: Flask) -> None:
    client = limited_staff_app(audit_app, LOGIN_RATE_LIMIT="3 per minute").test_client()
    assert [attempt(client, "editor", f"guess {n}", "10.0.0.1") for n in range(4)] == [401, 401, 401, 429]
    assert attempt(client, "editor", PASSWORD, "10.0.0.1") == 429  # even the right one, until the minute is over
    assert attempt(client, "other", "guess", "10.0.0.2") == 401  # another client, another name


def test_failed_logins_are_limited_per_account_name_across_addresses(audit_app: Flask) -> None:
    client = limited_staff_app(audit_app, LOGIN_RATE_LIMIT="3 per minute").test_client()
    statuses = [attempt(client, "Editor", f"guess {n}", f"10.0.1.{n}") for n in range(4)]
    assert statuses == [401, 401, 401, 429]


def test_successful_logins_do_not_count(audit_app: Flask) -> None:
    client = limited_staff_app(audit_app, LOGIN_RATE_LIMIT="2 per minute").test_client()
    assert [attempt(client, "editor", PASSWORD, "10.0.2.1") for _ in range(4)] == [302] * 4


def session_cookie(response: object) -> str:
    cookies = [c for c in response.headers.getlist("Set-Cookie") if c.startswith("session=")]  # type: ignore[attr-defined]
    assert len(cookies) == 1
    return cookies[0]


@pytest.mark.parametrize(
    ("proxies", "base_url", "headers", "secure"),
    [
        (0, "http://localhost", {}, False),
        (0, "https://localhost", {}, True),
        (1, "http://localhost", {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.9"}, True),
        (0, "http://localhost", {"X-Forwarded-Proto": "https"}, False),  # no trusted proxy: not believed
    ],
)
def test_session_cookie_flags(audit_app: Flask, proxies: int, base_url: str, headers: dict, secure: bool) -> None:
    client = limited_staff_app(audit_app, TRUSTED_PROXIES=proxies).test_client()
    login = client.get("/staff/login", base_url=base_url, headers=headers)
    csrf_token = re.search(r'name="csrf_token" value="([^"]+)"', login.get_data(as_text=True)).group(1)
    data = {"name": "editor", "password": PASSWORD, "csrf_token": csrf_token}
    referer = {"Referer": "https://localhost/staff/login"}  # Flask-WTF checks it on HTTPS
    response = client.post("/staff/login", data=data, base_url=base_url, headers={**headers, **referer})
    assert response.status_code == 302
    cookie = session_cookie(response)
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert ("; Secure" in cookie) == secure


def copied(app: Flask, staff: FlaskClient) -> FlaskClient:
    """Another browser holding a copy of `staff`'s session cookie, as a thief or an old tab would."""
    other = app.test_client()
    other.set_cookie("session", staff.get_cookie("session").value)
    assert other.get("/staff").status_code == 200  # the copy works while the session lasts
    return other


def test_logout_ends_the_session_for_every_copy_of_its_cookie(audit_app: Flask, staff: FlaskClient) -> None:
    thief = copied(audit_app, staff)
    assert staff.post("/staff/logout", data={"csrf_token": token(staff, "/staff")}).status_code == 302
    assert thief.get("/staff").status_code == 302


def test_a_new_password_ends_the_old_sessions(audit_app: Flask, staff: FlaskClient) -> None:
    thief = copied(audit_app, staff)
    accounts.add(audit_app.config["STAFF_DB"], "editor", "a brand new password")
    assert thief.get("/staff").status_code == 302 and staff.get("/staff").status_code == 302


def test_a_removed_name_added_again_does_not_revive_its_cookies(audit_app: Flask, staff: FlaskClient) -> None:
    thief = copied(audit_app, staff)
    accounts.remove(audit_app.config["STAFF_DB"], "editor")
    accounts.add(audit_app.config["STAFF_DB"], "editor", PASSWORD)
    assert thief.get("/staff").status_code == 302
    assert sign_in(audit_app.test_client()).status_code == 302  # signing in again works


def test_accounts_from_before_session_epochs_still_sign_in(audit_app: Flask) -> None:
    path = audit_app.config["STAFF_DB"]
    with sqlite3.connect(path) as connection:  # the table as older versions made it
        connection.execute(
            "CREATE TABLE accounts (name TEXT PRIMARY KEY, password_hash TEXT NOT NULL, created TEXT NOT NULL)"
        )
        connection.execute(
            "INSERT INTO accounts VALUES ('editor', ?, '2025-01-01')", (generate_password_hash(PASSWORD),)
        )
    client = audit_app.test_client()
    assert sign_in(client).status_code == 302 and client.get("/staff").status_code == 200
