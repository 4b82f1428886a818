"""Shared fixtures: paths to real data, a tiny corpus, a real index in tmp_path, the app."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from indexer.build import build_index
from indexer.store import IndexStore
from search_app import create_app

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = SHARED / "data" / "seed" / "acne-scars.txt"
MEDQUAD = SHARED / "data" / "medquad"
CORPUS = REPO / "corpus"


@pytest.fixture(autouse=True)
def _private_app_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every app a test makes logs, keeps accounts and its secret in tmp_path, never in the instance folder."""
    monkeypatch.setenv("HEALTHSEARCH_QUERY_LOG", str(tmp_path / "querylog.sqlite3"))
    monkeypatch.setenv("HEALTHSEARCH_STAFF_DB", str(tmp_path / "staff.sqlite3"))
    monkeypatch.setenv("HEALTHSEARCH_SECRET_KEY", "test secret")


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """A copy of a few bundled articles that a test may edit."""
    folder = tmp_path / "articles"
    folder.mkdir()
    for name in ("acne-scars.html", "asthma.html", "conjunctivitis.html", "gout.html"):
        shutil.copy(CORPUS / name, folder / name)
    return folder


@pytest.fixture
def index_dir(tmp_path: Path, small_corpus: Path) -> Path:
    """A real index of the small corpus."""
    target = tmp_path / "index"
    build_index([small_corpus], IndexStore(target))
    return target


@pytest.fixture
def app(index_dir: Path, tmp_path: Path) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "INDEX_DIR": str(index_dir),
            "QUERY_LOG": str(tmp_path / "querylog.sqlite3"),
            "STAFF_DB": str(tmp_path / "staff.sqlite3"),
        }
    )


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def medquad_index(tmp_path_factory: pytest.TempPathFactory) -> IndexStore:
    """The full MedQuAD index, built once per test run (tens of seconds)."""
    store = IndexStore(tmp_path_factory.mktemp("medquad") / "index")
    build_index([MEDQUAD], store)
    return store
