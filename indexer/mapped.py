"""Open a generation so that its segments stay in the page cache, shared by every worker.

Whoosh maps a segment file, but then wraps each part of it (postings, stored fields,
term index) in a `BytesIO`, which copies the part into the process: at ten times
MedQuAD that is about 300 MB of private memory per worker, the same bytes in every
worker. Here each part is a read-only view into the map instead, so a worker holds
only the pages it touches, and those pages are the kernel's, shared with every other
process that reads the same generation.
"""

from __future__ import annotations

import contextlib
import mmap
import os
from pathlib import Path

from whoosh.filedb.filestore import FileStorage
from whoosh.filedb.structfile import BufferFile, StructFile
from whoosh.index import Index

PEEK_BYTES = 1024  # what a peek shows: more than a posting block's pickled header


def open_mapped(generation: Path | str) -> Index:
    """The Whoosh index in `generation`, read through shared maps; for readers only."""
    return MappedStorage(str(generation)).open_index()


class MappedStorage(FileStorage):
    """A read-only FileStorage whose compound segments hand out views, not copies."""

    def __init__(self, path: str) -> None:
        # supports_mmap=False makes Whoosh ask the segment file for its parts (subset),
        # which this storage's files answer with views into their own map.
        super().__init__(path, supports_mmap=False, readonly=True)

    def open_file(self, name: str, **kwargs) -> StructFile:
        return _MappableFile(open(self._fpath(name), "rb"), name=name, **kwargs)


class _MappableFile(StructFile):
    """A segment file that maps itself once, the first time a part of it is asked for."""

    _map: mmap.mmap | None = None

    def subset(self, offset: int, length: int, name: str | None = None) -> BufferFile:
        if self._map is None:
            if os.fstat(self.file.fileno()).st_size == 0:  # an empty file cannot be mapped
                return BufferFile(b"", name=name or self._name)
            self._map_and_close()
        return _ViewFile(memoryview(self._map)[offset : offset + length], name=name or self._name)

    def _map_and_close(self) -> None:
        """Map the file and let go of its descriptor (the map holds its own), as Whoosh does with its maps."""
        self._map = mmap.mmap(self.file.fileno(), 0, access=mmap.ACCESS_READ)
        position = self.file.tell()
        self.file.close()
        self.file = _ViewReader(memoryview(self._map))
        self.file.seek(position)
        self.is_real = False

    def close(self) -> None:
        super().close()
        if self._map is not None:
            with contextlib.suppress(BufferError):  # a part is still open: the map goes with its last view
                self._map.close()


class _ViewFile(BufferFile):
    """Whoosh's BufferFile over a view, reading through `_ViewReader` instead of a copy."""

    def __init__(self, view: memoryview, name: str | None = None) -> None:
        super().__init__(b"", name=name)
        self._buf = view
        self.file = _ViewReader(view)


class _ViewReader:
    """The part of the file interface Whoosh's StructFile reads through, over a view."""

    __slots__ = ("_position", "_view")

    def __init__(self, view: memoryview) -> None:
        self._view = view
        self._position = 0

    def read(self, size: int = -1) -> bytes:
        start = self._position
        end = len(self._view) if size is None or size < 0 else min(start + size, len(self._view))
        self._position = max(start, end)
        return bytes(self._view[start:end])

    def peek(self, size: int = 0) -> bytes:
        """Bytes ahead without moving; the unpickler parses these, then reads what it used."""
        return bytes(self._view[self._position : self._position + min(max(size, 1), PEEK_BYTES)])

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        base = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: len(self._view)}[whence]
        self._position = max(0, base + offset)
        return self._position

    def tell(self) -> int:
        return self._position

    def readline(self, size: int = -1) -> bytes:
        end = len(self._view) if size is None or size < 0 else min(self._position + size, len(self._view))
        found = bytes(self._view[self._position : end]).find(b"\n")
        return self.read(end - self._position if found < 0 else found + 1)

    def close(self) -> None:
        self._view = memoryview(b"")  # lets the map close once every part is closed
