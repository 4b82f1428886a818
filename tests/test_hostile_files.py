"""Hostile source files: a build reads them in bounded work or skips them with a reason, and never stops.

Deep nesting, thousands of headings, MedQuAD XML over the size limit, file names that would forge
lines of the build summary.

Work is counted, not timed: the elements BeautifulSoup walks over while a page
is parsed (every find, find_all and get_text walks `Tag.descendants`), and the
anchors an article's headings try.
"""

from __future__ import annotations

import inspect
import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from bs4.element import Tag
from click.testing import CliRunner

import indexer.sources.files as files
from indexer.build import build_index
from indexer.parse import MAX_DEPTH, parse_html
from indexer.sources.files import BAD_NAME
from indexer.store import IndexStore
from indexer.text import Anchors
from search_app.cli import main
from tests.conftest import CORPUS

BOTTOM = "Wheezing at the very bottom of the page."


def nested(depth: int) -> str:
    return f"<html><body><h1>Deep page</h1>{'<div>' * depth}<p>{BOTTOM}</p>{'</div>' * depth}</body></html>"


def headings(count: int) -> str:
    return "<h1>Many headings</h1>" + "<h2>Symptoms</h2><p>Itching.</p>" * count


@pytest.fixture
def walked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Counts every element BeautifulSoup's searches and text extraction step over."""
    count = [0]
    original = Tag.descendants

    def descendants(self: Tag) -> Iterator:
        for element in original.fget(self):  # type: ignore[attr-defined]
            count[0] += 1
            yield element

    monkeypatch.setattr(Tag, "descendants", property(descendants))
    return count


def work(walked: list[int], html: str) -> int:
    walked[0] = 0
    parse_html(html, "page")
    return walked[0]


@pytest.mark.parametrize("depth", [2_000, 8_000])
def test_deeply_nested_page_is_read_without_deep_recursion(depth: int) -> None:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(len(inspect.stack()) + 4 * MAX_DEPTH + 100)  # what the walk may add to the stack
    try:
        article = parse_html(nested(depth), "deep")
    finally:
        sys.setrecursionlimit(limit)
    assert article.title == "Deep page" and BOTTOM in article.sections[0].text
    assert any("nested more than" in warning for warning in article.warnings)


def test_work_grows_linearly_with_depth(walked: list[int]) -> None:
    shallow, deep = work(walked, nested(2_000)), work(walked, nested(8_000))
    assert deep < 5 * shallow  # four times the page, about four times the work (it was sixteen)


def test_repeated_headings_get_their_numbered_anchors() -> None:
    """20,000 headings alike (105 s once): each section gets its anchor; the next test bounds the work."""
    article = parse_html(headings(20_000), "many")
    assert [s.anchor for s in article.sections] == ["symptoms"] + [f"symptoms-{n}" for n in range(2, 20_001)]


class CountingSet(set):
    lookups = 0

    def __contains__(self, item: object) -> bool:
        CountingSet.lookups += 1
        return super().__contains__(item)


def test_anchors_try_each_number_once() -> None:
    anchors = Anchors()
    anchors._taken = CountingSet()
    claimed = [anchors.claim(name) for name in ["faq"] * 20_000 + ["faq-2"] * 3 + ["faq"]]
    assert len(set(claimed)) == len(claimed) and claimed[-4:] == ["faq-2-2", "faq-2-3", "faq-2-4", "faq-20001"]
    assert CountingSet.lookups < 2 * len(claimed)


