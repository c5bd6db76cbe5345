"""Message types shared by every implementation, so all of them move the same objects."""

from __future__ import annotations

import concurrent.futures
from dataclasses import dataclass
from typing import Any


@dataclass
class Add:
    """Increment a counter."""

    amount: int = 1


@dataclass
class Get:
    """Ask a counter for its value."""


@dataclass
class Ping:
    """Ask an echo actor for a constant reply."""


@dataclass
class Ball:
    """One half of a ping-pong round trip; ``reply_to`` is the sender's ref."""

    remaining: int
    reply_to: Any


@dataclass
class Serve:
    """Start a ping-pong rally of ``rounds`` round trips; ``done`` gets the number played."""

    rounds: int
    partner: Any
    done: concurrent.futures.Future[int]


@dataclass
class Flood:
    """Tell ``n`` ``Add(1)`` to ``target``, then ask it for its count (actor-to-actor W1)."""

    n: int
    target: Any


@dataclass
class AskLoop:
    """Ask ``target`` ``n`` times in sequence; the reply is the list of latencies in ns."""

    n: int
    target: Any


@dataclass
class SpawnStop:
    """Spawn and stop ``n`` children in batches of ``batch``; the reply is the number stopped."""

    n: int
    batch: int


@dataclass
class FanOut:
    """Spawn ``children`` counters, tell each ``per_child`` times, ask all; reply timings."""

    children: int
    per_child: int


@dataclass
class Populate:
    """Spawn ``n`` idle children and keep them (W7); the reply is the number started."""

    n: int


@dataclass
class Hit:
    """W9: one tell to a sink; it reports ``Reached`` to ``reply_to`` when its count hits ``at``."""

    at: int
    reply_to: Any


@dataclass
class Reached:
    """W9: a sink has counted all the hits of this pass."""


@dataclass
class Spread:
    """W9: one hit to each of ``targets``, then ``n`` round robin in ``chunks`` timed chunks;
    ``at`` is each sink's count once the pass is over; ``gc`` the ``GcClock`` read at each mark."""

    targets: list[Any]
    n: int
    chunks: int
    at: int
    gc: Any
    done: concurrent.futures.Future[Any]
