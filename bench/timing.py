"""Wall-clock timing and the two latency percentiles every table shows."""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def stopwatch(laps: list[float]) -> Iterator[None]:
    """Append the milliseconds the block took to `laps` (perf_counter: monotonic, high resolution)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        laps.append((time.perf_counter() - started) * 1000)


def percentile(laps: list[float], share: int) -> float:
    """The `share`-th percentile, interpolated between ranks; 0 for no laps.

    >>> percentile([1.0, 2.0, 3.0, 4.0, 5.0], 50)
    3.0
    >>> round(percentile([float(i) for i in range(1, 101)], 95), 2)
    95.05
    """
    if not laps:
        return 0.0
    if len(laps) == 1:
        return laps[0]
    return statistics.quantiles(laps, n=100, method="inclusive")[share - 1]
