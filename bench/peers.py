"""The peers: four plain engines set up the way their own docs show, over the same articles.

Each peer indexes title + body (all section text) of every article and answers a
query with at most `k` (docid, score) pairs, best first.  None of them gets this
engine's tricks (fields for names, synonyms, intent, spelling): they are the
baseline a site would have with the tutorial setup.  Their packages are optional
and imported only inside the peer, so a missing one skips that peer alone.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import re
import shutil
import sqlite3
from pathlib import Path
from typing import Any, ClassVar

from bench.corpus import Doc

Hits = list[tuple[str, float]]
MAX_QUERY = 1000  # as engine.evaluate: a long pasted message is cut, not refused
_WORD = re.compile(r"\w+")


class Peer:
    """One engine to compare with: build once, then answer queries."""

    name: ClassVar[str]
    packages: ClassVar[tuple[str, ...]] = ()  # modules it cannot run without
    distribution: ClassVar[str] = ""  # the PyPI name its version is read from

    def version(self) -> str:
        """The installed version, for the report."""
        try:
            return importlib.metadata.version(self.distribution)
        except (importlib.metadata.PackageNotFoundError, ValueError):
            return "?"

    def missing(self) -> list[str]:
        """The required modules that cannot be imported here."""
        missing = []
        for module in self.packages:
            try:
                importlib.import_module(module)
            except ImportError:
                missing.append(module)
        return missing

    def notes(self) -> list[str]:
        """Anything about this run of the peer worth printing (a missing optional part)."""
        return []

    def build(self, docs: list[Doc], folder: Path) -> None:
        """Index `docs`, on disk under `folder` when the engine has an on-disk form."""
        raise NotImplementedError

    def search(self, query: str, k: int) -> Hits:
        """The best `k` documents for a visitor's query."""
        raise NotImplementedError

    def close(self) -> None:
        """Release files and connections."""


def _fresh(folder: Path) -> Path:
    """An empty folder: a peer always builds from scratch, like this engine's rebuild."""
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


class WhooshPeer(Peer):
    """Whoosh as its tutorial sets it up: stemmed title + body, BM25F, OR of the words."""

    name = "whoosh"
    packages = ("whoosh",)
    distribution = "whoosh-reloaded"

    def build(self, docs: list[Doc], folder: Path) -> None:
        from whoosh import fields, index, qparser, scoring
        from whoosh.analysis import StemmingAnalyzer

        schema = fields.Schema(
            id=fields.ID(stored=True, unique=True),
            title=fields.TEXT(analyzer=StemmingAnalyzer()),
            body=fields.TEXT(analyzer=StemmingAnalyzer()),
        )
        ix = index.create_in(str(_fresh(folder)), schema)
        writer = ix.writer()
        for doc in docs:
            writer.add_document(id=doc.id, title=doc.title, body=doc.body)
        writer.commit()
        self._searcher = ix.searcher(weighting=scoring.BM25F())
        self._parser = qparser.MultifieldParser(["title", "body"], schema, group=qparser.OrGroup)

    def search(self, query: str, k: int) -> Hits:
        parsed = self._parser.parse(query[:MAX_QUERY])
        return [(hit["id"], float(hit.score)) for hit in self._searcher.search(parsed, limit=k)]

    def close(self) -> None:
        if hasattr(self, "_searcher"):
            self._searcher.close()


class Bm25sPeer(Peer):
    """bm25s with its English stop words and PyStemmer's English stemmer (when installed)."""

    name = "bm25s"
    packages = ("bm25s",)
    distribution = "bm25s"

    def notes(self) -> list[str]:
        return [] if _english_stemmer() else ["PyStemmer is not installed: bm25s runs without stemming"]

    def build(self, docs: list[Doc], folder: Path) -> None:
        import bm25s

        self._bm25s = bm25s
        self._stemmer = _english_stemmer()
        self._ids = [doc.id for doc in docs]
        texts = [f"{doc.title}\n{doc.body}" for doc in docs]
        tokens = bm25s.tokenize(texts, stopwords="en", stemmer=self._stemmer, show_progress=False)
        self._retriever = bm25s.BM25()
        self._retriever.index(tokens, show_progress=False)

    def search(self, query: str, k: int) -> Hits:
        words = self._bm25s.tokenize(
            [query[:MAX_QUERY]], stopwords="en", stemmer=self._stemmer, return_ids=False, show_progress=False
        )[0]
        # bm25s cannot score a word it never indexed; with none left there is no answer.
        known = [w for w in words if w and w in self._retriever.vocab_dict]
        if not known:
            return []
        found, scores = self._retriever.retrieve([known], k=min(k, len(self._ids)), show_progress=False)
        # bm25s fills the top k with zero-score documents when fewer match.
        return [(self._ids[i], float(s)) for i, s in zip(found[0], scores[0], strict=True) if s > 0]


