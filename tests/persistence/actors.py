"""Persistent actors and messages shared by the persistence tests."""

from __future__ import annotations

import socket
from dataclasses import dataclass
from typing import Any

import actorlab as al


@dataclass
class Increment:
    amount: int


@dataclass
class GetCount:
    pass


@dataclass
class Save:
    pass


@dataclass
class SaveSync:
    pass


@dataclass
class Connect:
    pass


@dataclass
class Crash:
    pass


class Counter(al.Actor, snapshot=True):
    """theta's test Counter: saves on every Increment."""

    def __init__(self, count: int = 0) -> None:
        self.count = count

    @al.handler
    async def increment(self, msg: Increment) -> int:
        self.count += msg.amount
        await self.ctx.save_snapshot()
        return self.count

    @al.handler
    def get(self, msg: GetCount) -> int:
        return self.count

    @al.handler
    async def save(self, msg: Save) -> None:
        await self.ctx.save_snapshot()

    @al.handler
    def save_sync(self, msg: SaveSync) -> int:
        self.ctx.save_snapshot_sync()
        return self.count


class Tally(al.Actor, snapshot=True):
    """Counts without saving: for autosave."""

    def __init__(self, count: int = 0) -> None:
        self.count = count
        self.sock: Any = None

    @al.handler
    def increment(self, msg: Increment) -> int:
        self.count += msg.amount
        return self.count

    @al.handler
    def get(self, msg: GetCount) -> int:
        return self.count

    @al.handler
    def connect(self, msg: Connect) -> None:
        self.sock = socket.socket()

    @al.handler
    def crash(self, msg: Crash) -> None:
        self.count += 1000
        raise RuntimeError("half-updated")

    @al.handler
    def save_sync(self, msg: SaveSync) -> int:
        self.ctx.save_snapshot_sync()
        return self.count


class Other(al.Actor, snapshot=True):
    def __init__(self) -> None:
        self.x = 1

    @al.handler
    def get(self, msg: GetCount) -> int:
        return self.x


class Plain(al.Actor):
    """Not persistent."""

    @al.handler
    def get(self, msg: GetCount) -> int:
        return 0


class Connection:
    def __init__(self, dsn: str) -> None:
        self.dsn = dsn


class Db(al.PersistentActor):
    """Partial persistence: ``conn`` comes back through RuntimeArgs."""

    RuntimeArgs = Connection
    __snapshot_exclude__ = ("conn",)

    def __init__(self, rows: dict[str, int], conn: Connection | None = None) -> None:
        self.rows = rows
        self.conn = conn

    @classmethod
    def persistent_args(cls, snapshot: Db, runtime_args: Connection) -> Db:
        assert snapshot.conn is None  # excluded attributes come back as None
        snapshot.conn = runtime_args
        return snapshot

    @al.handler
    def get(self, msg: GetCount) -> tuple[dict[str, int], str | None]:
        return self.rows, self.conn.dsn if self.conn else None


@dataclass
class ManagerArgs(al.ActorArgs["Manager"]):
    """theta's ManagerArgs: the snapshot of Manager holds child ids, not refs."""

    config: str
    counter_ids: dict[str, al.ActorId]

    @classmethod
    def from_actor(cls, actor: Manager) -> ManagerArgs:
        return cls(actor.config, {k: r.id for k, r in actor.counters.items()})

    async def initialize(self, ctx: al.Context) -> Manager:
        counters = {}
        for key, cid in self.counter_ids.items():
            counters[key] = await ctx.respawn_or(
                None, cid, runtime_args=None, default_args=lambda: Counter(-1)
            )
        return Manager(self.config, counters)


@dataclass
class GetCounter:
    key: str


class Manager(al.Actor, snapshot=ManagerArgs):
    def __init__(self, config: str, counters: dict[str, al.ActorRef[Counter]]) -> None:
        self.config = config
        self.counters = counters

    @al.handler
    def get_counter(self, msg: GetCounter) -> al.ActorRef[Counter]:
        return self.counters[msg.key]
