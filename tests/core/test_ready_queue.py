"""The ready queue: an idle actor handles sync messages with its task parked (``actorlab.ready``).

A message to an idle actor must not wake its task (no fresh waiter future, no loop iteration
per message), and everything the task does must still happen: signals first, failures
escalated, ``ctx.terminate()`` and self-asks seen as "inside the handler", async handlers.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any

import actorlab as al
from actorlab.envelope import reply_envelope, tell_envelope
from actorlab.runtime import set_failure_reporter
from actorlab.signals import Kind, Sig
from actorlab.testing import wait_idle, wait_until


@dataclass
class Ping:
    left: int
    to: Any


@dataclass
class Hop:
    pass


class Player(al.Actor):
    def __init__(self) -> None:
        self.hits = 0
        self.tasks: list[Any] = []
        self.running: list[bool] = []

    @al.handler
    def ping(self, msg: Ping) -> None:
        self.hits += 1
        self.tasks.append(asyncio.current_task())
        if msg.left:
            msg.to.tell(Ping(msg.left - 1, self.ctx.this))

    @al.handler
    def hop(self, msg: Hop) -> None:
        self.hits += 1

    @al.handler
    async def slow(self, msg: float) -> float:
        await asyncio.sleep(0)
        return msg * 2

    @al.handler
    def stop_me(self, msg: str) -> str:
        self.ctx.terminate()
        return msg

    @al.handler
    def fail(self, msg: int) -> None:
        if msg < 0:  # a signal to itself, then a failure, in one queued batch
            self.ctx.this.pause()
        raise ValueError(f"bad {msg}")


def _cell(ref: al.ActorRef[Any]) -> Any:
    return ref._cell


def test_ping_pong_between_idle_actors_never_wakes_their_tasks() -> None:
    a = al.root().spawn(Player())
    b = al.root().spawn(Player())
    wait_idle()
    waiters = _cell(a)._waiter, _cell(b)._waiter
    assert None not in waiters
    a.tell(Ping(1000, b))
    wait_until(lambda: _cell(a).processed == 501 and _cell(b).processed == 500)
    wait_idle()
    # The tasks stayed parked on the waiter they parked on first: no task step per message.
    assert (_cell(a)._waiter, _cell(b)._waiter) == waiters
    assert a.ask_sync(Hop()) is None and _cell(a)._waiter is waiters[0]
    assert a.info().status is al.Status.IDLE and b.info().status is al.Status.IDLE


def test_handlers_run_from_the_queue_are_inside_the_handler() -> None:
    p = al.root().spawn(Player())
    wait_idle()
    assert p.ask_sync("bye") == "bye"  # ctx.terminate() from the handler: stops after it
    wait_until(lambda: p.is_closed())


def test_a_failure_in_a_queued_batch_is_escalated_by_the_task() -> None:
    events: list[Any] = []
    p = al.root().spawn(Player())
    wait_idle()
    set_failure_reporter(lambda label, err, origin: events.append(err.message))
    try:
        p.tell(1)
        wait_until(lambda: p.is_closed())
    finally:
        set_failure_reporter(None)
    assert events == ["bad 1"]


def test_async_handlers_and_asks_still_go_through_the_task() -> None:
    p = al.root().spawn(Player())
    wait_idle()
    assert p.ask_sync(1.5) == 3.0
    for _ in range(3):
        p.tell(Hop())
    assert p.ask_sync(2.0) == 4.0
    wait_idle()
    assert _cell(p).processed == 5


LOG: list[str] = []  # module level: spawning copies an actor's own state


class Recorder(al.Actor):
    def __init__(self, tag: str) -> None:
        self.tag = tag

    @al.handler
    def hop(self, msg: Hop) -> None:
        LOG.append(self.tag)


def test_a_pause_sent_while_queued_holds_the_messages() -> None:
    p = al.root().spawn(Player())
    wait_idle()
    cell = _cell(p)

    def tell_then_pause() -> None:  # on the runtime thread: the pause finds the cell queued
        for _ in range(3):
            p.tell(Hop())
        assert cell.queued
        cell.signal(Sig(Kind.PAUSE))

    cell.runtime.call(tell_then_pause)
    wait_until(lambda: p.info().status is al.Status.PAUSED)
    assert p.info().mailbox == 3 and cell.processed == 0  # the signal came first
    assert p.step() == Hop()
    assert p.info().mailbox == 2 and cell.processed == 1
    p.resume()
    wait_until(lambda: cell.processed == 3)
    wait_idle()
    assert p.info().status is al.Status.IDLE


def test_a_busy_actor_lets_the_others_go_after_a_batch() -> None:
    log = LOG
    log.clear()
    a = al.root().spawn(Recorder("a"))
    b = al.root().spawn(Recorder("b"))
    wait_idle()

    def flood() -> None:  # on the runtime thread: both are queued in one go
        for _ in range(2000):
            a.tell(Hop())
        b.tell(Hop())

    _cell(a).runtime.call(flood)
    wait_until(lambda: len(log) == 2001)
    assert log.index("b") < 1000  # not after all of a's messages


def test_an_async_handler_after_queued_sync_ones_wakes_the_task() -> None:
    p = al.root().spawn(Player())
    wait_idle()
    cell = _cell(p)

    def burst() -> None:  # one callback: Hop, Hop, an async message, Hop
        p.tell(Hop())
        p.tell(Hop())
        p.tell(0.5)
        p.tell(Hop())

    cell.runtime.call(burst)
    wait_until(lambda: cell.processed == 4)
    wait_idle()
    assert p.ask_sync(Hop()) is None and cell.processed == 5
    assert p.info().status is al.Status.IDLE and p.info().mailbox == 0


def test_a_drain_of_the_inbox_handles_what_it_delivered_at_once() -> None:
    p = al.root().spawn(Player())
    wait_idle()
    cell = _cell(p)
    rt = cell.runtime
    spec = p._target(Hop())[1]

    def on_loop() -> int:  # what a tell from another thread leaves in the inbox, then its drain
        rt._inbox.append((cell, tell_envelope(Hop(), spec, None, None, 0.0)))
        rt._drain()
        return int(cell.processed)

    assert rt.call(on_loop) == 1  # handled in the drain's own loop iteration


def test_a_failure_after_a_signal_in_the_same_batch_is_not_lost() -> None:
    events: list[Any] = []
    p = al.root().spawn(Player())
    wait_idle()
    set_failure_reporter(lambda label, err, origin: events.append(err.message))
    try:
        p.tell(-1)
        wait_until(lambda: p.is_closed())
    finally:
        set_failure_reporter(None)
    assert events == ["bad -1"]


def test_an_answered_ask_is_already_counted() -> None:
    p = al.root().spawn(Player())
    wait_idle()
    cell = _cell(p)
    spec = p._target(Hop())[1]
    seen: list[int] = []

    def on_reply(value: Any, error: Any) -> None:  # runs the moment the reply is settled
        seen.append(cell.processed)

    cell.runtime.call(lambda: cell.enqueue(reply_envelope(Hop(), spec, on_reply, None, None, 0.0)))
    wait_until(lambda: seen)
    assert seen == [1]  # an asker reading info() on its reply sees its message counted


def test_a_drain_of_the_inbox_schedules_no_ready_callback_for_it() -> None:
    """The drain runs the ready queue itself at its end: delivering to an idle actor from
    another thread must not also schedule a loop callback (an empty loop turn per burst)."""
    from actorlab.runtime import get_runtime

    p = al.root().spawn(Player())
    wait_idle()
    ready = get_runtime().ready
    loop = ready._loop
    scheduled: list[Any] = []

    class Spy:
        def call_soon(self, fn: Any, *args: Any) -> Any:
            scheduled.append(fn)
            return loop.call_soon(fn, *args)

    ready._loop = Spy()
    try:
        for _ in range(3):
            p.tell(Hop())
        wait_until(lambda: _cell(p).processed == 3)
        wait_idle()
    finally:
        ready._loop = loop
    assert scheduled == []
