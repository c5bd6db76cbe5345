"""The runtime's bounded event ring: lifecycle events always, message events on demand."""

from __future__ import annotations

import collections
import itertools
import threading
import time
from collections.abc import Callable
from typing import Any, NamedTuple

from .ids import ActorId

#: Event kinds recorded always (cheap, rare).
LIFECYCLE_KINDS = frozenset(
    {
        "spawn", "fail", "restart", "stop", "dead_letter", "snapshot", "pause", "resume",
        "escalate", "upgrade",  # upgrade: live code (detail "ok: ..." or "failed, ...")
    }
)
#: Event kinds recorded only while a trace or the dashboard asks for them.
MESSAGE_KINDS = frozenset({"tell", "ask", "reply", "handled"})


class Event(NamedTuple):
    """One thing that happened in the runtime. ``src``/``dst`` None means the notebook/script.

    Immutable and cheap to build (a named tuple): tracing builds one per message.
    """

    seq: int
    t: float  # the runtime clock's now() (time.perf_counter(), or virtual seconds)
    kind: str
    src: ActorId | None
    dst: ActorId | None
    msg_type: str | None = None
    msg_repr: str | None = None
    corr_id: int | None = None  # the conversation (trace token) this event belongs to
    ask_id: int | None = None  # pairs an ask with its reply
    detail: str | None = None  # error text, exit code, duration ...


Listener = Callable[[Event], None]


def _event(row: tuple[Any, ...]) -> Event:
    """The ``Event`` of a ring row (its actor ids kept as their numbers)."""
    seq, t, kind, src, dst, msg_type, msg_repr, corr_id, ask_id, detail = row
    return Event(
        seq,
        t,
        kind,
        None if src is None else ActorId._of_int(src),
        None if dst is None else ActorId._of_int(dst),
        msg_type,
        msg_repr,
        corr_id,
        ask_id,
        detail,
    )


class EventRing:
    """A bounded ring of events plus listeners (traces, dashboards).

    The ring keeps each event as a row of plain numbers and strings (actor ids as their
    numbers), which the garbage collector stops tracking after its first pass: the spawn and
    stop events of thousands of actors cost it nothing. ``Event``s are built for listeners
    (only while there are some) and by ``snapshot``. ``message_events`` is a counter:
    per-message events are made only while it is > 0, so the message loop pays one integer
    test when nobody is watching.
    """

    def __init__(self, capacity: int = 10_000, clock: Callable[[], float] = time.perf_counter) -> None:
        self.now = clock  # the runtime clock's now(): event stamps
        self._ring: collections.deque[tuple[Any, ...]] = collections.deque(maxlen=capacity)
        self._seq = itertools.count(1)
        self._listeners: list[Listener] = []
        self._lock = threading.Lock()
        self.message_events = 0

    def emit(
        self,
        kind: str,
        src: ActorId | None,
        dst: ActorId | None,
        msg_type: str | None = None,
        msg_repr: str | None = None,
        corr_id: int | None = None,
        ask_id: int | None = None,
        detail: str | None = None,
    ) -> None:
        seq, t = next(self._seq), self.now()
        self._ring.append(  # (the ids' numbers read here: every spawn and stop emits a row)
            (
                seq, t, kind, None if src is None else src._int, None if dst is None else dst._int,
                msg_type, msg_repr, corr_id, ask_id, detail,
            )
        )
        if self._listeners:
            ev = Event(seq, t, kind, src, dst, msg_type, msg_repr, corr_id, ask_id, detail)
            for listener in self._listeners:
                listener(ev)

    def snapshot(self) -> list[Event]:
        return [_event(row) for row in list(self._ring)]

    def clear(self) -> None:
        self._ring.clear()

    def subscribe(self, listener: Listener, *, messages: bool = True) -> Callable[[], None]:
        """Call ``listener`` (on the runtime thread) for each new event; returns unsubscribe."""
        with self._lock:
            self._listeners = [*self._listeners, listener]
            if messages:
                self.message_events += 1
        done = False

        def unsubscribe() -> None:
            nonlocal done
            if done:
                return
            done = True
            with self._lock:
                self._listeners = [x for x in self._listeners if x is not listener]
                if messages:
                    self.message_events -= 1

        return unsubscribe
