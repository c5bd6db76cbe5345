"""W6: snapshot save/load, actorlab's pickler vs stdlib pickle vs plain dill (recurse=True).

Two states of about the same size:
- ``plain``: ~1 MB of dicts, lists, strings and ints (what most actors hold);
- ``notebook``: instances of classes defined in ``__main__`` (notebook cells) held by an
  actor-like object whose class has a handler, and a function from the same cell. (No lambdas:
  stdlib pickle cannot pickle them at all, and it is the baseline.)

The notebook classes are created by executing a "cell" in the real ``__main__`` namespace (as
Jupyter does), so stdlib pickle can pickle them by reference there (a snapshot that would fail to
load in a fresh kernel), while dill and actorlab pickle the code by value.

``run(quick)`` returns rows ``{"case", "impl", "save_ms", "load_ms", "bytes"}`` (medians);
``python -m bench.snapshots [--quick]`` prints them as a Markdown table.
"""

from __future__ import annotations

import gc
import pickle
import statistics
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import dill

from actorlab.ids import ActorId
from actorlab.persistence import codec, pickling

CELL = """
from dataclasses import dataclass, field

SCALE = 2

def weight(x):
    return x * SCALE

@dataclass
class Item:
    id: int
    name: str
    tags: list = field(default_factory=list)

@dataclass
class Add:
    amount: int

class Inventory:
    def __init__(self, n):
        self.items = [Item(i, f"item-{i}", [i % 7, i % 11, "t"]) for i in range(n)]
        self.total = 0

    def add(self, msg: Add) -> int:
        self.total += weight(msg.amount)
        return self.total
"""

_CELL_NAMES = ("SCALE", "weight", "Item", "Add", "Inventory", "dataclass", "field")


@contextmanager
def notebook_namespace() -> Iterator[dict[str, Any]]:
    """Run ``CELL`` in ``__main__`` (like a notebook cell); remove its names afterwards."""
    main = sys.modules["__main__"].__dict__
    saved = {k: main[k] for k in _CELL_NAMES if k in main}
    exec(compile(CELL, "<notebook cell>", "exec"), main)
    try:
        yield main
    finally:
        for k in _CELL_NAMES:
            main.pop(k, None)
        main.update(saved)


def plain_state() -> dict[str, Any]:
    """About 1 MB pickled: dicts of lists of ints and strings."""
    return {
        f"user-{i}": {
            "scores": list(range(i % 50, i % 50 + 40)),
            "names": [f"name-{i}-{j}" for j in range(8)],
            "active": i % 3 == 0,
            "ratio": i / 7,
        }
        for i in range(3_500)
    }


def _timed_ms(fn: Callable[[], Any]) -> tuple[float, Any]:
    """One run with the collector off (as timeit does): GC pauses are noise here."""
    gc.collect()
    gc.disable()
    try:
        t0 = time.perf_counter()
        result = fn()
        return (time.perf_counter() - t0) * 1000, result
    finally:
        gc.enable()


_AID = ActorId.from_name("bench-snapshot")


def _impls() -> dict[str, tuple[Callable[[Any], bytes], Callable[[bytes], Any]]]:
    return {
        "pickle": (lambda s: pickle.dumps(s, protocol=pickling.PROTOCOL), pickle.loads),
        "dill": (lambda s: dill.dumps(s, recurse=True), dill.loads),
        "actorlab pickler": (lambda s: pickling.dumps(s).data, pickling.loads),
        "actorlab snapshot": (
            lambda s: codec.dump(s, actor_id=_AID, actor_class="bench.State"),
            lambda b: codec.load(b, expected_id=_AID)[1],
        ),
    }


def _measure(case: str, state: Any, quick: bool) -> list[dict[str, Any]]:
    """Round-robin over the implementations (fair on a busy machine); medians per impl."""
    impls = _impls()
    reps = 3 if quick else 11
    times: dict[str, dict[str, list[float]]] = {i: {"save": [], "load": []} for i in impls}
    sizes: dict[str, int] = {}
    for rep in range(reps):
        for impl, (save, load) in impls.items():
            if impl == "dill" and rep >= (2 if quick else 5):
                continue  # ~20x slower: fewer repetitions
            save_ms, data = _timed_ms(lambda save=save: save(state))
            load_ms, _ = _timed_ms(lambda load=load, data=data: load(data))
            times[impl]["save"].append(save_ms)
            times[impl]["load"].append(load_ms)
            sizes[impl] = len(data)
    return [
        {
            "case": case,
            "impl": impl,
            "save_ms": statistics.median(times[impl]["save"]),
            "load_ms": statistics.median(times[impl]["load"]),
            "bytes": sizes[impl],
        }
        for impl in impls
    ]


def run(quick: bool) -> list[dict[str, Any]]:
    """Medians of several repetitions of each (case, implementation)."""
    rows = _measure("plain ~1 MB", plain_state(), quick)
    with notebook_namespace() as ns:
        state = {"inventory": ns["Inventory"](2_000 if quick else 8_000), "f": ns["weight"]}
        rows += _measure("notebook classes", state, quick)
    return rows


def markdown(rows: list[dict[str, Any]]) -> str:
    """The rows as a Markdown table, with save/load relative to stdlib pickle."""
    base = {r["case"]: r for r in rows if r["impl"] == "pickle"}
    lines = [
        "| case | impl | save ms | load ms | bytes | save / pickle | load / pickle |",
        "|---|---|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        b = base[r["case"]]
        lines.append(
            f"| {r['case']} | {r['impl']} | {r['save_ms']:.2f} | {r['load_ms']:.2f} | "
            f"{r['bytes']:,} | {r['save_ms'] / b['save_ms']:.2f}x | "
            f"{r['load_ms'] / b['load_ms']:.2f}x |"
        )
    return "\n".join(lines)


if __name__ == "__main__":
    print(markdown(run("--quick" in sys.argv[1:])))
