"""Actors for the cluster tests (a module the Ray workers import by name)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, field

import actorlab as al


@dataclass
class Add:
    n: int
    spawn_child: bool = False


@dataclass
class Get:
    sleep: float = 0.0


@dataclass
class Crash:
    text: str


class Counter(al.Actor):
    def __init__(self, value: int = 0) -> None:
        self.value = value

    @al.handler
    def add(self, msg: Add) -> al.ActorRef | None:
        self.value += msg.n
        if msg.spawn_child:  # a child without a placement lives in this (remote) process
            return self.ctx.spawn(Counter(0), placement=al.Remote())
        return None

    @al.handler
    async def get(self, msg: Get) -> int:
        if msg.sleep:
            await asyncio.sleep(msg.sleep)
        return self.value

    @al.handler
    def crash(self, msg: Crash) -> None:
        raise RuntimeError(msg.text)


@dataclass
class Seq:
    i: int


@dataclass
class Items: ...


class Collector(al.Actor):
    def __init__(self) -> None:
        self.items: list[int] = []

    @al.handler
    def seq(self, msg: Seq) -> None:
        self.items.append(msg.i)

    @al.handler
    def all(self, msg: Items) -> list[int]:
        return list(self.items)


@dataclass
class Ping:
    n: int
    reply_to: al.ActorRef = field(repr=False)


class Pinger(al.Actor):
    def __init__(self) -> None:
        self.seen: list[int] = []

    @al.handler
    def ping(self, msg: Ping) -> None:
        self.seen.append(msg.n)
        if msg.n > 0:
            msg.reply_to.tell(Ping(msg.n - 1, self.ctx.this))

    @al.handler
    def items(self, msg: Items) -> list[int]:
        return list(self.seen)
