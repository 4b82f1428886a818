"""The index folder: numbered generations, a pointer to the live one, a build lock.

Layout::

    INDEX_DIR/CURRENT        name of the live generation, replaced atomically
    INDEX_DIR/gen-000007/    a complete Whoosh index plus manifest.json
    INDEX_DIR/.build.lock    held (flock) by the one build that may run

A build writes a new generation beside the live one and only then rewrites
CURRENT, so readers see the old index or the new one, never half of one. The
lock is an OS lock: it vanishes with a killed process, so a stale lock never
blocks the next build for longer than its last processes take to exit.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import shutil
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from whoosh.index import Index

from indexer.mapped import open_mapped

POINTER = "CURRENT"
MANIFEST = "manifest.json"
DERIVED = "derived"  # what serving computes from a generation, kept in it (engine.persisted)
KEEP_PREVIOUS = 2  # older generations kept for readers that still have them open
LOCK_WAIT = 10.0  # seconds a build waits for one that is ending
_GENERATION = re.compile(r"^gen-(\d{6})$")


class IndexMissing(RuntimeError):
    """No index has been built at this location yet."""


class BuildLocked(RuntimeError):
    """Another build is writing this index right now."""


class IndexStore:
    """One index location and its generations."""

    def __init__(self, root: Path | str) -> None:
        self.root = Path(root)

    def current_dir(self) -> Path | None:
        try:
            name = (self.root / POINTER).read_text().strip()
        except FileNotFoundError:
            return None
        path = self.root / name
        return path if _GENERATION.match(name) and path.is_dir() else None

    def exists(self) -> bool:
        return self.current_dir() is not None

    def open(self, generation: Path | None = None) -> Index:
        """The live Whoosh index (or the given generation of it); IndexMissing when nothing was built yet."""
        current = generation or self.current_dir()
        if current is None:
            raise IndexMissing(f"no index at {self.root}: run `healthsearch index SOURCE` first")
        return open_mapped(current)

    def manifest(self) -> dict:
        current = self.current_dir()
        if current is None:
            return {}
        try:
            return json.loads((current / MANIFEST).read_text())
        except (FileNotFoundError, json.JSONDecodeError):
            return {}

    def generation(self) -> int:
        current = self.current_dir()
        return int(current.name[4:]) if current else 0

    def new_generation(self, copy_current: bool) -> Path:
        """A fresh generation folder, holding a copy of the live index when asked."""
        numbers = [int(m.group(1)) for p in self._generations() if (m := _GENERATION.match(p.name))]
        path = self.root / f"gen-{max(numbers, default=0) + 1:06d}"
        current = self.current_dir()
        if copy_current and current is not None:
            shutil.copytree(current, path, ignore=shutil.ignore_patterns(DERIVED))  # true of that generation only
        else:
            path.mkdir(parents=True)
        return path

    def publish(self, generation: Path, manifest: dict) -> None:
        """Make `generation` the live index in one atomic rename."""
        write_atomic(generation / MANIFEST, json.dumps(manifest, indent=1, sort_keys=True))
        write_atomic(self.root / POINTER, generation.name + "\n")
        self.prune()

    def prune(self) -> None:
        """Remove unfinished generations and all but the last few published ones."""
        current = self.current_dir()
        if current is None:
            return
        keep = {current.name}
        older = sorted((p for p in self._generations() if p.name < current.name), reverse=True)
        keep.update(p.name for p in older[:KEEP_PREVIOUS])
        for path in self._generations():
            if path.name not in keep:
                shutil.rmtree(path, ignore_errors=True)

    @contextmanager
    def lock(self, wait: float = 0.0) -> Iterator[None]:
        """Hold the build lock, waiting up to `wait` seconds; BuildLocked when a live process keeps it.

        The writer processes a build forks share its lock, and so keep the next
        build from touching files they may still write; killed with the build
        (indexer.writer tethers them), they let it go at once.
        """
        self.root.mkdir(parents=True, exist_ok=True)
        deadline = time.monotonic() + wait
        with open(self.root / ".build.lock", "a+") as handle:
            while True:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError as error:
                    if time.monotonic() >= deadline:
                        raise BuildLocked(f"another build is writing {self.root}; try again when it ends") from error
                    time.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

    def _generations(self) -> list[Path]:
        if not self.root.is_dir():
            return []
        return sorted(p for p in self.root.iterdir() if p.is_dir() and _GENERATION.match(p.name))


def generation_of(index: Index) -> int:
    """The generation an opened index belongs to (it may no longer be the live one)."""
    return int(Path(index.storage.folder).name[4:])


def write_atomic(path: Path, text: str) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with open(temporary, "w") as handle:
        handle.write(text)
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, path)
