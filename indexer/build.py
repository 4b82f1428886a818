"""Sources -> index: incremental, built aside, swapped in when whole.

Stages: scan the source folders and compare each file with the live index's
manifest (size and mtime first, then the content hash); parse only new and
changed files; write a new generation (a copy of the live index with the
changes applied, or a fresh one on rebuild); publish it atomically.  Articles
from sources not named in this run are kept.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path

from tqdm import tqdm
from whoosh import index as whoosh_index

from indexer.article import Article, ParseError
from indexer.decode import check_size
from indexer.documents import to_document
from indexer.mapped import open_mapped
from indexer.schema import SCHEMA_VERSION, build_schema
from indexer.sources.confine import ReadRules
from indexer.sources.files import SourceFile, discover, read_article
from indexer.store import LOCK_WAIT, IndexStore
from indexer.summary import write_summaries
from indexer.vectors import (
    VectorReport,
    Vectors,
    cached,
    default_cache,
    read_vectors,
    remember,
    remove_vectors,
    update_vectors,
)
from indexer.writer import index_writer

PARSER_VERSION = 4  # bump when parsing changes, so every file is read again (4: real sites, text shapes, MedQuAD)


@dataclass
class BuildReport:
    """What a build did, for the summary line and `--json`."""

    added: int = 0
    updated: int = 0
    removed: int = 0
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)  # (file, reason)
    warnings: list[tuple[str, str]] = field(default_factory=list)  # (file, warning)
    articles: int = 0
    generation: int = 0
    seconds: float = 0.0
    vectors: VectorReport | None = None  # None when nothing was written

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def to_dict(self) -> dict:
        return {
            "added": self.added,
            "updated": self.updated,
            "removed": self.removed,
            "unchanged": self.unchanged,
            "articles": self.articles,
            "generation": self.generation,
            "seconds": round(self.seconds, 2),
            "vectors": self.vectors.to_dict() if self.vectors else None,
            "skipped": [{"file": f, "reason": r} for f, r in self.skipped],
            "warnings": [{"file": f, "warning": w} for f, w in self.warnings],
        }


@dataclass(frozen=True)
class _VectorOptions:
    wanted: bool
    cache: Path | None
    progress: bool


@dataclass
class _Plan:
    """The work a build found: documents to write, ids to delete, the next manifest."""

    articles: list[Article] = field(default_factory=list)
    deleted_ids: list[str] = field(default_factory=list)
    sources: dict = field(default_factory=dict)


def build_index(
    sources: list[Path],
    store: IndexStore,
    rebuild: bool = False,
    progress: bool = False,
    lock_wait: float = LOCK_WAIT,
    rules: ReadRules | None = None,
    prepare: Callable[[Path], None] | None = None,
    vector_cache: Path | None = None,
    vectors: bool = True,
) -> BuildReport:
    """Bring the index at `store` up to date with `sources`; BuildLocked if another build holds on past `lock_wait`.

    `rules` say whether links that stay inside a source folder are followed and
    which paths are never read; the index itself is always one of those.  `prepare`
    runs on a new generation after it is written and before it is published.
    `vector_cache` (or HEALTHSEARCH_VECTOR_CACHE) is a folder of section vectors by text hash that outlives
    rebuilds (the benchmark's, the tests'); `vectors=False` builds a lexical-only index.
    """
    started = time.perf_counter()
    report = BuildReport()
    rules = rules or ReadRules()
    rules = replace(rules, private=(*rules.private, store.root))
    with store.lock(wait=lock_wait):
        store.prune()  # leftovers of a killed build
        previous = {} if rebuild else _usable_manifest(store.manifest())
        plan = _plan(sources, previous, report, progress, rules)
        report.articles = sum(1 for files in plan.sources.values() for e in files.values() if "id" in e)
        if report.changed or not store.exists() or rebuild:
            options = _VectorOptions(vectors, vector_cache or default_cache(), progress)
            report.generation, report.vectors = _write(store, plan, rebuild or not previous, options, prepare)
        else:
            report.generation = store.generation()
    report.seconds = time.perf_counter() - started
    return report


def outdated_sources(store: IndexStore) -> list[Path] | None:
    """The folders an index was built from, when an older schema or parser built it; None when it is current.

    Serving such an index would answer with the old parsing and old name keys.
    """
    manifest = store.manifest()
    if not manifest or _usable_manifest(manifest):
        return None
    return [Path(root) for root in manifest.get("sources", {}) if Path(root).is_dir()]


def _usable_manifest(manifest: dict) -> dict:
    """The previous manifest, unless it was written by another schema or parser."""
    if manifest.get("schema_version") != SCHEMA_VERSION or manifest.get("parser_version") != PARSER_VERSION:
        return {}
    return manifest


def _plan(sources: list[Path], previous: dict, report: BuildReport, progress: bool, rules: ReadRules) -> _Plan:
    plan = _Plan(sources={k: dict(v) for k, v in previous.get("sources", {}).items()})
    owners = {e["id"]: (root, rel) for root, files in plan.sources.items() for rel, e in files.items() if "id" in e}
    for root in sources:
        files = list(discover(root, rules))
        key = str(root.resolve() if root.is_dir() else root.resolve().parent)
        before = plan.sources.get(key, {})
        after: dict[str, dict] = {}
        for file in tqdm(files, desc=f"Indexing {root}", unit="file", disable=not progress, leave=False):
            after[file.relpath] = _visit(file, before.get(file.relpath), key, owners, plan, report)
        for rel in set(before) - set(after):
            if "id" in before[rel]:
                plan.deleted_ids.append(before[rel]["id"])
                owners.pop(before[rel]["id"], None)
                report.removed += 1
        plan.sources[key] = after
    for root, files in plan.sources.items():
        report.skipped += [(f"{root}/{rel}", e["error"]) for rel, e in files.items() if "error" in e]
    return plan


def _visit(file: SourceFile, entry: dict | None, key: str, owners: dict, plan: _Plan, report: BuildReport) -> dict:
    """Decide what one file needs; return its manifest entry."""
    try:
        if file.refused:
            raise ParseError(file.refused)
        stat = file.path.stat()
        check_size(stat.st_size)  # before the shortcut: an over-size file indexed by an older version leaves
        if entry and entry.get("size") == stat.st_size and entry.get("mtime_ns") == stat.st_mtime_ns:
            report.unchanged += "id" in entry
            return entry
        data = file.read_bytes()
    except (ParseError, OSError) as error:
        _forget(entry, plan, owners, report)
        return {"error": str(error)}
    digest = hashlib.sha256(data).hexdigest()
    fresh = {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": digest}
    if entry and entry.get("sha256") == digest:  # touched, not changed
        report.unchanged += "id" in entry
        return {**entry, **fresh}
    try:
        article = read_article(file, data)
    except Exception as error:  # whatever one file does, the build goes on without it
        _forget(entry, plan, owners, report)
        return {**fresh, "error": _reason(error)}
    owner = owners.get(article.id)
    if owner and owner != (key, file.relpath):
        return {**fresh, "error": f"duplicate id {article.id!r}, already used by {owner[0]}/{owner[1]}"}
    if entry and entry.get("id") and entry["id"] != article.id:
        _forget(entry, plan, owners, report)
        entry = None
    owners[article.id] = (key, file.relpath)
    plan.articles.append(article)
    report.warnings += [(f"{key}/{file.relpath}", w) for w in article.warnings]
    if entry and "id" in entry:
        report.updated += 1
    else:
        report.added += 1
    return {**fresh, "id": article.id}


def _reason(error: Exception) -> str:
    """Why a file is no article, for the build summary."""
    if isinstance(error, (ParseError, OSError)):
        return str(error)
    return f"the parser failed on it ({type(error).__name__}: {error})"


def _forget(entry: dict | None, plan: _Plan, owners: dict, report: BuildReport) -> None:
    """A file that used to be an article no longer is one."""
    if entry and "id" in entry:
        plan.deleted_ids.append(entry["id"])
        owners.pop(entry["id"], None)
        report.removed += 1


def _write(
    store: IndexStore, plan: _Plan, fresh: bool, options: _VectorOptions, prepare: Callable[[Path], None] | None
) -> tuple[int, VectorReport]:
    previous = store.current_dir()
    generation = store.new_generation(copy_current=not fresh)
    ix = whoosh_index.create_in(str(generation), build_schema()) if fresh else whoosh_index.open_dir(str(generation))
    writer = index_writer(ix, fresh)
    try:
        for article_id in plan.deleted_ids:
            writer.delete_by_term("id", article_id)
        add = writer.add_document if fresh else writer.update_document
        for article in plan.articles:
            add(**to_document(article))
        writer.commit()
    except BaseException:
        writer.cancel()
        raise
    finally:
        ix.close()
    written = [article.to_dict(with_hash=False) for article in plan.articles]
    write_summaries(generation, iter(written), plan.deleted_ids, fresh)
    vectors = _write_vectors(generation, previous if fresh else None, plan, written, options)
    if prepare is not None:
        prepare(generation)
    store.publish(generation, _manifest(plan, vectors))
    return store.generation(), vectors


def _write_vectors(
    generation: Path, earlier: Path | None, plan: _Plan, written: list[dict], options: _VectorOptions
) -> VectorReport:
    """The new generation's section vectors, embedding only texts no earlier generation or the cache holds.

    An incremental build starts from the copied generation's vectors; articles they lack
    (an index built while the model could not load) are read back from the index.
    """
    if not options.wanted:
        remove_vectors(generation)
        return VectorReport(error="built without vectors (lexical only)")
    previous = read_vectors(generation) if earlier is None else Vectors()
    known = {**read_vectors(earlier).by_hash(), **cached(options.cache)}
    dropped = set(plan.deleted_ids) | {article["id"] for article in written}
    missing = _stored_articles(generation, {row[0] for row in previous.rows} | dropped)
    vectors, report = update_vectors(generation, previous, written + missing, dropped, known, options.progress)
    if report.error:
        remove_vectors(generation)
    elif options.cache is not None:
        remember(options.cache, vectors)
    return report


def _stored_articles(generation: Path, covered: set[str]) -> list[dict]:
    """The stored articles of a generation whose ids are not in `covered`."""
    ix = open_mapped(generation)
    try:
        with ix.searcher() as searcher:
            stored = (fields for _, fields in searcher.iter_docs())
            return [json.loads(fields["article"]) for fields in stored if fields["id"] not in covered]
    finally:
        ix.close()


def _manifest(plan: _Plan, vectors: VectorReport) -> dict:
    return {
        "schema_version": SCHEMA_VERSION,
        "parser_version": PARSER_VERSION,
        "built_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "sources": plan.sources,
        "vectors": vectors.to_dict(),
    }
