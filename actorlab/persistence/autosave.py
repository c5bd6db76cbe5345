"""Autosave policies (beyond theta, where saving is always explicit).

``autosave=al.Every(messages=N)`` saves after every N handled messages, ``al.Every(seconds=S)``
every S seconds if something was handled since the last save, ``al.OnStop()`` when the actor
stops; combine them in a tuple. Only successfully handled messages count, and a stop decided
after a failure does not save (the state may be half-updated). An autosave that fails is logged
(with the reason and the fix) and retried at the next opportunity; it never fails the actor.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from actorlab.info import Status
from actorlab.persistence import saving
from actorlab.persistence.storage import PersistentStorage

if TYPE_CHECKING:
    from actorlab.cell import ActorCell

log = logging.getLogger("actorlab.persistence")


@dataclass(frozen=True)
class Every:
    """Save after every ``messages`` handled messages and/or every ``seconds`` seconds."""

    messages: int | None = None
    seconds: float | None = None

    def __post_init__(self) -> None:
        if self.messages is None and self.seconds is None:
            raise ValueError("al.Every() needs messages=N and/or seconds=S")
        if self.messages is not None and (not isinstance(self.messages, int) or self.messages < 1):
            raise ValueError(f"al.Every(messages=...) needs an int >= 1, got {self.messages!r}")
        if self.seconds is not None and (
            not isinstance(self.seconds, (int, float)) or self.seconds <= 0
        ):
            raise ValueError(f"al.Every(seconds=...) needs a positive number, got {self.seconds!r}")


@dataclass(frozen=True)
class OnStop:
    """Save when the actor stops (``ref.stop()``, ``ctx.terminate()``, shutdown)."""


Autosave = Every | OnStop | Sequence[Every | OnStop]


@dataclass
class _State:
    storage: PersistentStorage
    messages: int | None = None
    seconds: float | None = None
    on_stop: bool = False
    since: int = 0
    due: bool = False
    timer: asyncio.Task[None] | None = None
    last_error: str | None = None


def _policy(storage: PersistentStorage, autosave: Autosave) -> _State:
    items = [autosave] if isinstance(autosave, (Every, OnStop)) else list(autosave)
    st = _State(storage)
    for item in items:
        if isinstance(item, OnStop):
            st.on_stop = True
        elif isinstance(item, Every):
            st.messages = item.messages or st.messages
            st.seconds = item.seconds or st.seconds
        else:
            raise TypeError(
                f"autosave={autosave!r}: expected al.Every(messages=N), al.Every(seconds=S), "
                "al.OnStop(), or a tuple of them"
            )
    return st


def attach(cell: ActorCell, storage: PersistentStorage, autosave: Autosave | None) -> None:
    """Remember the actor's storage (for ``save_snapshot()``) and install its autosave policy."""
    state = saving.of(cell)
    state.storage = storage
    if autosave is None:
        return
    st = _policy(storage, autosave)
    state.autosave = st
    if st.messages is not None or st.seconds is not None:
        cell.after_message = _after_message
    cell.before_stop = _before_stop
    if st.seconds is not None:
        cell.runtime.run_soon(lambda: _start_timer(cell, st))


def _start_timer(cell: ActorCell, st: _State) -> None:
    if not cell.closed:
        st.timer = cell.runtime.loop.create_task(_tick(cell, st), name=f"autosave:{cell.label}")


def _changed(cell: ActorCell) -> bool:
    return bool(saving.of(cell).saved_processed != cell.processed)


async def _tick(cell: ActorCell, st: _State) -> None:
    assert st.seconds is not None
    while not cell.closed:
        await asyncio.sleep(st.seconds)
        if cell.closed or cell.actor is None or not _changed(cell):
            continue
        if cell.current is not None:  # mid-handler (awaiting): save right after it
            st.due = True
            continue
        await _autosave(cell, st)


async def _after_message(cell: ActorCell) -> None:
    st: _State = saving.of(cell).autosave
    st.since += 1
    if st.due or (st.messages is not None and st.since >= st.messages):
        await _autosave(cell, st)


async def _before_stop(cell: ActorCell) -> None:
    st: _State = saving.of(cell).autosave
    if st.timer is not None:
        st.timer.cancel()
    failed = cell.status is Status.FAILED
    if st.on_stop and cell.actor is not None and not failed and _changed(cell):
        await _autosave(cell, st)


async def _autosave(cell: ActorCell, st: _State) -> None:
    st.since, st.due = 0, False
    try:
        await saving.save(cell, st.storage)
    except Exception as exc:
        text = f"{type(exc).__name__}: {exc}"
        if text != st.last_error:  # once per distinct cause, not once per message
            log.error("autosave of actor %s to %r failed: %s", cell.label, st.storage, text)
        st.last_error = text
    else:
        st.last_error = None
