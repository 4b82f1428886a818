"""Staff reports that stay useful: same-named articles cover a topic together, a policy per source, sorting,
grades in text as well as colour, names instead of stems, charts with axes and a legend; and that stay quick,
bounded by the work they do: the query log's hours gone by counted once an hour (on SQLite and a real
PostgreSQL), the hour under way at each request, coverage once per generation."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from bench.servers import fresh_schema, postgres
from engine.synonyms import load_synonyms
from indexer.build import build_index
from indexer.store import IndexStore
from indexer.summary import read_summaries
from search_app import accounts, create_app
from search_app.audit import coverage, demand
from search_app.audit.catalog import Catalog
from search_app.audit.charts import Bar, share_chart, volume_chart
from search_app.audit.checklist import check, table
from search_app.audit.coverage import Policy, compute, parse_by_source
from search_app.audit.tally import Tally
from search_app.database import Connection
from search_app.querylog import QueryLog, SearchEntry
from tests.conftest import write_article
from tests.test_staff import PASSWORD, sign_in

FULL = {"Overview": 60, "Symptoms": 60, "Causes": 60, "Treatment": 60}
POLICY = Policy(("overview", "symptoms", "causes", "treatment"))


@pytest.fixture
def corpus(tmp_path: Path) -> Path:
    """Heart attack as a one-paragraph stub and as a full article; Type 1 Diabetes twice; a Gout stub."""
    folder = tmp_path / "reports"
    folder.mkdir()
    write_article(folder, "heart-attack-stub", "Heart attack", {"Overview": 50})
    write_article(folder, "heart-attack", "Heart Attack", FULL)
    write_article(folder, "type-1-diabetes", "Type 1 Diabetes", FULL)
    write_article(folder, "diabetes-type-1", "Type 1 diabetes", {"Overview": 60, "Symptoms": 60})
    write_article(folder, "gout", "Gout", {"Overview": 60, "Treatment": 10})
    return folder


@pytest.fixture
def summaries(tmp_path: Path, corpus: Path) -> list[dict]:
    store = IndexStore(tmp_path / "ix")
    build_index([corpus], store)
    return read_summaries(store.current_dir())


def test_a_topic_is_covered_by_any_of_its_same_named_articles(summaries: list[dict]) -> None:
    catalog = Catalog(summaries, load_synonyms())
    attack, gout = check(["heart attack", "gout"], catalog, POLICY)
    assert (attack.status, attack.article_id, attack.articles) == ("covered", "heart-attack", 2)
    assert (gout.status, gout.missing, gout.thin) == ("partly covered", ("symptoms", "causes"), ("treatment",))
    exported = table([gout]).records()[0]
    assert exported["missing"] == ["Symptoms", "Causes"] and exported["thin"] == ["Treatment"]  # labels, not ids


def test_the_policy_can_be_set_per_source(summaries: list[dict]) -> None:
    source = summaries[0]["source"]
    lenient = Policy(POLICY.required, by_source=parse_by_source(f"{source}=overview"))
    assert compute(summaries, POLICY, date.today()).headline()["compliant"] == 2
    assert compute(summaries, lenient, date.today()).headline()["compliant"] == 5
    with pytest.raises(ValueError, match="cures"):
        parse_by_source("GARD=overview,cures")
    with pytest.raises(ValueError, match="SOURCE=kind"):
        parse_by_source("overview")


def test_duplicate_names_are_shown_as_articles_write_them(summaries: list[dict]) -> None:
    names = {name for _how, name, _owners in compute(summaries, POLICY, date.today()).duplicates()}
    assert {name.casefold() for name in names} == {"heart attack", "type 1 diabetes"}  # not "1 diabet type"


def test_charts_have_axes_a_track_and_a_legend_in_the_bars_classes() -> None:
    chart = str(share_chart([Bar("Symptoms", (("present", 0.5), ("thin", 0.25)), "75 %")], "Coverage"))
    assert all(text in chart for text in (">0 %<", ">100 %<", ">Share of articles<", 'class="track"'))
    assert all(f'class="{css} swatch"' in chart for css in ("present", "thin", "track"))
    assert ">Present<" in chart and ">Thin<" in chart and ">Missing<" in chart
    volume = str(volume_chart([("2026-01-01", 4, 1), ("2026-01-02", 2, 0)], "Volume"))
    assert ">Searches<" in volume and ">Day (UTC)<" in volume and ">No results<" in volume


@pytest.fixture
def staff(tmp_path: Path, corpus: Path) -> FlaskClient:
    build_index([corpus], IndexStore(tmp_path / "index"))
    app: Flask = create_app(
        {"TESTING": True, "INDEX_DIR": str(tmp_path / "index"), "REQUIRED_SECTIONS": "overview,symptoms"}
    )
    accounts.add(app.config["STAFF_DB"], "editor", PASSWORD)
    client = app.test_client()
    sign_in(client)
    return client


def test_the_coverage_page_shows_the_policy_grades_in_text_and_sorts(staff: FlaskClient) -> None:
    page = staff.get("/staff/coverage", query_string={"show": "all"}).get_data(as_text=True)
    assert "Every article: Overview, Symptoms." in page and "REQUIRED_SECTIONS_BY_SOURCE" in page
    assert '<span class="visually-hidden">missing</span>' in page
    assert '<span class="visually-hidden"> words, thin</span>' in page
    assert "✓" in page and "✗" in page
    by_title = [page.index(f">{t}</a>") for t in ("Gout", "Heart attack", "Type 1 Diabetes")]
    assert by_title == sorted(by_title)
    searched = staff.get("/search", query_string={"q": "type 1 diabetes"}).get_data(as_text=True)
    staff.get(searched[searched.index("/go/") :].split('"')[0].replace("&amp;", "&"))
    by_traffic = staff.get("/staff/coverage", query_string={"show": "all", "sort": "traffic"}).get_data(as_text=True)
    assert by_traffic.index(">Type 1") < by_traffic.index(">Gout</a>")
    assert staff.get("/staff/coverage", query_string={"sort": "size"}).status_code == 400


def test_the_checklist_export_is_named_for_what_it_is(staff: FlaskClient) -> None:
    token = staff.get("/staff/checklist").get_data(as_text=True).split('name="csrf_token" value="')[1].split('"')[0]
    response = staff.post("/staff/checklist", data={"topics": "gout", "format": "csv", "csrf_token": token})
    disposition = response.headers["Content-Disposition"]
    assert "healthsearch-topic-checklist-" in disposition and "checklist-checklist" not in disposition


NOW = datetime(2026, 3, 10, 14, 30, tzinfo=timezone.utc)
HOUR = "2026-03-10 14:00:00"


class Statements:
    """Every statement run on a query log connection: (SQL, parameters)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.seen: list[tuple[str, tuple]] = []
        execute = Connection.execute

        def recorded(connection: Connection, sql: str, parameters: tuple = ()) -> object:
            self.seen.append((sql, tuple(parameters)))
            return execute(connection, sql, parameters)

        monkeypatch.setattr(Connection, "execute", recorded)

    def aggregates(self) -> list[tuple]:
        """The parameters of the counting statements run since the last call."""
        found = [parameters for sql, parameters in self.seen if "GROUP BY" in sql]
        self.seen.clear()
        return found


