"""Helpers for testing actors: a fresh runtime per test, probes, waiting, virtual time and
schedule exploration.

Use them in your own pytest suite with ``pytest_plugins = ["actorlab.testing"]`` in
``conftest.py``::

    def test_counter(al_root):                 # a fresh runtime for the test
        probe = spawn_probe()
        ...

    def test_ticks(al_clock):                  # a fresh runtime on virtual time
        t = al.root().spawn(Ticker())          # send_every(1.0, Tick()) in on_start
        al_clock.advance(3600)                 # an hour, in milliseconds of real time
        assert t.ask_sync(Count()) == 3600

``virtual_time()`` is the same as a context manager; ``explore(scenario, outcome=..., runs=...)``
runs a scenario under many message interleavings, each reproducible by its seed.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import actorlab as al
from actorlab.runtime import get_runtime, peek_runtime
from actorlab.testing.explore import Exploration, PCTScheduler, RandomScheduler, explore
from actorlab.testing.virtual_time import VirtualClock, VirtualTimeStuck, virtual_time

try:  # the fixtures need pytest; everything else works without it (notebooks)
    import pytest
except ImportError:  # pragma: no cover
    pytest = None  # type: ignore[assignment]

if pytest is not None:

    @pytest.fixture
    def al_root() -> Iterator[al.RootContext]:
        """A fresh actorlab runtime for one test; shut down (all actors stopped) afterwards."""
        al.shutdown(timeout=2.0)
        root = al.root()
        try:
            yield root
        finally:
            al.shutdown(timeout=2.0)

    @pytest.fixture
    def al_clock() -> Iterator[VirtualClock]:
        """A fresh runtime on virtual time for one test (``clock.advance(seconds)``)."""
        with virtual_time() as clock:
            yield clock


def wait_until(condition: Callable[[], Any], timeout: float = 5.0, what: str = "condition") -> Any:
    """Poll ``condition()`` until it is truthy (returns it) or fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    delay = 0.0005
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(delay)
        delay = min(delay * 2, 0.02)


def _idle_now() -> bool:
    rt = peek_runtime()
    if rt is None:
        return True
    return all(
        not c.mailbox and not c.signals and c.current is None and c.status is not al.Status.STARTING
        for c in list(rt.cells.values())
    ) and not rt._inbox


def wait_idle(timeout: float = 5.0) -> None:
    """Wait until every actor has an empty mailbox and runs no handler (checked on the loop)."""
    rt = get_runtime()
    wait_until(lambda: rt.call(_idle_now) and rt.call(_idle_now), timeout, "all actors to be idle")


class _Sink:
    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.cond = threading.Condition()

    def add(self, msg: Any) -> None:
        with self.cond:
            self.messages.append(msg)
            self.cond.notify_all()


class Probe(al.Actor):
    """An actor that records every message it receives (any type); replies with the message."""

    def __init__(self, sink: _Sink) -> None:
        self._sink = sink

    @al.handler
    def record(self, msg: object) -> Any:
        self._sink.add(msg)
        return msg


class _ProbeArgs(al.ActorArgs[Probe]):
    def __init__(self, sink: _Sink) -> None:
        self.sink = sink

    def initialize(self, ctx: al.Context) -> Probe:
        return Probe(self.sink)


class ProbeHandle:
    """A spawned probe: its ``ref`` plus ways to read and wait for what it received."""

    def __init__(self, ref: al.ActorRef[Probe], sink: _Sink) -> None:
        self.ref = ref
        self._sink = sink

    @property
    def messages(self) -> list[Any]:
        with self._sink.cond:
            return list(self._sink.messages)

    def expect(
        self, match: type | Callable[[Any], bool] = object, timeout: float = 5.0, count: int = 1
    ) -> list[Any]:
        """Block until ``count`` received messages match (a type or a predicate); return them."""
        pred = (lambda m: isinstance(m, match)) if isinstance(match, type) else match

        def found() -> list[Any]:
            return [m for m in self._sink.messages if pred(m)]

        with self._sink.cond:
            ok = self._sink.cond.wait_for(lambda: len(found()) >= count, timeout)
            got = found()
        if not ok:
            raise AssertionError(
                f"probe {self.ref.label} received {len(got)} of {count} expected messages "
                f"matching {match!r} within {timeout:g} s; it got: {self._sink.messages!r:.300}"
            )
        return got[:count]


def spawn_probe(parent: al.Context | al.RootContext | None = None, name: str | None = None) -> ProbeHandle:
    """Spawn a ``Probe`` (under the root by default) and return its handle."""
    sink = _Sink()
    spawner = parent if parent is not None else al.root()
    return ProbeHandle(spawner.spawn(_ProbeArgs(sink), name=name), sink)


__all__ = ["Probe", "ProbeHandle", "al_root", "spawn_probe", "wait_idle", "wait_until"]


__all__ = [
    "Exploration",
    "PCTScheduler",
    "ProbeHandle",
    "RandomScheduler",
    "VirtualClock",
    "VirtualTimeStuck",
    "explore",
    "spawn_probe",
    "virtual_time",
    "wait_idle",
    "wait_until",
]
