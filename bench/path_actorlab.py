"""Message-path workloads on actorlab, through its public API only (``import actorlab as al``).

W9: one actor tells each of 100 k sinks once (waking them all), then 1 M hits round robin in ten
timed chunks, then the sinks drain; the chunks show whether sending slows down as the heap of queued messages grows, and
``GcClock`` how much of it is the garbage collector. W10: a tell flood (from an actor and from
the main thread) to an actor before and after its ``save_snapshot``, alternated with the same
flood to a control actor that is never saved.
"""

from __future__ import annotations

import concurrent.futures
import itertools
import time
from dataclasses import dataclass
from typing import Any

import actorlab as al
from bench.common import (
    Cases,
    GcClock,
    Span,
    Stopwatch,
    chunked_rates,
    expect,
    median_rate,
    warmup_size,
)
from bench.impl_actorlab import Producer
from bench.messages import Add, Flood, Get, Hit, Populate, Reached, Spread


class Sink(al.Actor):
    def __init__(self) -> None:
        self.count = 0

    @al.handler
    def hit(self, msg: Hit) -> None:
        self.count += 1
        if self.count == msg.at:
            msg.reply_to.tell(Reached())


class Flooder(al.Actor):
    def __init__(self) -> None:
        self.expected = 0
        self.reached = 0
        self.marks: list[tuple[float, float, float, int]] = []
        self.spread_msg: Any = None

    @al.handler
    def spread(self, msg: Spread) -> None:
        self.expected, self.reached, self.spread_msg = len(msg.targets), 0, msg
        me, at, clock = self.ctx.this, msg.at, msg.gc
        for target in msg.targets:  # wake every sink first: each timed tell then only queues
            target.tell(Hit(at, me))
        targets = itertools.cycle(msg.targets)
        chunk = msg.n // msg.chunks
        self.marks = [_mark(clock)]
        for _ in range(msg.chunks):
            for target in itertools.islice(targets, chunk):
                target.tell(Hit(at, me))
            self.marks.append(_mark(clock))

    @al.handler
    def reached_(self, msg: Reached) -> None:
        self.reached += 1
        if self.reached == self.expected:
            self.marks.append(_mark(self.spread_msg.gc))
            self.spread_msg.done.set_result(self.marks)


class SinkSpawner(al.Actor):
    @al.handler
    def populate(self, msg: Populate) -> list[Any]:
        return [self.ctx.spawn(Sink()) for _ in range(msg.n)]


def _mark(clock: GcClock) -> tuple[float, float, float, int]:
    return (time.perf_counter(), time.process_time(), *clock.read())


def w9(size: dict[str, Any]) -> Cases:
    actors, n = size["actors"], size["n"]
    expect((n % actors, n % 10), (0, 0), "W9: n must be a multiple of the actors and of 10")
    root = al.root()
    try:
        sinks: list[Any] = root.spawn(SinkSpawner()).ask_sync(Populate(actors), timeout=600.0)
        flooder = root.spawn(Flooder())
        with GcClock() as clock:
            at = 0
            for k in (actors, n):  # a warm-up pass of one hit per sink, then the timed pass
                at += k // actors + 1
                done: concurrent.futures.Future[Any] = concurrent.futures.Future()
                flooder.tell(Spread(sinks, k, 10, at, clock, done))
                marks = done.result(600.0)
        return chunked_rates(marks, n)
    finally:
        al.shutdown(timeout=120.0)


@dataclass
class Save:
    storage: Any


class SnapCounter(al.Actor, snapshot=True):  # type: ignore[call-arg]
    def __init__(self) -> None:
        self.value = 0

    @al.handler
    def add(self, msg: Add) -> None:
        self.value += msg.amount

    @al.handler
    def get(self, msg: Get) -> int:
        return self.value

    @al.handler
    async def save(self, msg: Save) -> None:
        await self.ctx.save_snapshot(msg.storage)


def w10(size: dict[str, Any]) -> Cases:
    n, rounds = size["n"], size["rounds"]
    root = al.root()
    try:
        saved, control = root.spawn(SnapCounter()), root.spawn(SnapCounter())
        producer = root.spawn(Producer())
        sent = {saved: 0, control: 0}

        def from_actor(ref: Any, k: int) -> Span:
            sw = Stopwatch()
            count = producer.ask_sync(Flood(k, ref), timeout=120.0)
            return _counted(sw.stop(), ref, k, count)

        def from_cell(ref: Any, k: int) -> Span:
            sw = Stopwatch()
            for _ in range(k):
                ref.tell(Add(1))
            count = ref.ask_sync(Get(), timeout=120.0)
            return _counted(sw.stop(), ref, k, count)

        def _counted(span: Span, ref: Any, k: int, count: int) -> Span:
            sent[ref] += k
            expect(count, sent[ref], "W10: counter value")
            return span

        spans: dict[tuple[str, str, str], list[Span]] = {}
        for phase in ("before", "after"):
            if phase == "after":
                saved.ask_sync(Save(al.MemoryStorage()), timeout=60.0)
            for _ in range(rounds):
                for via, flood in (("actor", from_actor), ("cell", from_cell)):
                    for who, ref in (("saved", saved), ("control", control)):
                        flood(ref, warmup_size(n))
                        spans.setdefault((via, who, phase), []).append(flood(ref, n))
        out: Cases = {}
        for via in ("actor", "cell"):
            for phase in ("before", "after"):
                out[f"{via}-{phase}"] = median_rate("msg_per_s", n, spans[(via, "saved", phase)])
            before, after = (
                median_rate("msg_per_s", n, spans[(via, "control", p)])["msg_per_s"]
                for p in ("before", "after")
            )
            out[f"{via}-control"] = {"ratio": after / before}
        return out
    finally:
        al.shutdown()
