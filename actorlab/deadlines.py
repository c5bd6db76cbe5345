"""Ask deadlines: one heap and a single loop timer for every ``await ref.ask`` on the loop.

A timer per ask costs a ``TimerHandle``, its cancellation and Python-level comparisons in the
loop's own heap; here an ask pushes a plain ``(when, n, future)`` tuple and the one timer is
armed for the earliest deadline. Answered asks stay in the heap until their deadline or the
next compaction (when over half the entries are answered), so at most about twice the
pending asks are kept. Times are the loop's (``loop.time()``, ``call_at``), so a virtual
clock that drives the loop drives these deadlines too.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import math
from typing import Any

_order = itertools.count()  # ties: the ask made first expires first


class Expired(Exception):
    """Set on an ask's future when its deadline passes (the ask raises ``AskTimeout``)."""


class Deadlines:
    """Deadlines of pending asks (runtime thread only)."""

    __slots__ = ("_heap", "_loop", "_pending", "_timer", "_timer_at")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._heap: list[tuple[float, int, asyncio.Future[Any]]] = []
        self._loop = loop
        self._pending = 0  # asks that have not returned yet
        self._timer: asyncio.TimerHandle | None = None
        self._timer_at = math.inf  # when the timer fires (inf: none armed)

    def __len__(self) -> int:
        return len(self._heap)

    def add(self, fut: asyncio.Future[Any], timeout: float) -> None:
        """``fut`` gets ``Expired`` unless done within ``timeout`` s; the ask calls ``done()``
        once it returns, whatever the outcome."""
        heap = self._heap
        if len(heap) > 64 and len(heap) > 2 * self._pending:
            heap[:] = [e for e in heap if not e[2].done()]
            heapq.heapify(heap)
        when = self._loop.time() + timeout
        heapq.heappush(heap, (when, next(_order), fut))
        self._pending += 1
        if when < self._timer_at:
            self._arm(when)

    def _arm(self, when: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = self._loop.call_at(when, self._fire)
        self._timer_at = when

    def done(self) -> None:
        self._pending -= 1

    def _fire(self) -> None:
        self._timer, self._timer_at = None, math.inf
        heap = self._heap
        now = self._loop.time()
        while heap and (heap[0][0] <= now or heap[0][2].done()):
            fut = heapq.heappop(heap)[2]
            if not fut.done():
                fut.set_exception(Expired())
        if heap:
            self._arm(heap[0][0])
