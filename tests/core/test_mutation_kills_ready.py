"""Tests that kill mutants of ``ready`` (``make mutation``): the ready queue's budget lets the
loop's other work through while idle actors keep messaging each other without end."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import actorlab as al

from .actors import Get


@dataclass
class Ball:
    to: Any


class Player(al.Actor):
    def __init__(self) -> None:
        self.hits = 0

    @al.handler
    def ball(self, msg: Ball) -> None:
        self.hits += 1
        msg.to.tell(Ball(self.ctx.this))  # back and forth, for ever

    @al.handler
    def get(self, msg: Get) -> int:
        return self.hits


def test_an_endless_rally_between_idle_actors_still_lets_asks_and_stops_through(al_root):
    a = al_root.spawn(Player(), name="a")
    b = al_root.spawn(Player(), name="b")
    a.tell(Ball(b))
    first = a.ask_sync(Get(), timeout=5)  # answered: the queue yields to the inbox now and then
    second = a.ask_sync(Get(), timeout=5)
    assert second > first > 0
    a.stop(timeout=5)
    b.stop(timeout=5)
    assert a.is_closed() and b.is_closed()
