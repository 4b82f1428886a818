"""`python -m bench --scale N`: this engine and two peers over MedQuAD at 1x and at N times its size.

Stages: write every MedQuAD article N times as an HTML page under WORK/scale/ (once; the
first copy is the article itself, each other copy keeps its title and takes another
article's section texts, so names repeat as on a big site while texts differ); for
1x and Nx, build the index with its passage vectors in a child process (seconds, peak
memory, size on disk); then a fresh serving process opens it and answers `/api/search`
through Flask's test client: the first request, which loads every per-generation table,
then keyword and lay queries one by one, each embedded afresh (p50, p95), then one
keystroke in the search box (a worker holds the suggester too), and its peak and private
resident memory; plain Whoosh and tantivy build and answer the same
queries in this process.  Printed as one table.

Vectors: the 1x pages are embedded once (kept in WORK/vector-cache). A copy's passages
differ from its donor's only by the title that leads each one; embedding the 455,000
of them at 10x would take hours of CPU here and measure the embedder, not the index, so
each takes its donor passage's vector (`seed_copy_vectors`). Search reads as many rows,
of the same size, as with vectors of their own.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from html import escape
from multiprocessing import get_context
from pathlib import Path

import numpy as np

from bench.corpus import Doc, Section, load_docs
from bench.peers import PEERS
from bench.report import markdown_table
from bench.timing import percentile
from indexer.mapped import open_mapped
from indexer.store import IndexStore
from indexer.vectors import Vectors, read_vectors, remember, section_texts, text_hash

PAGES_PER_FOLDER = 1000
LATENCY_TOPICS = ("medquad-kw-dev.topics.tsv", "lay-dev.topics.tsv")
PEER_NAMES = ("whoosh", "tantivy")

SERVE = """
import json, resource, sys, time
from search_app import create_app
config = {"TESTING": True, "REQUEST_LOG": "", "QUERY_LOG": "", "INDEX_DIR": sys.argv[1],
          "API_RATE_LIMIT": "1000000 per minute", "PAGE_RATE_LIMIT": "1000000 per minute"}
client = create_app(config).test_client()
queries = json.loads(sys.stdin.read())
started = time.perf_counter()
first = client.get("/api/search", query_string={"q": queries[0]}).status_code
first_seconds = time.perf_counter() - started
laps, failed = [], int(first != 200)
for text in queries[1:]:
    started = time.perf_counter()
    failed += client.get("/api/search", query_string={"q": text}).status_code != 200
    laps.append((time.perf_counter() - started) * 1000)
suggested = client.get("/api/suggest", query_string={"q": "diab"}).status_code  # a worker holds the suggester too
failed += suggested != 200
peak_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
status = dict(line.split(":", 1) for line in open("/proc/self/status"))
private_mb = int(status["RssAnon"].split()[0]) / 1024  # not the index's pages, which every worker shares
print(json.dumps({"first_seconds": first_seconds, "laps": laps, "failed": failed, "peak_mb": peak_mb,
                  "private_mb": private_mb}))
"""

BUILD = """
import json, resource, sys
from pathlib import Path
from indexer.build import build_index
from indexer.store import IndexStore
from search_app.prepare import prepare_generation
report = build_index([Path(sys.argv[1])], IndexStore(sys.argv[2]), rebuild=True, prepare=prepare_generation,
                     vector_cache=Path(sys.argv[3]))
if report.vectors is None or report.vectors.error:
    sys.exit(f"no vectors: {report.vectors and report.vectors.error}")
