"""Persistent actors for the cluster snapshot tests (a module the Ray workers import by name)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Any

import actorlab as al


@dataclass
class Bump:
    n: int


@dataclass
class Total: ...


@dataclass
class SaveTo:
    """Save from the handler, through the actor's own context (None: its storage)."""

    storage: Any = None


@dataclass
class Where: ...


class Tally(al.Actor, snapshot=True):
    def __init__(self, total: int = 0) -> None:
        self.total = total
        self.history: list[int] = []

    @al.handler
    def bump(self, msg: Bump) -> int:
        self.total += msg.n
        self.history.append(msg.n)
        return self.total

    @al.handler
    def get(self, msg: Total) -> tuple[int, list[int]]:
        return (self.total, list(self.history))

    @al.handler
    def save(self, msg: SaveTo) -> str:
        return self.ctx.save_snapshot_sync(msg.storage).actor_id

    @al.handler
    def where(self, msg: Where) -> int:
        return os.getpid()
