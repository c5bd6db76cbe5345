"""Schedule exploration: run a scenario under many interleavings, reproducibly by seed.

Each run is a fresh runtime on virtual time whose scheduler (the runtime's scheduler hook)
decides which ready actor handles its next message. Two strategies:

- ``"random"``: a seeded random walk, each step picking uniformly among the ready actors;
- ``"pct"``: probabilistic concurrency testing (Burckhardt et al., ASPLOS 2010): random
  priorities per actor and ``depth - 1`` random points where the running actor's priority
  drops; the highest-priority ready actor goes next. A bug that needs ``d`` ordering
  constraints among ``n`` actors and ``k`` steps is found with probability at least
  ``1 / (n * k**(d-1))`` per run.

Everything of a run happens on the runtime thread in one deterministic order given the seed,
so ``replay(seed)`` reproduces it exactly.
"""

from __future__ import annotations

import asyncio
import collections
import inspect
import random
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field
from typing import Any

import actorlab as al
from actorlab.runtime import get_runtime
from actorlab.testing.virtual_time import (
    BUSY_LIMIT,
    VirtualClock,
    VirtualLoop,
    start_virtual_runtime,
)
from actorlab.trace import Trace

Scenario = Callable[[al.RootContext], Any]


class RandomScheduler:
    """Grants turns one at a time, to a ready actor picked by a seeded random source.

    Actors ask for a turn before each message (the runtime's scheduler hook); the scheduler
    grants one only when the loop is idle, so every actor that can want a turn has asked.
    """

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.waiting: dict[Any, asyncio.Future[None]] = {}  # cell -> its turn, in arrival order
        self.steps = 0

    def install(self, loop: VirtualLoop) -> None:
        loop.idle_hooks.insert(0, self._grant)

    async def turn(self, cell: Any) -> None:
        fut = asyncio.get_running_loop().create_future()
        self.waiting[cell] = fut
        await fut

    def _grant(self) -> bool:
        ready = [c for c, f in self.waiting.items() if not f.done()]
        if not ready:
            return False
        cell = self.choose(ready)
        self.steps += 1
        self.waiting.pop(cell).set_result(None)
        return True

    def choose(self, ready: list[Any]) -> Any:
        return self.rng.choice(ready)


class PCTScheduler(RandomScheduler):
    """Probabilistic concurrency testing: priorities with ``depth - 1`` change points."""

    def __init__(self, seed: int, depth: int = 3, steps: int = 100) -> None:
        super().__init__(seed)
        self.priority: dict[Any, float] = {}
        self.change_points = sorted(self.rng.sample(range(1, max(steps, depth) + 1), depth - 1))

    def choose(self, ready: list[Any]) -> Any:
        for cell in ready:
            if cell not in self.priority:
                self.priority[cell] = self.rng.random() + len(self.change_points)
        best = max(ready, key=self.priority.__getitem__)
        if self.change_points and self.steps + 1 >= self.change_points[0]:
            self.change_points.pop(0)
            self.priority[best] = float(len(self.change_points))  # below every initial one
            best = max(ready, key=self.priority.__getitem__)
        return best


@dataclass
class Exploration:
    """What ``explore`` found: outcomes with their counts and a seed that reproduces each."""

    outcomes: collections.Counter[Hashable]
    schedules: dict[Hashable, int]
    runs: int
    _replay: Callable[[int], Hashable] = field(repr=False)
    _trace: Callable[[int], Trace] = field(repr=False)

    def replay(self, seed: int) -> Hashable:
        """Run the schedule ``seed`` again; returns its outcome (always the same)."""
        return self._replay(seed)

    def trace(self, seed: int) -> Trace:
        """Replay ``seed`` while tracing: the trace draws as a sequence diagram."""
        return self._trace(seed)

    def __repr__(self) -> str:
        parts = ", ".join(f"{o!r}: {n}" for o, n in self.outcomes.most_common())
        return f"<Exploration of {self.runs} runs: {{{parts}}}>"


def _run_once(
    scenario: Scenario,
    outcome: Callable[[Any], Hashable],
    scheduler: RandomScheduler,
    trace: Trace | None = None,
) -> Hashable:
    clock: VirtualClock = start_virtual_runtime(scheduler)
    scheduler.install(clock.loop)
    try:
        rt = get_runtime()
        if trace is not None:
            trace.start()

        async def start() -> Any:
            value = scenario(rt.root_context)
            if inspect.isawaitable(value):
                value = await value
            return value

        value = rt.submit(start()).result(BUSY_LIMIT)  # on the runtime thread: deterministic
        clock.run_until_quiet()
        if trace is not None:
            trace.stop()  # the scenario's messages, not the outcome's reads
        return outcome(value)
    finally:
        clock.close()


def explore(
    scenario: Scenario,
    *,
    outcome: Callable[[Any], Hashable],
    runs: int = 100,
    seed: int = 0,
    strategy: str = "random",
    depth: int = 3,
    steps: int = 100,
) -> Exploration:
    """Run ``scenario`` under ``runs`` schedules; count the outcomes.

    ``scenario(root)`` (sync or async) runs on the runtime thread: it spawns actors, sends
    messages (``tell``, or ``await ref.ask(...)`` in an async scenario) and returns a value.
    When the system is quiet, ``outcome(value)`` (called from this thread: ``ask_sync`` works)
    gives a hashable outcome. ``strategy`` is ``"random"`` or ``"pct"`` (with ``depth`` and an
    estimate of the number of scheduling ``steps``).
    """
    if strategy not in ("random", "pct"):
        raise ValueError(f"explore(strategy=...) is 'random' or 'pct', got {strategy!r}")
    if not isinstance(runs, int) or runs < 1:
        raise ValueError(f"explore(runs=...) needs a positive int, got {runs!r}")

    def scheduler_for(s: int) -> RandomScheduler:
        if strategy == "pct":
            return PCTScheduler(s, depth=depth, steps=steps)
        return RandomScheduler(s)

    def replay(s: int) -> Hashable:
        return _run_once(scenario, outcome, scheduler_for(s))

    def trace(s: int) -> Trace:
        t = al.trace(settle=0)
        _run_once(scenario, outcome, scheduler_for(s), trace=t)
        return t

    seeds = random.Random(seed)
    counts: collections.Counter[Hashable] = collections.Counter()
    first: dict[Hashable, int] = {}
    for _ in range(runs):
        s = seeds.getrandbits(32)
        result = replay(s)
        counts[result] += 1
        first.setdefault(result, s)
    return Exploration(counts, first, runs, replay, trace)