def test_deep_pages_do_not_stop_the_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Deep pages are indexed, and a page the parser still fails on is skipped with its reason."""
    folder = tmp_path / "articles"
    folder.mkdir()
    shutil.copy(CORPUS / "gout.html", folder / "gout.html")
    (folder / "deep-2000.html").write_text(nested(2_000).replace("Deep page", "Deep two"))
    (folder / "deep-8000.html").write_text(nested(8_000).replace("Deep page", "Deep eight"))
    (folder / "broken.html").write_text("<h1>Broken</h1><p>The parser fails on this one.</p>")

    def failing(html: str, article_id: str, fallback_title: str = "") -> object:
        if article_id == "broken":
            raise RecursionError("maximum recursion depth exceeded")
        return parse_html(html, article_id, fallback_title)

    monkeypatch.setattr(files, "parse_html", failing)
    store = IndexStore(tmp_path / "index")
    report = build_index([folder], store)
    assert report.added == 3
    reason = "the parser failed on it (RecursionError: maximum recursion depth exceeded)"
    assert report.skipped == [(f"{folder}/broken.html", reason)]
    with store.open().searcher() as searcher:
        assert {fields["id"] for fields in searcher.all_stored_fields()} == {"gout", "deep-2000", "deep-8000"}


def medquad_xml(focus: str, answer_words: int) -> str:
    answer = "Bigtoken swelling of the joints. " * (answer_words // 5)
    return (
        f'<?xml version="1.0"?><Document id="0000001" source="GARD" url="https://example.org/{focus}">'
        f"<Focus>{focus}</Focus><QAPairs><QAPair pid='1'><Question qid='1' qtype='information'>"
        f"What is (are) {focus} ?</Question><Answer>{answer}</Answer></QAPair></QAPairs></Document>"
    )


def test_medquad_xml_over_the_size_limit_is_skipped_not_cut(tmp_path: Path) -> None:
    folder = tmp_path / "medquad"
    folder.mkdir()
    (folder / "small.xml").write_text(medquad_xml("Small disease", 50))
    (folder / "big.xml").write_text(medquad_xml("Big disease", 400_000))  # about 2.6 MB
    assert (folder / "big.xml").stat().st_size > 2 * 1024 * 1024
    store = IndexStore(tmp_path / "index")
    report = build_index([folder], store)
    assert report.added == 1
    [(file, reason)] = report.skipped
    assert file == f"{folder}/big.xml" and reason.startswith("file too large: 2.") and "limit 2.0 MiB" in reason
    (folder / "small.xml").write_text(medquad_xml("Small disease", 500_000))  # grows past the limit: it leaves
    report = build_index([folder], store)
    assert report.removed == 1 and len(report.skipped) == 2
    assert store.open().doc_count() == 0


def test_parse_command_refuses_over_size_xml(tmp_path: Path) -> None:
    (tmp_path / "big.xml").write_text(medquad_xml("Big disease", 400_000))
    result = CliRunner().invoke(main, ["parse", str(tmp_path / "big.xml")])
    assert result.exit_code == 1 and "file too large" in result.output


def test_control_characters_in_file_names_cannot_forge_summary_lines(tmp_path: Path) -> None:
    """A newline, a carriage return, a terminal escape or an undecodable byte in a name is shown escaped;
    a name that is not UTF-8 is skipped (it once stopped the build)."""
    folder = tmp_path / "corpus\nIndexed 99 new"
    folder.mkdir()
    shutil.copy(CORPUS / "gout.html", folder / "gout.html")
    (folder / "evil\nSkipped 0 file(s):\n  forged.html").write_text("")
    (folder / "bell\x1b[2K\rhidden.html").write_text("")
    with open(os.path.join(os.fsencode(folder), b"latin\xe9.html"), "wb") as page:
        page.write((CORPUS / "asthma.html").read_bytes())  # an article whose name is not UTF-8
    index = str(tmp_path / "index")
    result = CliRunner().invoke(main, ["index", str(folder), "--index", index])
    assert result.exit_code == 0, result.output
    shown = str(folder).replace("\n", "\\n")
    assert [line for line in result.output.splitlines()[1:] if not line.startswith("Section vectors")] == [
        "Skipped 3 file(s):",
        f"  {shown}/bell\\x1b[2K\\rhidden.html: empty file",
        f"  {shown}/evil\\nSkipped 0 file(s):\\n  forged.html: empty file",
        f"  {shown}/latin\\udce9.html: {BAD_NAME}",
    ]
    info = CliRunner().invoke(main, ["info", "--index", index]).output.splitlines()
    assert f"       1  {shown}" in info and not any(line.startswith("Indexed 99 new") for line in info)
    assert not any("\x1b" in line or "\r" in line for line in info)
