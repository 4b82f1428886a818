"""`python -m bench.suggest`: the search box's suggester built, loaded from its generation, and ranked by popularity.

Stages: bring a lexical MedQuAD index in WORK/index up to date (the build keeps the
suggester in the generation: search_app.prepare); time building a Suggester from the
generation's names — what each new popularity reading cost while popularity was part of
the suggester — and mapping the kept one; the first `/api/suggest` of a fresh app on
that generation; making a Popularity from a Zipf-like table of opens over every article
— what a popularity refresh costs now; then every keystroke (2 to 30 characters) of the
first 150 keyword and typo topics, without popularity and with it: p50, p95, max.
Printed, not asserted.

With `--generation`, a generation already built (bench --scale's 10x, say) instead: two
fresh processes in turn load its suggester (the first keeps one in the generation if it
has none) and answer the first KEYSTROKES of those keystrokes; the second's load time,
keystroke p50/p95 and private resident memory (RssAnon: not the mapped files' pages,
which the workers of a machine share) before and after.

    python -m bench.suggest [--work bench/runs/suggest] [--repeat 3]
    python -m bench.suggest --generation bench/runs/scale/index-10x/gen-000001
"""

from __future__ import annotations

import argparse
import json
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.corpus import TOPIC_FILES
from bench.engine import SUGGEST_MAX_CHARS, SUGGEST_SETS, SUGGEST_TOPICS, UNLIMITED
from bench.load import REPO, SHARED
from bench.report import markdown_table
from bench.timing import percentile, stopwatch
from engine import persisted
from engine.evaluate import read_topics
from engine.synonyms import load_synonyms
from indexer.build import build_index
from indexer.store import IndexStore
from search_app import create_app
from search_app.prepare import prepare_generation
from search_app.suggest import Popularity, Suggester, load_names, suggester_for

OPENS = 100_000  # opens in the popularity table, spread over every article like a query log's clicks
KEYSTROKES = 200  # keystrokes a fresh process answers with --generation

FRESH = """
import json, sys, time
from pathlib import Path

def private_mb():
    status = dict(line.split(":", 1) for line in open("/proc/self/status"))
    return int(status["RssAnon"].split()[0]) / 1024

from search_app.suggest import suggester_for
prefixes = json.loads(sys.stdin.read())
before_mb = private_mb()
started = time.perf_counter()
suggester = suggester_for(Path(sys.argv[1]))
load_seconds = time.perf_counter() - started
laps = []
for prefix in prefixes:
    started = time.perf_counter()
    suggester.suggest(prefix)
    laps.append((time.perf_counter() - started) * 1000)
print(json.dumps({"before_mb": before_mb, "load_seconds": load_seconds, "laps": laps, "private_mb": private_mb()}))
"""


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.suggest", description=__doc__.splitlines()[0])
    parser.add_argument("--medquad", type=Path, default=SHARED / "data" / "medquad")
    parser.add_argument("--eval", type=Path, default=SHARED / "eval", help="folder of *.topics.tsv query sets")
    parser.add_argument("--work", type=Path, default=REPO / "bench" / "runs" / "suggest", help="the index")
    parser.add_argument("--repeat", type=int, default=3, help="times each one-off step is timed (best kept)")
    parser.add_argument("--generation", type=Path, help="measure fresh processes on this generation instead")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    if args.generation:
        print(fresh_processes(args.generation, typed_prefixes(args.eval)[:KEYSTROKES]))
        return 0
    store = IndexStore(args.work / "index")
    report = build_index([args.medquad], store, vectors=False, prepare=prepare_generation)
    generation = store.current_dir()
    print(f"index: {report.articles} articles, generation {report.generation} ({report.seconds:.1f} s)", flush=True)
    suggester = suggester_for(generation)  # kept by the build, or built and kept now
    names = load_names(generation)
    popularity_table = zipf_opens(list(suggester.by_article), random.Random(16))
    steps = [
        ("build a Suggester from the generation's names", best(args.repeat, lambda: Suggester(names))),
        ("map the Suggester the build kept", best(args.repeat, lambda: kept(generation))),
        ("first /api/suggest of a fresh app", min(first_request(store.root) for _ in range(args.repeat))),
        ("make a Popularity (refresh)", best(args.repeat, lambda: Popularity(suggester, popularity_table))),
    ]
    popularity = Popularity(suggester, popularity_table)
    prefixes = typed_prefixes(args.eval)
    laps = {label: keystrokes(suggester, prefixes, p) for label, p in (("without", None), ("with", popularity))}
    print(render(steps, laps, len(names), len(suggester.entries), popularity, len(prefixes)))
    return 0


