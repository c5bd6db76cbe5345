"""Envelopes: a message plus its handler, where its reply goes and who sent it."""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
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
    to: Any = None  # the target ActorCell of a send from another thread (the runtime's inbox)


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
    msg: Any,
    spec: HandlerSpec,
    sender: Any,
    origin: object,
    at: float,
    corr_id: int | None = None,
    to: Any = None,
) -> Envelope:
    """The envelope of a tell (``corr_id`` only while a trace records it; ``to`` for a send
    from another thread)."""
    return _new(Envelope, (msg, spec, None, sender, origin, at, corr_id, None, to))


def reply_envelope(
    msg: Any,
    spec: HandlerSpec,
    reply: Any,
    sender: Any,
    origin: object,
    at: float,
    corr_id: int | None = None,
    ask_id: int | None = None,
    to: Any = None,
) -> Envelope:
    """The envelope of an ask (``reply`` a future) or a forward (``reply`` a ``Forward``)."""
    return _new(Envelope, (msg, spec, reply, sender, origin, at, corr_id, ask_id, to))


def member(head: Envelope, msg: Any) -> Envelope:
    """The whole envelope of ``msg``, queued in ``head``'s run (see ``Mailbox``)."""
    return _new(
        Envelope,
        (msg, head.spec, None, head.sender, head.origin, head.enqueued_at, None, None, None),
    )


class Burst:
    """Plain tells sent in a row from other threads to one actor, with one handler and origin:
    one entry of the runtime's inbox (``Runtime.send_tell``), delivered in one step. ``env`` is
    the first message's envelope, ``more`` the messages after it, in the order they were sent."""

    __slots__ = ("env", "more")

    def __init__(self, env: Envelope) -> None:
        self.env = env
        self.more: list[Any] = []


def envelope_of(head: Envelope, msg: Any) -> Envelope:
    """The whole envelope of ``msg``, taken while ``head`` was in force: ``head`` itself when
    ``msg`` came in it, else ``msg``'s place in ``head``'s run."""
    return head if head.msg is msg else member(head, msg)


class Forward:
    """Reply target of ``ref.forward``: the handler's result is told to ``deliver``."""

    __slots__ = ("deliver",)

    def __init__(self, deliver: Callable[[Any], None]) -> None:
        self.deliver = deliver


_NO_CALLBACKS: Any = ()  # a reply's callbacks until the first is added (usually none is)


class Reply(concurrent.futures.Future[Any]):
    """The reply of a blocking ask (``ask_sync``): a future with one waiting thread, on one lock.

    A ``concurrent.futures.Future`` serves any number of waiters and callbacks: it makes a
    ``Condition`` (and its lock) per future, enters it on every call, and a lock per wait. A
    blocking ask has one waiter and no callbacks: here a lock is held from the start and
    released once, when the reply is settled (on the runtime thread); the waiting thread
    acquires it. Callbacks, if any are added, run as the standard future runs them.
    """

    def __init__(self) -> None:  # (no Condition: the standard __init__ is not called)
        self._settled = threading.Lock()
        self._settled.acquire()
        self._state = "PENDING"
        self._result: Any = None
        self._exception: BaseException | None = None
        self._done_callbacks: list[Callable[[concurrent.futures.Future[Any]], Any]] = _NO_CALLBACKS

    def __repr__(self) -> str:
        return f"<Reply {self._state.lower()}>"

    def done(self) -> bool:
        return self._state != "PENDING"

    def cancelled(self) -> bool:
        return self._state == "CANCELLED"

    def running(self) -> bool:
        return False

    def cancel(self) -> bool:
        """The waiter gave up (timeout, Ctrl-C): a reply that comes later is dropped. (The lock
        stays held: only a settle releases it, so a settle racing this releases it once.)"""
        if self._state == "PENDING":
            self._state = "CANCELLED"
            self._run_callbacks()
        return self._state == "CANCELLED"

    def set_running_or_notify_cancel(self) -> bool:
        return self._state != "CANCELLED"

    def set_result(self, result: Any) -> None:
        if self._state != "PENDING":
            raise concurrent.futures.InvalidStateError(f"{self!r} is settled already")
        self._result = result
        self._finish()

    def set_exception(self, exception: BaseException | None) -> None:
        if self._state != "PENDING":
            raise concurrent.futures.InvalidStateError(f"{self!r} is settled already")
        self._exception = exception
        self._finish()

    def _finish(self) -> None:
        self._state = "FINISHED"
        self._settled.release()
        self._run_callbacks()

    def _run_callbacks(self) -> None:
        for fn in self._done_callbacks:
            fn(self)

    def _wait(self, timeout: float | None) -> None:
        if self._state == "PENDING" and not self._settled.acquire(
            True, -1 if timeout is None else timeout
        ):
            raise concurrent.futures.TimeoutError
        if self._state == "CANCELLED":
            raise concurrent.futures.CancelledError

    def result(self, timeout: float | None = None) -> Any:
        self._wait(timeout)
        if self._exception is not None:
            raise self._exception
        return self._result

    def exception(self, timeout: float | None = None) -> BaseException | None:
        self._wait(timeout)
        return self._exception

    def add_done_callback(self, fn: Callable[[concurrent.futures.Future[Any]], Any]) -> None:
        if self._state == "PENDING":
            if self._done_callbacks is _NO_CALLBACKS:
                self._done_callbacks = []
            self._done_callbacks.append(fn)
        else:
            fn(self)


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
