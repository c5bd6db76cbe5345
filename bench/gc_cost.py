"""What the garbage collector costs a deep mailbox: ``python -m bench.gc_cost``.

Appends 200k messages to a deque, alone or each with an envelope (a slot object, or a tuple),
with the collector on and off, in this interpreter (actorlab imported, as in the workloads).
Prints nanoseconds per message, best of 7. The numbers behind "mailbox runs" in RESULTS.md.
"""

from __future__ import annotations

import collections
import gc
import time
from dataclasses import dataclass
from typing import Any

import actorlab  # noqa: F401  (the same baseline heap as the workloads)


@dataclass
class Add:
    amount: int


class SlotEnvelope:
    __slots__ = ("a", "b", "c", "d", "e", "f", "g", "msg")

    def __init__(self, msg: Any, a: Any, b: Any, c: Any, d: Any, e: Any, f: Any) -> None:
        self.msg, self.a, self.b, self.c, self.d, self.e, self.f, self.g = msg, a, b, c, d, e, f, None


class TupleEnvelope(tuple):  # type: ignore[type-arg]
    __slots__ = ()


_tuple_new = tuple.__new__


def per_message(kind: str, n: int = 200_000) -> float:
    box: collections.deque[Any] = collections.deque()
    t0 = time.perf_counter()
    if kind == "message":
        for _ in range(n):
            box.append(Add(1))
    elif kind == "message + slot envelope":
        for _ in range(n):
            box.append(SlotEnvelope(Add(1), 1, None, None, None, 0.0, None))
    else:
        for _ in range(n):
            box.append(_tuple_new(TupleEnvelope, (Add(1), 1, None, None, None, 0.0, None, None)))
    return (time.perf_counter() - t0) / n * 1e9


def main() -> None:
    kinds = ("message", "message + slot envelope", "message + tuple envelope")
    for enabled in (True, False):
        (gc.enable if enabled else gc.disable)()
        for kind in kinds:
            best = min(per_message(kind) for _ in range(7))
            print(f"collector {'on ' if enabled else 'off'}  {kind:26s} {best:6.0f} ns")
    gc.enable()


if __name__ == "__main__":
    main()
