"""Run files -> metrics, by the shared scorer itself (a subprocess), never a copy of it."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from bench.runfiles import Run
from bench.timing import percentile


@dataclass(frozen=True)
class Row:
    """One line of a topic set's table."""

    system: str
    ndcg: float
    mrr: float
    success: float
    section: float | None
    p50: float
    p95: float
    scored: int


def score(score_py: Path, run: Run) -> Row:
    """score.py's JSON for one run (with section@1 when the set has section targets)."""
    command = [sys.executable, str(score_py), str(run.run), str(run.topic_set.qrels), "--json"]
    if run.topic_set.sections and run.sections:
        command += ["--sections", str(run.topic_set.sections), "--section-run", str(run.sections)]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise RuntimeError(f"score.py failed on {run.run}: {done.stderr.strip()}")
    metrics = json.loads(done.stdout)
    return Row(
        system=run.system,
        ndcg=metrics["ndcg@10"],
        mrr=metrics["mrr@10"],
        success=metrics["success@1"],
        section=metrics.get("section@1"),
        p50=percentile(run.laps, 50),
        p95=percentile(run.laps, 95),
        scored=metrics["topics_scored"],
    )
