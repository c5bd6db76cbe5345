"""The supervisor's side of failure: a cell escalates, its parent decides, the decision is sent.

``supervision`` holds the public pieces (``Signal``, ``Escalation``, strategies); this module
runs them on cells. Everything here runs on the runtime thread.
"""

from __future__ import annotations

import asyncio
import collections
import time
import traceback
from typing import TYPE_CHECKING

from . import signalling
from .actor import Actor, maybe_await
from .envelope import Envelope
from .errors import RestartLimitExceeded
from .info import ErrorInfo, Status
from .reprs import error_text, short_repr
from .signals import Kind, Sig
from .supervision import Escalation, EscalationKind, Signal, Strategy

if TYPE_CHECKING:
    from .cell import ActorCell

_ERRORS = 5  # failures kept per actor (info().errors)


def stopped_by_cancel(cell: ActorCell, exc: BaseException) -> bool:
    """Is ``exc`` the runtime cancelling the cell's own task (shutdown)? A ``CancelledError``
    the actor's code raises (``t.cancel(); await t``) is a failure like any other."""
    if not isinstance(exc, asyncio.CancelledError):
        return False
    cancelling = getattr(cell.task, "cancelling", None)  # Python 3.11+
    if cancelling is not None:
        return bool(cancelling())
    return cell.runtime.cancelling  # 3.10: set by shutdown before it cancels the tasks


def strategy_of(cls: type[Actor]) -> Strategy | None:
    """The declarative strategy that decides for ``cls``'s children, or None when
    ``supervise()`` does. The most derived declaration wins: a subclass's ``supervisor = ...``
    applies over a ``supervise()`` it inherits, and its own ``supervise()`` over an inherited
    ``supervisor`` (one class declaring both is refused when it is created)."""
    for klass in cls.__mro__:
        if klass is Actor:
            break
        d = klass.__dict__
        if d.get("supervise", Actor.supervise) is not Actor.supervise:
            return None
        if "supervisor" in d:
            strategy = d["supervisor"]
            return strategy if isinstance(strategy, Strategy) else None
    return None


def record_error(
    cell: ActorCell, kind: EscalationKind | str, exc: BaseException, env: Envelope | None
) -> ErrorInfo:
    """Remember a failure in ``cell.errors`` (the last few)."""
    info = ErrorInfo(
        kind=str(getattr(kind, "value", kind)),
        type=type(exc).__qualname__,
        message=error_text(exc),
        traceback="".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
        at=time.time(),
        msg_type=type(env.msg).__qualname__ if env is not None else None,
        msg_repr=short_repr(env.msg, 80) if env is not None else None,
    )
    cell.failures += 1  # every recorded failure: handlers, hooks, initialize, injected faults
    if not cell.errors:
        cell.errors = []
    cell.errors.append(info)
    if len(cell.errors) > _ERRORS:
        del cell.errors[0]
    return info


async def fail(
    cell: ActorCell,
    kind: EscalationKind,
    exc: BaseException,
    env: Envelope | None,
    origin: object = None,
    passed_on: BaseException | None = None,
) -> Sig | None:
    """Escalate a failure of ``cell`` and wait for its supervisor's decision (None = resumed).

    ``origin``: the notebook cell behind the failure when ``env`` does not say (a child's
    failure escalated further up), so a top-level report still lands in that cell.
    ``passed_on``: the error the parent's ``Escalation`` carries, when it is not ``exc``
    (a child's error passed up unchanged while ``exc`` explains why it was).
    """
    if env is not None:
        origin = env.origin
    info = record_error(cell, kind, exc, env)
    cell.set_status(Status.FAILED)
    rt = cell.runtime
    rt.events.emit(
        "fail",
        None,
        cell.id,
        info.msg_type,
        None,
        env.corr_id if env else None,
        env.ask_id if env else None,
        f"{info.type}: {info.message}",
    )
    parent = cell.parent
    if parent.id is None:  # the root: it stops a failing top-level actor
        rt.report_failure(cell.label, info, origin)
        return Sig(Kind.TERMINATE)
    await signalling.signal_children(cell, Kind.SUSPEND)
    esc = Escalation(
        cell.ref, kind, exc if passed_on is None else passed_on, env.msg if env else None
    )
    rt.events.emit("escalate", cell.id, parent.id, detail=str(esc))
    parent.signal(Sig(Kind.ESCALATION, payload=(cell, esc, cell.incarnation, origin)))
    deferred: list[Sig] = []
    while True:
        sig = await signalling.next_signal(cell)
        if sig.kind is Kind.RESTART or sig.kind is Kind.TERMINATE:
            for d in deferred:
                d.settle()
            return sig
        if sig.kind is Kind.RESUME:
            await signalling.signal_children(cell, Kind.UNSUSPEND)
            cell.signals = [*deferred, *cell.signals]
            sig.settle()
            cell.set_status(Status.IDLE)
            return None
        if sig.kind in (Kind.ESCALATION, Kind.FAULT, Kind.STEP):
            deferred.append(sig)  # handled once resumed (or settled when stopped)
            continue
        await signalling.on_signal(cell, sig)
        cell.set_status(Status.FAILED)


