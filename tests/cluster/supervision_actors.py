"""Actors for the cross-process supervision tests (imported by name in the Ray workers)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import actorlab as al

from .actors import Counter


@dataclass
class Exit:
    """Kill the process the receiving actor lives in (a crash, not an exception)."""


class DieOnArrival:
    """Kills the process that unpickles it: it dies in the middle of the batch carrying it."""

    def __reduce__(self) -> tuple[Any, ...]:
        return (os._exit, (1,))


class Mortal(Counter):
    @al.handler
    def exit(self, msg: Exit) -> None:
        os._exit(1)

    @al.handler
    def never(self, msg: DieOnArrival) -> None:  # never runs: the process dies first
        raise AssertionError("unreachable")


@dataclass
class SpawnChild:
    start: int = 0
    placement: Any = None


@dataclass
class Decisions: ...


@dataclass
class Children: ...


class _Parent(al.Actor):
    def __init__(self) -> None:
        self.seen: list[str] = []

    @al.handler
    def spawn_child(self, msg: SpawnChild) -> al.ActorRef:
        return self.ctx.spawn(Mortal(msg.start), placement=msg.placement or al.Remote())

    @al.handler
    def decisions(self, msg: Decisions) -> list[str]:
        return self.seen

    @al.handler
    def children(self, msg: Children) -> list[al.ActorRef]:
        return self.ctx.children


class Restarter(_Parent):
    supervisor = al.OneForOne(max_restarts=2, within=60.0)


class Resumer(_Parent):
    def supervise(self, esc: al.Escalation) -> tuple[al.Signal, None]:
        self.seen.append(f"{type(esc.error).__name__}: {esc.error}")
        return (al.Signal.RESUME, None)


class Stopper(_Parent):
    def supervise(self, esc: al.Escalation) -> tuple[al.Signal, None]:
        self.seen.append(f"{type(esc.error).__name__}")
        return (al.Signal.TERMINATE, None)
