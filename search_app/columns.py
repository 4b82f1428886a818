"""Many strings, or many lists of numbers, as a few flat numpy arrays: kept in a generation, mapped by workers.

A table (name -> array, as engine.persisted keeps and maps it) holds strings as one
UTF-8 buffer and their offsets (``pack_strings``, read back by ``Strings``), lists
of numbers as compressed sparse rows (``pack_lists``), and sorted strings in forms
numpy can bisect (``Sorted``, ``Vocabulary``).  Reading one decodes one string: a
process keeps no Python object per item, so the pages stay the kernel's, shared.

>>> names = Strings(pack_strings("names", ["Acne", "Sjögren's Syndrome"]), "names")
>>> len(names), names[1]
(2, "Sjögren's Syndrome")
>>> words = Vocabulary(Vocabulary.pack(["acne", "acute", "asthma"]))
>>> words.spans(["ac", "ast", "acutely"])
[(0, 2), (2, 3), (2, 2)]
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Mapping, Sequence

import numpy as np

Table = Mapping[str, np.ndarray]  # named arrays, as engine.persisted keeps and maps them
HEAD_BYTES = 16  # of each sorted string, kept at a fixed width for numpy to bisect


def _offsets(lengths: Sequence[int]) -> np.ndarray:
    """Where each of a run of parts starts, and where the last one ends."""
    ends = np.cumsum(np.asarray(lengths, dtype=np.int64))
    offsets = np.concatenate([np.zeros(1, dtype=np.int64), ends])
    return offsets.astype(np.int32) if offsets[-1] < 2**31 else offsets


def pack_strings(name: str, strings: Sequence[str]) -> Table:
    """Strings as one UTF-8 buffer and their offsets: two arrays instead of a Python object each."""
    encoded = [text.encode() for text in strings]
    return {
        name: np.frombuffer(b"".join(encoded), dtype=np.uint8),
        f"{name}_offsets": _offsets(list(map(len, encoded))),
    }


def pack_lists(name: str, lists: Sequence[Sequence[int]]) -> Table:
    """Lists of numbers end to end and their offsets (compressed sparse rows)."""
    flat = np.fromiter((n for numbers in lists for n in numbers), dtype=np.int32)
    return {name: flat, f"{name}_offsets": _offsets(list(map(len, lists)))}


class Strings(Sequence[str]):
    """The strings `pack_strings` packed, each decoded when asked for (bisect reads a sorted one)."""

    def __init__(self, table: Table, name: str) -> None:
        self._data = memoryview(table[name])
        self._offsets = memoryview(table[f"{name}_offsets"])  # its items are Python ints: no numpy scalar per read
        self._size = len(self._offsets) - 1

    def __len__(self) -> int:
        return self._size

    def __getitem__(self, number: int) -> str:  # type: ignore[override]  # no slices
        if not 0 <= number < self._size:
            raise IndexError(number)
        return str(self._data[self._offsets[number] : self._offsets[number + 1]], "utf-8")


class Sorted(Sequence[str]):
    """Strings read in the order that sorts them, with the first HEAD_BYTES of each (UTF-8, which sorts as
    the text does) at a fixed width: numpy bisects the heads, Python only the few strings sharing one."""

    def __init__(self, strings: Strings, order: np.ndarray, heads: np.ndarray) -> None:
        self._strings = strings
        self._order = memoryview(order)
        self._heads = heads

    @staticmethod
    def heads(strings: Sequence[str], order: Sequence[int]) -> np.ndarray:
        return np.array([strings[n].encode()[:HEAD_BYTES] for n in order], dtype=f"S{HEAD_BYTES}")

    def __len__(self) -> int:
        return len(self._order)

    def __getitem__(self, position: int) -> str:  # type: ignore[override]
        return self._strings[self._order[position]]

    def position(self, text: str, after_equals: bool = False) -> int:
        """Where `text` goes among the sorted strings: before the strings equal to it, or after them."""
        head = text.encode()[:HEAD_BYTES]
        low, high = self._heads.searchsorted(head, "left"), self._heads.searchsorted(head, "right")
        return (bisect_right if after_equals else bisect_left)(self, text, int(low), int(high))


class Vocabulary(Sequence[str]):
    """Sorted words as fixed-width UTF-8 (a byte wider than the longest), so numpy bisects many prefixes at once.

    UTF-8 sorts as the text does, and no UTF-8 holds the byte 0xff: the words that
    start with a prefix are those from the prefix up to the prefix and 0xff.
    """

    def __init__(self, words: np.ndarray) -> None:
        self._words = words

    @staticmethod
    def pack(words: Sequence[str]) -> np.ndarray:
        encoded = [word.encode() for word in words]
        return np.array(encoded, dtype=f"S{1 + max(map(len, encoded), default=0)}")

    def __len__(self) -> int:
        return len(self._words)

    def __getitem__(self, number: int) -> str:  # type: ignore[override]
        return self._words[number].decode()

    def decoded(self, numbers: np.ndarray) -> tuple[str, ...]:
        return tuple(word.decode() for word in self._words[numbers].tolist())

    def spans(self, prefixes: Sequence[str]) -> list[tuple[int, int]]:
        """For each prefix, the range of words that start with it (empty for one longer than every word)."""
        encoded = [prefix.encode() for prefix in prefixes]
        width = self._words.dtype.itemsize
        lows = np.searchsorted(self._words, np.array(encoded, dtype=self._words.dtype)).tolist()
        highs = np.searchsorted(self._words, np.array([e + b"\xff" for e in encoded], dtype=self._words.dtype))
        return [(lo, hi if len(e) < width else lo) for lo, hi, e in zip(lows, highs.tolist(), encoded, strict=True)]


def prefixed(prefix: str, table: Table) -> Table:
    return {prefix + key: array for key, array in table.items()}


def part(table: Table, prefix: str) -> Table:
    return {key.removeprefix(prefix): array for key, array in table.items() if key.startswith(prefix)}


def ranges(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Every position of each [start, end) range, end to end, and where each range's positions begin."""
    lengths = ends - starts
    firsts = np.cumsum(lengths) - lengths
    return np.arange(firsts[-1] + lengths[-1]) + np.repeat(starts - firsts, lengths), firsts


def smallest(numbers: np.ndarray, count: int) -> list[int]:
    """The `count` smallest of distinct numbers, ascending (heapq.nsmallest over an array)."""
    if len(numbers) > count:
        numbers = np.partition(numbers, count - 1)[:count]
    return np.sort(numbers).tolist()