peaks = [resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)]
print(json.dumps({"peak_mb": max(peaks) / 1024, "vectors": report.vectors.rows, "embedded": report.vectors.embedded}))
"""


@dataclass(frozen=True)
class Row:
    system: str
    scale: int
    articles: int
    build_seconds: float
    build_peak_mb: float
    size_mb: float
    first_seconds: float
    p50_ms: float
    p95_ms: float
    serve_peak_mb: float
    private_mb: float | None  # None for a peer: it runs in the benchmark's own process
    failed: int


def run_scale(medquad: Path, eval_dir: Path, work: Path, scale: int) -> str:
    """Build and time both sizes for the engine and the peers; the report as Markdown."""
    docs = load_docs(medquad)
    queries = latency_queries(eval_dir)
    rows: list[Row] = []
    for factor in sorted({1, scale}):
        copies = scaled_docs(docs, factor)
        folder = write_pages(copies, work / "scale" / f"{factor}x")
        index = work / "scale" / f"index-{factor}x"
        if factor == 1:
            cache = work / "vector-cache"  # the 1x pages' own vectors, embedded once
        else:
            seeding = (docs, factor, work / "scale" / "index-1x", work / "scale" / f"vectors-{factor}x")
            with ProcessPoolExecutor(1, mp_context=get_context("spawn")) as child:  # its memory is not the peers'
                cache = child.submit(seed_copy_vectors, *seeding).result()
        rows.append(engine_row(folder, index, cache, factor, len(copies), queries))
        _say(rows[-1])
        for name in PEER_NAMES:
            peer_row = measure_peer(name, copies, work / "scale" / f"{name}-{factor}x", factor, queries)
            if peer_row is not None:
                rows.append(peer_row)
                _say(peer_row)
    return report(rows, len(queries))


def latency_queries(eval_dir: Path) -> list[str]:
    queries = []
    for name in LATENCY_TOPICS:
        path = eval_dir / name
        if path.exists():
            queries += [line.split("\t", 1)[1].strip() for line in path.read_text().splitlines() if "\t" in line]
    return queries


def scaled_docs(docs: list[Doc], factor: int) -> list[Doc]:
    """Each article, then factor - 1 copies of its title over other articles' section texts."""
    scaled = list(docs)
    count = len(docs)
    for copy in range(1, factor):
        for number, doc in enumerate(docs):
            scaled.append(Doc(f"{doc.id}-copy{copy}", doc.title, docs[donor_of(number, copy, count)].sections))
    return scaled


def donor_of(number: int, copy: int, count: int) -> int:
    """The article whose section texts copy `copy` of article `number` takes; large primes spread them."""
    return (number * 7919 + copy * 104_729) % count


def page_id(number: int, doc: Doc) -> str:
    """The id the indexer gives the page of the `number`th document: its path under the pages folder."""
    return f"{number // PAGES_PER_FOLDER:03d}/{doc.id}"


def seed_copy_vectors(docs: list[Doc], factor: int, index_1x: Path, folder: Path) -> Path:
    """A vector cache for the Nx pages: the 1x pages' vectors, and for each copy its donor's, passage by passage.

    A copy's page is its donor's page under another title (`scaled_docs`), so the two
    have the same sections and passages; only the title leading each passage differs.
    """
    marker = folder / ".complete"
    if marker.exists() and marker.read_text() == str(factor * len(docs)):
        return folder
    generation = IndexStore(index_1x).current_dir()
    if generation is None:
        raise RuntimeError(f"no 1x index at {index_1x} to take the copies' vectors from")
    own = read_vectors(generation)
    by_hash = own.by_hash()
    with open_mapped(generation).reader() as reader:
        articles = {fields["id"]: json.loads(fields["article"]) for fields in reader.all_stored_fields()}
    count = len(docs)
    seeded = dict(by_hash)
    for copy in range(1, factor):
        for number, doc in enumerate(docs):
            donor_number = donor_of(number, copy, count)
            donor = articles[page_id(donor_number, docs[donor_number])]
            as_copy = {**donor, "title": articles[page_id(number, doc)]["title"]}
            for (_, text), (_, donor_text) in zip(section_texts(as_copy), section_texts(donor), strict=True):
                seeded[text_hash(text)] = by_hash[text_hash(donor_text)]
    remember(folder, Vectors([("", "", text_hash) for text_hash in seeded], np.array(list(seeded.values()))))
    marker.write_text(str(factor * len(docs)))
    return folder


def write_pages(docs: list[Doc], folder: Path) -> Path:
    """The documents as HTML pages, PAGES_PER_FOLDER a folder; kept when a previous run wrote them all."""
    done = folder / ".complete"
    if done.exists() and done.read_text() == str(len(docs)):
        return folder
    for number, doc in enumerate(docs):
        page = folder / f"{page_id(number, doc)}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(page_of(doc), encoding="utf-8")
    done.write_text(str(len(docs)))
    return folder


