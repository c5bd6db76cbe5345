"""How a cell acts on control signals (pause, step, suspend, faults, escalations, upgrades),
and how a supervisor sends them to its children and waits.

Signals are handled before messages, at message boundaries. Runs on the runtime thread.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

from . import supervising
from .envelope import settle
from .errors import ActorlabError
from .info import Status
from .signals import Kind, Sig
from .supervision import EscalationKind

if TYPE_CHECKING:
    from .cell import ActorCell

_NONE: Any = ()  # an empty stand-in list (made on first append)


async def on_signal(cell: ActorCell, sig: Sig) -> Sig | None:
    """Act on a control signal; returns it when it ends the message loop (restart, stop)."""
    kind = sig.kind
    if kind is Kind.RESTART or kind is Kind.TERMINATE:
        return sig
    if kind is Kind.ESCALATION:
        return await supervising.supervise_child(cell, sig)
    if kind is Kind.FAULT:
        sig.settle()
        return await supervising.fail(cell, EscalationKind.INJECTED, sig.payload, None)
    if kind is Kind.SUSPEND:
        cell.suspended += 1
        await signal_children(cell, Kind.SUSPEND)
        cell.set_status(Status.SUSPENDED)
    elif kind is Kind.UNSUSPEND:
        cell.suspended = max(0, cell.suspended - 1)
        await signal_children(cell, Kind.UNSUSPEND)
    elif kind is Kind.PAUSE:
        if not cell.held:
            cell.held = True
            cell.runtime.events.emit("pause", None, cell.id)
            cell.set_status(Status.PAUSED)
    elif kind is Kind.UNPAUSE:
        if cell.held:
            cell.held = False
            acks, cell._step_acks = cell._step_acks, _NONE
            for ack in acks:
                settle(ack, None)
            cell.runtime.events.emit("resume", None, cell.id)
    elif kind is Kind.STEP:
        if not cell.held:
            sig.settle(error=_not_paused(cell.label))
            return None
        if len(cell.mailbox) <= len(cell._step_acks):
            sig.settle(None)  # nothing (more) to step through
            return None
        if not cell._step_acks:
            cell._step_acks = []
        cell._step_acks.append(sig.ack)
        return None
    elif kind is Kind.RESUME:
        pass  # resuming an actor that is not failed: nothing to do
    elif kind is Kind.UPGRADE:  # live code: its class was defined again (it settles sig)
        from .upgrade import apply  # (upgrade imports the cell)

        await apply(cell, sig)
        return None
    sig.settle()
    return None


async def next_signal(cell: ActorCell) -> Sig:
    """Wait for the next control signal (a failed actor waits for its supervisor so)."""
    while not cell.signals:
        w = cell._waiter = cell.runtime.loop.create_future()
        await w
    return cell.signals.pop(0)


async def signal_children(cell: ActorCell, kind: Kind) -> None:
    """Send ``kind`` to every child and wait until each has acted on it."""
    await send_and_wait(cell, {c: kind for c in cell.children.values()})


async def send_and_wait(cell: ActorCell, decisions: dict[ActorCell, Kind]) -> None:
    """Send each cell its signal (a supervisor's decisions) and wait for them all."""
    acks = []
    loop = cell.runtime.loop
    for cell, kind in decisions.items():
        if cell.status is Status.STOPPED:
            continue
        ack = loop.create_future()
        cell.signal(Sig(kind, ack))
        acks.append(ack)
    if acks:
        await asyncio.gather(*acks, return_exceptions=True)


def _not_paused(label: str) -> Exception:
    return ActorlabError(
        f"step() processes one message of a paused actor, but {label} is not paused. "
        f"Fix: call ref.pause() first, then ref.step(), then ref.resume()"
    )
