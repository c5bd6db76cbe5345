"""What every Savina implementation shares: the computations, warm-up sizes and answer checks.

Each benchmark's master actor gets ``Start(params, done)`` and ends the pass by setting ``done``
(a ``concurrent.futures.Future``; thespian replies to the asker instead) to its *answer*, which
``check`` compares with what the parameters imply. Sizes are in ``bench.workloads`` (S1–S8).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from bench.common import CPU, Cases, Span, expect, warmup_size

#: Seconds a pass may take before the driver gives up (a lost message hangs a pass).
PASS_TIMEOUT = 300.0

FJ_THETA = 37.2  # Savina's ForkJoinConfig.performComputation argument
LOGMAP_START_RATE = 3.46
LOGMAP_INCREMENT = 0.0025


def fj_compute(theta: float = FJ_THETA) -> float:
    """Savina's fork-join unit of work."""
    s = math.sin(theta)
    return s * s


def complement(color: int, other: int) -> int:
    """Chameneos colours 0, 1, 2: two equal colours stay, two different give the third."""
    return color if color == other else 3 - color - other


def logmap_rate(index: int) -> float:
    return LOGMAP_START_RATE + index * LOGMAP_INCREMENT


def logmap_start(index: int) -> float:
    return (index + 1) * LOGMAP_INCREMENT


def logmap_next(rate: float, x: float) -> float:
    return rate * x * (1.0 - x)


def _repeated_sum(value: float, n: int) -> float:
    total = 0.0
    for _ in range(n):
        total += value
    return total


def _logmap(p: dict[str, int]) -> list[float]:
    out = []
    for i in range(p["series"]):
        rate, x = logmap_rate(i), logmap_start(i)
        for _ in range(p["terms"]):
            x = logmap_next(rate, x)
        out.append(x)
    return out


def _fjt(p: dict[str, int]) -> tuple[int, int, float]:
    per_worker = _repeated_sum(fj_compute(), p["n"])
    return p["actors"], p["actors"] * p["n"], _repeated_sum(per_worker, p["actors"])


#: benchmark -> (what the answer is, the answer the parameters imply)
ANSWERS: dict[str, tuple[str, Callable[[dict[str, int]], Any]]] = {
    "S1": ("(pongs received, pings the ponger handled)", lambda p: (p["n"], p["n"])),
    "S2": ("the counter's count", lambda p: p["n"]),
    "S3": ("(workers done, messages handled, checksum)", _fjt),
    "S4": ("(workers done, checksum)", lambda p: (p["n"], _repeated_sum(fj_compute(), p["n"]))),
    "S5": ("index of the actor holding the last token", lambda p: p["hops"] % p["actors"]),
    "S6": ("(chameneos faded, meetings counted)", lambda p: (p["chameneos"], 2 * p["meetings"])),
    "S7": (
        "(workers reporting, pings handled, pongs from the wrong actor)",
        lambda p: (p["workers"], p["workers"] * p["pings"], 0),
    ),
    "S8": ("final term of each series", _logmap),
}

#: the size parameter a warm-up pass shrinks (the work, not the number of actors)
WORK_KEY = {
    "S1": "n",
    "S2": "n",
    "S3": "n",
    "S4": "n",
    "S5": "hops",
    "S6": "meetings",
    "S7": "pings",
    "S8": "terms",
}


def warmup(bench: str, params: dict[str, int]) -> dict[str, int]:
    """The parameters of the short warm-up pass before the timed one."""
    key = WORK_KEY[bench]
    return {**params, key: warmup_size(params[key])}


def check(bench: str, params: dict[str, int], answer: Any) -> None:
    """Raise ``WrongAnswer`` unless ``answer`` is what ``params`` imply."""
    what, expected = ANSWERS[bench]
    if isinstance(answer, tuple | list):
        answer = type(expected(params))(answer)
    expect(answer, expected(params), f"{bench}: {what}")


def measure(bench: str, params: dict[str, int], one_pass: Callable[[dict[str, int]], Any]) -> Cases:
    """A checked warm-up pass, then the checked, timed pass; ``one_pass`` returns (span, answer)."""
    for p in (warmup(bench, params), params):
        span, answer = one_pass(p)
        check(bench, p, answer)
    return cases(span)


def cases(span: Span) -> Cases:
    """One case, ``actor``: the pass's time in ms, by wall clock and by CPU time."""
    return {"actor": {"ms": span.wall * 1000.0, "ms" + CPU: span.cpu * 1000.0}}
