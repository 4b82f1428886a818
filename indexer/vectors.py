"""Articles -> sentence vectors of every section's passages, kept in the index generation beside Whoosh's files.

Layout of a generation::

    vectors.npy    float32, one row per passage of a section: what "title. heading. text" says
    openings.npy   float32, the rows of each section's opening passage, apart: what search reads first
    vectors.json   {"model", "max_tokens", "rows": [[article id, anchor, text hash], ...]}

Stages: list the rows the new generation needs (the previous rows of unchanged
articles, new rows for added and changed ones); take every vector whose text hash
is already known (from the previous generation, this process's earlier builds or
a cache folder, `sections.npz`) instead of embedding it again; embed the rest;
write both files. A build whose model
cannot load writes no vectors and says why; search then stays lexical.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from tqdm import tqdm

from indexer.embedder import BATCH, DIMENSION, MAX_TOKENS, MODEL_ID, Embedder, ModelUnavailable, build_embedder

VECTORS = "vectors.npy"
OPENINGS = "openings.npy"
ROWS = "vectors.json"
CACHE_FILE = "sections.npz"
MAX_CHARS = 2000  # far past MAX_TOKENS word pieces: the tokenizer truncates, this only spares it long texts
PASSAGE_STRIDE = 60  # words between passage starts: a passage reaches about 85 words, so they overlap
PASSAGE_WORDS = 120  # words given to the tokenizer for a later passage; it stops at MAX_TOKENS
PASSAGE_OVERLAP = 25  # words a passage shares with the one before it
PASSAGE_NEW_WORDS = 10  # fewer new words than this and a passage would say nothing new
PASSAGES_PER_SECTION = 6  # about 400 words of a section are embedded; its start says what it is
MEMO_SIZE = 50_000  # vectors a process keeps by text hash, so its later builds of the same texts embed nothing
_memo: dict[str, np.ndarray] = {}


@dataclass
class Vectors:
    """Rows (article id, anchor, text hash) and their vectors, in the same order."""

    rows: list[tuple[str, str, str]] = field(default_factory=list)
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, DIMENSION), dtype=np.float32))

    def by_hash(self) -> dict[str, np.ndarray]:
        return {row[2]: self.matrix[i] for i, row in enumerate(self.rows)}


@dataclass(frozen=True)
class VectorReport:
    """What the vector step did, for the manifest, `info` and `/healthz`."""

    rows: int = 0
    embedded: int = 0
    reused: int = 0
    error: str = ""

    def to_dict(self) -> dict:
        if self.error:
            return {"model": MODEL_ID, "error": self.error}
        return {"model": MODEL_ID, "rows": self.rows, "embedded": self.embedded, "reused": self.reused}


def section_texts(article: dict) -> list[tuple[str, str]]:
    """(anchor, text) per passage of each section of an article (as stored).

    The model reads MAX_TOKENS word pieces, about 80 words after the title and
    heading, and a Symptoms section often runs to 400: so a section gives its start,
    then windows PASSAGE_STRIDE words apart, each led by the title and heading that
    say what it is about, up to PASSAGES_PER_SECTION of them.
    """
    title = article["title"]
    texts = []
    for section in article["sections"]:
        lead = f"{title}. {section['heading']}. "
        texts.append((section["anchor"], (lead + section["text"])[:MAX_CHARS]))
        words = section["text"].split()
        for start in _passage_starts(len(words)):
            texts.append((section["anchor"], (lead + " ".join(words[start : start + PASSAGE_WORDS]))[:MAX_CHARS]))
    return texts


def _passage_starts(words: int) -> range:
    """Where the later passages of a section of `words` words start: each adds at least PASSAGE_NEW_WORDS."""
    last = min(words - PASSAGE_NEW_WORDS - PASSAGE_OVERLAP, PASSAGE_STRIDE * (PASSAGES_PER_SECTION - 1))
    return range(PASSAGE_STRIDE, last + 1, PASSAGE_STRIDE)


def text_hash(text: str) -> str:
    return hashlib.sha256(f"{MODEL_ID}\0{MAX_TOKENS}\0{text}".encode()).hexdigest()[:32]


def read_vectors(folder: Path | None, mmap: bool = False) -> Vectors:
    """The vectors stored in a generation or cache folder; empty when none (or another model's) are there."""
    if folder is None:
        return Vectors()
    try:
        meta = json.loads((folder / ROWS).read_text())
        matrix = np.load(folder / VECTORS, mmap_mode="r" if mmap else None)
    except (FileNotFoundError, ValueError, OSError):
        return Vectors()
    rows = [tuple(row) for row in meta.get("rows", [])]
    if meta.get("model") != MODEL_ID or meta.get("max_tokens") != MAX_TOKENS or len(rows) != len(matrix):
        return Vectors()
    return Vectors(rows, matrix)  # type: ignore[arg-type]


def write_vectors(folder: Path, vectors: Vectors) -> None:
    """The three files, each written aside and renamed into place (the rows last: they make the others valid)."""
    folder.mkdir(parents=True, exist_ok=True)
    matrix = np.asarray(vectors.matrix, dtype=np.float32)
    for name, array in ((VECTORS, matrix), (OPENINGS, matrix[opening_rows(vectors.rows)])):
        temporary = folder / (name + ".tmp.npy")
        np.save(temporary, array)
        os.replace(temporary, folder / name)
    meta = {"model": MODEL_ID, "max_tokens": MAX_TOKENS, "rows": [list(row) for row in vectors.rows]}
    (folder / (ROWS + ".tmp")).write_text(json.dumps(meta))
    os.replace(folder / (ROWS + ".tmp"), folder / ROWS)


def opening_rows(rows: list[tuple[str, str, str]]) -> np.ndarray:
    """The row of each section's opening passage: the first of its (article, anchor) run."""
    firsts = [i for i, row in enumerate(rows) if i == 0 or rows[i - 1][:2] != row[:2]]
    return np.array(firsts, dtype=np.int64)


def read_openings(folder: Path, sections: int) -> np.ndarray | None:
    """The generation's opening rows, memory-mapped; None when missing or not of these `sections`."""
    try:
        openings = np.load(folder / OPENINGS, mmap_mode="r")
    except (FileNotFoundError, ValueError, OSError):
        return None
    return openings if openings.shape == (sections, DIMENSION) and openings.dtype == np.float32 else None


def remove_vectors(folder: Path) -> None:
    for name in (VECTORS, OPENINGS, ROWS):
        (folder / name).unlink(missing_ok=True)


def update_vectors(
    generation: Path,
    previous: Vectors,
    articles: Iterable[dict],
    dropped: set[str],
    known: dict[str, np.ndarray],
    progress: bool = False,
) -> tuple[Vectors, VectorReport]:
    """The generation's vectors: `previous` less the `dropped` articles, plus `articles`' sections.

    A text whose hash is in `known` (or in `previous`) is never embedded again.
    """
    keep = [i for i, row in enumerate(previous.rows) if row[0] not in dropped]
    rows = [previous.rows[i] for i in keep]
    new = [(a["id"], anchor, text) for a in articles for anchor, text in section_texts(a)]
    known = {**_memo, **previous.by_hash(), **known}
    hashes = [text_hash(text) for _, _, text in new]
    missing = {h: text for h, (_, _, text) in zip(hashes, new, strict=True) if h not in known}
    if missing:
        try:
            embedder = build_embedder()
        except ModelUnavailable as error:
            return Vectors(), VectorReport(error=str(error))
        fresh_vectors = dict(zip(missing, embed(embedder, list(missing.values()), progress), strict=True))
        known.update(fresh_vectors)
        if len(_memo) + len(fresh_vectors) <= MEMO_SIZE:
            _memo.update(fresh_vectors)
    rows += [(article_id, anchor, h) for (article_id, anchor, _), h in zip(new, hashes, strict=True)]
    matrix = np.empty((len(rows), DIMENSION), dtype=np.float32)  # filled in place: one copy of the vectors, not three
    matrix[: len(keep)] = previous.matrix[keep]
    if hashes:
        np.stack([known[h] for h in hashes], out=matrix[len(keep) :])
    vectors = Vectors(rows, matrix)
    write_vectors(generation, vectors)
    return vectors, VectorReport(len(rows), len(missing), len(new) - len(missing))


def embed(embedder: Embedder, texts: list[str], progress: bool) -> np.ndarray:
    """Vectors of `texts`, a batch at a time behind a progress bar; shortest first, so batches pad little."""
    order = np.argsort([len(text) for text in texts], kind="stable")
    vectors = np.zeros((len(texts), DIMENSION), dtype=np.float32)
    chunk = BATCH * 8
    with tqdm(total=len(texts), desc="Embedding sections", unit="text", disable=not progress, leave=False) as bar:
        for start in range(0, len(texts), chunk):
            rows = order[start : start + chunk]
            vectors[rows] = embedder.encode([texts[i] for i in rows])
            bar.update(len(rows))
    return vectors


def cached(cache: Path | None) -> dict[str, np.ndarray]:
    """Text hash -> vector, from a cache folder (empty when there is none, or it is unreadable)."""
    found = _read_cache(cache, "hashes", "matrix") if cache is not None else None
    return dict(zip(found[0].tolist(), found[1], strict=True)) if found else {}


def remember(cache: Path, vectors: Vectors) -> None:
    """Add a generation's vectors to a cache that outlives generations and rebuilds (one file, replaced whole)."""
    if {row[2] for row in vectors.rows} <= _cached_hashes(cache):
        return  # nothing new: the cache's vectors are not even read
    known = cached(cache)
    known.update({row[2]: vectors.matrix[i] for i, row in enumerate(vectors.rows) if row[2] not in known})
    cache.mkdir(parents=True, exist_ok=True)
    temporary = cache / f".{CACHE_FILE}.{os.getpid()}.tmp.npz"  # builds in other processes may write it too
    matrix = np.array(list(known.values()), dtype=np.float32).reshape(-1, DIMENSION)
    np.savez(temporary, model=f"{MODEL_ID}/{MAX_TOKENS}", hashes=np.array(list(known)), matrix=matrix)
    os.replace(temporary, cache / CACHE_FILE)


def _cached_hashes(cache: Path) -> set[str]:
    """The text hashes a cache folder holds vectors for (read without its vectors)."""
    found = _read_cache(cache, "hashes")
    return set(found[0].tolist()) if found else set()


def _read_cache(cache: Path, *names: str) -> tuple[np.ndarray, ...] | None:
    """The named arrays of a cache folder; None when it is missing, unreadable or of another model."""
    try:
        with np.load(cache / CACHE_FILE) as stored:
            if str(stored["model"]) != f"{MODEL_ID}/{MAX_TOKENS}":
                return None
            return tuple(stored[name] for name in names)
    except (FileNotFoundError, KeyError, ValueError, OSError):
        return None


def default_cache() -> Path | None:
    """The vector cache named by HEALTHSEARCH_VECTOR_CACHE, if any."""
    named = os.environ.get("HEALTHSEARCH_VECTOR_CACHE", "")
    return Path(named) if named else None
