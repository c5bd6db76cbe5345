"""The cross-thread floor: actors on a loop in a daemon thread, driven from the main thread.

This is the hop a notebook cell makes into actorlab's runtime thread, with nothing else: each
main-thread ``tell`` is one ``loop.call_soon_threadsafe`` (a wake-up of the loop per message);
``batched=True`` appends to a shared inbox instead and wakes the loop only when no drain is
pending. Actors on the loop are the tuned ``DequeActor``.
"""

from __future__ import annotations

import asyncio
import collections
import concurrent.futures
import threading
import time
from typing import Any

from bench import behaviors as b
from bench.common import Cases, Span, Stopwatch, expect, latency_metrics, rate, warmup_size
from bench.floors import ASK_TIMEOUT, DequeActor, await_with_timeout
from bench.messages import Add, Get, Ping


class LoopThread:
    """An asyncio loop running forever on a daemon thread."""

    def __init__(self) -> None:
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        self.thread = threading.Thread(
            target=self._main, args=(ready,), name="bench-floor-loop", daemon=True
        )
        self.thread.start()
        ready.wait()
        self.inbox = Inbox(self.loop)

    def _main(self, ready: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(ready.set)
        self.loop.run_forever()

    def spawn(self, behavior: Any, batched: bool = False) -> RemoteRef:
        """Create the actor without a round trip: its task starts on the loop, in order."""
        actor = DequeActor.__new__(DequeActor)
        self.loop.call_soon_threadsafe(DequeActor.__init__, actor, behavior, self.loop)
        return BatchedRef(actor, self) if batched else RemoteRef(actor, self)

    def close(self) -> None:
        """Cancel the actors still running, stop the loop and join the thread."""
        asyncio.run_coroutine_threadsafe(_cancel_others(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)
        self.loop.close()


class Inbox:
    """Main-thread messages for the loop: one wake-up per batch, not per message."""

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self._q: collections.deque[tuple[Any, Any, Any]] = collections.deque()
        self._scheduled = False
        self._wake = loop.call_soon_threadsafe

    def put(self, actor: Any, msg: Any, fut: Any) -> None:
        self._q.append((actor, msg, fut))
        if not self._scheduled:
            self._scheduled = True
            self._wake(self._drain)

    def _drain(self) -> None:
        self._scheduled = False  # before draining: a later put schedules the next drain
        q = self._q
        popleft = q.popleft
        while q:
            actor, msg, fut = popleft()
            actor.post(msg, fut)


class RemoteRef:
    """A main-thread handle on a loop actor: ``tell``, ``ask_sync``, ``await ask``, ``stop``."""

    __slots__ = ("_actor", "_host", "_wake")

    def __init__(self, actor: DequeActor, host: LoopThread) -> None:
        self._actor = actor
        self._host = host
        self._wake = host.loop.call_soon_threadsafe

    def _send(self, msg: Any, fut: Any) -> None:
        self._wake(self._actor.post, msg, fut)

    def tell(self, msg: Any) -> None:
        self._send(msg, None)

    def ask_sync(self, msg: Any, timeout: float = ASK_TIMEOUT) -> Any:
        fut: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._send(msg, fut)
        return fut.result(timeout)

    async def ask(self, msg: Any, timeout: float = ASK_TIMEOUT) -> Any:
        fut: concurrent.futures.Future[Any] = concurrent.futures.Future()
        self._send(msg, fut)
        return await await_with_timeout(asyncio.wrap_future(fut), timeout)

    def stop(self, timeout: float = ASK_TIMEOUT) -> None:
        done: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._wake(self._stop_on_loop, done)
        done.result(timeout)

    def _stop_on_loop(self, done: concurrent.futures.Future[None]) -> None:
        self._actor._post_stop()
        self._actor.task.add_done_callback(lambda _t: done.set_result(None))


class BatchedRef(RemoteRef):
    __slots__ = ()

    def _send(self, msg: Any, fut: Any) -> None:
        self._host.inbox.put(self._actor, msg, fut)


def w1(size: dict[str, Any], batched: bool) -> Cases:
    n = size["n"]
    host = LoopThread()
    try:

        def cell(k: int) -> Span:
            counter = host.spawn(b.Counter(), batched)
            sw = Stopwatch()
            for _ in range(k):
                counter.tell(Add(1))
            count = counter.ask_sync(Get(), 60.0)
            dt = sw.stop()
            expect(count, k, "W1 cell: counter value")
            counter.stop()
            return dt

        cell(warmup_size(n))
        return {"cell": rate("msg_per_s", n, cell(n))}
    finally:
        host.close()


def w2(size: dict[str, Any], batched: bool) -> Cases:
    n = size["n"]
    host = LoopThread()
    try:
        echo = host.spawn(b.Echo(), batched)

        def sync(k: int) -> list[int]:
            clock = time.perf_counter_ns
            lat = []
            for _ in range(k):
                t0 = clock()
                echo.ask_sync(Ping())
                lat.append(clock() - t0)
            return lat

        async def asynchronous(k: int) -> list[int]:
            clock = time.perf_counter_ns
            lat = []
            for _ in range(k):
                t0 = clock()
                await echo.ask(Ping())
                lat.append(clock() - t0)
            return lat

        out: Cases = {}
        sync(warmup_size(n))
        out["cell-sync"] = latency_metrics(sync(n), n, "W2 cell-sync")

        async def main() -> list[int]:
            await asynchronous(warmup_size(n))
            return await asynchronous(n)

        out["cell-async"] = latency_metrics(asyncio.run(main()), n, "W2 cell-async")
        return out
    finally:
        host.close()


def w4(size: dict[str, Any], batched: bool) -> Cases:
    n, batch = size["n"], size["batch"]
    host = LoopThread()
    try:

        def run(k: int) -> Span:
            stopped = 0
            sw = Stopwatch()
            for _ in range(0, k, batch):
                refs = [host.spawn(b.Idle(), batched) for _ in range(batch)]
                for ref in refs:
                    ref.stop()
                    stopped += 1
            dt = sw.stop()
            expect(stopped, k, "W4 cell: actors stopped")
            return dt

        run(max(batch, warmup_size(n) // batch * batch))
        out = {"cell": rate("actors_per_s", n, run(n))}
        left = asyncio.run_coroutine_threadsafe(_count_tasks(), host.loop).result(10)
        expect(left, 0, "W4 cell: actor tasks left on the loop")
        return out
    finally:
        host.close()


async def _count_tasks() -> int:
    return len(asyncio.all_tasks()) - 1


async def _cancel_others() -> None:
    me = asyncio.current_task()
    others = [t for t in asyncio.all_tasks() if t is not me]
    for t in others:
        t.cancel()
    await asyncio.gather(*others, return_exceptions=True)
