"""Observation: ``inspect``, ``monitor``, ``watch``, ``events`` and ``dead_letters``."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Callable
from typing import TYPE_CHECKING, Any

from .events import Event
from .info import ActorInfo, DeadLetter, Status, StatusUpdate
from .names import check_ref
from .runtime import peek_runtime
from .transport import get_transport

if TYPE_CHECKING:
    from .cell import ActorCell
    from .ref import ActorRef


def inspect() -> list[ActorInfo]:
    """Every live actor as frozen ``ActorInfo``, parents before children (no previews: cheap)."""
    rt = peek_runtime()
    if rt is None:
        return []
    with rt.lock:  # every spawned actor, started yet or not (a spawn registers it here first)
        cells = list(rt.cells.values())
    children: dict[Any, list[ActorCell]] = {}
    for c in cells:
        children.setdefault(c.parent.id, []).append(c)
    out: list[ActorInfo] = []

    def walk(parent_id: Any) -> None:
        for c in children.get(parent_id, ()):
            out.append(c.info())
            walk(c.id)

    walk(rt.root_cell.id)
    transport = get_transport()
    if transport is not None:  # actors in other processes of a cluster
        remote = {i.id: i for i in transport.infos()}
        # A local stand-in of a remote actor (its supervision here) shares its id: show the actor.
        out = [remote.pop(i.id, i) for i in out]
        out.extend(remote.values())
    return out


def events() -> list[Event]:
    """The runtime's recent events (bounded ring; message events only while traced)."""
    rt = peek_runtime()
    return rt.events.snapshot() if rt is not None else []


def dead_letters() -> list[DeadLetter]:
    """Messages that were never processed (the actor stopped first), newest last."""
    rt = peek_runtime()
    return list(rt.dead_letters) if rt is not None else []


def monitor(ref: ActorRef[Any], callback: Callable[[StatusUpdate], None]) -> Callable[[], None]:
    """Call ``callback(StatusUpdate)`` on status changes and ``view()`` changes of ``ref``.

    The first call carries the current status and view. Callbacks run on the runtime thread:
    keep them short. Returns a function that unsubscribes.
    """
    check_ref(ref, "al.monitor(ref, callback)")
    if not callable(callback):
        raise TypeError(
            f"al.monitor(ref, callback): callback must be callable, got {callback!r}. "
            f"Fix: pass a function taking one al.StatusUpdate"
        )
    cell = ref._live(allow_closed=True)
    rt = cell.runtime

    def add() -> None:
        if cell.status is Status.STOPPED:
            callback(StatusUpdate(cell.id, Status.STOPPED, None, "status"))
        else:
            cell.add_monitor(callback)

    def remove() -> None:
        if callback in cell.monitors:
            cell.monitors.remove(callback)

    rt.run_soon(add)
    return lambda: None if rt.closed else rt.run_soon(remove)


async def watch(ref: ActorRef[Any]) -> AsyncIterator[StatusUpdate]:
    """``async for update in al.watch(ref)``: status and view changes until the actor stops."""
    loop = asyncio.get_running_loop()
    queue: asyncio.Queue[StatusUpdate] = asyncio.Queue()
    here = threading.get_ident()

    def push(update: StatusUpdate) -> None:
        if threading.get_ident() == here:
            queue.put_nowait(update)
        else:
            loop.call_soon_threadsafe(queue.put_nowait, update)

    unsubscribe = monitor(ref, push)
    try:
        while True:
            update = await queue.get()
            yield update
            if update.status is Status.STOPPED:
                return
    finally:
        unsubscribe()