def _english_stemmer() -> Any:
    """PyStemmer's English (Snowball) stemmer, or None without PyStemmer."""
    try:
        import Stemmer
    except ImportError:
        return None
    return Stemmer.Stemmer("english")


class Fts5Peer(Peer):
    """SQLite FTS5 (Porter over unicode61), bm25() ranking, every query word quoted and ORed."""

    name = "fts5"

    def version(self) -> str:
        return f"SQLite {sqlite3.sqlite_version}"

    def missing(self) -> list[str]:
        try:
            sqlite3.connect(":memory:").execute("CREATE VIRTUAL TABLE probe USING fts5(text)")
        except sqlite3.OperationalError:
            return ["sqlite3 with FTS5"]
        return []

    def build(self, docs: list[Doc], folder: Path) -> None:
        self._db = sqlite3.connect(_fresh(folder) / "fts5.sqlite")
        self._db.execute(
            "CREATE VIRTUAL TABLE docs USING fts5(docid UNINDEXED, title, body, tokenize='porter unicode61')"
        )
        self._db.executemany("INSERT INTO docs VALUES (?, ?, ?)", ((d.id, d.title, d.body) for d in docs))
        self._db.commit()

    def search(self, query: str, k: int) -> Hits:
        # Quoted, each word is a plain string to FTS5: "NOT", "-" or ":" in a question are no syntax.
        words = dict.fromkeys(_WORD.findall(query[:MAX_QUERY].lower()))
        if not words:
            return []
        match = " OR ".join(f'"{word}"' for word in words)
        rows = self._db.execute(
            "SELECT docid, -bm25(docs) FROM docs WHERE docs MATCH ? ORDER BY bm25(docs) LIMIT ?", (match, k)
        )
        return [(docid, float(score)) for docid, score in rows]

    def close(self) -> None:
        if hasattr(self, "_db"):
            self._db.close()


class TantivyPeer(Peer):
    """tantivy: title + body with en_stem, parse_query over both fields, any word may match."""

    name = "tantivy"
    packages = ("tantivy",)
    distribution = "tantivy"

    def build(self, docs: list[Doc], folder: Path) -> None:
        import tantivy

        builder = tantivy.SchemaBuilder()
        builder.add_text_field("docid", stored=True, tokenizer_name="raw")
        builder.add_text_field("title", tokenizer_name="en_stem")
        builder.add_text_field("body", tokenizer_name="en_stem")
        self._index = tantivy.Index(builder.build(), path=str(_fresh(folder)), reuse=False)
        writer = self._index.writer()
        for doc in docs:
            writer.add_document(tantivy.Document(docid=doc.id, title=doc.title, body=doc.body))
        writer.commit()
        writer.wait_merging_threads()
        self._index.reload()
        self._searcher = self._index.searcher()

    def search(self, query: str, k: int) -> Hits:
        # Words only, lower-cased: no field:, quotes, +/- or AND/OR/NOT reach the query parser.
        words = _WORD.findall(query[:MAX_QUERY].lower())
        if not words:
            return []
        parsed = self._index.parse_query(" ".join(words), ["title", "body"])  # disjunction by default
        hits = self._searcher.search(parsed, k).hits
        return [(self._searcher.doc(address)["docid"][0], float(score)) for score, address in hits]


PEERS: dict[str, type[Peer]] = {peer.name: peer for peer in (WhooshPeer, Bm25sPeer, Fts5Peer, TantivyPeer)}
