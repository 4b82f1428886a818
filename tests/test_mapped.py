"""A generation read through shared maps: the same answers as Whoosh's own reader, no private copies."""

from __future__ import annotations

import io
import os
import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from whoosh import index as whoosh_index
from whoosh.filedb import structfile
from whoosh.qparser import QueryParser

from engine.search import SCORING
from indexer.mapped import _ViewReader, open_mapped
from indexer.store import IndexStore


def generation_of(index_dir: Path) -> Path:
    current = IndexStore(index_dir).current_dir()
    assert current is not None
    return current


def test_the_view_reader_reads_like_bytesio() -> None:
    data = bytes(random.Random(7).randrange(256) for _ in range(5000)).replace(b"\x00", b"\n")
    view, copy = _ViewReader(memoryview(data)), io.BytesIO(data)
    steps = random.Random(11)
    for _ in range(2000):
        action = steps.choice(("read", "seek", "readline", "peek"))
        if action == "read":
            size = steps.choice((-1, 0, 1, 7, 300, 9000))
            assert view.read(size) == copy.read(size)
        elif action == "seek":
            offset, whence = steps.randrange(-100, 5100), steps.choice((os.SEEK_SET, os.SEEK_CUR, os.SEEK_END))
            if whence == os.SEEK_SET:
                offset = abs(offset)
            target = {os.SEEK_SET: 0, os.SEEK_CUR: copy.tell(), os.SEEK_END: len(data)}[whence] + offset
            if target < 0:
                continue  # BytesIO refuses a negative position
            assert view.seek(offset, whence) == copy.seek(offset, whence)
        elif action == "readline":
            size = steps.choice((-1, 5, 80))
            assert view.readline(size) == copy.readline(size)
        else:
            ahead = view.peek(64)
            assert data[copy.tell() :].startswith(ahead)
            assert len(ahead) == min(64, len(data) - copy.tell()) or copy.tell() >= len(data)
        assert view.tell() == copy.tell()


@pytest.mark.parametrize("text", ["asthma", "gout treatment", "eye", "scar OR wheeze", "inhaler"])
def test_a_mapped_generation_answers_like_whoosh_own_reader(index_dir: Path, text: str) -> None:
    generation = generation_of(index_dir)
    answers = []
    for opened in (whoosh_index.open_dir(str(generation)), open_mapped(generation)):
        with opened.searcher(weighting=SCORING) as searcher:
            query = QueryParser("content", opened.schema).parse(text)
            hits = searcher.search(query, limit=None)
            answers.append([(hit.docnum, round(hit.score, 9), hit["id"]) for hit in hits])
            answers.append(list(searcher.reader().all_stored_fields()))
        opened.close()
    assert answers[0], text  # every query finds something, so the comparison means something
    assert answers[0] == answers[2] and answers[1] == answers[3]


@pytest.fixture
def copies(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """The size of every buffer Whoosh's segment files copy into the process."""
    sizes: list[int] = []

    class CountingBytesIO(io.BytesIO):
        def __init__(self, initial: bytes | memoryview = b"") -> None:
            sizes.append(len(initial))
            super().__init__(initial)

    monkeypatch.setattr(structfile, "BytesIO", CountingBytesIO)
    yield sizes


def read_everything(opened: whoosh_index.Index) -> None:
    with opened.searcher(weighting=SCORING) as searcher:
        for text in ("asthma", "gout treatment", "scar"):
            searcher.search(QueryParser("content", opened.schema).parse(text), limit=None)
        list(searcher.reader().all_stored_fields())
    opened.close()


def test_no_part_of_a_segment_is_copied_into_the_process(index_dir: Path, copies: list[int]) -> None:
    generation = generation_of(index_dir)
    read_everything(whoosh_index.open_dir(str(generation)))
    largest_segment = max(path.stat().st_size for path in generation.glob("*.seg"))
    assert max(copies) > largest_segment / 4  # Whoosh's own reader copies whole parts (the check can fail)
    copies.clear()
    read_everything(open_mapped(generation))
    assert max(copies, default=0) <= 4096  # only the small pieces Whoosh slices out itself


def test_opening_and_closing_a_mapped_generation_keeps_no_file_open(index_dir: Path) -> None:
    generation = generation_of(index_dir)
    read_everything(open_mapped(generation))  # warm imports and caches
    before = len(os.listdir("/proc/self/fd"))
    for _ in range(20):
        read_everything(open_mapped(generation))
    assert len(os.listdir("/proc/self/fd")) <= before
