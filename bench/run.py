"""The benchmark from start to end: build, answer, score, tabulate.

Stages: rebuild this engine's MedQuAD index (timed) and answer the four topic sets
through write_run, one timed query at a time, then time the JSON API; read the same
articles once for the peers, and let each installed peer build and answer; score
every run with the shared score.py; print one table per topic set and write them
to results.md in the work folder.
"""

from __future__ import annotations

import argparse
import time
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from bench import engine
from bench.categories import category_section
from bench.corpus import Doc, TopicSet, load_docs, load_topic_sets
from bench.heldout import heldout_sets
from bench.peers import PEERS, Peer
from bench.report import BuildTime, api_section, build_section, staff_section, suggest_section, topic_set_section
from bench.runfiles import Run, answer
from bench.scale import run_scale
from bench.scoring import score
from bench.sections import SectionPicker
from bench.timing import percentile

REPO = Path(__file__).resolve().parents[1]
SET_GROUPS = ("dev", "heldout")


@dataclass
class Results:
    """Everything the report needs, gathered as the stages run."""

    runs: list[Run] = field(default_factory=list)
    builds: list[BuildTime] = field(default_factory=list)
    api_laps: list[float] = field(default_factory=list)
    api_failed: int = 0
    suggest: engine.SuggestTiming | None = None
    staff: list[tuple[str, float]] = field(default_factory=list)
    articles: int = 0
    load_seconds: float = 0.0
    versions: list[str] = field(default_factory=list)


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--medquad", type=Path, default=REPO.parent / "shared" / "data" / "medquad")
    parser.add_argument("--eval", type=Path, default=REPO.parent / "shared" / "eval", help="topics, qrels, score.py")
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "runs", help="indexes, runs, results.md")
    parser.add_argument(
        "--peers",
        type=_peer_names,
        default=list(PEERS),
        help=f"comma-separated peers to run, from {','.join(PEERS)} (default: all; '' for none)",
    )
    parser.add_argument("--quick", action="store_true", help="only the first 100 topics of each set")
    parser.add_argument(
        "--sets",
        type=_set_groups,
        default=list(SET_GROUPS),
        help="comma-separated groups of topic sets: dev (../shared/eval), heldout (made from MedQuAD; default: both)",
    )
    parser.add_argument(
        "--scale",
        type=int,
        default=0,
        metavar="N",
        help="instead of ranking: build and serve 1x and N x MedQuAD (synthetic copies), with plain Whoosh and tantivy",
    )
    return parser.parse_args(argv)


def _set_groups(text: str) -> list[str]:
    groups = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in groups if name not in SET_GROUPS]
    if unknown or not groups:
        raise argparse.ArgumentTypeError(f"choose from {', '.join(SET_GROUPS)}")
    return groups


def _peer_names(text: str) -> list[str]:
    names = [name.strip() for name in text.split(",") if name.strip()]
    unknown = [name for name in names if name not in PEERS]
    if unknown:
        raise argparse.ArgumentTypeError(f"unknown peer(s) {', '.join(unknown)}; known: {', '.join(PEERS)}")
    return names


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    args.work.mkdir(parents=True, exist_ok=True)
    if args.scale:
        text = run_scale(args.medquad, args.eval, args.work, args.scale)
        print("\n" + text, flush=True)
        (args.work / "scale.md").write_text(text, encoding="utf-8")
        return 0
    topic_sets = []
    if "dev" in args.sets:
        topic_sets += load_topic_sets(args.eval, args.work, args.quick)
    if "heldout" in args.sets:
        topic_sets += heldout_sets(args.medquad, args.eval, args.work, args.quick)
    results = Results()
    run_engine(args.medquad, args.work, topic_sets, results)
    peers = installed_peers(args.peers)
    if peers:
        docs = load_peer_docs(args.medquad, results)
        picker = section_picker(docs)
        for peer in peers:
            run_peer(peer, docs, picker, topic_sets, args.work, results)
    text = report(topic_sets, results, args)
    print("\n" + text, flush=True)
    (args.work / "results.md").write_text(text, encoding="utf-8")
    print(f"written to {args.work / 'results.md'}")
    return 0


