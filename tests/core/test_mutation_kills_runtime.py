"""Tests that kill mutants of ``runtime`` (``make mutation``): how a top-level failure is
reported (text, origin, a failing reporter), dead letters, output-routing hooks, start hooks, the
texts of a runtime that is gone, and ``reset(timeout)``."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import math
import sys
import threading
import time

import pytest

import actorlab as al
from actorlab import runtime as rt_mod
from actorlab.runtime import current_actor, get_runtime
from actorlab.testing import wait_idle, wait_until

from .actors import Add, Boom, Counter, Get


class Fails(al.Actor):
    @al.handler
    def boom(self, msg: Boom) -> None:
        raise ValueError(msg.text)

    @al.handler
    async def hang(self, msg: str) -> None:
        await asyncio.Event().wait()  # until cancelled


def test_a_top_level_failure_is_logged_with_its_traceback(al_root, caplog):
    caplog.set_level(logging.ERROR, logger="actorlab")
    top = al_root.spawn(Fails(), name="top")
    top.tell(Boom("kaput"))
    wait_until(top.is_closed, what="the root to stop it")
    [record] = [r for r in caplog.records if "top-level actor" in r.getMessage()]
    text = record.getMessage()
    assert text.startswith("top-level actor top failed in handler and was stopped by the root:\n")
    assert "ValueError: kaput" in text and not text.endswith("\n")


def test_a_top_level_failure_is_reported_in_the_cell_that_sent_the_message(
    al_root, origins, monkeypatch
):
    seen = []
    monkeypatch.setattr(
        rt_mod,
        "_failure_reporter",
        lambda label, error, origin: seen.append((label, origins["in"], origin)),
    )
    origins["next"] = "cell-7"
    top = al_root.spawn(Fails(), name="top")
    top.tell(Boom())
    wait_until(lambda: seen, what="the report")
    assert seen == [("top", "cell-7", "cell-7")]


def test_a_reporter_that_raises_is_logged_naming_the_actor(al_root, monkeypatch, caplog):
    caplog.set_level(logging.ERROR, logger="actorlab")

    def broken(label, error, origin):
        raise RuntimeError("reporter bug")

    monkeypatch.setattr(rt_mod, "_failure_reporter", broken)
    top = al_root.spawn(Fails(), name="top")
    top.tell(Boom())
    wait_until(top.is_closed, what="the root to stop it")
    wait_until(lambda: any("reporter raised" in r.getMessage() for r in caplog.records))
    [record] = [r for r in caplog.records if "reporter raised" in r.getMessage()]
    assert record.getMessage() == "actorlab failure reporter raised while reporting top"
    assert record.exc_info is not None and "reporter bug" in str(record.exc_info[1])


def test_a_message_without_an_origin_runs_in_no_scope(al_root, origins):
    origins["next"] = None  # e.g. sent from a plain script thread
    c = al_root.spawn(Counter())
    assert c.ask_sync(Get()) == 0
    wait_idle()
    assert [tok for who, tok in origins["entered"] if who == c.id] == []


def test_origin_hooks_can_be_installed_and_removed(monkeypatch):
    monkeypatch.setattr(rt_mod, "_origin_capture", None)
    monkeypatch.setattr(rt_mod, "_origin_enter", None)
    assert not rt_mod.has_origin_hooks()
    rt_mod.set_origin_hooks(lambda: "c", None)
    assert rt_mod.has_origin_hooks() and rt_mod._origin_capture() == "c"
    rt_mod.set_origin_hooks(None, contextlib.nullcontext)
    assert rt_mod.has_origin_hooks() and rt_mod._origin_capture is None
    rt_mod.set_origin_hooks(None, None)
    assert not rt_mod.has_origin_hooks()


def test_a_start_hook_runs_once_per_runtime_start_however_often_it_is_added(monkeypatch):
    monkeypatch.setattr(rt_mod, "_start_hooks", [])
    calls = []

    def hook() -> None:
        calls.append(threading.get_ident())

    rt_mod.add_start_hook(hook)
    rt_mod.add_start_hook(hook)
    al.root()
    assert len(calls) == 1


def test_outside_actors_there_is_no_current_actor(al_root):
    assert current_actor() is None


def test_a_dead_letter_is_stamped_and_traced(al_root):
    gone = al_root.spawn(Counter())
    gone.stop()
    events: list = []
    unsubscribe = get_runtime().events.subscribe(events.append)
    try:
        t0 = time.time()
        al_root.spawn(Counter(5)).forward(Get(), gone)
        wait_until(lambda: al.dead_letters(), what="the dead letter")
        wait_idle()
    finally:
        unsubscribe()
    [letter] = al.dead_letters()
    assert t0 <= letter.at <= time.time()
    [ev] = [e for e in events if e.kind == "dead_letter"]
    assert (ev.src, ev.dst, ev.msg_type, ev.msg_repr, ev.detail) == (
        None,
        gone.id,
        "int",
        "5",
        letter.reason,
    )


def test_a_runtime_that_shut_down_says_so_and_how_to_get_a_new_one(al_root):
    rt = get_runtime()
    al.shutdown(timeout=2.0)
    with pytest.raises(al.ActorlabError) as err:
        rt.post(None, lambda: None)
    assert str(err.value) == "the actorlab runtime has shut down. Fix: call al.root() for a new one"


def test_reset_waits_the_timeout_it_is_given(al_root, caplog):
    caplog.set_level(logging.WARNING, logger="actorlab")
    stuck = al_root.spawn(Fails(), name="stuck")
    stuck.tell("hang")
    wait_until(lambda: stuck.info().current_handler is not None, what="the handler to start")
    rt_mod.reset(0.25)
    assert any(
        "actors still running after 0.25 s were cancelled: stuck" in r.getMessage()
        for r in caplog.records
    )


def test_a_posted_call_that_raises_is_logged_and_the_runtime_goes_on(al_root, caplog):
    caplog.set_level(logging.ERROR, logger="actorlab")

    def broken() -> None:
        raise RuntimeError("posted bug")

    rt = get_runtime()
    rt.post(None, broken)
    assert rt.call(lambda: 42) == 42  # the drain went on after the failing item
    [record] = [r for r in caplog.records if "handed to the runtime thread" in r.getMessage()]
    assert record.getMessage() == "actorlab: a call handed to the runtime thread raised"
    assert record.exc_info is not None and "posted bug" in str(record.exc_info[1])


class CallsTheRuntime(al.Actor):
    @al.handler
    def go(self, msg: str) -> str:
        try:
            get_runtime().call(lambda: 1)
        except al.WrongThread as exc:
            return str(exc)
        return "no error"


def test_a_blocking_call_inside_an_actor_is_refused_with_the_fix(al_root):
    a = al_root.spawn(CallsTheRuntime())
    assert a.ask_sync("go") == (
        "this call blocks until the runtime answers, and it was called on the runtime thread "
        "(inside an actor), where it would deadlock. Fix: use the async form with await"
    )


def test_call_awaits_a_coroutine_or_a_future_it_is_handed(al_root):
    rt = get_runtime()

    async def seven() -> int:
        await asyncio.sleep(0)
        return 7

    def future() -> asyncio.Future:
        fut = rt.loop.create_future()
        rt.loop.call_soon(fut.set_result, 8)
        return fut

    assert rt.call(seven) == 7
    assert rt.call(future) == 8


def test_every_spawn_moves_the_runtime_version_on(al_root):
    rt = get_runtime()
    versions = [rt.version]
    for _ in range(3):
        assert al_root.spawn(Counter()).ask_sync(Get()) == 0  # answered: it has started
        versions.append(rt.version)
    assert versions == sorted(set(versions)) and len(versions) == 4


def test_touch_moves_the_version_forward(al_root):
    rt = get_runtime()
    before, _, after = rt.call(lambda: (rt.version, rt.touch(), rt.version))
    assert after > before


def test_ctrl_c_while_waking_the_loop_still_delivers_the_message(al_root, monkeypatch):
    rt = get_runtime()
    c = al_root.spawn(Counter(3))
    assert c.ask_sync(Get()) == 3  # nothing is waiting to be drained now
    real = rt.loop.call_soon_threadsafe
    calls = []

    def interrupted_once(*args):
        calls.append(args)
        if len(calls) == 1:
            raise KeyboardInterrupt
        return real(*args)

    monkeypatch.setattr(rt.loop, "call_soon_threadsafe", interrupted_once)
    done = threading.Event()
    with pytest.raises(KeyboardInterrupt):
        rt.post(None, done.set)
    monkeypatch.undo()
    assert done.wait(5)  # delivered as if the interrupt had come just after the send


def test_a_loop_closed_under_a_send_says_the_runtime_is_gone(al_root, monkeypatch):
    rt = get_runtime()
    assert al_root.spawn(Counter()).ask_sync(Get()) == 0

    def closed(*args):
        raise RuntimeError("Event loop is closed")

    monkeypatch.setattr(rt.loop, "call_soon_threadsafe", closed)
    with pytest.raises(al.ActorlabError) as err:
        rt.post(None, lambda: None)
    monkeypatch.undo()
    assert str(err.value) == "the actorlab runtime has shut down. Fix: call al.root() for a new one"


def test_a_failure_without_an_origin_is_reported_in_no_scope(al_root, origins, monkeypatch):
    seen = []
    monkeypatch.setattr(
        rt_mod, "_failure_reporter", lambda label, error, origin: seen.append(origins["in"])
    )
    origins["next"] = None
    top = al_root.spawn(Fails(), name="top")
    top.tell(Boom())
    wait_until(lambda: seen, what="the report")
    assert seen == [None] and (None, None) not in origins["entered"]
    assert all(tok is not None for _, tok in origins["entered"])


# -- the start and stop path (Runtime.__init__, _run, _stop_all, shutdown) --------------------------
@pytest.fixture
def capacities():
    """Capacities set for the next runtime (they are read when it starts), restored after."""
    yield al.configure
    al.shutdown(timeout=2.0)
    al.configure(event_capacity=10_000, dead_letter_capacity=1_000, shutdown_timeout=5.0)


def test_the_event_ring_keeps_the_configured_number_of_newest_events(capacities):
    capacities(event_capacity=3)
    root = al.root()
    refs = [root.spawn(Counter(), name=f"c{i}") for i in range(5)]
    assert refs[-1].ask_sync(Get()) == 0
    evs = al.events()
    assert len(evs) == 3
    assert evs[-1].kind == "spawn" and evs[-1].dst == refs[-1].id  # the newest kept


def test_dead_letters_keep_the_configured_number_of_newest(capacities):
    capacities(dead_letter_capacity=2)
    root = al.root()
    gone = root.spawn(Counter())
    gone.stop()
    c = root.spawn(Counter())
    for _ in range(3):  # each answer (0, 1, 2, in order) goes to the stopped actor
        c.forward(Get(), gone)
        c.tell(Add(1))
    wait_until(lambda: [d.message for d in al.dead_letters()] == [1, 2], what="two dead letters")


def test_a_start_hook_that_raises_is_logged_and_the_runtime_starts(monkeypatch, caplog):
    caplog.set_level(logging.ERROR, logger="actorlab")

    def broken() -> None:
        raise RuntimeError("hook bug")

    monkeypatch.setattr(rt_mod, "_start_hooks", [broken])
    c = al.root().spawn(Counter(4))
    assert c.ask_sync(Get()) == 4
    [record] = [r for r in caplog.records if "start hook" in r.getMessage()]
    assert record.getMessage() == "an actorlab runtime start hook raised"
    assert record.exc_info is not None and "hook bug" in str(record.exc_info[1])


class Outside(al.Actor):
    """Starts code on the runtime thread outside its handlers; can also hang or shut down."""

    def __init__(self) -> None:
        self.cleaned: list[str] = []

    @al.handler
    def go(self, msg: str) -> str | None:
        loop = asyncio.get_running_loop()
        if msg == "callback":
            loop.call_soon(sys.exit, 3)
        elif msg == "stop-loop":
            loop.stop()
        elif msg == "background":
            self.bg = loop.create_task(self._forever())
        elif msg == "shutdown":
            try:
                al.shutdown()
            except al.WrongThread as exc:
                return str(exc)
        return None

    async def _forever(self) -> None:
        try:
            await asyncio.Event().wait()
        finally:
            await asyncio.sleep(0)
            self.cleaned.append("background task")

    @al.handler
    async def hang(self, msg: Get) -> None:
        await asyncio.Event().wait()  # until cancelled


def test_an_exception_out_of_a_callback_is_logged_with_its_traceback(al_root, caplog):
    caplog.set_level(logging.ERROR, logger="actorlab")
    al_root.spawn(Outside()).tell("callback")
    wait_until(lambda: "ignored" in caplog.text, what="the log")
    [record] = [r for r in caplog.records if "ignored" in r.getMessage()]
    assert record.getMessage() == (
        "SystemExit raised on the actorlab runtime thread by code outside any handler "
        "(a callback or task an actor started); ignored, the runtime goes on"
    )
    assert record.exc_info is not None and isinstance(record.exc_info[1], SystemExit)


def test_a_loop_stopped_by_actor_code_is_logged_and_ignored(al_root, caplog):
    caplog.set_level(logging.ERROR, logger="actorlab")
    al_root.spawn(Outside()).tell("stop-loop")
    wait_until(lambda: "ignored" in caplog.text, what="the log")
    [record] = [r for r in caplog.records if "ignored" in r.getMessage()]
    assert record.getMessage() == (
        "the actorlab event loop was stopped by code on the runtime thread (only "
        "al.shutdown() stops it); ignored, the runtime goes on"
    )


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_dying_runtime_thread_logs_why_and_what_to_do(monkeypatch, caplog):
    caplog.set_level(logging.ERROR, logger="actorlab")
    rt = al.root().runtime
    real = rt_mod.log

    class Breaking:  # the runtime's own safety net fails: the thread really dies
        def error(self, msg, *args, **kwargs):
            if "ignored" in msg:
                raise SystemExit("the safety net broke")
            real.error(msg, *args, **kwargs)

    monkeypatch.setattr(rt_mod, "log", Breaking())
    rt.loop.call_soon_threadsafe(sys.exit, 4)
    rt.thread.join(5)
    [record] = [r for r in caplog.records if "died" in r.getMessage()]
    assert record.getMessage() == (
        "the actorlab runtime thread died (SystemExit: the safety net broke); "
        "al.root() starts a new one"
    )


def test_shutdown_inside_an_actor_is_refused_with_the_fix(al_root):
    a = al_root.spawn(Outside())
    assert a.ask_sync("shutdown") == (
        "al.shutdown() was called inside an actor; it would wait for itself. "
        "Fix: call it from the notebook/script, or use ctx.terminate() to stop this actor"
    )


def test_shutdown_cancels_stuck_actors_and_their_tasks_cleanly(caplog):
    caplog.set_level(logging.WARNING, logger="actorlab")
    root = al.root()
    a, b = root.spawn(Outside(), name="a"), root.spawn(Outside(), name="b")
    a.tell("background")
    a.tell(Get())
    b.tell(Get())
    wait_until(
        lambda: a.info().current_handler is not None and b.info().current_handler is not None,
        what="both handlers to start",
    )
    actor = root.runtime.cells[a.id].actor  # (a stopped cell lets its instance go)
    al.shutdown(timeout=0.2)
    texts = [r.getMessage() for r in caplog.records]
    assert "al.shutdown(): actors still running after 0.2 s were cancelled: a, b" in texts
    assert [r for r in caplog.records if r.levelno >= logging.ERROR] == []  # finished cleanly
    assert actor.cleaned == ["background task"]
    assert not any(t.name == "actorlab-runtime" for t in threading.enumerate())


class Stubborn(al.Actor):
    @al.handler
    async def stay(self, msg: str) -> None:
        while True:  # swallows every cancellation: the actor never stops
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(3600)


def test_shutdown_returns_even_if_an_actor_ignores_cancellation(caplog):
    caplog.set_level(logging.ERROR, logger="actorlab")
    s = al.root().spawn(Stubborn(), name="stubborn")
    s.tell("stay")
    wait_until(lambda: s.info().current_handler is not None, what="the handler to start")
    al.shutdown(timeout=0.1)  # waits 0.1 s for the actors, then 5 s more for the cancellations
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.getMessage() == "actorlab shutdown did not finish cleanly"
    assert record.exc_info is not None


class Exits(al.Actor):
    @al.handler
    def get(self, msg: Get) -> int:
        return 1

    async def on_exit(self, code) -> None:
        await asyncio.sleep(0)
        rt_mod.log.warning("on_exit ran")


def _shut_down_on_a_stubborn_actor() -> None:
    s = al.root().spawn(Stubborn(), name="stubborn")
    s.tell("stay")
    wait_until(lambda: s.info().current_handler is not None, what="the handler to start")
    al.shutdown(timeout=0.1)


def test_the_tasks_a_shutdown_gave_up_on_are_freed_without_a_word(caplog):
    """They are not reported again by asyncio when the collector frees them, at a random later
    moment in another test or cell (seen on 3.13: 'Task was destroyed but it is pending!')."""
    caplog.set_level(logging.WARNING)
    _shut_down_on_a_stubborn_actor()
    assert "al.shutdown(): actors still running after 0.1 s were cancelled: stubborn" in [
        r.getMessage() for r in caplog.records
    ]
    caplog.clear()
    al.root()  # a fresh runtime: the old one, and the tasks it left, are garbage now
    gc.collect()
    assert [r.getMessage() for r in caplog.records] == []


def test_shutdown_without_a_time_limit_waits_for_every_actor(caplog):
    caplog.set_level(logging.WARNING, logger="actorlab")
    e = al.root().spawn(Exits(), name="e")
    assert e.ask_sync(Get()) == 1
    al.shutdown(timeout=math.inf)
    assert [r.getMessage() for r in caplog.records] == ["on_exit ran"]
