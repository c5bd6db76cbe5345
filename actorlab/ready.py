"""The ready queue: idle actors that were sent a message, handled from one loop callback.

An idle actor's task stays parked on its waiter while messages come and go: a tell to it puts
the cell here (once), and one ``call_soon`` callback runs each queued cell's batch of sync
handlers in turn (``run_cell``). A message to an idle actor so costs no future, no
task wake-up and no event-loop iteration; a conversation between actors (ping-pong, a ring)
runs inside one callback. Whatever needs the task (a signal, an async handler, a failure, step
mode, a scheduler) wakes it instead. Messages from other threads are handled right after the
runtime's inbox is drained, in the same loop iteration. After ``_BUDGET`` messages the callback yields, so timers,
replies to asks and the cross-thread inbox get their turn; cells still busy go to the back.
"""

from __future__ import annotations

import asyncio
import collections
from typing import TYPE_CHECKING, Any

from .info import Status

if TYPE_CHECKING:
    from .cell import ActorCell

_BUDGET = 256  # messages handled per callback before the loop's other work gets a turn
BATCH = 256  # messages an actor handles before letting the others run (the task's too)


class _NoTask:
    """The ``_waiter`` of an actor started without a task: parked (never done), and waking
    it (``ActorCell._resume``) makes the task."""

    __slots__ = ()

    def done(self) -> bool:
        return False


NO_TASK: Any = _NoTask()


class ReadyQueue:
    """Cells with messages whose tasks are parked (runtime thread only)."""

    __slots__ = ("_cells", "_loop", "_scheduled", "running")

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._cells: collections.deque[ActorCell] = collections.deque()
        self._loop = loop
        #: A ``run`` is on its way: the loop callback, or the inbox drain's own call at its
        #: end (which sets this while it delivers, so no callback is scheduled for nothing).
        self._scheduled = False
        #: The cell whose handler runs from this queue right now (``runtime.running_in``).
        self.running: ActorCell | None = None

    def add(self, cell: ActorCell) -> None:
        self._cells.append(cell)
        if not self._scheduled:
            self._scheduled = True
            self._loop.call_soon(self.run)

    def hold(self) -> None:
        """The caller runs the queue itself soon (``run``): schedule no callback meanwhile
        (the runtime's cross-thread inbox drain, which delivers, then runs the queue)."""
        self._scheduled = True

    def run(self) -> None:
        """Run the queued cells' batches now (the runtime's cross-thread inbox calls this after
        a drain, so a message from another thread is handled in the same loop iteration)."""
        cells = self._cells
        handled = 0
        try:
            while cells and handled < _BUDGET:
                handled += run_cell(cells.popleft()) + 1  # (+1: a cell with nothing to do)
        finally:
            if cells:
                self._loop.call_soon(self.run)
            else:
                self._scheduled = False


def run_cell(cell: ActorCell) -> int:
    """Handle a batch of a queued cell's sync messages while its task stays parked (or while
    it has none). What needs the task (a signal, ``ctx.terminate()``, an async handler, a
    failure, a scheduler, ``after_message``) wakes it. Returns how many ran."""
    w = cell._waiter
    if w is None or (w is not NO_TASK and w.done()):  # awake: the task handles the mailbox
        cell.queued = False
        return 0
    status = cell.status
    rt = cell.runtime
    if (
        (status is not Status.IDLE and status is not Status.PROCESSING)  # another park
        or cell.signals
        or cell.stop_requested
        or rt.scheduler is not None
        or cell.after_message is not None
    ):
        cell.queued = False
        cell._resume()
        return 0
    ready = rt.ready
    ready.running = cell
    try:
        n, _, failure = cell.context_vars().run(cell._run_sync, BATCH)
    finally:
        ready.running = None
        cell.queued = False
    if failure is not None:
        cell._resume(failure)
    elif cell._waiter is None:  # woken meanwhile
        pass
    elif cell.signals or cell.stop_requested:
        cell._resume()
    elif cell.mailbox.idle():  # all handled (the batch's bracket: see ``cell.set_status``)
        if cell.monitors:
            cell.set_status(Status.IDLE)
        else:
            cell.status = Status.IDLE
    elif n == BATCH:  # more than a batch: back of the queue, the others go first
        cell.queued = True
        ready.add(cell)
    else:  # an async handler is next: the task runs it
        cell._resume()
    return n
