"""The scale benchmark's copies: their pages carry their donors' vectors, so a 10x build embeds nothing new."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from bench.corpus import Doc, Section
from bench.scale import donor_of, page_id, scaled_docs, seed_copy_vectors, write_pages
from indexer.build import build_index
from indexer.store import IndexStore
from indexer.vectors import read_vectors

WORDS = "the swelling of the joint comes on at night and eases with rest and cold packs over some days "

DOCS = [
    Doc("gout", "Gout", (Section("information", WORDS * 3), Section("symptoms", "A red, hot big toe. " * 20))),
    Doc("asthma", "Asthma", (Section("information", "Airways narrow and swell. " * 30),)),
    Doc("acne", "Acne", (Section("information", "Spots on the face. " * 12), Section("treatment", WORDS * 12))),
]


def test_a_scaled_build_takes_every_copy_vector_from_its_donor(tmp_path: Path) -> None:
    factor = 3
    one = IndexStore(tmp_path / "scale" / "index-1x")
    build_index([write_pages(DOCS, tmp_path / "scale" / "1x")], one)
    cache = seed_copy_vectors(DOCS, factor, tmp_path / "scale" / "index-1x", tmp_path / "scale" / "vectors-3x")
    pages = write_pages(scaled_docs(DOCS, factor), tmp_path / "scale" / "3x")
    report = build_index([pages], IndexStore(tmp_path / "index-3x"), vector_cache=cache)
    assert report.vectors is not None and report.vectors.embedded == 0
    assert report.vectors.rows > 0
    built = read_vectors(IndexStore(tmp_path / "index-3x").current_dir())
    by_article: dict[str, list[np.ndarray]] = {}
    for (article_id, _, _), vector in zip(built.rows, built.matrix, strict=True):
        by_article.setdefault(article_id, []).append(vector)
    for number, doc in enumerate(DOCS):
        copy = Doc(f"{doc.id}-copy2", doc.title, ())
        donor = donor_of(number, 2, len(DOCS))
        copied = by_article[page_id(2 * len(DOCS) + number, copy)]
        assert np.array_equal(np.array(copied), np.array(by_article[page_id(donor, DOCS[donor])]))