def run_engine(medquad: Path, work: Path, topic_sets: list[TopicSet], results: Results) -> None:
    """This engine: timed rebuild, the four topic sets, then the API over the keyword queries."""
    folder = work / "index" / engine.NAME
    built = engine.build(medquad, folder, work / "vector-cache")
    results.articles = built.articles
    vectors = built.vectors
    embedded = (
        f"section vectors: {vectors['embedded']:,} embedded, {vectors['reused']:,} from the cache"
        if "rows" in vectors
        else f"no vectors: {vectors.get('error', 'none written')}"
    )
    results.builds.append(BuildTime(engine.NAME, built.seconds, f"read + parse XML, index (2 procs), {embedded}"))
    _say(engine.NAME, f"built {built.articles:,} articles in {built.seconds:.1f} s; {embedded}")
    for topic_set in topic_sets:
        results.runs.append(_announce(engine.answer(folder, topic_set, work)))
    results.api_laps, results.api_failed = engine.api_laps(folder, topic_sets[0])
    _say(engine.NAME, f"API: {len(results.api_laps)} requests, p50 {percentile(results.api_laps, 50):.1f} ms")
    results.suggest = engine.suggest_laps(folder, engine.typed_prefixes(topic_sets))
    laps = results.suggest.laps
    p50, p95 = percentile(laps, 50), percentile(laps, 95)
    _say(engine.NAME, f"suggest: {len(laps)} requests, p50 {p50:.2f} ms, p95 {p95:.2f} ms")
    results.staff = engine.staff_seconds(folder)


def installed_peers(names: list[str]) -> list[Peer]:
    """The chosen peers whose packages import; a line for each one skipped."""
    peers = []
    for name in names:
        peer = PEERS[name]()
        missing = peer.missing()
        if missing:
            _say(name, f"skipped: {', '.join(missing)} not installed (pip install -e '.[bench]')")
        else:
            peers.append(peer)
    return peers


def load_peer_docs(medquad: Path, results: Results) -> list[Doc]:
    """The articles for the peers, read once; the time is reported, not charged to a peer."""
    started = time.perf_counter()
    docs = load_docs(medquad)
    results.load_seconds = time.perf_counter() - started
    _say("peers", f"read {len(docs):,} articles in {results.load_seconds:.1f} s")
    return docs


def section_picker(docs: list[Doc]) -> SectionPicker:
    """The peers' section chooser; its corpus statistics take about a second, charged to no one."""
    started = time.perf_counter()
    picker = SectionPicker(docs)
    _say("peers", f"section scorer ready in {time.perf_counter() - started:.1f} s")
    return picker


def run_peer(
    peer: Peer, docs: list[Doc], picker: SectionPicker, topic_sets: list[TopicSet], work: Path, results: Results
) -> None:
    """Build one peer and answer every set; a peer that fails is reported and left out."""
    for note in peer.notes():
        _say(peer.name, note)
    try:
        started = time.perf_counter()
        peer.build(docs, work / "index" / peer.name)
        seconds = time.perf_counter() - started
        _say(peer.name, f"built in {seconds:.1f} s")
        runs = [_announce(answer(peer, picker, topic_set, work)) for topic_set in topic_sets]
    except Exception as error:  # a benchmark of several engines should outlive one broken engine
        _say(peer.name, f"failed and left out: {type(error).__name__}: {error}")
        return
    finally:
        peer.close()
    results.builds.append(BuildTime(peer.name, seconds, "index the parsed articles"))
    results.runs.extend(runs)
    results.versions.append(f"{peer.name} {peer.version()}")


def report(topic_sets: list[TopicSet], results: Results, args: argparse.Namespace) -> str:
    """The whole report: a header, one section per topic set, builds, API latency."""
    when = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    mode = "quick: first 100 topics of each set" if args.quick else "full topic sets"
    peers = ", ".join(results.versions) or "none"
    parts = [f"# healthsearch benchmark ({when}, {mode})\n\nPeers: {peers}.\n"]
    score_py = args.eval / "score.py"
    for topic_set in topic_sets:
        rows = [score(score_py, run) for run in results.runs if run.topic_set is topic_set]
        parts.append(topic_set_section(topic_set, rows, engine.NAME))
        if topic_set.name == "lay-dev":
            parts.append(category_section(args.eval, args.work, results.runs, engine.NAME))
    parts.append(build_section(results.builds, results.articles, results.load_seconds))
    parts.append(api_section(engine.NAME, topic_sets[0], results.api_laps, results.api_failed))
    if results.suggest is not None:
        timing = results.suggest
        parts.append(suggest_section(engine.NAME, timing.first_seconds, timing.laps, timing.failed))
    if results.staff:
        parts.append(staff_section(engine.NAME, results.staff))
    return "\n".join(parts)


def _announce(run: Run) -> Run:
    _say(run.system, f"{run.topic_set.name}: {len(run.laps)} topics, p50 {percentile(run.laps, 50):.1f} ms")
    return run


def _say(who: str, message: str) -> None:
    print(f"[{who}] {message}", flush=True)
