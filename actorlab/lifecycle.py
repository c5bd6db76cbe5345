"""An actor's lifecycle outside its message loop: restart, finish, close, and its hooks.

Runs on the runtime thread, on the cell passed in (``cell.py`` calls these at the loop's turns).
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING, Any

from . import monitoring, signalling, supervising
from .actor import Actor, ExitCode, maybe_await
from .envelope import settle
from .info import Status
from .signals import Kind

if TYPE_CHECKING:
    from .cell import ActorCell

log = logging.getLogger("actorlab")
_NONE: Any = ()  # an empty stand-in list (the cell's lists are made on first append)


def overrides(cls: type[Actor], hook: str) -> bool:
    """Does the actor class define its own ``hook``? (Decided once per class: a hook not
    defined costs a spawn no coroutine.)"""
    cache = cls._al_hooks
    found = cache.get(hook)
    if found is None:
        found = cache[hook] = getattr(cls, hook) is not getattr(Actor, hook)
    return found


async def begin_restart(cell: ActorCell, with_hook: bool) -> None:
    """Stop the children, run ``on_restart``, and get ready to build the actor again."""
    cell.set_status(Status.RESTARTING)
    cell.cancel_timers()
    await signalling.signal_children(cell, Kind.TERMINATE)
    if with_hook and cell.actor is not None and overrides(type(cell.actor), "on_restart"):
        await run_hook(cell, "on_restart")
    cell.actor = None
    cell.incarnation += 1
    cell.restarts += 1
    cell.stop_requested = False
    cell.last_view = monitoring.UNSEEN
    cell.runtime.events.emit("restart", cell.parent.id, cell.id, cell.actor_type.__qualname__)


async def finish(cell: ActorCell, ack: Any, run_exit_hook: bool) -> None:
    """Stop for good: the optional layers' last word, children first, then ``on_exit``."""
    if cell.before_stop is not None:  # optional layers (autosave on stop)
        await cell.before_stop(cell)
    _stopping(cell, ack)
    if cell.children:
        await signalling.signal_children(cell, Kind.TERMINATE)
    if run_exit_hook and cell.actor is not None and overrides(type(cell.actor), "on_exit"):
        await run_hook(cell, "on_exit", ExitCode.TERMINATED)


def _stopping(cell: ActorCell, ack: Any) -> None:
    cell.closed = True
    if ack is not None:
        if not cell.stop_acks:
            cell.stop_acks = []
        cell.stop_acks.append(ack)
    cell.set_status(Status.STOPPING)
    cell.cancel_timers()


def stop_now(cell: ActorCell) -> bool:
    """Stop an actor that has no task now, if it is to stop (``ctx.terminate()``, or a lone
    terminate signal) and nothing of ``finish`` needs awaiting: no children, no ``on_exit``,
    no ``before_stop`` layer. Returns whether it stopped (else its task does it)."""
    signals = cell.signals
    if signals:
        if len(signals) > 1 or signals[0].kind is not Kind.TERMINATE:
            return False
    elif not cell.stop_requested:
        return False
    if (
        cell.before_stop is not None
        or cell.children
        or (cell.actor is not None and overrides(type(cell.actor), "on_exit"))
    ):
        return False
    ack = signals.pop().ack if signals else None
    if cell.monitors:  # (STOPPING lasts no step of the loop here: only a monitor can see it)
        _stopping(cell, ack)
        ack = None
    close(cell, "the actor stopped", ack)
    return True


def close(cell: ActorCell, reason: str, ack: Any = None) -> None:
    """The end: refuse what is queued, free the names, tell everyone waiting (``ack``: one
    more stop ack, settled with the others). Each step runs only for what the cell holds."""
    if cell.status is Status.STOPPED:
        return
    cell.closed = True
    if cell.timers is not None:
        cell.cancel_timers()
    if cell.current is not None:
        env, cell.current = cell.current, None
        if env.reply is not None:
            cell.reject(env, reason)
    mailbox = cell.mailbox
    while not mailbox.idle():  # (idle: it forgets the last envelopes, which point at the cell)
        cell.reject(mailbox.take(), reason)
    rt = cell.runtime
    with rt.lock:
        rt.cells.pop(cell.id, None)
        if cell.name is not None or cell.bound_names:
            for name in (cell.name, *(cell.bound_names or ())):
                if name is not None and rt.names.get(name) is cell:
                    del rt.names[name]
    if cell.parent.children:  # (a cell that never started is in no dict)
        cell.parent.children.pop(cell.id, None)
    cell.set_status(Status.STOPPED)
    rt.events.emit("stop", cell.parent.id, cell.id, cell.actor_type.__qualname__, detail=reason)
    if cell.signals:
        signals, cell.signals = cell.signals, _NONE
        for sig in signals:  # (a signal sent from now on is settled at once: STOPPED)
            sig.settle()
    if cell._step_acks:
        acks, cell._step_acks = cell._step_acks, _NONE
        for step_ack in acks:
            settle(step_ack, None)
    if cell.stop_acks:
        acks, cell.stop_acks = cell.stop_acks, _NONE
        for stop_ack in acks:
            settle(stop_ack)
    if ack is not None:
        settle(ack)
    cell.monitors = _NONE
    # What points back at the cell is let go (its contextvars context, and the task's, its
    # Context, its ref, the instance): a stopped actor is freed at once, not by the collector.
    cell._ctx = cell._context = cell._ref = cell.actor = cell.task = None


async def run_hook(cell: ActorCell, name: str, *args: Any) -> None:
    """Run a lifecycle hook the actor's class defines (callers check ``overrides`` first)."""
    actor = cell.actor
    if actor is None:
        return
    try:
        await maybe_await(getattr(actor, name)(*args))
    except BaseException as exc:  # SystemExit too: logged, never lost, never fatal
        if supervising.stopped_by_cancel(cell, exc):
            raise
        info = supervising.record_error(cell, f"hook:{name}", exc, None)
        log.error("%s() of actor %s raised:\n%s", name, cell.label, info.traceback)
