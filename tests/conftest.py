"""Shared fixtures: paths to real data, a tiny corpus, a real index in tmp_path, the app."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from whoosh.searching import Searcher

from indexer.build import build_index
from indexer.store import IndexStore
from search_app import create_app
from search_app.search import SCORING

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
    # Section vectors by text hash, kept between runs: the bundled articles are embedded once.
    monkeypatch.setenv("HEALTHSEARCH_VECTOR_CACHE", str(REPO / "build" / "vector-cache"))


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


@pytest.fixture
def searcher_of(tmp_path: Path) -> Iterator[Callable[[dict[str, str]], Searcher]]:
    """Opens a real index of the given pages (file name -> HTML) with the search's scoring; closed after the test."""
    with ExitStack() as stack:

        def open_index(pages: dict[str, str]) -> Searcher:
            root = Path(tempfile.mkdtemp(dir=tmp_path))
            folder = root / "articles"
            folder.mkdir()
            for name, html in pages.items():
                (folder / name).write_text(html, encoding="utf-8")
            store = IndexStore(root / "index")
            build_index([folder], store)
            return stack.enter_context(store.open().searcher(weighting=SCORING))

        yield open_index


@pytest.fixture(scope="session")
def medquad_index(tmp_path_factory: pytest.TempPathFactory) -> IndexStore:
    """The full MedQuAD index, built once per test run (tens of seconds)."""
    store = IndexStore(tmp_path_factory.mktemp("medquad") / "index")
    build_index([MEDQUAD], store, vectors=False)  # embedding all of MedQuAD is the benchmark's work
    return store


FILLER = "this part tells readers what they need in plain words today "  # ten words


def write_article(folder: Path, slug: str, title: str, sections: dict[str, int], **extra: str) -> None:
    """An HTML article whose sections have exactly the given numbers of words."""
    head = f'<p class="also-called">Also called: {extra["aliases"]}</p>' if "aliases" in extra else ""
    if "reviewed" in extra:
        head += f'<p class="reviewed">Reviewed: <time datetime="{extra["reviewed"]}">{extra["reviewed"]}</time></p>'
    body = "".join(
        f"<h2>{heading}</h2><p>{' '.join((FILLER * (words // 10 + 1)).split()[:words])}</p>"
        for heading, words in sections.items()
    )
    (folder / f"{slug}.html").write_text(f"<article><h1>{title}</h1>{head}{body}</article>", encoding="utf-8")


@pytest.fixture
def audit_corpus(tmp_path: Path) -> Path:
    """Five articles with known sections: one meets the policy, the others break it in known ways."""
    folder = tmp_path / "audit-articles"
    folder.mkdir()
    recent = (date.today() - timedelta(days=30)).isoformat()
    full = {"Overview": 60, "Symptoms": 60, "Causes": 60, "Treatment": 60, "When to see a doctor": 60}
    write_article(folder, "gout", "Gout", full, reviewed=recent)
    write_article(
        folder, "hordeolum", "Hordeolum", {"Overview": 60, "Symptoms": 60, "Treatment": 10}, reviewed="2015-06-01"
    )
    write_article(folder, "kidney-stones", "Kidney Stones", {"Overview": 60, "Causes": 60})
    write_article(folder, "kidney-stone-disease", "Kidney Stone Disease", {"Overview": 20})
    write_article(folder, "renal-colic", "Renal Colic", {"Symptoms": 60}, aliases="kidney stones")
    return folder


@pytest.fixture
def audit_app(tmp_path: Path, audit_corpus: Path) -> Flask:
    """The app over the audit corpus, with its own query log and staff accounts."""
    build_index([audit_corpus], IndexStore(tmp_path / "audit-index"))
    return create_app(
        {
            "TESTING": True,
            "INDEX_DIR": str(tmp_path / "audit-index"),
            "QUERY_LOG": str(tmp_path / "audit-log.sqlite3"),
            "STAFF_DB": str(tmp_path / "audit-staff.sqlite3"),
        }
    )
