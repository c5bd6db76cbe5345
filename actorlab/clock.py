"""The runtime's clock: what timers, ask timeouts, restart windows and events measure time by.

A core hook (``Runtime(clock=...)``): the default follows real time; ``actorlab.testing``'s
``virtual_time()`` installs one that moves only when the test advances it.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from typing import Any, Protocol, TypeVar

T = TypeVar("T")


class Clock(Protocol):
    def now(self) -> float:
        """Monotonic seconds (event stamps, restart windows)."""
        ...

    def wait(self, fut: concurrent.futures.Future[T], timeout: float | None) -> T:
        """Block another thread on ``fut`` for up to ``timeout`` s (``TimeoutError`` after)."""
        ...

    async def wait_async(self, fut: concurrent.futures.Future[T], timeout: float | None) -> T:
        """``wait`` for a coroutine on another thread's loop."""
        ...

    def send_ask(self, runtime: Any, env: Any, fut: Any, timeout: float | None) -> None:
        """Hand a cross-thread ask's envelope to the runtime (``runtime.send``), with its
        deadline if this clock keeps it (a virtual one: the deadline and the ask arrive in one
        inbox entry, so neither exists without the other)."""
        ...


class RealClock:
    """Wall time. Waits are interruptible (Ctrl-C, the notebook's Stop button)."""

    virtual = False  # a virtual clock says True (traces label their times so)

    now = staticmethod(time.perf_counter)

    def wait(self, fut: concurrent.futures.Future[T], timeout: float | None) -> T:
        return wait_future(fut, timeout)

    async def wait_async(self, fut: concurrent.futures.Future[T], timeout: float | None) -> T:
        return await await_interruptibly(fut, timeout)

    def send_ask(self, runtime: Any, env: Any, fut: Any, timeout: float | None) -> None:
        """Only the envelope: the waiting thread's own timeout is the deadline."""
        runtime.send(env)


def wait_future(fut: concurrent.futures.Future[T], timeout: float | None) -> T:
    """Block on ``fut``; Ctrl-C (or the notebook Stop button) cancels it and propagates."""
    try:
        return fut.result(timeout)
    except (concurrent.futures.TimeoutError, KeyboardInterrupt):
        fut.cancel()
        raise


async def await_interruptibly(fut: concurrent.futures.Future[T], timeout: float | None) -> T:
    """Await a cross-thread future, waking every 0.1 s so a notebook interrupt gets through."""
    loop = asyncio.get_running_loop()
    afut: asyncio.Future[Any] = asyncio.wrap_future(fut, loop=loop)
    deadline = None if timeout is None else loop.time() + timeout
    try:
        while not afut.done():
            step = 0.1 if deadline is None else min(0.1, deadline - loop.time())
            if step <= 0:
                raise concurrent.futures.TimeoutError
            await asyncio.wait({afut}, timeout=step)
        result: T = afut.result()
        return result
    except BaseException:
        fut.cancel()
        raise
