"""Replaying a captured trace: what the tree, the mailboxes and the state were at one moment.

Pure functions of a trace's events (no widgets): ``Replay(events, labels, parents).at(step)``
gives the ``Moment`` after ``events[step]``: which actors existed and under whom, each one's
status and mailbox depth, and the messages queued in each mailbox. Statuses follow the events
(spawn, fail, restart, pause, resume, stop); an actor is "processing" while one of its handled
messages was running (the handled event carries the handler's duration). The state at a moment
comes from ``StateSamples``, previews the dashboard records while it records a trace.
"""

from __future__ import annotations

import bisect
import collections
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from actorlab.events import Event
from actorlab.ids import ActorId
from actorlab.info import Status
from actorlab.trace.render import handled_info

from .model import FieldDiff, field_diff

_STATUS_AFTER = {
    "spawn": Status.IDLE,
    "fail": Status.FAILED,
    "restart": Status.IDLE,
    "stop": Status.STOPPED,
    "pause": Status.PAUSED,
    "resume": Status.IDLE,
}


@dataclass(frozen=True)
class Moment:
    """The runtime as the trace saw it right after event ``step``."""

    step: int
    t: float  # seconds since the first event
    event: Event | None
    parents: dict[ActorId, ActorId | None]
    statuses: dict[ActorId, Status]
    mailboxes: dict[ActorId, int]
    queued: dict[ActorId, list[str]] = field(default_factory=dict)  # message reprs, oldest first


def describe(ev: Event | None, labels: Mapping[ActorId, str]) -> str:
    """One line for the slider's readout: ``tell notebook → counter: Add(n=1)``."""
    if ev is None:
        return "(no events)"

    def name(a: ActorId | None) -> str:
        return "notebook" if a is None else labels.get(a, f"#{a.short}")

    what = ev.msg_repr or ev.msg_type or ""
    if ev.kind in ("tell", "ask", "reply", "escalate"):
        return f"{ev.kind} {name(ev.src)} → {name(ev.dst)}: {what}".rstrip(": ")
    if ev.kind == "handled":
        info = handled_info(ev)
        ms = f" in {info.ms:.2f} ms" if info.ms is not None else ""
        return f"{name(ev.dst)} handled {ev.msg_type or what}: {info.outcome}{ms}"
    actor = ev.dst if ev.dst is not None else ev.src
    detail = f" ({ev.detail})" if ev.detail else ""
    return f"{ev.kind} {name(actor)}{detail}"


class Replay:
    """Moments of a trace; ``steps`` is the slider's range."""

    def __init__(
        self,
        events: Sequence[Event],
        labels: Mapping[ActorId, str],
        parents: Mapping[ActorId, ActorId | None],
    ) -> None:
        self.events = sorted(events, key=lambda e: e.seq)
        self.labels = dict(labels)
        self.parents = dict(parents)
        self.t0 = self.events[0].t if self.events else 0.0
        # Handler runs per actor as (start, end) on the runtime's clock.
        self._runs: dict[ActorId, list[tuple[float, float]]] = collections.defaultdict(list)
        for ev in self.events:
            if ev.kind == "handled" and ev.dst is not None:
                ms = handled_info(ev).ms
                if ms is not None:
                    self._runs[ev.dst].append((ev.t - ms / 1000.0, ev.t))
        self.spawned = {ev.dst for ev in self.events if ev.kind == "spawn" and ev.dst is not None}

    @property
    def steps(self) -> int:
        return len(self.events)

    def at(self, step: int) -> Moment:
        """The moment right after ``events[step]`` (clamped to the trace)."""
        if not self.events:
            return Moment(0, 0.0, None, dict(self.parents), {}, {})
        step = max(0, min(step, len(self.events) - 1))
        now = self.events[step]
        parents = {a: p for a, p in self.parents.items() if a not in self.spawned}
        statuses: dict[ActorId, Status] = {a: Status.IDLE for a in parents}
        queues: dict[ActorId, collections.deque[tuple[str, str]]] = collections.defaultdict(
            collections.deque
        )
        for ev in self.events[: step + 1]:
            kind = ev.kind
            if kind == "spawn" and ev.dst is not None:
                parents[ev.dst] = ev.src
            for a in (ev.src, ev.dst):
                if a is not None and a not in parents:
                    parents[a] = self.parents.get(a)
                    statuses.setdefault(a, Status.IDLE)
            if kind in ("tell", "ask") and ev.dst is not None:
                queues[ev.dst].append((ev.msg_type or "", ev.msg_repr or ev.msg_type or "?"))
            elif kind == "handled" and ev.dst is not None:
                q = queues[ev.dst]
                for i, (msg_type, _r) in enumerate(q):  # FIFO per type (asks and tells interleave)
                    if msg_type == (ev.msg_type or ""):
                        del q[i]
                        break
            actor = ev.dst if ev.dst is not None else ev.src
            if kind in _STATUS_AFTER and actor is not None:
                statuses[actor] = _STATUS_AFTER[kind]
        for actor, runs in self._runs.items():
            idle = statuses.get(actor) in (Status.IDLE, None) and actor in parents
            if idle and any(start <= now.t < end for start, end in runs):
                statuses[actor] = Status.PROCESSING
        return Moment(
            step,
            now.t - self.t0,
            now,
            parents,
            statuses,
            {a: len(q) for a, q in queues.items()},
            {a: [r for _t, r in q] for a, q in queues.items() if q},
        )

    def step_at(self, t: float) -> int:
        """The last step at or before ``t`` seconds after the first event."""
        times = [e.t - self.t0 for e in self.events]
        return max(0, bisect.bisect_right(times, t) - 1)


class StateSamples:
    """State previews of actors over time (runtime clock), recorded frame by frame."""

    def __init__(self, limit: int = 2000) -> None:
        self.limit = limit
        self._by_actor: dict[ActorId, list[tuple[float, int, dict[str, str]]]] = {}
        self.count = 0

    def add(self, actor: ActorId, t: float, processed: int, preview: Mapping[str, str]) -> None:
        rows = self._by_actor.setdefault(actor, [])
        if rows and rows[-1][1] == processed and rows[-1][2] == dict(preview):
            return
        if self.count >= self.limit:
            return
        rows.append((t, processed, dict(preview)))
        self.count += 1

    def at(self, actor: ActorId, t: float) -> tuple[list[FieldDiff], int | None] | None:
        """The diff between the last two different previews at or before ``t`` (None: none)."""
        rows = self._by_actor.get(actor, [])
        times = [r[0] for r in rows]
        i = bisect.bisect_right(times, t) - 1
        if i < 0:
            return None
        cur = rows[i]
        j = i - 1
        while j >= 0 and rows[j][2] == cur[2]:
            j -= 1
        if j < 0:
            return field_diff(None, cur[2]), None
        return field_diff(rows[j][2], cur[2]), cur[1] - rows[j][1]
