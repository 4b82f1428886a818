"""Per-generation tables: prepared by the build, kept in the generation, loaded (not computed) by other processes."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from engine import executor, library, names, persisted
from engine.names import names_in
from engine.search import SCORING
from engine.synonyms import Synonyms
from indexer.build import build_index
from indexer.schema import name_key
from indexer.store import DERIVED, IndexStore
from search_app import suggest
from search_app.cli import main
from search_app.prepare import prepare_generation


def counting(monkeypatch: pytest.MonkeyPatch, module: object, name: str) -> list[int]:
    """Replace module.name by a wrapper that counts its calls."""
    calls: list[int] = []
    original = getattr(module, name)

    def wrapper(*args: object) -> object:
        calls.append(1)
        return original(*args)

    monkeypatch.setattr(module, name, wrapper)
    return calls


def as_new_process() -> None:
    executor._STATES.clear()  # what a new worker starts with


def test_the_build_prepares_the_tables_before_publishing(tmp_path: Path, small_corpus: Path) -> None:
    seen: list[set[str]] = []

    def look(generation: Path) -> None:
        prepare_generation(generation)
        seen.append({p.stem for p in (generation / DERIVED / persisted.code_version()).iterdir()})

    store = IndexStore(tmp_path / "ix")
    build_index([small_corpus], store, prepare=look)
    assert {"richness", "names_by_word", "facets", "a_to_z", "title_rank", "field_lengths.content"} <= seen[0]
    result = CliRunner().invoke(main, ["index", str(small_corpus), "--index", str(tmp_path / "cli"), "--rebuild"])
    assert result.exit_code == 0
    assert (IndexStore(tmp_path / "cli").current_dir() / DERIVED / persisted.code_version() / "richness.npy").exists()


def test_another_process_loads_instead_of_computing(
    tmp_path: Path, small_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = IndexStore(tmp_path / "ix")
    build_index([small_corpus], store, prepare=prepare_generation)
    as_new_process()
    computed = counting(monkeypatch, names, "_names_by_word")
    with store.open().searcher(weighting=SCORING) as searcher:
        assert names_in(searcher, {"gout"}) == {"gout"}
        rank = library.title_rank(searcher)
    assert computed == [] and isinstance(rank, np.memmap)
    read = counting(monkeypatch, suggest, "_names_of")
    assert any(name.title == "Gout" for own in suggest.articles_names(store.current_dir()) for name in own)
    assert read == [], "the search box's names were read from the index again"
    monkeypatch.setattr(persisted, "code_version", lambda: "other code")
    as_new_process()
    with store.open().searcher(weighting=SCORING) as searcher:
        assert names_in(searcher, {"gout"}) == {"gout"}
    assert computed == [1], "tables derived by other code are not reused"


def test_a_new_generation_derives_its_own(tmp_path: Path, small_corpus: Path) -> None:
    store = IndexStore(tmp_path / "ix")
    build_index([small_corpus], store, prepare=prepare_generation)
    (small_corpus / "extra.html").write_text("<article><h1>Shingles</h1><h2>Symptoms</h2><p>A painful rash.</p>")
    build_index([small_corpus], store, prepare=prepare_generation)
    as_new_process()
    with store.open().searcher(weighting=SCORING) as searcher:
        assert len(library.title_rank(searcher)) == searcher.doc_count_all() == 5
        assert name_key("Shingles") in names_in(searcher, set(name_key("Shingles").split()))


def test_an_unwritable_generation_still_serves(tmp_path: Path, small_corpus: Path) -> None:
    store = IndexStore(tmp_path / "ix")
    build_index([small_corpus], store)
    (store.current_dir() / DERIVED).write_text("a file where the folder would go")
    as_new_process()
    with store.open().searcher(weighting=SCORING) as searcher:
        assert len(library.title_rank(searcher)) == 4


def test_the_search_box_suggester_is_loaded_not_built(
    tmp_path: Path, small_corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = IndexStore(tmp_path / "ix")
    build_index([small_corpus], store, prepare=prepare_generation)
    built = counting(monkeypatch, suggest, "entries_of")
    suggester = suggest.suggester_for(store.current_dir())
    assert suggester.suggest("gou")[0].entry.text == "Gout"
    assert built == [], "the build kept the suggester in the generation: a worker loads it"
    other_table = Synonyms([("gout", "podagra")])
    first = suggest.suggester_for(store.current_dir(), other_table).suggest("podag")[0]
    assert built == [1] and first.entry.text == "Podagra → Gout", "names made with another synonym table are not reused"


def test_a_table_of_arrays_is_kept_as_arrays_each_mapped_on_load(tmp_path: Path) -> None:
    table = {"rows": np.arange(5, dtype=np.int64), "anchors": np.array(["overview", "symptoms"])}
    persisted.save(tmp_path, "lineup", table)
    loaded = persisted.load(tmp_path, "lineup")
    assert set(loaded) == {"rows", "anchors"} and all(isinstance(a, np.memmap) for a in loaded.values())
    assert np.array_equal(loaded["rows"], table["rows"]) and list(loaded["anchors"]) == ["overview", "symptoms"]
    assert not list((tmp_path / DERIVED / persisted.code_version()).glob("*.pickle"))
    persisted.save(tmp_path, "lineup", {"rows": np.zeros(2)})  # a second writer loses the race quietly
    assert np.array_equal(persisted.load(tmp_path, "lineup")["rows"], table["rows"])
    assert [p.name for p in (tmp_path / DERIVED / persisted.code_version()).iterdir()] == ["lineup.arrays"]
