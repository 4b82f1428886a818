"""A finished generation -> replica index folders, all or none.

Stages: copy the live generation into every replica (a local folder, or anything
rsync reaches: `host:/path`, `rsync://host/module/path`), check each copy is whole,
and only then point each replica's CURRENT at it.  Until its CURRENT moves a replica
serves its previous generation, so a failed or killed publish leaves every replica
where it was; a flip that fails part-way is rolled back on the replicas already
flipped.  A replica folder is laid out like any index folder (indexer.store), so a
replica's own `healthsearch serve` moves to the new generation on its next request.

Local copies hard-link files that the replica's live generation already holds
unchanged (Whoosh never rewrites a segment), like `rsync --link-dest`.
"""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from indexer.store import POINTER, IndexMissing, IndexStore, write_atomic

RSYNC = "rsync"


class PublishError(RuntimeError):
    """A replica could not take the generation; no replica was moved to it."""


@dataclass(frozen=True)
class Replica:
    """One target: a local index folder, or an rsync destination."""

    target: str

    @property
    def is_remote(self) -> bool:
        return "://" in self.target or (":" in self.target.split("/", 1)[0])

    @property
    def local(self) -> IndexStore:
        return IndexStore(self.target)


def publish(store: IndexStore, targets: list[str]) -> str:
    """Copy the live generation of `store` to every target, then flip them all; its name, or PublishError."""
    generation = store.current_dir()
    if generation is None:
        raise IndexMissing(f"no index at {store.root}: nothing to publish")
    replicas = [Replica(target) for target in targets]
    for replica in replicas:
        _copy(generation, replica)
    flipped: list[tuple[Replica, str | None]] = []
    try:
        for replica in replicas:
            flipped.append((replica, _pointer(replica)))
            _flip(replica, generation.name)
    except (OSError, subprocess.CalledProcessError) as error:
        failed = flipped[-1][0].target
        for replica, previous in flipped[:-1]:
            if previous:
                _flip(replica, previous)
        raise PublishError(f"{failed}: could not switch to {generation.name}: {error}") from error
    for replica in replicas:
        if not replica.is_remote:
            replica.local.prune()
    return generation.name


def _copy(generation: Path, replica: Replica) -> None:
    try:
        if replica.is_remote:
            _rsync(f"{generation}/", f"{replica.target.rstrip('/')}/{generation.name}/", "--delete")
        else:
            _copy_local(generation, Path(replica.target))
    except (OSError, subprocess.CalledProcessError) as error:
        raise PublishError(f"{replica.target}: the copy of {generation.name} failed: {error}") from error


def _copy_local(generation: Path, root: Path) -> None:
    """Copy aside, check, rename into place: a generation folder at a replica is always whole."""
    root.mkdir(parents=True, exist_ok=True)
    final = root / generation.name
    if final.is_dir() and _same_files(generation, final):
        return  # published there before (a retried publish)
    previous = IndexStore(root).current_dir()
    staging = Path(tempfile.mkdtemp(prefix=f".incoming-{generation.name}-", dir=root))
    for relative in _files(generation):
        source, target = generation / relative, staging / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        kept = previous / relative if previous else None
        if kept is not None and kept.is_file() and filecmp.cmp(source, kept, shallow=False):
            os.link(kept, target)
        else:
            shutil.copy2(source, target)
    if not _same_files(generation, staging):
        raise OSError(f"the copy in {staging} differs from {generation}")
    shutil.rmtree(final, ignore_errors=True)  # a half copy by a killed publish of the same generation
    staging.rename(final)


def _files(folder: Path) -> dict[Path, int]:
    """Every file in a generation, subfolders included (its derived tables), by relative path, with its size.

    Names starting with a dot are a writer's files in progress (engine.persisted), not the generation's.
    """
    found = (p for p in folder.rglob("*") if p.is_file() and not p.name.startswith("."))
    return {p.relative_to(folder): p.stat().st_size for p in found}


def _same_files(left: Path, right: Path) -> bool:
    """Every file of `left` is in `right` at its size; a replica may hold more it derived itself."""
    return all((right / n).is_file() and (right / n).stat().st_size == size for n, size in _files(left).items())


def _pointer(replica: Replica) -> str | None:
    """The generation a replica serves now, so a failed flip can put it back."""
    if replica.is_remote:
        with tempfile.TemporaryDirectory() as scratch:
            try:
                _rsync(f"{replica.target.rstrip('/')}/{POINTER}", f"{scratch}/{POINTER}")
            except subprocess.CalledProcessError:
                return None
            return Path(scratch, POINTER).read_text().strip()
    current = replica.local.current_dir()
    return current.name if current else None


def _flip(replica: Replica, name: str) -> None:
    """Point the replica at `name` in one rename (rsync, too, writes aside and renames)."""
    if not replica.is_remote:
        write_atomic(Path(replica.target) / POINTER, name + "\n")
        return
    with tempfile.TemporaryDirectory() as scratch:
        Path(scratch, POINTER).write_text(name + "\n")
        _rsync(f"{scratch}/{POINTER}", f"{replica.target.rstrip('/')}/{POINTER}")


def _rsync(source: str, destination: str, *options: str) -> None:
    if shutil.which(RSYNC) is None:
        raise OSError("rsync is not installed; it is needed for targets that are not local folders")
    subprocess.run([RSYNC, "-a", "--checksum", *options, source, destination], check=True, capture_output=True)
