"""A build reads only files inside its source folder: real symbolic and hard links, never the app's private files."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from indexer.article import ParseError
from indexer.build import build_index
from indexer.sources.confine import FOLDER_LINK, LINK, LINK_NOWHERE, LINK_OUTSIDE, PRIVATE, ReadRules
from indexer.sources.files import discover
from indexer.store import IndexStore
from search_app.cli import main
from tests.conftest import CORPUS

SECRET = "zqxsecrettoken"  # a word no article has
OUTSIDE_PAGE = f"<h1>Outside page</h1><h2>Overview</h2><p>Text about {SECRET} from outside.</p>"


@pytest.fixture
def linked_corpus(tmp_path: Path) -> Path:
    """A source folder with one real article and links of every kind pointing out of it, or nowhere."""
    outside = tmp_path / "outside"
    (outside / "folder").mkdir(parents=True)
    (outside / "secret.txt").write_text(f"Notes\n\n{SECRET} is the session secret.\n")
    (outside / "folder" / "page.html").write_text(OUTSIDE_PAGE)
    corpus = tmp_path / "corpus"
    (corpus / "sub").mkdir(parents=True)
    shutil.copy(CORPUS / "gout.html", corpus / "gout.html")
    (corpus / "passwd.txt").symlink_to("/etc/passwd")
    (corpus / "notes.txt").symlink_to(outside / "secret.txt")
    (corpus / "linked").symlink_to(outside / "folder", target_is_directory=True)
    (corpus / "loop.html").symlink_to("loop.html")
    (corpus / "sub" / "parent").symlink_to("..", target_is_directory=True)  # a folder loop
    (corpus / "alias.html").symlink_to("gout.html")  # stays inside
    return corpus


def index_cli(*args: str) -> tuple[str, int]:
    result = CliRunner().invoke(main, ["index", *args])
    return result.output, result.exit_code


def stored_text(index: Path) -> str:
    with IndexStore(index).open().searcher() as searcher:
        return json.dumps([fields for fields in searcher.all_stored_fields()])


def search_ids(index: Path, query: str) -> list[str]:
    result = CliRunner().invoke(main, ["search", query, "--index", str(index), "--json"])
    return [hit["id"] for hit in json.loads(result.output)["hits"]]


def test_links_out_of_the_folder_are_never_read(tmp_path: Path, linked_corpus: Path) -> None:
    index = tmp_path / "index"
    output, code = index_cli(str(linked_corpus), "--index", str(index))
    assert code == 0, output
    for name in ("passwd.txt", "notes.txt", "loop.html", "alias.html"):
        assert f"{linked_corpus}/{name}: {LINK}" in output
    assert f"{linked_corpus}/linked: {FOLDER_LINK}" in output
    assert f"{linked_corpus}/sub/parent: {FOLDER_LINK}" in output
    assert search_ids(index, "gout") == ["gout"]
    assert search_ids(index, SECRET) == [] and search_ids(index, "root") == []
    text = stored_text(index)
    assert SECRET not in text and "root:x:0" not in text and "/bin/" not in text


def test_follow_links_reads_only_links_that_stay_inside(tmp_path: Path, linked_corpus: Path) -> None:
    index = tmp_path / "index"
    output, code = index_cli(str(linked_corpus), "--index", str(index), "--follow-links")
    assert code == 0, output
    assert f"{linked_corpus}/passwd.txt: {LINK_OUTSIDE}" in output
    assert f"{linked_corpus}/notes.txt: {LINK_OUTSIDE}" in output
    assert f"{linked_corpus}/loop.html: {LINK_NOWHERE}" in output
    assert f"{linked_corpus}/linked: {FOLDER_LINK}" in output  # folders never, even with the option
    assert sorted(search_ids(index, "gout")) == ["alias", "gout"]
    assert SECRET not in stored_text(index) and "root:x:0" not in stored_text(index)


def test_an_article_that_becomes_a_link_leaves_the_index(tmp_path: Path, linked_corpus: Path) -> None:
    store = IndexStore(tmp_path / "index")
    (linked_corpus / "notes.txt").unlink()
    (linked_corpus / "notes.txt").write_text("Harmless notes\n\nAbout gout and diet.\n")
    assert build_index([linked_corpus], store).added == 2
    (linked_corpus / "notes.txt").unlink()
    (linked_corpus / "notes.txt").symlink_to(tmp_path / "outside" / "secret.txt")
    report = build_index([linked_corpus], store)
    assert report.removed == 1 and (f"{linked_corpus}/notes.txt", LINK) in report.skipped
    assert SECRET not in stored_text(store.root)


def test_private_files_are_never_read_even_inside_the_source_folder(tmp_path: Path) -> None:
    """The source folder is the instance folder itself, and another folder holds a hard link to its secret."""
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "secret.txt").write_text(f"Secret\n\n{SECRET} signs every session.\n")
    (instance / "page.html").write_text(OUTSIDE_PAGE)
    other = tmp_path / "corpus"
    (other / "nested-instance").mkdir(parents=True)
    shutil.copy(CORPUS / "gout.html", other / "gout.html")
    os.link(instance / "secret.txt", other / "copy.txt")
    rules = ReadRules(private=(instance, other / "nested-instance"))
    (other / "nested-instance" / "log.txt").write_text(f"Log\n\n{SECRET}\n")
    report = build_index([instance, other], IndexStore(tmp_path / "index"), rules=rules)
    assert report.added == 1
    skipped = dict(report.skipped)
    assert skipped[f"{instance}/page.html"] == PRIVATE and skipped[f"{instance}/secret.txt"] == PRIVATE
    assert skipped[f"{other}/copy.txt"] == PRIVATE  # the hard link: same file, other name
    assert skipped[f"{other}/nested-instance"] == PRIVATE
    assert SECRET not in stored_text(tmp_path / "index")


def test_the_command_never_reads_the_apps_query_log_or_accounts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`healthsearch index` fences off the settings' query log and staff database wherever they are."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "gout.html", corpus / "gout.html")
    (corpus / "querylog.txt").write_text(f"Searches\n\n{SECRET} was searched.\n")
    (corpus / "staff.txt").write_text(f"Accounts\n\n{SECRET} is a password hash.\n")
    monkeypatch.setenv("HEALTHSEARCH_QUERY_LOG", str(corpus / "querylog.txt"))
    monkeypatch.setenv("HEALTHSEARCH_STAFF_DB", str(corpus / "staff.txt"))
    output, code = index_cli(str(corpus), "--index", str(tmp_path / "index"))
    assert code == 0, output
    assert f"{corpus}/querylog.txt: {PRIVATE}" in output and f"{corpus}/staff.txt: {PRIVATE}" in output
    assert SECRET not in stored_text(tmp_path / "index")


def test_the_index_folder_is_never_read(tmp_path: Path) -> None:
    """An index kept inside the folder it indexes is not walked."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "gout.html", corpus / "gout.html")
    store = IndexStore(corpus / "index")
    build_index([corpus], store)
    (store.root / "planted.html").write_text(OUTSIDE_PAGE)
    report = build_index([corpus], store, rebuild=True)
    assert report.added == 1 and dict(report.skipped) == {f"{corpus}/index": PRIVATE}


