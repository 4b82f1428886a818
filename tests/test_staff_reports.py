"""Staff reports that stay useful: same-named articles cover a topic together, a policy per source, sorting,
grades in text as well as colour, names instead of stems, charts with axes and a legend."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from indexer.build import build_index
from indexer.store import IndexStore
from indexer.summary import read_summaries
from search_app import accounts, create_app
from search_app.audit.catalog import Catalog
from search_app.audit.charts import Bar, share_chart, volume_chart
from search_app.audit.checklist import check, table
from search_app.audit.coverage import Policy, compute, parse_by_source
from search_app.synonyms import load_synonyms
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
