"""Shared fixtures: paths to real data, a tiny corpus, a real index in tmp_path, the app.

Isolation: before any test runs, every app default that lives in the instance folder
(index, query log, staff accounts, secret key) points into a temporary folder of this
run, so module- and session-scoped apps and the servers the tests start write there
too; the run fails if the checkout's own instance/ changed.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import date, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from hypothesis import settings
from hypothesis.database import DirectoryBasedExampleDatabase
from whoosh.searching import Searcher

from engine.search import SCORING
from indexer.build import build_index
from indexer.store import IndexStore
from search_app import create_app

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SEED = SHARED / "data" / "seed" / "acne-scars.txt"
MEDQUAD = SHARED / "data" / "medquad"
CORPUS = REPO / "corpus"
CHECKOUT_INSTANCE = REPO / "instance"
BUILD = REPO / "build"
MEDQUAD_CACHE = BUILD / "test-medquad-index"  # kept between runs: the build re-indexes only what changed
settings.register_profile("suite", database=DirectoryBasedExampleDatabase(BUILD / "hypothesis"))
settings.load_profile("suite")
_RUN_INSTANCE = pytest.StashKey[Path]()
_CHECKOUT_BEFORE = pytest.StashKey[dict[str, str]]()


def folder_state(folder: Path) -> dict[str, str]:
    """Every file under a folder with a hash of its bytes; empty when the folder is absent."""
    if not folder.exists():
        return {}
    return {
        str(path.relative_to(folder)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.rglob("*"))
        if path.is_file()
    }


def pytest_configure(config: pytest.Config) -> None:
    """Point the app's instance folder at a temporary one for the whole run, in every process it starts."""
    run_instance = Path(tempfile.mkdtemp(prefix="healthsearch-test-instance-"))
    config.stash[_RUN_INSTANCE] = run_instance
    config.stash[_CHECKOUT_BEFORE] = folder_state(CHECKOUT_INSTANCE)
    os.environ["HEALTHSEARCH_INSTANCE_DIR"] = str(run_instance)
    for name in ("INDEX_DIR", "QUERY_LOG", "STAFF_DB", "SECRET_KEY", "DATABASE_URL"):
        os.environ.pop(f"HEALTHSEARCH_{name}", None)  # a developer's own settings must not reach the tests
    # Section vectors by text hash, kept between runs in build/: the bundled articles are embedded once.
    os.environ["HEALTHSEARCH_VECTOR_CACHE"] = str(BUILD / "vector-cache")


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the groups
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests over the full MedQuAD index share one test process, which builds or checks it once."""
    for item in items:
        if "medquad_index" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.xdist_group("medquad"))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Fail the run when any test wrote into the checkout's instance folder."""
    config = session.config
    if folder_state(CHECKOUT_INSTANCE) != config.stash[_CHECKOUT_BEFORE]:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED
        print(f"\nFAILED: the tests changed {CHECKOUT_INSTANCE}", flush=True)
    shutil.rmtree(config.stash[_RUN_INSTANCE], ignore_errors=True)


def run_instance(config: pytest.Config) -> Path:
    return config.stash[_RUN_INSTANCE]


def checkout_instance_before(config: pytest.Config) -> dict[str, str]:
    return config.stash[_CHECKOUT_BEFORE]


@pytest.fixture(autouse=True)
def _private_app_files(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every app a test makes logs, keeps accounts and its secret in tmp_path, never in the instance folder.

    No search deadline either: a loaded machine would make results depend on timing; the
    deadline's own tests give a Budget a clock of their own.
    """
    monkeypatch.setenv("HEALTHSEARCH_SEARCH_DEADLINE_MS", "0")
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
def medquad_index() -> IndexStore:
    """The full MedQuAD index in build/, built at most once per run and brought up to date by its own manifest.

    A build of the same sources by the same code re-indexes nothing, so a second run (or a
    second test process) pays only for hashing the files; a lock serialises concurrent builders.
    Lexical only: embedding all of MedQuAD is the benchmark's work.
    """
    store = IndexStore(MEDQUAD_CACHE)
    build_index([MEDQUAD], store, lock_wait=900, vectors=False)
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
