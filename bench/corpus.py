"""The shared inputs: MedQuAD articles as plain documents, and the topic sets to answer.

Peers get the very articles this engine indexes (same discovery, same parser, same
ids), flattened to title + body, so ranking differences come from ranking alone.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from engine.evaluate import read_topics
from indexer.article import ParseError
from indexer.sources.files import discover, read_article

QUICK_TOPICS = 100


@dataclass(frozen=True)
class Section:
    qtype: str
    text: str


@dataclass(frozen=True)
class Doc:
    """One MedQuAD article as the peers see it."""

    id: str
    title: str
    sections: tuple[Section, ...]

    @property
    def body(self) -> str:
        return "\n".join(section.text for section in self.sections)


@dataclass(frozen=True)
class TopicSet:
    """One topics file with its judgments; `sections` only for the MedQuAD sets."""

    name: str
    topics: tuple[tuple[str, str], ...]
    qrels: Path
    sections: Path | None = None


# (name, topics file, qrels file, section targets file) under the eval folder.
TOPIC_FILES: tuple[tuple[str, str, str, str | None], ...] = (
    ("medquad-kw-dev", "medquad-kw-dev.topics.tsv", "medquad-kw-dev.qrels", "medquad-kw-dev.sections.tsv"),
    ("medquad-typo-dev", "medquad-typo-dev.topics.tsv", "medquad-typo-dev.qrels", "medquad-typo-dev.sections.tsv"),
    ("liveqa-summary", "liveqa-summary.topics.tsv", "liveqa.qrels", None),
    ("liveqa-original", "liveqa-original.topics.tsv", "liveqa.qrels", None),
    ("lay-dev", "lay-dev.topics.tsv", "lay-dev.qrels", "lay-dev.sections.tsv"),
)


def load_docs(medquad: Path) -> list[Doc]:
    """Every MedQuAD article the indexer accepts (5,490), in discovery order."""
    docs = []
    for file in discover(medquad):
        try:
            article = read_article(file)
        except ParseError:
            continue  # the seven files with no answered question are not documents
        sections = tuple(Section(s.qtype or s.kind, s.text) for s in article.sections)
        docs.append(Doc(article.id, article.title, sections))
    return docs


def load_topic_sets(eval_dir: Path, work: Path, quick: bool) -> list[TopicSet]:
    """The five topic sets; with `quick`, their first 100 topics and judgments cut to match.

    Cutting the qrels matters: score.py counts a judged topic missing from the run as 0.
    """
    sets = []
    for name, topics_file, qrels_file, sections_file in TOPIC_FILES:
        topics = tuple(read_topics(eval_dir / topics_file))
        qrels = eval_dir / qrels_file
        sections = eval_dir / sections_file if sections_file else None
        if quick:
            topics = topics[:QUICK_TOPICS]
            qids = {qid for qid, _ in topics}
            qrels = keep_topics(qrels, qids, work / "quick" / f"{name}.qrels", sep=None)
            if sections is not None:
                sections = keep_topics(sections, qids, work / "quick" / f"{name}.sections.tsv", sep="\t")
        sets.append(TopicSet(name, topics, qrels, sections))
    return sets


def keep_topics(source: Path, qids: set[str], target: Path, sep: str | None) -> Path:
    """A copy of a judgments file with only the lines of `qids`."""
    target.parent.mkdir(parents=True, exist_ok=True)
    lines = source.read_text(encoding="utf-8").splitlines(keepends=True)
    target.write_text("".join(line for line in lines if line.split(sep)[:1] and line.split(sep)[0] in qids))
    return target