async def supervise_child(cell: ActorCell, sig: Sig) -> Sig | None:
    """``cell`` decides for a failing child and sends the decisions."""
    child, esc, incarnation, origin = sig.payload
    if child.id not in cell.children or child.incarnation != incarnation or child.closed:
        return None  # stale: already restarted or stopped
    try:
        decisions = await _decide(cell, child, esc)
    except BaseException as exc:  # SystemExit too: a failure of the supervisor
        if stopped_by_cancel(cell, exc):
            raise
        await signalling.send_and_wait(cell, {child: Kind.TERMINATE})
        return await fail(cell, EscalationKind.SUPERVISE, exc, None)
    if decisions.get(child) is Signal.ESCALATE:
        out = await fail(
            cell, EscalationKind.ESCALATED, _escalated_error(cell, esc), None, origin, esc.error
        )
        if out is None and not child.closed:
            # I was resumed, but the child I escalated for cannot be: stop it.
            await signalling.send_and_wait(cell, {child: Kind.TERMINATE})
        return out
    await signalling.send_and_wait(
        cell, {c: Kind(s.value) for c, s in decisions.items() if s is not Signal.ESCALATE}
    )
    return None


def _escalated_error(cell: ActorCell, esc: Escalation) -> BaseException:
    """What a supervisor fails with when it escalates a child's failure."""
    cls = cell.actor_type if cell.actor is None else type(cell.actor)
    strategy = strategy_of(cls)
    if strategy is None:
        return esc.error  # supervise() said ESCALATE: pass the child's error up as it is
    err = RestartLimitExceeded(
        f"{cell.label} gave up: its strategy {strategy!r} allows {strategy.max_restarts} "
        f"restart(s) within {strategy.within:g} s, and then {esc}. Fix the child's error, "
        f"or allow more restarts (max_restarts=...), or decide in supervise()"
    )
    err.__cause__ = esc.error
    return err


async def _decide(cell: ActorCell, child: ActorCell, esc: Escalation) -> dict[ActorCell, Signal]:
    actor = cell.actor
    assert actor is not None
    cls = type(actor)
    kids = list(cell.children.values())
    strategy = strategy_of(cls)
    if strategy is not None:
        if cell.restart_history is None:
            cell.restart_history = collections.deque()
        return strategy.decide(child, kids, cell.restart_history, cell.runtime.clock.now())
    decision = await maybe_await(actor.supervise(esc))
    if (
        not isinstance(decision, tuple)
        or len(decision) != 2
        or not isinstance(decision[0], Signal)
        or not (decision[1] is None or isinstance(decision[1], Signal))
    ):
        raise TypeError(
            f"{cls.__qualname__}.supervise() must return (al.Signal, al.Signal | None), "
            f"got {decision!r}"
        )
    one, rest = decision
    out = {child: one}
    if rest is not None:
        for k in kids:
            if k is not child:
                out[k] = rest
    return out
