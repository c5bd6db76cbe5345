"""Watching one actor: ``info()`` records for views, and monitors told of status and view changes.

Runs on the runtime thread (``ActorRef.info`` hops there), except reads of plain attributes.
"""

from __future__ import annotations

import itertools
import logging
import time
from typing import TYPE_CHECKING, Any

from .actor import Actor
from .envelope import Envelope, Forward
from .info import ActorInfo, MessagePreview, StatusUpdate
from .reprs import error_text, preview_repr, short_repr, state_preview
from .supervising import strategy_of

if TYPE_CHECKING:
    from .cell import ActorCell, Monitor

log = logging.getLogger("actorlab")

_PREVIEW = 20  # queued messages shown in info(detail=True)
#: ``cell.last_view`` before any monitor has seen the actor's ``view()``.
UNSEEN: Any = object()


def view_now(cell: ActorCell) -> Any:
    """The actor's ``view()``, or the error it raised as text."""
    actor = cell.actor
    if actor is None:
        return None
    try:
        return actor.view()
    except BaseException as exc:  # user code: SystemExit too
        return f"<view() raised {type(exc).__name__}: {error_text(exc)}>"


def check_view(cell: ActorCell) -> None:
    """Tell the monitors when the actor's ``view()`` changed (after each handled message)."""
    v = view_now(cell)
    try:
        changed = bool(v != cell.last_view)
    except BaseException:  # a view's __eq__ is user code
        changed = True
    if changed:
        cell.last_view = v
        notify(cell, StatusUpdate(cell.id, cell.status, v, "view"))


def notify(cell: ActorCell, update: StatusUpdate, only: Monitor | None = None) -> None:
    for cb in list(cell.monitors) if only is None else [only]:
        try:
            cb(update)
        except BaseException:  # user code: SystemExit too
            log.exception("a monitor callback of actor %s raised; it was removed", cell.label)
            if cb in cell.monitors:
                cell.monitors.remove(cb)


def add_monitor(cell: ActorCell, cb: Monitor) -> None:
    if not cell.monitors:
        cell.monitors = []
    cell.monitors.append(cb)
    v = view_now(cell)
    cell.last_view = v
    notify(cell, StatusUpdate(cell.id, cell.status, v, "status"), only=cb)


def strategy_text(cls: type[Actor]) -> str:
    """How an actor class supervises its children, as text for views."""
    strategy = strategy_of(cls)
    if strategy is not None:
        return repr(strategy)
    if cls.supervise is not Actor.supervise:
        return f"{cls.__qualname__}.supervise()"
    return "terminate failing child (default)"


def info(cell: ActorCell, detail: bool = False) -> ActorInfo:
    """A frozen record of ``cell``; ``detail`` adds mailbox and state previews and the view."""
    now = time.time()
    cur = cell.current
    mailbox_preview: tuple[MessagePreview, ...] = ()
    state: dict[str, str] = {}
    if detail:
        envs = list(itertools.islice(cell.mailbox.envelopes(), _PREVIEW))
        mailbox_preview = tuple(
            MessagePreview(
                i,
                e.kind,
                type(e.msg).__qualname__,
                preview_repr(e.msg),
                e.sender.label if e.sender is not None else None,
                e.enqueued_at,
            )
            for i, e in enumerate(envs)
        )
        state = state_preview(cell.actor)
    return ActorInfo(
        id=cell.id,
        name=cell.name,
        actor_type=cell.actor_type.__qualname__,
        module=cell.actor_type.__module__,
        path=cell.path,
        parent=cell.parent.id,
        children=tuple(cell.children),
        status=cell.status,
        mailbox=len(cell.mailbox),
        mailbox_hwm=cell.mailbox.hwm,
        processed=cell.processed,
        failures=cell.failures,
        restarts=cell.restarts,
        last_error=cell.errors[-1] if cell.errors else None,
        errors=tuple(cell.errors),
        current_handler=(
            f"{cur.spec.name}({type(cell.current_msg).__qualname__})" if cur else None
        ),
        in_handler_for=(time.perf_counter() - cell.handler_started) if cur else None,
        handler_time_total=cell.handler_total,
        handler_time_max=cell.handler_max,
        last_message_at=(
            now - (time.perf_counter() - cell.last_message_at)
            if cell.last_message_at is not None
            else None
        ),
        started_at=cell.started_at,
        age=now - cell.started_at,
        persistent=cell.persistent,
        supervisor=strategy_text(cell.actor_type),
        last_snapshot_at=cell.last_snapshot_at,
        mailbox_preview=mailbox_preview,
        state_preview=state,
        view=view_now(cell) if detail else None,
        shared_fields=getattr(cell._make, "shared", ()),
        upgrades=cell.upgrades,
        last_upgrade_at=cell.last_upgrade_at,
    )


# -- per-message events (only while a trace or the dashboard asks for them) --------------
def emit_handled_ok(cell: ActorCell, env: Envelope, t0: float, result: Any) -> None:
    """Per-message events after a handled message (only while a trace asks for them)."""
    emit_handled(cell, env, f"ok {(time.perf_counter() - t0) * 1000:.3f} ms")
    if env.reply is not None and not isinstance(env.reply, Forward):
        cell.runtime.events.emit(
            "reply",
            cell.id,
            env.sender.id if env.sender else None,
            type(result).__qualname__,
            short_repr(result),
            env.corr_id,
            env.ask_id,
        )


def emit_handled(cell: ActorCell, env: Envelope, detail: str) -> None:
    """The \"handled\" event of one message (traces draw it)."""
    cell.runtime.events.emit(
        "handled",
        env.sender.id if env.sender else None,
        cell.id,
        type(env.msg).__qualname__,
        short_repr(env.msg),
        env.corr_id,
        env.ask_id,
        detail,
    )
