"""The workloads on pykka 4.x: one OS thread and one ``queue.Queue`` per actor.

The actors mirror ``bench.behaviors`` line for line. Asks pass the same 5 s timeout actorlab
applies by default. pykka futures are not asyncio futures: ``await`` on one blocks the loop, which
is what a notebook user gets, so the ``cell-async`` case measures exactly that.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from typing import Any

import pykka

from bench.common import (
    CPU,
    Cases,
    MemoryProbe,
    Span,
    Stopwatch,
    expect,
    latency_metrics,
    rate,
    warmup_size,
)
from bench.floors import ASK_TIMEOUT
from bench.messages import Add, AskLoop, Ball, FanOut, Flood, Get, Ping, Serve, SpawnStop


def _refuse(actor: object, msg: object) -> Exception:
    return TypeError(f"{type(actor).__name__} cannot handle {type(msg).__name__}")


class Counter(pykka.ThreadingActor):
    def __init__(self) -> None:
        super().__init__()
        self.value = 0

    def on_receive(self, message: Any) -> Any:
        if type(message) is Add:
            self.value += message.amount
            return None
        if type(message) is Get:
            return self.value
        raise _refuse(self, message)


class Echo(pykka.ThreadingActor):
    def on_receive(self, message: Any) -> Any:
        if type(message) is Ping:
            return 1
        raise _refuse(self, message)


class Idle(pykka.ThreadingActor):
    def on_receive(self, message: Any) -> Any:
        if type(message) is Get:
            return 0
        raise _refuse(self, message)


class Producer(pykka.ThreadingActor):
    def on_receive(self, message: Any) -> Any:
        if type(message) is Flood:
            target = message.target
            for _ in range(message.n):
                target.tell(Add(1))
            return target.ask(Get(), timeout=60.0)
        raise _refuse(self, message)


class Asker(pykka.ThreadingActor):
    def on_receive(self, message: Any) -> Any:
        if type(message) is AskLoop:
            target = message.target
            clock = time.perf_counter_ns
            lat = []
            for _ in range(message.n):
                t0 = clock()
                target.ask(Ping(), timeout=ASK_TIMEOUT)
                lat.append(clock() - t0)
            return lat
        raise _refuse(self, message)


class Pinger(pykka.ThreadingActor):
    def __init__(self) -> None:
        super().__init__()
        self.rounds = 0
        self.partner: Any = None
        self.done: Any = None

    def on_receive(self, message: Any) -> Any:
        if type(message) is Ball:
            left = message.remaining - 1
            if left == 0:
                self.done.set_result(self.rounds)
            else:
                self.partner.tell(Ball(left, self.actor_ref))
            return None
        if type(message) is Serve:
            self.rounds, self.partner, self.done = message.rounds, message.partner, message.done
            self.partner.tell(Ball(message.rounds, self.actor_ref))
            return None
        raise _refuse(self, message)


class Ponger(pykka.ThreadingActor):
    def on_receive(self, message: Any) -> Any:
        if type(message) is Ball:
            message.reply_to.tell(Ball(message.remaining, self.actor_ref))
            return None
        raise _refuse(self, message)


def _spawn_stop(n: int, batch: int) -> int:
    stopped = 0
    for _ in range(0, n, batch):
        children = [Idle.start() for _ in range(batch)]
        for child in children:
            child.stop()
            stopped += 1
    return stopped


class Spawner(pykka.ThreadingActor):
    def on_receive(self, message: Any) -> Any:
        if type(message) is SpawnStop:
            return _spawn_stop(message.n, message.batch)
        raise _refuse(self, message)


class FanParent(pykka.ThreadingActor):
    def on_receive(self, message: Any) -> Any:
        if type(message) is FanOut:
            sw = Stopwatch()
            children = [Counter.start() for _ in range(message.children)]
            spawn = sw.stop()
            sw = Stopwatch()
            for _ in range(message.per_child):
                for child in children:
                    child.tell(Add(1))
            futures = [child.ask(Get(), block=False) for child in children]
            counts = pykka.get_all(futures, timeout=60.0)
            msgs = sw.stop()
            for child in children:
                child.stop()
            return {"spawn": spawn, "msgs": msgs, "total": sum(counts)}
        raise _refuse(self, message)


def _run(fn: Any, *args: Any) -> Cases:
    try:
        out: Cases = fn(*args)
        return out
    finally:
        pykka.ActorRegistry.stop_all()


def w1(size: dict[str, Any]) -> Cases:
    return _run(_w1, size["n"])


def _w1(n: int) -> Cases:
    def cell(k: int) -> Span:
        counter = Counter.start()
        sw = Stopwatch()
        for _ in range(k):
            counter.tell(Add(1))
        count = counter.ask(Get(), timeout=60.0)
        dt = sw.stop()
        expect(count, k, "W1 cell: counter value")
        counter.stop()
        return dt

    def actor(k: int) -> Span:
        producer, counter = Producer.start(), Counter.start()
        sw = Stopwatch()
        count = producer.ask(Flood(k, counter), timeout=60.0)
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


def _w2(n: int) -> Cases:
    echo = Echo.start()
    asker = Asker.start()

    def sync(k: int) -> list[int]:
        clock = time.perf_counter_ns
        lat = []
        for _ in range(k):
            t0 = clock()
            echo.ask(Ping(), timeout=ASK_TIMEOUT)
            lat.append(clock() - t0)
        return lat

    async def asynchronous(k: int) -> list[int]:
        clock = time.perf_counter_ns
        lat = []
        for _ in range(k):
            t0 = clock()
            await echo.ask(Ping(), block=False)
            lat.append(clock() - t0)
        return lat

    async def in_loop() -> list[int]:
        await asynchronous(warmup_size(n))
        return await asynchronous(n)

    def actor(k: int) -> list[int]:
        lat: list[int] = asker.ask(AskLoop(k, echo), timeout=120.0)
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


def _w3(n: int) -> Cases:
    def rally(k: int) -> Span:
        pinger, ponger = Pinger.start(), Ponger.start()
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


def _w4(n: int, batch: int) -> Cases:
    warm = max(batch, warmup_size(n) // batch * batch)
    out: Cases = {}
    _spawn_stop(warm, batch)
    sw = Stopwatch()
    expect(_spawn_stop(n, batch), n, "W4 cell: actors stopped")
    out["cell"] = rate("actors_per_s", n, sw.stop())
    spawner = Spawner.start()
    spawner.ask(SpawnStop(warm, batch), timeout=300.0)
    sw = Stopwatch()
    expect(spawner.ask(SpawnStop(n, batch), timeout=300.0), n, "W4 actor: actors stopped")
    out["actor"] = rate("actors_per_s", n, sw.stop())
    spawner.stop()
    expect(len(pykka.ActorRegistry.get_all()), 0, "W4: pykka actors left")
    return out


def w5(size: dict[str, Any]) -> Cases:
    return _run(_w5, size["children"], size["per_child"])


def _w5(children: int, per_child: int) -> Cases:
    parent = FanParent.start()

    def run(c: int) -> dict[str, Any]:
        res: dict[str, Any] = parent.ask(FanOut(c, per_child), timeout=600.0)
        expect(res["total"], c * per_child, "W5: messages counted by the children")
        return res

    run(max(1, children // 10))
    res = run(children)
    spawn, msgs = res["spawn"], res["msgs"]
    metrics = {"spawn_ms": spawn.wall * 1000.0, "spawn_ms" + CPU: spawn.cpu * 1000.0}
    return {"actor": {**metrics, **rate("msg_per_s", children * per_child, msgs)}}


def w7(size: dict[str, Any]) -> Cases:
    return _run(_w7, size["n_pykka"])


def _w7(n: int) -> Cases:
    # A thread per actor: thread stacks are native memory, which tracemalloc does not see.
    warm = [Idle.start() for _ in range(20)]
    warm[-1].ask(Get(), timeout=ASK_TIMEOUT)
    with MemoryProbe() as probe:
        actors = [Idle.start() for _ in range(n)]
        for a in actors:
            a.ask(Get(), timeout=ASK_TIMEOUT)  # every thread is up and waiting
    return {"idle": {"bytes_per_actor": probe.bytes / n}}
