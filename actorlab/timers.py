"""Timers: ``ctx.send_after`` and ``ctx.send_every`` deliver messages to the actor itself."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from . import timeouts as _timeouts

if TYPE_CHECKING:
    from .cell import ActorCell


class TimerHandle:
    """A scheduled message; ``cancel()`` it any time. Cancelled on stop and restart."""

    def __init__(self, cell: ActorCell, msg: Any, delay: float, period: float | None) -> None:
        where = f"timer of {cell.label}: "
        if period is not None:  # first: send_every's delay defaults to its period
            period = _timeouts.delay(period, "period", where, zero=False)
        delay = _timeouts.delay(delay, "delay", where)
        self._cell = cell
        self._msg = msg
        self._spec = cell.actor_type._al_handler_for(msg)  # refuse unhandled messages now
        self.period = period
        self.fired = 0
        self._cancelled = False
        self._handle: asyncio.TimerHandle | None = None
        loop = cell.runtime.loop
        self._next = loop.time() + delay
        cell.runtime.run_soon(self._arm)

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    def _arm(self) -> None:
        if self._cancelled or self._cell.closed:
            return
        if self._cell.timers is None:
            self._cell.timers = set()
        self._cell.timers.add(self)
        self._handle = self._cell.runtime.loop.call_at(self._next, self._fire)

    def _fire(self) -> None:
        cell = self._cell
        if self._cancelled or cell.closed:
            return
        self.fired += 1
        cell.tell(self._msg, self._spec, cell, None)
        if self.period is None:
            if cell.timers is not None:
                cell.timers.discard(self)
            self._cancelled = True
            return
        now = cell.runtime.loop.time()
        self._next += self.period
        if self._next < now:  # fell behind (a long handler): skip, don't burst
            self._next = now + self.period
        self._handle = cell.runtime.loop.call_at(self._next, self._fire)

    def cancel(self) -> None:
        """Stop this timer (idempotent, from any thread)."""
        if self._cancelled:
            return
        self._cancelled = True

        def do() -> None:
            if self._handle is not None:
                self._handle.cancel()
            if self._cell.timers is not None:
                self._cell.timers.discard(self)

        if not self._cell.runtime.closed:
            self._cell.runtime.run_soon(do)

    def __repr__(self) -> str:
        kind = f"every {self.period:g} s" if self.period else "once"
        state = "cancelled" if self._cancelled else "active"
        return f"<TimerHandle {type(self._msg).__qualname__} -> {self._cell.label} {kind}, {state}>"
