"""The single-loop asyncio floors: every actor and the "cell" share one loop on the main thread.

``actor="queue"`` is the raw floor (``asyncio.Queue``), ``actor="deque"`` the tuned one. The
"cell" cases run as the main coroutine of that loop, as a notebook cell would on the kernel's loop.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from typing import Any

from actorlab.events import EventRing
from bench import behaviors as b
from bench.common import (
    CPU,
    Cases,
    MemoryProbe,
    Span,
    Stopwatch,
    expect,
    latency_metrics,
    median_rate,
    rate,
    warmup_size,
)
from bench.floors import ACTORS, STOP, DequeActor
from bench.messages import Add, AskLoop, FanOut, Flood, Get, Ping, Serve, SpawnStop


def w1(size: dict[str, Any], actor: str) -> Cases:
    return asyncio.run(_w1(size["n"], ACTORS[actor]))


async def _w1(n: int, A: Any) -> Cases:
    async def cell(k: int) -> Span:
        counter = A(b.Counter())
        sw = Stopwatch()
        for _ in range(k):
            counter.tell(Add(1))
        count = await counter.ask(Get(), 60.0)
        dt = sw.stop()
        expect(count, k, "W1 cell: counter value")
        await counter.stop()
        return dt

    async def actor(k: int) -> Span:
        producer, counter = A(b.Producer()), A(b.Counter())
        sw = Stopwatch()
        count = await producer.ask(Flood(k, counter), 60.0)
        dt = sw.stop()
        expect(count, k, "W1 actor: counter value")
        await producer.stop()
        await counter.stop()
        return dt

    out: Cases = {}
    for name, fn in (("cell", cell), ("actor", actor)):
        await fn(warmup_size(n))
        out[name] = rate("msg_per_s", n, await fn(n))
    return out


def w2(size: dict[str, Any], actor: str) -> Cases:
    return asyncio.run(_w2(size["n"], ACTORS[actor]))


async def _w2(n: int, A: Any) -> Cases:
    echo = A(b.Echo())

    async def cell(k: int) -> list[int]:
        clock = time.perf_counter_ns
        lat = []
        for _ in range(k):
            t0 = clock()
            await echo.ask(Ping())
            lat.append(clock() - t0)
        return lat

    asker = A(b.Asker())

    async def actor(k: int) -> list[int]:
        lat: list[int] = await asker.ask(AskLoop(k, echo), 120.0)
        return lat

    out: Cases = {}
    for name, fn in (("cell-async", cell), ("actor", actor)):
        await fn(warmup_size(n))
        out[name] = latency_metrics(await fn(n), n, f"W2 {name}")
    return out


def w3(size: dict[str, Any], actor: str) -> Cases:
    return asyncio.run(_w3(size["n"], ACTORS[actor]))


async def _w3(n: int, A: Any) -> Cases:
    async def rally(k: int) -> Span:
        pinger, ponger = A(b.Pinger()), A(b.Ponger())
        done: concurrent.futures.Future[int] = concurrent.futures.Future()
        sw = Stopwatch()
        pinger.tell(Serve(k, ponger, done))
        played = await asyncio.wrap_future(done)
        dt = sw.stop()
        expect(played, k, "W3: round trips played")
        await pinger.stop()
        await ponger.stop()
        return dt

    await rally(warmup_size(n))
    return {"actor": rate("rt_per_s", n, await rally(n))}


def w4(size: dict[str, Any], actor: str) -> Cases:
    return asyncio.run(_w4(size["n"], size["batch"], ACTORS[actor]))


async def _w4(n: int, batch: int, A: Any) -> Cases:
    spawner = A(b.Spawner(A))

    async def run(k: int) -> Span:
        sw = Stopwatch()
        stopped = await spawner.ask(SpawnStop(k, batch), 300.0)
        dt = sw.stop()
        expect(stopped, k, "W4 actor: actors stopped")
        return dt

    await run(max(batch, warmup_size(n) // batch * batch))
    out = {"actor": rate("actors_per_s", n, await run(n))}
    expect(len(asyncio.all_tasks()), 2, "W4: tasks left (main + spawner)")
    return out


def w5(size: dict[str, Any], actor: str) -> Cases:
    return asyncio.run(_w5(size["children"], size["per_child"], ACTORS[actor]))


async def _w5(children: int, per_child: int, A: Any) -> Cases:
    parent = A(b.FanParent(A))

    async def run(c: int) -> dict[str, Any]:
        res: dict[str, Any] = await parent.ask(FanOut(c, per_child), 300.0)
        expect(res["total"], c * per_child, "W5: messages counted by the children")
        return res

    await run(max(1, children // 10))
    res = await run(children)
    spawn, msgs = res["spawn"], res["msgs"]
    metrics = {"spawn_ms": spawn.wall * 1000.0, "spawn_ms" + CPU: spawn.cpu * 1000.0}
    return {"actor": {**metrics, **rate("msg_per_s", children * per_child, msgs)}}


def w7(size: dict[str, Any], actor: str) -> Cases:
    return asyncio.run(_w7(size["n"], ACTORS[actor]))


async def _w7(n: int, A: Any) -> Cases:
    warm = [A(b.Idle()) for _ in range(100)]
    await warm[-1].ask(Get())
    with MemoryProbe() as probe:
        actors = [A(b.Idle()) for _ in range(n)]
        await actors[-1].ask(Get())  # every task has reached its first wait
    for a in actors:
        await a.stop()
    return {"idle": {"bytes_per_actor": probe.bytes / n}}


class HookedDequeActor(DequeActor):
    """The tuned floor with actorlab's hook pattern: one counter test per tell and per message."""

    __slots__ = ("_ring",)

    def __init__(self, behavior: Any, ring: EventRing) -> None:
        self._ring = ring
        super().__init__(behavior)

    def post(self, msg: Any, fut: Any) -> None:
        ring = self._ring
        if ring.message_events:
            ring.emit("tell", None, None, type(msg).__name__)
        self._mb.append((msg, fut))
        w = self._waiter
        if w is not None:
            self._waiter = None
            if not w.done():
                w.set_result(None)

    async def _run(self) -> None:
        b = self._b
        ring = self._ring
        is_async = b.is_async
        mb = self._mb
        popleft = mb.popleft
        create_future = self._loop.create_future
        while True:
            if not mb:
                w = self._waiter = create_future()
                await w
                continue
            msg, fut = popleft()
            if msg is STOP:
                return
            result = b.receive(msg)
            if is_async:
                result = await result
            if ring.message_events:
                ring.emit("handled", None, None, type(msg).__name__)
            if fut is not None and not fut.done():
                fut.set_result(result)