def page_of(doc: Doc) -> str:
    body = "".join(f"<h2>{escape(_heading(s))}</h2><p>{escape(s.text)}</p>" for s in doc.sections)
    return f"<!doctype html><html><body><article><h1>{escape(doc.title)}</h1>{body}</article></body></html>"


def _heading(section: Section) -> str:
    return section.qtype.replace("_", " ").capitalize() if section.qtype != "information" else "Overview"


def engine_row(pages: Path, index: Path, cache: Path, factor: int, articles: int, queries: list[str]) -> Row:
    started = time.perf_counter()
    built = subprocess.run(
        [sys.executable, "-c", BUILD, str(pages), str(index), str(cache)], check=True, capture_output=True
    )
    build_seconds = time.perf_counter() - started
    build = json.loads(built.stdout.decode().splitlines()[-1])  # peak: the build process or its largest writer
    print(f"[healthsearch {factor}x] {build['vectors']:,} passage vectors, {build['embedded']:,} embedded", flush=True)
    generation = next(p for p in index.iterdir() if p.is_dir() and p.name.startswith("gen-"))
    served = subprocess.run(
        [sys.executable, "-c", SERVE, str(index)], input=json.dumps(queries), capture_output=True, text=True, check=True
    )
    result = json.loads(served.stdout)
    laps = result["laps"]
    return Row(
        "healthsearch", factor, articles, build_seconds, build["peak_mb"], _megabytes(generation),
        result["first_seconds"], percentile(laps, 50), percentile(laps, 95), result["peak_mb"], result["private_mb"],
        result["failed"],
    )  # fmt: skip


def measure_peer(name: str, docs: list[Doc], folder: Path, factor: int, queries: list[str]) -> Row | None:
    peer = PEERS[name]()
    if peer.missing():
        return None
    before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    peer.build(docs, folder)
    build_seconds = time.perf_counter() - started
    started = time.perf_counter()
    peer.search(queries[0], 100)
    first = time.perf_counter() - started
    laps = []
    for text in queries[1:]:
        started = time.perf_counter()
        peer.search(text, 100)
        laps.append((time.perf_counter() - started) * 1000)
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    size = _megabytes(folder) if folder.exists() else 0.0
    # A peer runs in this process: its peak is this process's, a bound rather than its own.
    return Row(name, factor, len(docs), build_seconds, peak - before, size, first, percentile(laps, 50),
               percentile(laps, 95), peak, None, 0)  # fmt: skip


def report(rows: list[Row], queries: int) -> str:
    headers = ["system", "scale", "articles", "build s", "build peak MB", "index MB", "first request s",
               "p50 ms", "p95 ms", "serving peak MB", "private MB", "failed"]  # fmt: skip
    table = markdown_table(
        headers,
        [_cells(r) for r in rows],
        align="lrrrrrrrrrrr",
    )
    note = (
        f"{queries} queries (keyword and lay topics). healthsearch: built with passage vectors (a copy's are its "
        "donor's, see `bench.scale`) by a child process from HTML pages, served by a fresh process through Flask's "
        "test client (`/api/search`, each query embedded, first request included in no percentile); serving peak "
        "counts the index pages it touched, which every worker of a machine shares; private is its own memory "
        "(RssAnon). Peers run in the benchmark's own process: their build peak is the growth of its peak memory."
    )
    return f"## Scale: 1x and Nx MedQuAD\n\n{table}\n\n{note}\n"


def _cells(r: Row) -> list[str]:
    return [
        r.system, f"{r.scale}x", f"{r.articles:,}", f"{r.build_seconds:.1f}", f"{r.build_peak_mb:.0f}",
        f"{r.size_mb:.0f}", f"{r.first_seconds:.2f}", f"{r.p50_ms:.1f}", f"{r.p95_ms:.1f}",
        f"{r.serve_peak_mb:.0f}", "" if r.private_mb is None else f"{r.private_mb:.0f}", str(r.failed),
    ]  # fmt: skip


def _megabytes(folder: Path) -> float:
    return sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 1e6


def _say(row: Row) -> None:
    print(f"[{row.system} {row.scale}x] built in {row.build_seconds:.1f} s, p95 {row.p95_ms:.1f} ms", flush=True)
