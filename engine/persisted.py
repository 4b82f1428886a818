"""Data derived from one index generation, kept in the generation itself: computed once, loaded by every worker.

Stages: a value derived from a generation (a quality prior, name tables, facet
postings, the A–Z, the search box's suggester) is looked up in `<generation>/derived/`; when it is missing it is
computed and written there (aside, then renamed into place), so the build — which
answers a first request before it publishes (search_app.prepare) — or else the first
worker pays for it, once.  Every later process loads it instead: arrays (and tables of
arrays, a folder of them) memory-mapped, so the workers of one machine share their pages;
other values unpickled.  A
generation is never changed after it is published, so what is stored stays true for
it; the code that derived it may change, so each version of the code keeps its own
subfolder (named by a hash of the code's source).  A build copies the previous
generation without this folder.
"""

from __future__ import annotations

import gc
import hashlib
import os
import pickle
import shutil
import tempfile
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

import numpy as np
from whoosh.searching import Searcher

from indexer.store import DERIVED

MISSING = object()
# the engine derives these tables from what indexer wrote; search_app keeps its search box's names here too
CODE = tuple(Path(__file__).resolve().parent.parent / package for package in ("engine", "indexer", "search_app"))


@cache
def code_version() -> str:
    """A hash of the source of engine, indexer and search_app: derived data of other code is not reused."""
    digest = hashlib.sha256()
    for path in sorted(p for folder in CODE for p in folder.rglob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _folder(generation: Path) -> Path:
    return generation / DERIVED / code_version()


def generation_folder(searcher: Searcher) -> Path | None:
    """The generation folder a searcher reads, when it was opened from a folder."""
    index = getattr(searcher, "_ix", None)
    folder = getattr(getattr(index, "storage", None), "folder", None)
    return Path(folder) if folder else None


def load(generation: Path, name: str) -> Any:
    """The stored value, or MISSING (never stored, or unreadable: then it is computed again)."""
    folder = _folder(generation)
    try:
        if (folder / f"{name}.npy").exists():
            return np.load(folder / f"{name}.npy", mmap_mode="r")
        if (folder / f"{name}.arrays").is_dir():
            return {path.stem: np.load(path, mmap_mode="r") for path in (folder / f"{name}.arrays").glob("*.npy")}
        with open(folder / f"{name}.pickle", "rb") as handle:
            return _unpickle(handle)
    except (OSError, ValueError, EOFError, pickle.UnpicklingError):
        return MISSING


def _unpickle(handle: BinaryIO) -> Any:
    """pickle.load with the cycle collector paused: a load makes many objects (the suggester's 60,000
    entries), none of them garbage yet, and the collector's passes over them took half its time."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.load(handle)
    finally:
        if was_enabled:
            gc.enable()


def save(generation: Path, name: str, value: Any) -> None:
    """Store a value for the other processes; a folder this process may not write only means they compute it too."""
    folder = _folder(generation)
    if _is_table(value):
        _save_table(folder, name, value)
        return
    is_array = _is_array(value)
    target = folder / f"{name}.{'npy' if is_array else 'pickle'}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=folder, prefix=f".{name}.")
        with os.fdopen(handle, "wb") as stream:
            if is_array:
                np.save(stream, value, allow_pickle=False)
            else:
                pickle.dump(value, stream, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temporary, target)
    except OSError:
        pass


def _is_array(value: Any) -> bool:
    return isinstance(value, np.ndarray) and value.dtype != object


def _is_table(value: Any) -> bool:
    """A dict of named arrays: kept as a folder of them, so each is memory-mapped on load."""
    return (
        isinstance(value, dict)
        and bool(value)
        and all(isinstance(key, str) and key.isidentifier() and _is_array(array) for key, array in value.items())
    )


def _save_table(folder: Path, name: str, table: dict[str, np.ndarray]) -> None:
    """The arrays written in a folder aside, then renamed into place whole."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(dir=folder, prefix=f".{name}."))
    except OSError:  # a folder this process may not write
        return
    try:
        for key, array in table.items():
            np.save(temporary / f"{key}.npy", array, allow_pickle=False)
        os.replace(temporary, folder / f"{name}.arrays")
    except OSError:  # read-only, or another process put the same table in place first
        shutil.rmtree(temporary, ignore_errors=True)
