"""Which files a build may read: inside its source folder, through no link, never the app's private files.

Whatever a build reads it publishes, and a corpus is edited by people who can
put a link where an article belongs (``passwd.txt -> /etc/passwd``,
``notes.txt -> instance/secret_key``).  So every path is resolved and must stay
inside the source folder; symbolic links are refused unless ``follow_links``
allows those that stay inside; folders are never entered through a link (no
loops, no escape); and the app's private files — its instance folder, query
log, staff accounts, secret key, the index itself — are never read, whether
named, linked or hard-linked.  The checks run again on the open file, so a
file swapped for a link between the scan and the read is refused too.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

from indexer.article import ParseError

LINK = "symbolic link: not followed (`--follow-links` reads links that stay inside the source folder)"
LINK_OUTSIDE = "symbolic link to a file outside the source folder: not read"
LINK_NOWHERE = "symbolic link that leads nowhere (missing target or a loop): not read"
FOLDER_LINK = "symbolic link to a folder: not entered"
OUTSIDE = "resolves to a file outside the source folder: not read"
PRIVATE = "one of the app's private files (instance folder, query log, staff accounts, secret key, index): not read"
NOT_REGULAR = "not a regular file: not read"


@dataclass(frozen=True)
class ReadRules:
    """How a build may read its sources: the one option, and the paths it must never read."""

    follow_links: bool = False
    private: tuple[Path, ...] = ()  # folders and files


class Confined:
    """One source folder's fence: answers whether a path inside it may be read, and reads it if so."""

    def __init__(self, root: Path, rules: ReadRules) -> None:
        self.root = root.resolve()
        self.follow_links = rules.follow_links
        self.private = tuple(Path(os.path.realpath(p)) for p in rules.private)
        # Hard links share an inode, not a path: compare (device, inode) as well, for the private
        # files and those at the top of the private folders (the secret key, the databases).
        self.private_inodes = {inode for p in self.private for inode in _inodes_at(p)}

    def is_private(self, path: Path) -> bool:
        """Whether a resolved path is, or lies inside, one of the private paths."""
        return any(_within(path, p) for p in self.private)

    def refusal(self, path: Path) -> str:
        """Why the file at `path` may not be read ('' when it may)."""
        try:
            own = os.lstat(path)
        except OSError as error:
            return f"cannot be read: {error.strerror}"
        if stat.S_ISLNK(own.st_mode) and not self.follow_links:
            return LINK
        real = Path(os.path.realpath(path))
        if self.is_private(real):
            return PRIVATE
        if not _within(real, self.root):
            return LINK_OUTSIDE if stat.S_ISLNK(own.st_mode) else OUTSIDE
        try:
            target = os.stat(real)
        except OSError:
            return LINK_NOWHERE
        return self._refusal_of_target(target)

    def read(self, path: Path, most: int = -1) -> bytes:
        """The bytes (at most `most`) of a file the fence allows, checked on the open file; else ParseError.

        The walk checked the path; this checks the file actually opened, so a file
        swapped for a link (or a folder for a link to another) since then is refused.
        """
        flags = os.O_RDONLY | os.O_NONBLOCK | (0 if self.follow_links else getattr(os, "O_NOFOLLOW", 0))
        try:
            descriptor = os.open(path, flags)
        except OSError as error:
            raise ParseError(LINK if error.errno == getattr(os, "ELOOP", -1) else error.strerror) from error
        with os.fdopen(descriptor, "rb") as handle:
            opened = os.fstat(handle.fileno())
            real = _where(handle.fileno(), path, opened)
            if real is None or not _within(real, self.root):
                raise ParseError(OUTSIDE)
            reason = PRIVATE if self.is_private(real) else self._refusal_of_target(opened)
            if reason:
                raise ParseError(reason)
            data = handle.read(opened.st_size + 1)  # a buffer of `most` bytes per file costs more than the read
            if len(data) > opened.st_size:  # it grew meanwhile: read on, within the bound
                data += handle.read(-1 if most < 0 else max(0, most - len(data)))
            return data if most < 0 else data[:most]

    def _refusal_of_target(self, target: os.stat_result) -> str:
        if not stat.S_ISREG(target.st_mode):
            return NOT_REGULAR
        return PRIVATE if _inode(target) in self.private_inodes else ""


def _inodes_at(path: Path) -> set[tuple[int, int]]:
    """The inode of the file at `path`, or of the files directly inside the folder at `path`.

    Files that vanish meanwhile (a database's journal) or cannot be listed are left out.
    """
    try:
        names = [entry.path for entry in os.scandir(path)] if path.is_dir() else [path]
    except OSError:
        return set()
    inodes = set()
    for name in names:
        try:
            found = os.stat(name)
        except OSError:
            continue
        if stat.S_ISREG(found.st_mode):
            inodes.add(_inode(found))
    return inodes


def _within(path: Path, folder: Path) -> bool:
    """Whether a resolved path is `folder` or inside it (compared as text: one per file, thousands per build)."""
    inner, outer = str(path), str(folder)
    return inner == outer or inner.startswith(outer.rstrip(os.sep) + os.sep)


def _where(descriptor: int, path: Path, opened: os.stat_result) -> Path | None:
    """Where an open file really is: the kernel's own answer on Linux, else the resolved path if it is that file."""
    try:
        return Path(os.readlink(f"/proc/self/fd/{descriptor}"))
    except OSError:
        pass
    real = os.path.realpath(path)
    try:
        return Path(real) if _inode(os.stat(real)) == _inode(opened) else None
    except OSError:
        return None


def _inode(result: os.stat_result) -> tuple[int, int]:
    return result.st_dev, result.st_ino