def zipf_opens(articles: list[str], rng: random.Random) -> dict[str, int]:
    """OPENS opens over every article, the n-th most opened taking a share proportional to 1/n."""
    rng.shuffle(articles)
    weights = [1 / rank for rank in range(1, len(articles) + 1)]
    scale = OPENS / sum(weights)
    return {article: max(1, round(w * scale)) for article, w in zip(articles, weights, strict=True)}


def best(repeat: int, step: Callable[[], object]) -> float:
    """The fastest of `repeat` runs, in seconds: the least disturbed by other work on shared cores."""
    laps: list[float] = []
    for _ in range(repeat):
        with stopwatch(laps):
            step()
    return min(laps) / 1000


def kept(generation: Path) -> Suggester:
    loaded = persisted.load(generation, f"suggester-{load_synonyms().digest}")
    if not isinstance(loaded, dict):
        raise SystemExit("the build kept no suggester in the generation")
    return Suggester.mapped(loaded)


def first_request(index: Path) -> float:
    """Seconds for a new app's first suggestion: it loads the generation's suggester."""
    with tempfile.TemporaryDirectory() as scratch:  # the app's secret key there, not in the checkout
        config = {**UNLIMITED, "INDEX_DIR": str(index), "INSTANCE_DIR": scratch, "QUERY_LOG": ""}
        client = create_app(config).test_client()
        started = time.perf_counter()
        status = client.get("/api/suggest", query_string={"q": "ac"}).status_code
        seconds = time.perf_counter() - started
    if status != 200:
        raise SystemExit(f"/api/suggest answered {status}")
    return seconds


def fresh_processes(generation: Path, prefixes: list[str]) -> str:
    """Two new processes in turn load the generation's suggester and answer `prefixes`: the second one's figures."""
    runs = []
    for _ in range(2):
        done = subprocess.run(
            [sys.executable, "-c", FRESH, str(generation)],
            input=json.dumps(prefixes), capture_output=True, text=True, cwd=REPO, check=True,
        )  # fmt: skip
        runs.append(json.loads(done.stdout))
    first, second = runs
    rows = [
        ["load the suggester (first process: kept in the generation if it lacked one)", f"{first['load_seconds']:.3f}"],
        ["load the suggester (second process)", f"{second['load_seconds']:.3f}"],
        [f"keystroke p50 / p95 / first, ms ({len(prefixes)} keystrokes)", _laps(second["laps"])],
        ["private memory (RssAnon) before loading, MB", f"{second['before_mb']:.0f}"],
        ["private memory (RssAnon) after loading and the keystrokes, MB", f"{second['private_mb']:.0f}"],
    ]
    table = markdown_table(["fresh process", "figure"], rows, align="lr")
    return f"## Suggester in a fresh process: `python -m bench.suggest --generation {generation}`\n\n{table}\n"


def _laps(laps: list[float]) -> str:
    return f"{percentile(laps, 50):.2f} / {percentile(laps, 95):.2f} / {laps[0]:.2f}"


def typed_prefixes(eval_dir: Path) -> list[str]:
    """What the box holds keystroke by keystroke, as bench.engine replays it."""
    prefixes: list[str] = []
    for name, topics_file, _qrels, _sections in TOPIC_FILES:
        if name in SUGGEST_SETS:
            for _qid, text in list(read_topics(eval_dir / topics_file))[:SUGGEST_TOPICS]:
                typed = text[:SUGGEST_MAX_CHARS]
                prefixes += [typed[:end] for end in range(2, len(typed) + 1)]
    return prefixes


def keystrokes(suggester: Suggester, prefixes: list[str], popularity: Popularity | None) -> list[float]:
    laps: list[float] = []
    for prefix in prefixes:
        with stopwatch(laps):
            suggester.suggest(prefix, 8, popularity)
    return laps


def render(
    steps: list[tuple[str, float]], laps: dict[str, list[float]], names: int, entries: int, popularity: Popularity,
    prefixes: int,
) -> str:  # fmt: skip
    head = (
        f"## Suggester: `python -m bench.suggest` — MedQuAD, {names:,} names, {entries:,} entries; popularity: "
        f"{OPENS:,} opens over every article (Zipf), the {len(popularity.counts):,} most opened kept "
        f"({len(popularity.order):,} entries indexed apart)\n"
    )
    once = markdown_table(["step", "seconds"], [[label, f"{seconds:.3f}"] for label, seconds in steps], align="lr")
    rows = [
        [f"{label} popularity", f"{percentile(ls, 50):.2f}", f"{percentile(ls, 95):.2f}", f"{max(ls):.2f}"]
        for label, ls in laps.items()
    ]
    typing = markdown_table(["keystroke", "p50 ms", "p95 ms", "max ms"], rows, align="lrrr")
    return f"{head}\n{once}\n\n{prefixes:,} keystrokes, `Suggester.suggest` in-process:\n\n{typing}\n"


if __name__ == "__main__":
    raise SystemExit(main())
