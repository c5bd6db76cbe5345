"""The ready queue: idle actors that were sent a message, handled from one loop callback.

An idle actor's task stays parked on its waiter while messages come and go: a tell to it puts
the cell here (once), and one ``call_soon`` callback runs each queued cell's batch of sync
handlers in turn (``ActorCell.run_ready``). A message to an idle actor so costs no future, no
task wake-up and no event-loop iteration; a conversation between actors (ping-pong, a ring)
runs inside one callback. Whatever needs the task (a signal, an async handler, a failure, step
mode, a scheduler) wakes it instead. Messages from other threads are handled right after the
runtime's inbox is drained, in the same loop iteration. After ``_BUDGET`` messages the callback yields, so timers,
replies to asks and the cross-thread inbox get their turn; cells still busy go to the back.
"""

from __future__ import annotations

import asyncio
import collections
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .cell import ActorCell

_BUDGET = 256  # messages handled per callback before the loop's other work gets a turn


class ReadyQueue:
    """Cells with messages whose tasks are parked (runtime thread only)."""

    __slots__ = ("_cells", "_loop", "_scheduled", "running")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._cells: collections.deque[ActorCell] = collections.deque()
        self._loop = loop
        self._scheduled = False
        #: The cell whose handler runs from this queue right now (``runtime.running_in``).
        self.running: ActorCell | None = None

    def add(self, cell: ActorCell) -> None:
        self._cells.append(cell)
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self.run)

    def run(self) -> None:
        """Run the queued cells' batches now (the runtime's cross-thread inbox calls this after
        a drain, so a message from another thread is handled in the same loop iteration)."""
        cells = self._cells
        handled = 0
        try:
            while cells and handled < _BUDGET:
                handled += cells.popleft().run_ready() + 1  # (+1: a cell with nothing to do)
        finally:
            if cells:
                self._loop.call_soon(self.run)
            else:
                self._scheduled = False