def test_the_command_never_reads_the_instance_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Indexing the app's instance folder itself, or a folder holding a hard link to its secret key, reads neither."""
    instance = tmp_path / "instance"
    instance.mkdir()
    (instance / "secret_key").write_text(SECRET)
    (instance / "notes.txt").write_text(f"Notes\n\n{SECRET} in a page left in the instance folder.\n")
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(CORPUS / "gout.html", corpus / "gout.html")
    os.link(instance / "secret_key", corpus / "key.txt")
    monkeypatch.setenv("HEALTHSEARCH_INSTANCE_DIR", str(instance))
    output, code = index_cli(str(instance), str(corpus), "--index", str(tmp_path / "index"))
    assert code == 0, output
    assert f"{instance}/notes.txt: {PRIVATE}" in output and f"{corpus}/key.txt: {PRIVATE}" in output
    assert SECRET not in stored_text(tmp_path / "index") and search_ids(tmp_path / "index", "gout") == ["gout"]


def test_a_file_swapped_for_a_link_after_the_walk_is_refused_when_read(tmp_path: Path, linked_corpus: Path) -> None:
    """The fence checks the file it opened, not only the path the walk saw."""
    files = {file.relpath: file for file in discover(linked_corpus)}
    page, folder_page = files["gout.html"], linked_corpus / "sub" / "page.html"
    assert page.read_bytes(10) == (CORPUS / "gout.html").read_bytes()[:10]  # read within a bound
    shutil.copy(CORPUS / "gout.html", folder_page)
    swapped = next(f for f in discover(linked_corpus) if f.relpath == "sub/page.html")
    (linked_corpus / "gout.html").unlink()
    (linked_corpus / "gout.html").symlink_to(tmp_path / "outside" / "secret.txt")
    shutil.rmtree(linked_corpus / "sub")
    (linked_corpus / "sub").symlink_to(tmp_path / "outside" / "folder", target_is_directory=True)
    (tmp_path / "outside" / "folder" / "page.html").write_text(OUTSIDE_PAGE)
    with pytest.raises(ParseError, match="symbolic link"):
        page.read_bytes()
    with pytest.raises(ParseError, match="outside the source folder"):
        swapped.read_bytes()
