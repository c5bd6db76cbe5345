"""The workloads' actors for the asyncio floors (``bench.floors``), written as plain behaviours.

Each behaviour has ``receive(msg)`` and ``is_async``; ``me`` is set to its floor actor. The logic
mirrors the actorlab and pykka versions in ``impl_actorlab`` and ``impl_pykka`` line for line.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

from bench.common import Stopwatch
from bench.messages import Add, AskLoop, Ball, FanOut, Flood, Get, Ping, Serve, SpawnStop


class Behavior:
    is_async = False
    me: Any = None

    def receive(self, msg: Any) -> Any:
        raise NotImplementedError


class Counter(Behavior):
    def __init__(self) -> None:
        self.value = 0

    def receive(self, msg: Any) -> Any:
        if type(msg) is Add:
            self.value += msg.amount
            return None
        if type(msg) is Get:
            return self.value
        raise TypeError(f"Counter cannot handle {type(msg).__name__}")


class Echo(Behavior):
    def receive(self, msg: Any) -> Any:
        if type(msg) is Ping:
            return 1
        raise TypeError(f"Echo cannot handle {type(msg).__name__}")


class Idle(Behavior):
    def receive(self, msg: Any) -> Any:
        if type(msg) is Get:
            return 0
        raise TypeError(f"Idle cannot handle {type(msg).__name__}")


class Producer(Behavior):
    """W1 actor-to-actor: tell ``n`` times, then ask the target for its count."""

    is_async = True

    async def receive(self, msg: Any) -> Any:
        if type(msg) is Flood:
            target = msg.target
            for _ in range(msg.n):
                target.tell(Add(1))
            return await target.ask(Get(), 60.0)
        raise TypeError(f"Producer cannot handle {type(msg).__name__}")


class Asker(Behavior):
    """W2 actor-to-actor: ``n`` sequential asks, latencies in ns."""

    is_async = True

    async def receive(self, msg: Any) -> Any:
        if type(msg) is AskLoop:
            target = msg.target
            clock = time.perf_counter_ns
            lat = []
            for _ in range(msg.n):
                t0 = clock()
                await target.ask(Ping())
                lat.append(clock() - t0)
            return lat
        raise TypeError(f"Asker cannot handle {type(msg).__name__}")


class Pinger(Behavior):
    """W3: serves the ball and counts round trips; sets ``done`` after the last one."""

    def __init__(self) -> None:
        self.rounds = 0
        self.partner: Any = None
        self.done: Any = None

    def receive(self, msg: Any) -> Any:
        if type(msg) is Ball:
            left = msg.remaining - 1
            if left == 0:
                self.done.set_result(self.rounds)
            else:
                self.partner.tell(Ball(left, self.me))
            return None
        if type(msg) is Serve:
            self.rounds, self.partner, self.done = msg.rounds, msg.partner, msg.done
            self.partner.tell(Ball(msg.rounds, self.me))
            return None
        raise TypeError(f"Pinger cannot handle {type(msg).__name__}")


class Ponger(Behavior):
    def receive(self, msg: Any) -> Any:
        if type(msg) is Ball:
            msg.reply_to.tell(Ball(msg.remaining, self.me))
            return None
        raise TypeError(f"Ponger cannot handle {type(msg).__name__}")


class Spawner(Behavior):
    """W4 actor-to-actor: spawn a batch of idle children, then stop each (waiting for it)."""

    is_async = True

    def __init__(self, spawn: Callable[[Behavior], Any]) -> None:
        self.spawn = spawn

    async def receive(self, msg: Any) -> Any:
        if type(msg) is SpawnStop:
            stopped = 0
            spawn = self.spawn
            for _ in range(0, msg.n, msg.batch):
                children = [spawn(Idle()) for _ in range(msg.batch)]
                for child in children:
                    await child.stop()
                    stopped += 1
            return stopped
        raise TypeError(f"Spawner cannot handle {type(msg).__name__}")


class FanParent(Behavior):
    """W5: spawn counters, tell each ``per_child`` times (round robin), ask every one."""

    is_async = True

    def __init__(self, spawn: Callable[[Behavior], Any]) -> None:
        self.spawn = spawn

    async def receive(self, msg: Any) -> Any:
        if type(msg) is FanOut:
            sw = Stopwatch()
            children = [self.spawn(Counter()) for _ in range(msg.children)]
            spawn = sw.stop()
            sw = Stopwatch()
            for _ in range(msg.per_child):
                for child in children:
                    child.tell(Add(1))
            counts = await asyncio.gather(*(child.ask(Get(), 60.0) for child in children))
            msgs = sw.stop()
            for child in children:
                await child.stop()
            return {"spawn": spawn, "msgs": msgs, "total": sum(counts)}
        raise TypeError(f"FanParent cannot handle {type(msg).__name__}")
