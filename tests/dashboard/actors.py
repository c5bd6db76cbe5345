"""Actors and messages shared by the dashboard tests."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import actorlab as al


@dataclass
class Add:
    n: int


@dataclass
class Get:
    pass


@dataclass
class Shout:
    text: str


class Counter(al.Actor):
    def __init__(self) -> None:
        self.value = 0
        self.history: list[int] = []

    @al.handler
    def add(self, msg: Add) -> int:
        self.value += msg.n
        self.history.append(msg.n)
        return self.value

    @al.handler
    def get(self, msg: Get) -> int:
        return self.value

    @al.handler
    def shout(self, msg: Shout) -> None:
        logging.getLogger("tests.dashboard").warning("shouting %s", msg.text)


class Parent(al.Actor):
    supervisor = al.OneForOne(max_restarts=5, within=60.0)

    def __init__(self, n_children: int = 2) -> None:
        self.n_children = n_children

    def on_start(self) -> None:
        for i in range(self.n_children):
            self.ctx.spawn(Counter(), name=f"worker-{i}")


NAMESPACE = {"Add": Add, "Get": Get, "Shout": Shout}
