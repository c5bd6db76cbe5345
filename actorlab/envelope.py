"""Envelopes (a message plus how to answer it) and the signals actors exchange."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from typing import Any

from .messages import HandlerSpec


class Envelope:
    """A message in a mailbox: the message, its handler, where the reply goes, who sent it."""

    __slots__ = ("ask_id", "corr_id", "enqueued_at", "msg", "origin", "reply", "sender", "spec")

    def __init__(
        self,
        msg: Any,
        spec: HandlerSpec,
        reply: Any,
        sender: Any,
        origin: object,
        enqueued_at: float,
        corr_id: int | None = None,
        ask_id: int | None = None,
    ) -> None:
        self.msg = msg
        self.spec = spec
        self.reply = reply  # None (tell) | asyncio.Future | concurrent Future | Forward
        self.sender = sender  # the sending ActorCell, or None for the notebook/script
        self.origin = origin  # opaque token of the notebook cell that caused it
        self.enqueued_at = enqueued_at
        self.corr_id = corr_id
        self.ask_id = ask_id

    @property
    def kind(self) -> str:
        if self.reply is None:
            return "tell"
        return "forward" if isinstance(self.reply, Forward) else "ask"


class Forward:
    """Reply target of ``ref.forward``: the handler's result is told to ``deliver``."""

    __slots__ = ("deliver",)

    def __init__(self, deliver: Callable[[Any], None]) -> None:
        self.deliver = deliver


class Sig:
    """A control signal; handled before messages, at message boundaries."""

    __slots__ = ("ack", "kind", "payload")

    def __init__(self, kind: str, ack: Any = None, payload: Any = None) -> None:
        self.kind = kind
        self.ack = ack
        self.payload = payload

    def __repr__(self) -> str:
        return f"Sig({self.kind})"


def settle(target: Any, value: Any = None, error: BaseException | None = None) -> None:
    """Complete a reply or ack target (any kind), ignoring ones already done or cancelled."""
    if target is None:
        return
    if isinstance(target, asyncio.Future):
        if not target.done():
            if error is not None:
                target.set_exception(error)
            else:
                target.set_result(value)
    elif isinstance(target, concurrent.futures.Future):
        if not target.done():
            try:
                if error is not None:
                    target.set_exception(error)
                else:
                    target.set_result(value)
            except concurrent.futures.InvalidStateError:
                pass
    elif isinstance(target, Forward):
        if error is None:
            target.deliver(value)
    else:  # a plain callback
        target(value, error)
