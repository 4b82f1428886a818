"""The `healthsearch` command, through click's runner on real files and a real index."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from flask import Flask

from indexer.build import build_index
from indexer.store import MANIFEST, IndexStore
from search_app.cli import main
from tests.conftest import SEED


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def test_parse_seed_json(runner: CliRunner) -> None:
    result = runner.invoke(main, ["parse", str(SEED), "--json"])
    assert result.exit_code == 0, result.output
    article = json.loads(result.output)
    assert article["title"] == "Acne Scars"
    assert [s["kind"] for s in article["sections"]] == [
        "overview",
        "types",
        "symptoms",
        "causes",
        "diagnosis",
        "treatment",
        "when_to_see_doctor",
        "prevention",
        "specialist",
    ]
    text = " ".join(s["text"] for s in article["sections"])
    assert "Health Library" not in text and "Disclaimer" not in text and "emergency facility" not in text
    assert {"ice pick", "boxcar", "rolling", "hypertrophic"} <= set(article["entities"]["types"])
    treatments = {t.lower() for t in article["entities"]["treatments"]}
    assert {
        "laser treatments",
        "clear + brilliant",
        "microneedling",
        "dermal fillers",
        "platelet-rich plasma therapy",
    } <= treatments
    assert article["entities"]["specialists"] == ["dermatologist"]
    assert set(article) >= {"id", "title", "url", "aliases", "sections", "entities", "warnings", "content_hash"}


def test_parse_plain_text_output(runner: CliRunner) -> None:
    result = runner.invoke(main, ["parse", str(SEED)])
    assert result.exit_code == 0
    assert result.output.startswith("Acne Scars  [acne-scars]")
    assert "when_to_see_doctor" in result.output


def test_parse_bad_file_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_bytes(b"")
    result = runner.invoke(main, ["parse", str(empty)])
    assert result.exit_code == 1
    assert "empty file" in result.output and "Traceback" not in result.output


def test_index_info_search_round_trip(runner: CliRunner, tmp_path: Path, small_corpus: Path) -> None:
    index = str(tmp_path / "ix")
    first = runner.invoke(main, ["index", str(small_corpus), "--index", index])
    assert first.exit_code == 0 and "Indexed 4 new" in first.output
    again = runner.invoke(main, ["index", str(small_corpus), "--index", index])
    assert "Nothing changed" in again.output
    info = json.loads(runner.invoke(main, ["info", "--index", index, "--json"]).output)
    assert info["articles"] == 4 and info["built_at"] and "title" in info["fields"]
    found = json.loads(runner.invoke(main, ["search", "boxcar scar", "--index", index, "--json"]).output)
    assert found["hits"][0]["id"] == "acne-scars"


def test_default_index_location_comes_from_the_environment(
    runner: CliRunner, tmp_path: Path, small_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HEALTHSEARCH_INDEX_DIR", str(tmp_path / "env-ix"))
    assert runner.invoke(main, ["index", str(small_corpus)]).exit_code == 0
    assert (tmp_path / "env-ix" / "CURRENT").exists()
    assert json.loads(runner.invoke(main, ["info", "--json"]).output)["articles"] == 4


def test_info_without_index_is_a_clear_error(runner: CliRunner, tmp_path: Path) -> None:
    result = runner.invoke(main, ["info", "--index", str(tmp_path / "none")])
    assert result.exit_code == 1 and "no index" in result.output


def test_serve_reindexes_an_index_an_older_version_built(
    runner: CliRunner, small_corpus: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = IndexStore(tmp_path / "index")
    build_index([small_corpus], store)
    manifest_path = store.current_dir() / MANIFEST
    manifest = json.loads(manifest_path.read_text())
    manifest["schema_version"] -= 1
    manifest_path.write_text(json.dumps(manifest))
    generation = store.generation()
    monkeypatch.setattr(Flask, "run", lambda *args, **kwargs: None)  # build, then return instead of serving
    result = runner.invoke(main, ["serve", "--index", str(store.root)])
    assert result.exit_code == 0, result.output
    assert "built by an older version" in result.output and store.generation() > generation
    again = runner.invoke(main, ["serve", "--index", str(store.root)])
    assert "older version" not in again.output  # now current: served as it is


def test_search_with_filters_alone_browses(runner: CliRunner, index_dir: Path) -> None:
    result = runner.invoke(main, ["search", "section:causes", "--index", str(index_dir), "--json"])
    hits = json.loads(result.output)["hits"]
    assert len(hits) >= 2 and [hit["title"] for hit in hits] == sorted((hit["title"] for hit in hits), key=str.casefold)
