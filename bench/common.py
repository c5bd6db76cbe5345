"""Small helpers shared by the workload implementations: answer checks and latency statistics."""

from __future__ import annotations

import gc
import statistics
import time
import tracemalloc
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

Metrics = dict[str, float]
Cases = dict[str, Metrics]

#: Suffix of a metric's twin computed from CPU time instead of wall-clock time.
CPU = "_cpu"


@dataclass(frozen=True)
class Span:
    """How long a timed pass took: wall-clock seconds and CPU seconds of the whole process.

    CPU time (``time.process_time``: every thread of this process) leaves out the time the OS
    gave to other processes, so on a shared, loaded machine it is the steadier measure; it also
    leaves out time spent idle waiting for a thread to wake up.
    """

    wall: float
    cpu: float


class Stopwatch:
    """``sw = Stopwatch()`` ... ``span = sw.stop()``."""

    __slots__ = ("_c0", "_t0")

    def __init__(self) -> None:
        self._t0 = time.perf_counter()
        self._c0 = time.process_time()

    def stop(self) -> Span:
        return Span(time.perf_counter() - self._t0, time.process_time() - self._c0)


def rate(key: str, n: float, span: Span) -> Metrics:
    """``n`` per second of ``span``, by wall clock (``key``) and by CPU time (``key + CPU``)."""
    return {key: n / span.wall, key + CPU: n / max(span.cpu, 1e-6)}


def median_rate(key: str, n: float, spans: Sequence[Span]) -> Metrics:
    """``rate`` of the median pass, by each clock."""
    return {
        key: n / statistics.median(s.wall for s in spans),
        key + CPU: n / max(statistics.median(s.cpu for s in spans), 1e-6),
    }


class WrongAnswer(AssertionError):
    """A workload finished but computed the wrong result (a lost or duplicated message...)."""


def expect(actual: Any, expected: Any, what: str) -> None:
    """Raise ``WrongAnswer`` unless ``actual == expected``."""
    if actual != expected:
        raise WrongAnswer(f"{what}: got {actual!r}, expected {expected!r}")


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """The ``q`` quantile (0..1) of already sorted values, nearest-rank."""
    if not sorted_values:
        raise ValueError("percentile of no values")
    k = max(0, min(len(sorted_values) - 1, round(q * (len(sorted_values) - 1))))
    return float(sorted_values[k])


def latency_metrics(latencies_ns: Sequence[int], expected_count: int, what: str) -> Metrics:
    """p50/p99 in microseconds of per-ask latencies, after checking none were lost."""
    expect(len(latencies_ns), expected_count, f"{what}: number of replies")
    lat = sorted(latencies_ns)
    return {
        "p50_us": percentile(lat, 0.50) / 1000.0,
        "p99_us": percentile(lat, 0.99) / 1000.0,
        "mean_us": statistics.fmean(lat) / 1000.0,
    }


def warmup_size(n: int) -> int:
    """A short warm-up pass before each timed pass (first-call costs, caches, allocator)."""
    return max(1, n // 10)


class MemoryProbe:
    """Bytes allocated and still alive across a ``with`` block, measured with tracemalloc.

    The cyclic GC is paused inside the block (with 100k actors its repeated full collections
    make populating slow, quadratically) and a full collection runs before reading, so garbage
    cycles are not counted.
    """

    bytes = 0

    def __enter__(self) -> MemoryProbe:
        gc.collect()
        self._gc_was_enabled = gc.isenabled()
        gc.disable()
        tracemalloc.start()
        self._before = tracemalloc.get_traced_memory()[0]
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            gc.collect()
            self.bytes = tracemalloc.get_traced_memory()[0] - self._before
        finally:
            tracemalloc.stop()
            if self._gc_was_enabled:
                gc.enable()


class GcClock:
    """Time spent inside the cyclic garbage collector, and the full collections, while installed.

    ``with GcClock() as gc_clock:`` ... ``gc_clock.seconds``, ``gc_clock.full``. It listens on
    ``gc.callbacks``, which fire in whichever thread triggers a collection.
    """

    def __init__(self) -> None:
        self.seconds = 0.0
        self.full = 0
        self._t0 = 0.0

    def __call__(self, phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._t0
            self.full += info["generation"] == 2

    def read(self) -> tuple[float, int]:
        return self.seconds, self.full

    def __enter__(self) -> GcClock:
        gc.callbacks.append(self)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self)


def chunked_rates(marks: Sequence[tuple[float, float, float, int]], n: int) -> Cases:
    """W9's cases from the marks at each chunk boundary (wall, CPU, gc seconds, full gcs) and the
    last one at the end of the drain: the first and last chunk's rates, the whole run's, and
    each chunk's rate and full collections."""
    chunks = len(marks) - 2
    per = n / chunks

    def span(i: int, j: int) -> Span:
        return Span(marks[j][0] - marks[i][0], marks[j][1] - marks[i][1])

    whole = span(0, len(marks) - 1)
    sends = span(0, chunks)
    each = {f"chunk-{i + 1}": per / span(i, i + 1).wall for i in range(chunks)}
    full = {f"chunk-{i + 1}": float(marks[i + 1][3] - marks[i][3]) for i in range(chunks)}
    return {
        "chunks": each,  # msg/s of each chunk by wall clock (where the full collections land)
        "full-gc-per-chunk": full,
        "first-10%": rate("msg_per_s", per, span(0, 1)),
        "last-10%": rate("msg_per_s", per, span(chunks - 1, chunks)),
        "all": {
            **rate("msg_per_s", n, whole),
            "gc_share": (marks[-1][2] - marks[0][2]) / whole.wall,
            "gc_share_sends": (marks[chunks][2] - marks[0][2]) / sends.wall,
            "gc_full": float(marks[-1][3] - marks[0][3]),
        },
    }
