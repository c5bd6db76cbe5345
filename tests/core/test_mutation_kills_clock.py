"""Tests that kill mutants of ``clock`` (``make mutation``): an ``await ref.ask`` from another
event loop (a notebook's ``await``, a script's ``asyncio.run``) returns the reply, raises the
handler's error, times out when it should and not before, and a cancelled wait drops the reply."""

from __future__ import annotations

import asyncio
import concurrent.futures
import math
import threading
import time

import pytest

import actorlab as al
from actorlab.clock import RealClock, await_interruptibly, wait_future
from actorlab.testing import wait_idle

from .actors import Add, Boom, Counter, Get, Sleep

_GATE = threading.Event()


class Gated(al.Actor):
    @al.handler
    async def get(self, msg: Get) -> str:
        await asyncio.get_running_loop().run_in_executor(None, _GATE.wait, 10)
        return "late"


@pytest.fixture
def gate():
    _GATE.clear()
    yield _GATE
    _GATE.set()


def test_an_ask_from_another_loop_gets_the_reply_or_the_error(al_root):
    c = al_root.spawn(Counter(), name="c")

    async def main():
        await c.ask(Add(2))
        value = await c.ask(Get())
        unlimited = await c.ask(Get(), timeout=math.inf)
        with pytest.raises(al.HandlerError):
            await c.ask(Boom("no"))
        return value, unlimited

    assert asyncio.run(main()) == (2, 2)


def test_an_ask_from_another_loop_times_out_after_its_timeout(al_root, gate):
    g = al_root.spawn(Gated(), name="gated")

    async def main():
        t0 = time.monotonic()
        with pytest.raises(al.AskTimeout):
            await g.ask(Get(), timeout=0.3)
        return time.monotonic() - t0

    took = asyncio.run(main())
    assert 0.25 < took < 3
    gate.set()
    wait_idle()


def test_await_interruptibly_returns_results_raises_errors_and_times_out():
    async def main():
        done: concurrent.futures.Future = concurrent.futures.Future()
        done.set_result(7)
        assert await await_interruptibly(done, None) == 7
        assert await RealClock().wait_async(done, 1.0) == 7
        failed: concurrent.futures.Future = concurrent.futures.Future()
        failed.set_exception(KeyError("k"))
        with pytest.raises(KeyError):
            await await_interruptibly(failed, 1.0)
        later: concurrent.futures.Future = concurrent.futures.Future()
        threading.Timer(0.15, later.set_result, ("set later",)).start()
        assert await await_interruptibly(later, None) == "set later"  # waits past one 0.1 s step
        never: concurrent.futures.Future = concurrent.futures.Future()
        t0 = time.monotonic()
        with pytest.raises(concurrent.futures.TimeoutError):
            await await_interruptibly(never, 0.25)
        took = time.monotonic() - t0
        assert never.cancelled()  # given up: a reply that comes later is dropped
        return took

    took = asyncio.run(main())
    assert 0.2 < took < 3


def test_a_cancelled_await_cancels_the_cross_thread_future():
    async def main():
        fut: concurrent.futures.Future = concurrent.futures.Future()
        task = asyncio.ensure_future(await_interruptibly(fut, None))
        await asyncio.sleep(0)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        return fut

    assert asyncio.run(main()).cancelled()


def test_wait_future_cancels_what_timed_out():
    fut: concurrent.futures.Future = concurrent.futures.Future()
    with pytest.raises(concurrent.futures.TimeoutError):
        wait_future(fut, 0.05)
    assert fut.cancelled()
    ok: concurrent.futures.Future = concurrent.futures.Future()
    ok.set_result(3)
    assert RealClock().wait(ok, 0.05) == 3 and wait_future(ok, None) == 3
    assert RealClock.virtual is False and isinstance(RealClock.now(), float)


def test_an_ask_sync_timeout_says_it_timed_out(al_root):
    c = al_root.spawn(Counter(), name="sleepy")
    c.tell(Sleep(0.5))
    with pytest.raises(al.AskTimeout):
        c.ask_sync(Get(), timeout=0.05)
