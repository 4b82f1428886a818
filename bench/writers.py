"""`python -m bench.writers`: a fresh MedQuAD build written by one process, then by two, timed.

A fresh build forks two writer processes (indexer.writer); this shows what they
buy over writing in the build's own process, in wall time and in CPU time
(the build's own and its children's).  Printed, never asserted: it depends on
how many cores are free.
"""

from __future__ import annotations

import argparse
import resource
import tempfile
import time
from pathlib import Path

from whoosh.index import Index
from whoosh.writing import IndexWriter

import indexer.build
from bench.report import markdown_table
from indexer.build import build_index
from indexer.store import IndexStore
from indexer.writer import index_writer


def one_process(ix: Index, fresh: bool) -> IndexWriter:
    """index_writer as for an incremental build: the build's own process writes."""
    return index_writer(ix, fresh=False)


def cpu(usage: resource.struct_rusage) -> float:
    return usage.ru_utime + usage.ru_stime


def timed(medquad: Path, writers: int) -> list[str]:
    indexer.build.index_writer = index_writer if writers == 2 else one_process
    before = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as folder:
        report = build_index([medquad], IndexStore(folder), rebuild=True)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    own, children = (cpu(a) - cpu(b) for a, b in zip(after, before, strict=True))
    return [str(writers), f"{report.articles:,}", f"{wall:.1f}", f"{own:.1f}", f"{children:.1f}"]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--medquad", type=Path, default=Path("../shared/data/medquad"))
    parser.add_argument("--rounds", type=int, default=2, help="builds of each kind, alternated")
    args = parser.parse_args()
    rows = [timed(args.medquad, writers) for _ in range(args.rounds) for writers in (1, 2)]
    print(markdown_table(["writer processes", "articles", "wall s", "build CPU s", "children CPU s"], rows))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