@pytest.fixture(scope="module")
def postgres_url() -> Iterator[str]:
    with postgres() as url:
        yield url


@pytest.fixture(params=["sqlite", "postgresql"])
def log(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[QueryLog]:
    """An empty query log in a SQLite file, or in a schema of its own on a real PostgreSQL server."""
    if request.param == "sqlite":
        target = str(tmp_path / "log.sqlite3")
    else:
        target = fresh_schema(request.getfixturevalue("postgres_url"), f"log_{abs(hash(request.node.nodeid))}")
    log = QueryLog(target, 90)
    yield log
    assert log.database is not None
    log.database.close()


def _search(log: QueryLog, connection: Connection, text: str, results: int, at: datetime, clicks: int = 0) -> None:
    search_id = log.record_search(connection, SearchEntry("page", text, text, results, {}, 1, 5.0), at=at)
    for position in range(clicks):
        log.record_click(connection, search_id, "gout", position + 1, at=at + timedelta(minutes=5))


def test_the_log_is_counted_once_an_hour_and_the_hour_under_way_at_each_request(
    log: QueryLog, monkeypatch: pytest.MonkeyPatch
) -> None:
    hourly, today = demand.Hourly(), NOW.date()
    with log.connect() as connection:
        for hours_ago in (30, 5, 1):
            _search(log, connection, "gout", 4, NOW - timedelta(hours=hours_ago), clicks=1)
        _search(log, connection, "kidney stones", 2, NOW - timedelta(hours=2))
        _search(log, connection, "frostbite", 0, NOW - timedelta(days=3))
        _search(log, connection, "gout", 4, NOW - timedelta(minutes=35), clicks=2)  # clicked at 14:00
        statements = Statements(monkeypatch)
        first = demand.compute(connection, 7, today, hourly, NOW)
        assert len(statements.aggregates()) == 8  # four over the hours gone by, four over this one
        assert first == demand.compute(connection, 7, today)  # the same as counting it all at once
        statements.aggregates()
        for _ in range(3):
            _search(log, connection, "kidney stones", 2, NOW)  # searched since the first report
        again = demand.compute(connection, 7, today, hourly, NOW + timedelta(minutes=20))
        assert [parameters[0] for parameters in statements.aggregates()] == [HOUR] * 4  # this hour only
        assert again == demand.compute(connection, 7, today)
        statements.aggregates()
        next_hour = demand.compute(connection, 7, today, hourly, NOW + timedelta(hours=1))
        assert len(statements.aggregates()) == 8  # a new hour: the period is counted again
        assert next_hour == again
    top = {q["query"]: (q["searches"], q["clicks"], q["avg_results"]) for q in again.top}
    assert top == {"gout": (4, 5, 4.0), "kidney stones": (4, 0, 2.0), "frostbite": (1, 0, 0.0)}
    assert [q["query"] for q in again.zero] == ["frostbite"] and again.zero[0]["last_seen"] == "2026-03-07 14:30:00"
    assert [q["query"] for q in again.low_click] == ["kidney stones"]
    assert (again.total, again.zero_total, again.daily[-1]) == (9, 1, ("2026-03-10", 7, 0))


def test_staff_pages_count_the_log_once_an_hour_and_coverage_once_per_generation(
    audit_app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    accounts.add(audit_app.config["STAFF_DB"], "editor", PASSWORD)
    client = audit_app.test_client()
    assert sign_in(client).status_code == 302
    computed = []
    compute_coverage = coverage.compute
    monkeypatch.setattr(coverage, "compute", lambda *args: computed.append(1) or compute_coverage(*args))
    statements = Statements(monkeypatch)
    for page in ("/staff", "/staff/coverage", "/staff/coverage?format=json", "/staff/checklist"):
        assert client.get(page).status_code == 200
    assert len(computed) == 1  # every coverage page and export reads the report of this generation
    statements.aggregates()
    assert client.get("/staff/demand?days=30").status_code == 200
    assert len(statements.aggregates()) == 8
    assert client.get("/search?q=gout").status_code == 200
    statements.aggregates()
    page = client.get("/staff/demand?days=30&format=json").get_json()
    assert len(statements.aggregates()) == 4  # the hour under way alone
    assert page["tables"]["top"]["rows"][0]["query"] == "gout"  # a search made since shows at once


def test_a_few_periods_are_kept_per_hour_however_many_are_asked_for() -> None:
    hourly, made = demand.Hourly(), []

    def make() -> Tally:
        made.append(1)
        return Tally()

    for day in range(1, 21):  # twenty periods asked for in one hour
        hourly.tally(f"2026-03-{day:02}", HOUR, make)
    hourly.tally(f"2026-03-{21 - demand.Hourly.KEPT:02}", HOUR, make)  # among the latest KEPT: kept
    assert len(made) == 20
    hourly.tally(f"2026-03-{20 - demand.Hourly.KEPT:02}", HOUR, make)  # older: counted again
    hourly.tally("2026-03-20", "2026-03-10 15:00:00", make)  # the next hour: counted again
    assert len(made) == 22