def w8(size: dict[str, Any], actor: str) -> Cases:
    return asyncio.run(_w8(size["n"], size["rounds"]))


async def _w8(n: int, rounds: int) -> Cases:
    ring = EventRing()

    async def flood(k: int, make: Any) -> Span:
        producer, counter = make(b.Producer()), make(b.Counter())
        sw = Stopwatch()
        count = await producer.ask(Flood(k, counter), 60.0)
        dt = sw.stop()
        expect(count, k, "W8: counter value")
        await producer.stop()
        await counter.stop()
        return dt

    def hooked(behavior: Any) -> HookedDequeActor:
        return HookedDequeActor(behavior, ring)

    # Alternate the variants within one process; the median of each cancels slow drifts.
    variants: dict[str, Any] = {
        "no-hooks": DequeActor,
        "off": hooked,
        "off-again": hooked,  # A/A control: the noise of this comparison
        "subscribe": hooked,
    }
    spans: dict[str, list[Span]] = {v: [] for v in variants}
    for _ in range(rounds):
        for name, make in variants.items():
            unsubscribe = ring.subscribe(lambda e: None) if name == "subscribe" else None
            try:
                await flood(warmup_size(n), make)
                spans[name].append(await flood(n, make))
            finally:
                if unsubscribe is not None:
                    unsubscribe()
    return {name: median_rate("msg_per_s", n, s) for name, s in spans.items()}
