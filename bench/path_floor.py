"""W9 on the tuned asyncio floor (``bench.floors.DequeActor``), mirroring ``bench.path_actorlab``.

actorlab is imported, as in ``bench.gc_cost``, so that both heaps start from the same baseline:
the collector's cost grows with every live object, the library's own included.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import time
from typing import Any

import actorlab  # noqa: F401  (the same baseline heap as the actorlab run)
from bench.behaviors import Behavior
from bench.common import Cases, GcClock, chunked_rates, expect
from bench.floors import DequeActor
from bench.messages import Hit, Reached, Spread


class Sink(Behavior):
    count = 0

    def receive(self, msg: Any) -> Any:
        if type(msg) is Hit:
            self.count += 1
            if self.count == msg.at:
                msg.reply_to.tell(Reached())
            return None
        raise TypeError(f"Sink cannot handle {type(msg).__name__}")


class Flooder(Behavior):
    expected = 0
    reached = 0
    marks: list[tuple[float, float, float, int]] = []
    spread: Any = None

    def receive(self, msg: Any) -> Any:
        t = type(msg)
        if t is Reached:
            self.reached += 1
            if self.reached == self.expected:
                self.marks.append(_mark(self.spread.gc))
                self.spread.done.set_result(self.marks)
        elif t is Spread:
            self.expected, self.reached, self.spread = len(msg.targets), 0, msg
            me, at, clock = self.me, msg.at, msg.gc
            for target in msg.targets:  # wake every sink first: each timed tell then only queues
                target.tell(Hit(at, me))
            targets = itertools.cycle(msg.targets)
            chunk = msg.n // msg.chunks
            self.marks = [_mark(clock)]
            for _ in range(msg.chunks):
                for target in itertools.islice(targets, chunk):
                    target.tell(Hit(at, me))
                self.marks.append(_mark(clock))
        else:
            raise TypeError(f"Flooder cannot handle {type(msg).__name__}")


def _mark(clock: GcClock) -> tuple[float, float, float, int]:
    return (time.perf_counter(), time.process_time(), *clock.read())


def w9(size: dict[str, Any], **_: Any) -> Cases:
    return asyncio.run(_w9(size["actors"], size["n"]))


async def _w9(actors: int, n: int) -> Cases:
    expect((n % actors, n % 10), (0, 0), "W9: n must be a multiple of the actors and of 10")
    sinks = [DequeActor(Sink()) for _ in range(actors)]
    flooder = DequeActor(Flooder())
    with GcClock() as clock:
        at = 0
        for k in (actors, n):  # a warm-up pass of one hit per sink, then the timed pass
            at += k // actors + 1
            done: concurrent.futures.Future[Any] = concurrent.futures.Future()
            flooder.tell(Spread(sinks, k, 10, at, clock, done))
            marks = await asyncio.wait_for(asyncio.wrap_future(done), 600.0)
    for actor in (*sinks, flooder):
        await actor.stop()
    return chunked_rates(marks, n)
