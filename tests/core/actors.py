"""Actors and messages shared by the core tests."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import actorlab as al


@dataclass
class Add:
    amount: int


@dataclass
class Get:
    pass


@dataclass
class Boom:
    text: str = "boom"


@dataclass
class Sleep:
    seconds: float


class Counter(al.Actor):
    def __init__(self, value: int = 0) -> None:
        self.value = value

    @al.handler
    async def add(self, msg: Add) -> None:
        v = self.value
        await asyncio.sleep(0)  # a race would lose updates here
        self.value = v + msg.amount

    @al.handler
    def get(self, msg: Get) -> int:
        return self.value

    @al.handler
    def boom(self, msg: Boom) -> None:
        raise ValueError(msg.text)

    @al.handler
    async def sleep(self, msg: Sleep) -> None:
        await asyncio.sleep(msg.seconds)
