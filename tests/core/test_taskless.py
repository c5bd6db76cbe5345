"""Actors that start without a task (``ActorCell.start``) and stop without one (``stop_now``).

An actor spawned from an instance whose class has no ``on_start`` is idle at once: the ready
queue runs its sync handlers, and its task is made only when something needs one (an async
handler, a failure, a signal other than a lone stop, children to stop, ``on_exit``).
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import actorlab as al
from actorlab.cell import ActorCell
from actorlab.runtime import set_failure_reporter
from actorlab.testing import wait_idle, wait_until


class Plain(al.Actor):
    def __init__(self) -> None:
        self.n = 0

    @al.handler
    def add(self, msg: int) -> int:
        if msg < 0:
            raise ValueError(f"bad {msg}")
        self.n += msg
        return self.n

    @al.handler
    def bye(self, msg: str) -> None:
        self.ctx.this.tell(1)  # queued behind the stop: a dead letter
        self.ctx.terminate()

    @al.handler
    async def later(self, msg: float) -> float:
        await asyncio.sleep(0)
        return msg * 2

    @al.handler
    def spawn_child(self, msg: bytes) -> al.ActorRef[Any]:
        return self.ctx.spawn(Plain())


class WithStart(Plain):
    def on_start(self) -> None:
        self.n = 100


EXITS: list[str] = []  # module level: spawning copies an actor's own state


class WithExit(Plain):
    def on_exit(self, code: Any) -> None:
        EXITS.append("exit")


def _cell(ref: al.ActorRef[Any]) -> Any:
    return ref._cell


def test_an_actor_from_an_instance_starts_and_works_without_a_task(al_root) -> None:
    a = al_root.spawn(Plain())
    wait_idle()
    assert _cell(a).task is None and a.status is al.Status.IDLE
    assert a.ask_sync(2) == 2 and a.ask_sync(3) == 5
    a.tell(1)
    wait_idle()
    info = a.info()
    assert (info.processed, info.status, info.current_handler) == (3, al.Status.IDLE, None)
    assert _cell(a).task is None  # sync handlers never needed it


def test_an_on_start_hook_or_actor_args_get_a_task(al_root) -> None:
    a = al_root.spawn(WithStart())
    assert a.ask_sync(1) == 101
    assert _cell(a).task is not None


def test_terminate_from_the_handler_stops_it_without_a_task(al_root) -> None:
    a = al_root.spawn(Plain())
    a.tell("bye")
    wait_until(a.is_closed)
    cell = _cell(a)
    assert cell.task is None and cell.status is al.Status.STOPPED
    wait_until(lambda: any(d.message == 1 for d in al.dead_letters()))
    assert cell.id not in cell.runtime.cells


def test_stop_stops_it_without_a_task(al_root) -> None:
    a = al_root.spawn(Plain())
    assert a.ask_sync(1) == 1
    a.stop()
    assert _cell(a).task is None and a.status is al.Status.STOPPED


def test_an_async_handler_makes_the_task_and_the_state_carries_over(al_root) -> None:
    a = al_root.spawn(Plain())
    assert a.ask_sync(5) == 5
    assert a.ask_sync(1.5) == 3.0
    assert _cell(a).task is not None
    assert a.ask_sync(1) == 6


def test_a_failure_without_a_task_is_escalated_and_the_actor_resumes(al_root) -> None:
    class Sup(al.Actor):
        def supervise(self, esc: Any) -> Any:
            return al.Signal.RESUME, None

        @al.handler
        def make(self, msg: str) -> al.ActorRef[Any]:
            return self.ctx.spawn(Plain())

    child = al_root.spawn(Sup()).ask_sync("go")
    assert child.ask_sync(4) == 4
    assert _cell(child).task is None
    child.tell(-1)
    wait_until(lambda: child.info().failures == 1)
    assert child.ask_sync(1) == 5  # resumed with its state
    assert _cell(child).task is not None


def test_a_failure_of_a_top_level_taskless_actor_stops_it(al_root) -> None:
    seen: list[str] = []
    set_failure_reporter(lambda label, err, origin: seen.append(err.message))
    try:
        a = al_root.spawn(Plain())
        a.tell(-2)
        wait_until(a.is_closed)
    finally:
        set_failure_reporter(None)
    assert seen == ["bad -2"]


def test_a_taskless_actor_with_children_or_on_exit_stops_through_its_task(
    al_root, monkeypatch
) -> None:
    EXITS.clear()
    tasked: list[Any] = []  # the cells that made a task (a stopped cell drops its task)
    start_task = ActorCell._start_task
    monkeypatch.setattr(
        ActorCell, "_start_task", lambda cell, *a: (tasked.append(cell), start_task(cell, *a))[1]
    )
    a = al_root.spawn(WithExit())
    child = a.ask_sync(b"child")
    assert _cell(a).task is None and _cell(child).task is None and tasked == []
    a.stop()
    assert EXITS == ["exit"] and child.is_closed() and a.is_closed()
    assert tasked == [_cell(a)]  # finish awaited the child and on_exit in a's task; the child,
    # a lone stop of a childless actor, needed no task


def test_a_pause_of_a_taskless_actor_holds_its_messages(al_root) -> None:
    a = al_root.spawn(Plain())
    wait_idle()
    a.pause()
    a.tell(1)
    wait_until(lambda: a.info().mailbox == 1)
    assert a.info().status is al.Status.PAUSED and _cell(a).processed == 0
    a.resume()
    assert a.ask_sync(1) == 2


# -- handler timing: one clock read per message ---------------------------------------------------
class Timed(al.Actor):
    @al.handler
    def work(self, msg: float) -> None:
        if msg:
            time.sleep(msg)  # the handler's own work (measured), not a synchronisation


def test_handler_time_max_is_the_slow_message_of_a_batch(al_root) -> None:
    a = al_root.spawn(Timed())
    a.pause()
    for _ in range(100):
        a.tell(0.0)
    a.tell(0.02)
    for _ in range(100):
        a.tell(0.0)
    a.resume()  # the 201 messages run back to back, in batches
    wait_until(lambda: a.info().processed == 201)
    info = a.info()
    assert 0.02 <= info.handler_time_max < 0.5
    assert info.handler_time_max <= info.handler_time_total < info.handler_time_max + 0.5
    assert info.current_handler is None and info.in_handler_for is None
