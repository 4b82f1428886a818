"""Run files: where each system's answers go, and a peer's answers written into them.

Both halves of a MedQuAD run are written: the TREC run (top 100) and the section run
(the section of the top article a visitor would be shown, see bench.sections).
"""

from __future__ import annotations

from contextlib import ExitStack
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from bench.corpus import TopicSet
from bench.peers import Hits, Peer
from bench.sections import SectionPicker
from bench.timing import stopwatch

DEPTH = 100


@dataclass(frozen=True)
class Run:
    """One system's answers to one topic set, and how long each query took (ms)."""

    system: str
    topic_set: TopicSet
    run: Path
    sections: Path | None
    laps: list[float]


def run_paths(work: Path, system: str, topic_set: TopicSet) -> tuple[Path, Path | None]:
    """Where a system's run (and, for the MedQuAD sets, section run) on a topic set goes."""
    stem = f"{system}.{topic_set.name}"
    sections = work / f"{stem}.sections.tsv" if topic_set.sections else None
    return work / f"{stem}.run", sections


def answer(peer: Peer, picker: SectionPicker, topic_set: TopicSet, work: Path) -> Run:
    """A peer's answers to every topic; a lap is the peer's search alone.

    The section pick is the benchmark's stand-in for a highlighter, so it stays
    out of the peer's latency.
    """
    run_path, sections_path = run_paths(work, peer.name, topic_set)
    laps: list[float] = []
    with ExitStack() as stack:
        run = stack.enter_context(open(run_path, "w", encoding="utf-8"))
        sections = stack.enter_context(open(sections_path, "w", encoding="utf-8")) if sections_path else None
        for qid, text in topic_set.topics:
            with stopwatch(laps):
                hits = peer.search(text, DEPTH)
            _write_hits(run, qid, hits, peer.name)
            if sections and hits:
                _write_section(sections, qid, hits[0][0], picker.pick(hits[0][0], text))
    return Run(peer.name, topic_set, run_path, sections_path, laps)


def _write_hits(run: TextIO, qid: str, hits: Hits, tag: str) -> None:
    for rank, (docid, score) in enumerate(hits, 1):
        run.write(f"{qid} Q0 {docid} {rank} {score:.4f} {tag}\n")


def _write_section(sections: TextIO, qid: str, docid: str, qtype: str | None) -> None:
    if qtype:
        sections.write(f"{qid}\t{docid}\t{qtype}\n")
