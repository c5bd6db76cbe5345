"""Envelopes (a message plus how to answer it) and the signals actors exchange."""

from __future__ import annotations

import asyncio
import concurrent.futures
from collections.abc import Callable
from typing import Any, NamedTuple

from .messages import HandlerSpec


class _EnvelopeFields(NamedTuple):
    msg: Any
    spec: HandlerSpec
    reply: Any  # None (tell) | asyncio.Future | concurrent Future | Forward
    sender: Any  # the sending ActorCell, or None for the notebook/script
    origin: object  # opaque token of the notebook cell that caused it
    enqueued_at: float
    corr_id: int | None = None
    ask_id: int | None = None


class Envelope(_EnvelopeFields):
    """A message in a mailbox: the message, its handler, where the reply goes, who sent it.

    A named tuple so the send path can build one with a single C call (``new_envelope``): the
    hot path of every ``tell``. Compared and hashed by identity, like any object: two envelopes
    carrying equal messages are still two messages.
    """

    __slots__ = ()
    __eq__ = object.__eq__
    __ne__ = object.__ne__
    __hash__ = object.__hash__

    @property
    def kind(self) -> str:
        if self.reply is None:
            return "tell"
        return "forward" if isinstance(self.reply, Forward) else "ask"


#: ``new_envelope(Envelope, (msg, spec, reply, sender, origin, enqueued_at, corr_id, ask_id))``:
#: all eight fields, positionally; about half the cost of calling ``Envelope(...)``.
new_envelope: Callable[[type[Envelope], tuple[Any, ...]], Envelope] = tuple.__new__


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
