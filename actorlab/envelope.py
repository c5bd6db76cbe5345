"""Envelopes: a message plus its handler, where its reply goes and who sent it."""

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


_new: Callable[[type[Envelope], tuple[Any, ...]], Envelope] = tuple.__new__  # one C call


def tell_envelope(
    msg: Any, spec: HandlerSpec, sender: Any, origin: object, at: float, corr_id: int | None = None
) -> Envelope:
    """The envelope of a tell (``corr_id`` only while a trace records it)."""
    return _new(Envelope, (msg, spec, None, sender, origin, at, corr_id, None))


def reply_envelope(
    msg: Any,
    spec: HandlerSpec,
    reply: Any,
    sender: Any,
    origin: object,
    at: float,
    corr_id: int | None = None,
    ask_id: int | None = None,
) -> Envelope:
    """The envelope of an ask (``reply`` a future) or a forward (``reply`` a ``Forward``)."""
    return _new(Envelope, (msg, spec, reply, sender, origin, at, corr_id, ask_id))


def member(head: Envelope, msg: Any) -> Envelope:
    """The whole envelope of ``msg``, queued in ``head``'s run (see ``Mailbox``)."""
    return _new(Envelope, (msg, head.spec, None, head.sender, head.origin, head.enqueued_at, None, None))


def envelope_of(head: Envelope, msg: Any) -> Envelope:
    """The whole envelope of ``msg``, taken while ``head`` was in force: ``head`` itself when
    ``msg`` came in it, else ``msg``'s place in ``head``'s run."""
    return head if head.msg is msg else member(head, msg)


class Forward:
    """Reply target of ``ref.forward``: the handler's result is told to ``deliver``."""

    __slots__ = ("deliver",)

    def __init__(self, deliver: Callable[[Any], None]) -> None:
        self.deliver = deliver


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
