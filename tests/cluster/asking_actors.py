"""Actors for the cross-process ask and forward tests (imported by name in the Ray workers)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import actorlab as al

from .actors import Counter


@dataclass
class AskThere:
    """Ask ``target`` for ``msg`` (from the remote actor's handler) and return the reply."""

    target: Any
    msg: Any
    timeout: float | None = None
    blocking: bool = False


@dataclass
class ForwardThere:
    target: Any
    msg: Any
    reply_to: Any


class Asker(al.Actor):
    @al.handler
    async def ask_there(self, msg: AskThere) -> Any:
        if msg.blocking:
            return msg.target.ask_sync(msg.msg, timeout=msg.timeout)
        return await msg.target.ask(msg.msg, timeout=msg.timeout)

    @al.handler
    def forward_there(self, msg: ForwardThere) -> None:
        msg.target.forward(msg.msg, msg.reply_to)


@dataclass
class Fail:
    text: str


class Answerer(Counter):
    """A Counter (its ``Get`` may sleep) that can also fail on demand."""

    @al.handler
    def fail(self, msg: Fail) -> None:
        raise ValueError(msg.text)


@dataclass
class Got: ...


class Sink(al.Actor):
    """Collects the ints told to it (a forwarded reply)."""

    def __init__(self) -> None:
        self.items: list[int] = []

    @al.handler
    def number(self, msg: int) -> None:
        self.items.append(msg)

    @al.handler
    def got(self, msg: Got) -> list[int]:
        return list(self.items)
