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
    group: str = "core"  # "savina": S1–S8; "path": the message-path workloads of its section
    modules: dict[str, str] | None = None  # impl -> module, instead of ``bench.worker.MODULES``
    function: str = ""  # the function each module implements it as (default: the id, lowercased)

    def sizes(self, quick: bool) -> dict[str, Any]:
        return self.quick if quick else self.full

    @property
    def function_name(self) -> str:
        return self.function or self.id.lower()


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

SAVINA_MODULES = {
    "actorlab": "bench.savina.impl_actorlab",
    "tuned": "bench.savina.impl_floor",
    "pykka": "bench.savina.impl_pykka",
    "thespian": "bench.savina.impl_thespian",
}
#: Column labels of the Savina tables.
SAVINA_IMPLS = {
    "actorlab": "actorlab",
    "tuned": "asyncio floor (deque)",
    "pykka": "pykka",
    "thespian": "thespian",
}
TIME = Metric("ms", "time", "ms", False)


def _savina(
    wid: str, function: str, title: str, full: dict[str, int], quick: dict[str, int]
) -> Workload:
    return Workload(
        wid,
        title,
        ("actor",),
        (TIME,),
        tuple(SAVINA_MODULES),
        full,
        quick,
        max_repeats=3,  # eight benchmarks times four libraries: three runs keep `make bench` short
        group="savina",
        modules=SAVINA_MODULES,
        function=function,
    )


#: Savina (Imam & Sarkar, AGERE 2014), sized so that actorlab takes ~0.3–0.7 s of CPU per pass.
SAVINA: tuple[Workload, ...] = (
    _savina("S1", "pingpong", "ping-pong (n round trips)", {"n": 20_000}, {"n": 100}),
    _savina("S2", "counting", "counting (n tells, then the count)", {"n": 100_000}, {"n": 500}),
    _savina(
        "S3",
        "fjthroughput",
        "fork-join throughput (n messages to each of k workers)",
        {"actors": 60, "n": 1_500},
        {"actors": 6, "n": 50},
    ),
    _savina(
        "S4",
        "fjcreation",
        "fork-join creation (n actors, one message each)",
        {"n": 8_000},
        {"n": 50},
    ),
    _savina(
        "S5",
        "threadring",
        "thread ring (a token passed round n actors)",
        {"actors": 100, "hops": 40_000},
        {"actors": 10, "hops": 200},
    ),
    _savina(
        "S6",
        "chameneos",
        "chameneos (meetings arranged by a mall)",
        {"chameneos": 100, "meetings": 20_000},
        {"chameneos": 10, "meetings": 100},
    ),
    _savina(
        "S7",
        "big",
        "big (each worker pings random workers)",
        {"workers": 100, "pings": 300},
        {"workers": 10, "pings": 10},
    ),
    _savina(
        "S8",
        "logmap",
        "logistic map series (one ask per term)",
        {"series": 10, "terms": 2_000},
        {"series": 3, "terms": 20},
    ),
)
WORKLOADS.update((w.id, w) for w in SAVINA)

PATH_MODULES = {"actorlab": "bench.path_actorlab", "tuned": "bench.path_floor"}
WORKLOADS["W9"] = Workload(
    "W9",
    "1 M tells from one actor, round robin over 100 k actors (chunks of 10 %), then the drain",
    ("first-10%", "last-10%", "all", "chunks", "full-gc-per-chunk"),
    (TELL,),
    ("actorlab", "tuned"),
    {"actors": 100_000, "n": 1_000_000},
    {"actors": 1_000, "n": 10_000},
    max_repeats=1,  # ~20 s of CPU per run (spawning and stopping 100 k actors included)
    group="path",
    modules=PATH_MODULES,
)
WORKLOADS["W10"] = Workload(
    "W10",
    "tell flood to an actor before and after its save_snapshot (and to a control never saved)",
    ("actor-before", "actor-after", "actor-control", "cell-before", "cell-after", "cell-control"),
    (TELL,),
    ("actorlab",),
    {"n": 100_000, "rounds": 3},
    {"n": 2_000, "rounds": 1},
    group="path",
    modules=PATH_MODULES,
)
#: The workloads of the "Savina and the message path" section (W1 and W2 for two of its rows).
SECTION_WORKLOADS = (*(w.id for w in SAVINA), "W1", "W2", "W9", "W10")

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
    versus: str  # an implementation, "case:<case>" (actorlab's own), or "abs" (absolute bound)
    op: str  # ">=", ">" or "<="
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


def _section_targets() -> list[Target]:
    """Issue 9's targets: Savina against the floor, thespian and pykka, and the message path."""
    out: list[Target] = []
    for w in SAVINA:
        out.append(Target("≤ 2.0× the floor's time", w.id, "actor", "ms", "tuned", "<=", 2.0))
    for w in SAVINA:
        out.append(
            Target("faster than thespian", w.id, "actor", "ms", "thespian", ">", 1.0, speedup=True)
        )
    for w in SAVINA:
        out.append(Target("≥ 3× faster than pykka", w.id, "actor", "ms", "pykka", ">=", 3.0, True))
    out += [
        Target(
            "cell → actor tell ≥ 0.5× batched cross-thread floor",
            "W1",
            "cell",
            "msg_per_s",
            "thread-batch",
            ">=",
            0.5,
        ),
        Target("cell ask_sync p50 ≤ 1.2× pykka's", "W2", "cell-sync", "p50_us", "pykka", "<=", 1.2),
        Target(
            "100 k actors: last 10 % ≥ 0.8× first 10 %",
            "W9",
            "last-10%",
            "msg_per_s",
            "case:first-10%",
            ">=",
            0.8,
        ),
    ]
    for via in ("actor", "cell"):
        out.append(
            Target(
                "flood after save_snapshot ≥ 0.9× before",
                "W10",
                f"{via}-after",
                "msg_per_s",
                f"case:{via}-before",
                ">=",
                0.9,
            )
        )
    return out


SECTION_TARGETS: list[Target] = _section_targets()
