"""lay-dev per category: each system's lay-dev run scored again on each category's topics.

The categories (symptom descriptions, long questions, ...) are tagged in
`lay-dev-notes.md` ("- LA001 [symptom] ..."); each gets its own qrels and section
targets under WORK/categories, and score.py scores the unchanged run against them
(it ignores run topics that a qrels file does not judge).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from bench.corpus import TopicSet, keep_topics
from bench.report import markdown_table
from bench.runfiles import Run
from bench.scoring import Row, score

SET = "lay-dev"
NOTES = "lay-dev-notes.md"
_TAG = re.compile(r"^- (\S+) \[([\w ]+)\]", re.M)


def categories(eval_dir: Path) -> dict[str, list[str]]:
    """Category -> its qids, in the notes' order."""
    found: dict[str, list[str]] = {}
    notes = eval_dir / NOTES
    for qid, category in _TAG.findall(notes.read_text(encoding="utf-8") if notes.exists() else ""):
        found.setdefault(category, []).append(qid)
    return found


def category_section(eval_dir: Path, work: Path, runs: list[Run], engine: str) -> str:
    """One table: a row per category, nDCG@10 per system, and this engine's Success@1 and section@1."""
    lay_runs = [run for run in runs if run.topic_set.name == SET]
    tagged = categories(eval_dir)
    if not lay_runs or not tagged:
        return ""
    systems = [run.system for run in lay_runs]
    rows = []
    for category, qids in tagged.items():
        scored = {run.system: _score_category(eval_dir, run, category, set(qids), work) for run in lay_runs}
        extra = _engine_cells(scored.get(engine))
        rows.append([category, str(len(qids)), *(f"{scored[s].ndcg:.3f}" for s in systems), *extra])
    headers = ["category", "topics", *(f"{s} nDCG@10" for s in systems), f"{engine} S@1", f"{engine} section@1"]
    title = f"## {SET} by category (tags in {NOTES})"
    return f"{title}\n\n{markdown_table(headers, rows)}\n"


def _engine_cells(row: Row | None) -> list[str]:
    if row is None:
        return ["-", "-"]
    return [f"{row.success:.3f}", f"{row.section:.3f}" if row.section is not None else "-"]


def _score_category(eval_dir: Path, run: Run, category: str, qids: set[str], work: Path) -> Row:
    folder = work / "categories"
    topic_set: TopicSet = run.topic_set
    qrels = keep_topics(topic_set.qrels, qids, folder / f"{SET}.{category}.qrels", sep=None)
    sections = topic_set.sections
    if sections is not None:
        sections = keep_topics(sections, qids, folder / f"{SET}.{category}.sections.tsv", sep="\t")
    subset = replace(topic_set, qrels=qrels, sections=sections)
    return score(eval_dir / "score.py", replace(run, topic_set=subset))
