"""The workloads on actorlab, through its public API only (``import actorlab as al``).

The actors mirror ``bench.behaviors`` line for line. "cell" cases run on the main thread (a script
or notebook cell: ``tell``, ``ask_sync``, ``await ask`` under ``asyncio.run``); "actor" cases run
inside actors on the runtime thread. Asks use the default 5 s timeout unless the workload needs
longer (one ask that waits for a whole flood).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import actorlab as al
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
from bench.messages import (
    Add,
    AskLoop,
    Ball,
    FanOut,
    Flood,
    Get,
    Ping,
    Populate,
    Serve,
    SpawnStop,
)


class Counter(al.Actor):
    def __init__(self) -> None:
        self.value = 0

    @al.handler
    def add(self, msg: Add) -> None:
        self.value += msg.amount

    @al.handler
    def get(self, msg: Get) -> int:
        return self.value


class Echo(al.Actor):
    @al.handler
    def ping(self, msg: Ping) -> int:
        return 1


class Idle(al.Actor):
    @al.handler
    def get(self, msg: Get) -> int:
        return 0


class Producer(al.Actor):
    @al.handler
    async def flood(self, msg: Flood) -> int:
        target = msg.target
        for _ in range(msg.n):
            target.tell(Add(1))
        count: int = await target.ask(Get(), timeout=60.0)
        return count


class Asker(al.Actor):
    @al.handler
    async def run(self, msg: AskLoop) -> list[int]:
        target = msg.target
        clock = time.perf_counter_ns
        lat = []
        for _ in range(msg.n):
            t0 = clock()
            await target.ask(Ping())
            lat.append(clock() - t0)
        return lat


class Pinger(al.Actor):
    def __init__(self) -> None:
        self.rounds = 0
        self.partner: Any = None
        self.done: Any = None

    @al.handler
    def ball(self, msg: Ball) -> None:
        left = msg.remaining - 1
        if left == 0:
            self.done.set_result(self.rounds)
        else:
            self.partner.tell(Ball(left, self.ctx.this))

    @al.handler
    def serve(self, msg: Serve) -> None:
        self.rounds, self.partner, self.done = msg.rounds, msg.partner, msg.done
        self.partner.tell(Ball(msg.rounds, self.ctx.this))


class Ponger(al.Actor):
    @al.handler
    def ball(self, msg: Ball) -> None:
        msg.reply_to.tell(Ball(msg.remaining, self.ctx.this))


class Spawner(al.Actor):
    @al.handler
    async def run(self, msg: SpawnStop) -> int:
        stopped = 0
        for _ in range(0, msg.n, msg.batch):
            children = [self.ctx.spawn(Idle()) for _ in range(msg.batch)]
            for child in children:
                await child.stop_async()
                stopped += 1
        return stopped


class FanParent(al.Actor):
    @al.handler
    async def run(self, msg: FanOut) -> dict[str, Any]:
        sw = Stopwatch()
        children = [self.ctx.spawn(Counter()) for _ in range(msg.children)]
        spawn = sw.stop()
        sw = Stopwatch()
        for _ in range(msg.per_child):
            for child in children:
                child.tell(Add(1))
        counts = await asyncio.gather(*(child.ask(Get(), timeout=60.0) for child in children))
        msgs = sw.stop()
        for child in children:
            await child.stop_async()
        return {"spawn": spawn, "msgs": msgs, "total": sum(counts)}


class Populator(al.Actor):
    """W7: spawns idle children and keeps their refs (as a notebook keeps its variables)."""

    def __init__(self) -> None:
        self.refs: list[Any] = []

    @al.handler
    async def populate(self, msg: Populate) -> int:
        refs = [self.ctx.spawn(Idle()) for _ in range(msg.n)]
        await refs[-1].ask(Get())  # every child is started and waiting
        self.refs += refs
        return len(refs)


def _run(fn: Callable[..., Cases], *args: Any) -> Cases:
    try:
        return fn(al.root(), *args)
    finally:
        al.shutdown()


def _live() -> int:
    return len(al.inspect())


def w1(size: dict[str, Any]) -> Cases:
    return _run(_w1, size["n"])


def _w1(root: al.RootContext, n: int) -> Cases:
    def cell(k: int) -> Span:
        counter = root.spawn(Counter())
        sw = Stopwatch()
        for _ in range(k):
            counter.tell(Add(1))
        count = counter.ask_sync(Get(), timeout=60.0)
        dt = sw.stop()
        expect(count, k, "W1 cell: counter value")
        counter.stop()
        return dt

    def actor(k: int) -> Span:
        producer, counter = root.spawn(Producer()), root.spawn(Counter())
        sw = Stopwatch()
        count = producer.ask_sync(Flood(k, counter), timeout=60.0)
        dt = sw.stop()
        expect(count, k, "W1 actor: counter value")
        producer.stop()
        counter.stop()
        return dt

    out: Cases = {}
    for name, fn in (("cell", cell), ("actor", actor)):
        fn(warmup_size(n))
        out[name] = rate("msg_per_s", n, fn(n))
    return out


def w2(size: dict[str, Any]) -> Cases:
    return _run(_w2, size["n"])


def _w2(root: al.RootContext, n: int) -> Cases:
    echo = root.spawn(Echo())
    asker = root.spawn(Asker())

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

    async def in_loop() -> list[int]:
        await asynchronous(warmup_size(n))
        return await asynchronous(n)

    def actor(k: int) -> list[int]:
        lat: list[int] = asker.ask_sync(AskLoop(k, echo), timeout=120.0)
        return lat

    out: Cases = {}
    sync(warmup_size(n))
    out["cell-sync"] = latency_metrics(sync(n), n, "W2 cell-sync")
    out["cell-async"] = latency_metrics(asyncio.run(in_loop()), n, "W2 cell-async")
    actor(warmup_size(n))
    out["actor"] = latency_metrics(actor(n), n, "W2 actor")
    return out


def w3(size: dict[str, Any]) -> Cases:
    return _run(_w3, size["n"])


def _w3(root: al.RootContext, n: int) -> Cases:
    def rally(k: int) -> Span:
        pinger, ponger = root.spawn(Pinger()), root.spawn(Ponger())
        done: concurrent.futures.Future[int] = concurrent.futures.Future()
        sw = Stopwatch()
        pinger.tell(Serve(k, ponger, done))
        played = done.result(300.0)
        dt = sw.stop()
        expect(played, k, "W3: round trips played")
        pinger.stop()
        ponger.stop()
        return dt

    rally(warmup_size(n))
    return {"actor": rate("rt_per_s", n, rally(n))}


def w4(size: dict[str, Any]) -> Cases:
    return _run(_w4, size["n"], size["batch"])


def _w4(root: al.RootContext, n: int, batch: int) -> Cases:
    def cell(k: int) -> Span:
        stopped = 0
        sw = Stopwatch()
        for _ in range(0, k, batch):
            refs = [root.spawn(Idle()) for _ in range(batch)]
            for ref in refs:
                ref.stop()
                stopped += 1
        dt = sw.stop()
        expect(stopped, k, "W4 cell: actors stopped")
        return dt

    spawner = root.spawn(Spawner())

    def actor(k: int) -> Span:
        sw = Stopwatch()
        stopped = spawner.ask_sync(SpawnStop(k, batch), timeout=300.0)
        dt = sw.stop()
        expect(stopped, k, "W4 actor: actors stopped")
        return dt

    warm = max(batch, warmup_size(n) // batch * batch)
    out: Cases = {}
    for name, fn in (("cell", cell), ("actor", actor)):
        fn(warm)
        out[name] = rate("actors_per_s", n, fn(n))
    expect(_live(), 1, "W4: live actors left (only the spawner)")
    return out


def w5(size: dict[str, Any]) -> Cases:
    return _run(_w5, size["children"], size["per_child"])


def _w5(root: al.RootContext, children: int, per_child: int) -> Cases:
    parent = root.spawn(FanParent())

    def run(c: int) -> dict[str, Any]:
        res: dict[str, Any] = parent.ask_sync(FanOut(c, per_child), timeout=600.0)
        expect(res["total"], c * per_child, "W5: messages counted by the children")
        return res

    run(max(1, children // 10))
    res = run(children)
    expect(_live(), 1, "W5: live actors left (only the parent)")
    spawn, msgs = res["spawn"], res["msgs"]
    metrics = {"spawn_ms": spawn.wall * 1000.0, "spawn_ms" + CPU: spawn.cpu * 1000.0}
    return {"actor": {**metrics, **rate("msg_per_s", children * per_child, msgs)}}


def w7(size: dict[str, Any]) -> Cases:
    return _run(_w7, size["n"])


def _w7(root: al.RootContext, n: int) -> Cases:
    # Spawned by an actor, as the floors spawn on their own loop.
    populator = root.spawn(Populator())
    populator.ask_sync(Populate(100), timeout=60.0)
    with MemoryProbe() as probe:
        started = populator.ask_sync(Populate(n), timeout=600.0)
    expect(started, n, "W7: actors started")
    expect(_live(), n + 101, "W7: live actors")
    return {"idle": {"bytes_per_actor": probe.bytes / n}}


def w8(size: dict[str, Any]) -> Cases:
    return _run(_w8, size["n"], size["rounds"])


def _w8(root: al.RootContext, n: int, rounds: int) -> Cases:
    from bench import nohooks

    def flood(k: int, variant: str) -> Span:
        producer, counter = root.spawn(Producer()), root.spawn(Counter())
        with VARIANTS[variant](counter, k):
            sw = Stopwatch()
            count = producer.ask_sync(Flood(k, counter), timeout=120.0)
            dt = sw.stop()
        expect(count, k, f"W8 {variant}: counter value")
        producer.stop()
        counter.stop()
        return dt

    VARIANTS: dict[str, Callable[[Any, int], AbstractContextManager[Any]]] = {
        "no-hooks": lambda ref, k: nohooks.stripped(),
        "off": lambda ref, k: _nothing(),
        "off-again": lambda ref, k: _nothing(),  # A/A control: the noise of this comparison
        "trace": lambda ref, k: _tracing(events=4 * k),
        "monitor": lambda ref, k: _monitoring(ref),
        "subscribe": lambda ref, k: _subscribed(),
    }
    spans: dict[str, list[Span]] = {v: [] for v in VARIANTS}
    # Alternate the variants within one process; the median of each cancels slow drifts. Each
    # timed pass follows a warm-up pass of the same variant: swapping methods in and out (for
    # "no-hooks") resets the interpreter's specialisations, which must not be billed to the next.
    for _ in range(rounds):
        for variant in VARIANTS:
            flood(warmup_size(n), variant)
            spans[variant].append(flood(n, variant))
    return {v: median_rate("msg_per_s", n, s) for v, s in spans.items()}


@contextmanager
def _nothing() -> Iterator[None]:
    yield


@contextmanager
def _tracing(events: int) -> Iterator[None]:
    """``al.trace()`` recording every event (its default limit of 1000 would turn it off early)."""
    trace = getattr(al, "trace", None)
    if trace is None:  # before al.trace() existed: the same switch, a message-event listener
        with _subscribed():
            yield
        return
    with trace(limit=events, settle=0.0) as t:
        yield
    if t.limit_reached:
        raise RuntimeError(f"W8 trace: the trace hit its limit of {events} events")


@contextmanager
def _monitoring(ref: Any) -> Iterator[None]:
    unsubscribe = al.monitor(ref, lambda update: None)
    try:
        yield
    finally:
        unsubscribe()


@contextmanager
def _subscribed() -> Iterator[None]:
    from actorlab.runtime import get_runtime

    unsubscribe = get_runtime().events.subscribe(lambda event: None)
    try:
        yield
    finally:
        unsubscribe()
