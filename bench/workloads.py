"""What is measured: workloads, their cases and metrics, sizes, implementations and targets."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

#: Implementations, in table order, with their column labels.
IMPLS: dict[str, str] = {
    "actorlab": "actorlab",
    "asyncio": "asyncio floor (Queue)",
    "tuned": "tuned floor (deque)",
    "thread": "cross-thread floor",
    "thread-batch": "cross-thread floor, batched",
    "pykka": "pykka",
}
FLOORS = ("asyncio", "tuned", "thread", "thread-batch")


@dataclass(frozen=True)
class Metric:
    key: str
    label: str
    unit: str  # "rate", "us", "ms", "bytes"
    higher_is_better: bool


@dataclass(frozen=True)
class Workload:
    id: str
    title: str
    cases: tuple[str, ...]
    metrics: tuple[Metric, ...]
    impls: tuple[str, ...]
    full: dict[str, Any]
    quick: dict[str, Any]
    max_repeats: int | None = None  # fewer runs where one is enough (memory is deterministic)

    def sizes(self, quick: bool) -> dict[str, Any]:
        return self.quick if quick else self.full


RATE = "rate"
TELL = Metric("msg_per_s", "msg/s", RATE, True)
P50 = Metric("p50_us", "p50", "us", False)
P99 = Metric("p99_us", "p99", "us", False)

WORKLOADS: dict[str, Workload] = {
    w.id: w
    for w in (
        Workload(
            "W1",
            "tell throughput (n tells to one actor, then an ask for the count)",
            ("cell", "actor"),
            (TELL,),
            ("actorlab", "asyncio", "tuned", "thread", "thread-batch", "pykka"),
            {"n": 200_000},
            {"n": 5_000},
        ),
        Workload(
            "W2",
            "ask round trip (n sequential asks)",
            ("cell-sync", "cell-async", "actor"),
            (P50, P99),
            ("actorlab", "asyncio", "tuned", "thread", "pykka"),
            {"n": 20_000},
            {"n": 500},
        ),
        Workload(
            "W3",
            "ping-pong between two actors (n round trips of two tells)",
            ("actor",),
            (Metric("rt_per_s", "round trips/s", RATE, True),),
            ("actorlab", "asyncio", "tuned", "pykka"),
            {"n": 100_000},
            {"n": 2_000},
        ),
        Workload(
            "W4",
            "spawn + stop (n actors, in batches; stop waits until stopped)",
            ("cell", "actor"),
            (Metric("actors_per_s", "actors/s", RATE, True),),
            ("actorlab", "asyncio", "tuned", "thread", "pykka"),
            {"n": 10_000, "batch": 100},
            {"n": 500, "batch": 50},
        ),
        Workload(
            "W5",
            "fan-out (a parent spawns children, tells each k times round robin, asks all)",
            ("actor",),
            (Metric("spawn_ms", "spawn children", "ms", False), TELL),
            ("actorlab", "asyncio", "tuned", "pykka"),
            {"children": 1000, "per_child": 100},
            {"children": 50, "per_child": 10},
        ),
        Workload(
            "W6",
            "snapshot save and load of a ~1 MB state",
            (),
            (),
            ("snapshots",),
            {},
            {},
            max_repeats=1,  # bench/snapshots.py reports medians of its own repetitions
        ),
        Workload(
            "W7",
            "memory per idle actor (tracemalloc)",
            ("idle",),
            (Metric("bytes_per_actor", "per actor", "bytes", False),),
            ("actorlab", "asyncio", "tuned", "pykka"),
            {"n": 100_000, "n_pykka": 2_000},
            {"n": 2_000, "n_pykka": 100},
            max_repeats=1,
        ),
        Workload(
            "W8",
            "cost of tracing/monitoring hooks (actor-to-actor tell throughput)",
            ("no-hooks", "off", "off-again", "trace", "monitor", "subscribe"),
            (TELL,),
            ("actorlab", "tuned"),
            {"n": 100_000, "rounds": 3},
            {"n": 5_000, "rounds": 1},
            max_repeats=3,  # each run alternates the variants `rounds` times itself
        ),
    )
}

#: The floor each (workload, case) is compared with: same hop, least machinery.
MATCHING_FLOOR: dict[tuple[str, str], str] = {
    ("W1", "cell"): "thread",
    ("W1", "actor"): "tuned",
    ("W2", "cell-sync"): "thread",
    ("W2", "cell-async"): "thread",
    ("W2", "actor"): "tuned",
    ("W3", "actor"): "tuned",
    ("W4", "cell"): "thread",
    ("W4", "actor"): "asyncio",
    ("W5", "actor"): "tuned",
}


@dataclass(frozen=True)
class Target:
    """actorlab's ``metric`` in ``(workload, case)`` must be ``op bound`` times ``versus``."""

    text: str
    workload: str
    case: str
    metric: str
    versus: str  # an implementation, or "abs" for an absolute bound
    op: str  # ">=" or "<="
    bound: float
    speedup: bool = False  # compare as speed (versus time / actorlab time) instead of a ratio


def _targets() -> list[Target]:
    out: list[Target] = []
    for wl, case, metric in (
        ("W1", "actor", "msg_per_s"),
        ("W3", "actor", "rt_per_s"),
        ("W5", "actor", "msg_per_s"),
    ):
        out.append(
            Target("actor-to-actor ≥ 0.5× tuned floor", wl, case, metric, "tuned", ">=", 0.5)
        )
    out.append(
        Target(
            "cell-to-actor tell ≥ 0.5× cross-thread floor",
            "W1",
            "cell",
            "msg_per_s",
            "thread",
            ">=",
            0.5,
        )
    )
    for case in ("cell-sync", "cell-async", "actor"):
        floor = MATCHING_FLOOR[("W2", case)]
        out.append(Target("ask p50 ≤ 1.5× matching floor", "W2", case, "p50_us", floor, "<=", 1.5))
    out.append(
        Target("spawn + stop ≥ 0.5× floor", "W4", "actor", "actors_per_s", "asyncio", ">=", 0.5)
    )
    out.append(
        Target("spawn + stop ≥ 0.5× floor", "W4", "cell", "actors_per_s", "thread", ">=", 0.5)
    )
    for wl, case, metric in (
        ("W1", "cell", "msg_per_s"),
        ("W1", "actor", "msg_per_s"),
        ("W2", "cell-sync", "p50_us"),
        ("W2", "cell-async", "p50_us"),
        ("W2", "actor", "p50_us"),
        ("W3", "actor", "rt_per_s"),
        ("W4", "cell", "actors_per_s"),
        ("W4", "actor", "actors_per_s"),
        ("W5", "actor", "spawn_ms"),
        ("W5", "actor", "msg_per_s"),
    ):
        out.append(Target("≥ 4× pykka", wl, case, metric, "pykka", ">=", 4.0, speedup=True))
    out.append(Target("idle actor ≤ 3 KB", "W7", "idle", "bytes_per_actor", "abs", "<=", 3072))
    out.append(
        Target(
            "hooks off cost ≤ 5% vs no hooks", "W8", "off", "msg_per_s", "case:no-hooks", ">=", 0.95
        )
    )
    return out


TARGETS: list[Target] = _targets()
