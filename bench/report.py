"""Turn raw run records into Markdown: medians, ratios to the floors and pykka, targets."""

from __future__ import annotations

import statistics
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from bench.common import CPU
from bench.workloads import IMPLS, MATCHING_FLOOR, TARGETS, WORKLOADS, Metric, Target

Key = tuple[str, str, str, str]  # workload, impl, case, metric


@dataclass(frozen=True)
class Stat:
    median: float
    lo: float
    hi: float
    runs: int

    @property
    def spread(self) -> float:
        """Half the min–max range, relative to the median."""
        return (self.hi - self.lo) / 2 / self.median if self.median else 0.0


def aggregate(records: list[dict[str, Any]]) -> dict[Key, Stat]:
    values: dict[Key, list[float]] = defaultdict(list)
    for rec in records:
        for case, metrics in rec["cases"].items():
            for metric, value in metrics.items():
                values[(rec["workload"], rec["impl"], case, metric)].append(float(value))
    return {
        k: Stat(statistics.median(v), min(v), max(v), len(v)) for k, v in sorted(values.items())
    }


def fmt(value: float, unit: str) -> str:
    if unit == "rate":
        for scale, suffix in ((1e6, " M/s"), (1e3, " k/s")):
            if value >= scale:
                return f"{value / scale:.3g}{suffix}"
        return f"{value:.3g} /s"
    if unit == "us":
        return f"{value:.3g} µs" if value < 1000 else f"{value / 1000:.3g} ms"
    if unit == "ms":
        return f"{value:.3g} ms" if value < 1000 else f"{value / 1000:.3g} s"
    if unit == "bytes":
        return f"{value / 1024:.2f} KiB" if value >= 1024 else f"{value:.0f} B"
    return f"{value:.4g}"


def cell(stat: Stat | None, unit: str) -> str:
    if stat is None:
        return "—"
    text = fmt(stat.median, unit)
    if stat.runs > 1:
        text += f" ±{stat.spread * 100:.0f}%"
    return text


def speedup(actorlab: float, other: float, metric: Metric) -> float:
    """How many times faster actorlab is than ``other`` on ``metric``."""
    return actorlab / other if metric.higher_is_better else other / actorlab


def _metric(workload: str, key: str) -> Metric:
    for m in WORKLOADS[workload].metrics:
        if m.key == key:
            return m
    raise KeyError(f"{workload} has no metric {key}")


def main_table(stats: dict[Key, Stat], failed: set[tuple[str, str]]) -> list[str]:
    """Absolute numbers (wall clock), one row per workload, case and metric."""
    impls = list(IMPLS)
    head = ["workload", "case", "metric", *(IMPLS[i] for i in impls)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for wid in ("W1", "W2", "W3", "W4", "W5"):
        wl = WORKLOADS[wid]
        for case in wl.cases:
            for m in wl.metrics:
                row = [wid, case, f"{m.label} {'↑' if m.higher_is_better else '↓'}"]
                for impl in impls:
                    if (wid, impl) in failed:
                        row.append("**FAILED**")
                    else:
                        row.append(cell(stats.get((wid, impl, case, m.key)), m.unit))
                lines.append("| " + " | ".join(row) + " |")
    return lines


def _pair(
    stats: dict[Key, Stat], wid: str, impl: str, case: str, key: str
) -> tuple[Stat | None, Stat | None]:
    """The wall-clock and CPU-time stats of one cell (CPU is None for metrics without a twin)."""
    return stats.get((wid, impl, case, key)), stats.get((wid, impl, case, key + CPU))


def _ratio_text(a: Stat | None, b: Stat | None, fn: Any) -> str:
    return f"{fn(a.median, b.median):.2f}×" if a and b else "—"


def ratio_table(stats: dict[Key, Stat]) -> list[str]:
    """actorlab against its matching floor and pykka, by wall clock and by CPU time."""
    lines = [
        "| workload | case | metric | matching floor | actorlab ÷ floor (wall) | ÷ floor (CPU) "
        "| speed vs pykka (wall) | vs pykka (CPU) |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for wid in ("W1", "W2", "W3", "W4", "W5"):
        wl = WORKLOADS[wid]
        for case in wl.cases:
            for m in wl.metrics:
                floor = MATCHING_FLOOR.get((wid, case), "")
                al_w, al_c = _pair(stats, wid, "actorlab", case, m.key)
                fl_w, fl_c = _pair(stats, wid, floor, case, m.key)
                pk_w, pk_c = _pair(stats, wid, "pykka", case, m.key)

                def div(a: float, b: float) -> float:
                    return a / b

                def faster(a: float, b: float, m: Metric = m) -> float:
                    return speedup(a, b, m)

                lines.append(
                    f"| {wid} | {case} | {m.label} {'↑' if m.higher_is_better else '↓'} | "
                    f"{IMPLS.get(floor, '—')} | {_ratio_text(al_w, fl_w, div)} | "
                    f"{_ratio_text(al_c, fl_c, div)} | {_ratio_text(al_w, pk_w, faster)} | "
                    f"{_ratio_text(al_c, pk_c, faster)} |"
                )
    return lines


def snapshot_table(stats: dict[Key, Stat], available: bool, failed: bool) -> list[str]:
    if not available:
        return ["W6: not yet available (`bench/snapshots.py` has not landed)."]
    if failed:
        return ["W6: **FAILED** (see the failures below)."]
    cases = sorted({k[2] for k in stats if k[0] == "W6"})
    lines = ["| case | implementation | save | load | bytes |", "|---|---|---|---|---|"]
    for key in cases:
        case, _, impl = key.partition("|")
        save = stats.get(("W6", "snapshots", key, "save_ms"))
        load = stats.get(("W6", "snapshots", key, "load_ms"))
        size = stats.get(("W6", "snapshots", key, "bytes"))
        lines.append(
            f"| {case} | {impl} | {cell(save, 'ms')} | {cell(load, 'ms')} | "
            f"{f'{size.median:,.0f}' if size else '—'} |"
        )
    return lines


def memory_table(
    stats: dict[Key, Stat], failed: set[tuple[str, str]], sizes: dict[str, Any]
) -> list[str]:
    lines = ["| implementation | memory per idle actor | actors | note |", "|---|---|---|---|"]
    notes = {
        "pykka": "a thread per actor: thread stacks are native memory, not traced",
        "asyncio": "Queue + task",
        "tuned": "deque + task + waiter",
    }
    for impl in WORKLOADS["W7"].impls:
        n = sizes["n_pykka"] if impl == "pykka" else sizes["n"]
        value = (
            "**FAILED**"
            if ("W7", impl) in failed
            else cell(stats.get(("W7", impl, "idle", "bytes_per_actor")), "bytes")
        )
        lines.append(f"| {IMPLS[impl]} | {value} | {n:,} | {notes.get(impl, '')} |")
    return lines


def hooks_table(stats: dict[Key, Stat], failed: set[tuple[str, str]]) -> list[str]:
    lines = [
        "| implementation | hooks | tell throughput ↑ (wall) | ÷ off | by CPU time | ÷ off |",
        "|---|---|---|---|---|---|",
    ]
    for impl in WORKLOADS["W8"].impls:
        if ("W8", impl) in failed:
            lines.append(f"| {IMPLS[impl]} | | **FAILED** | | | |")
            continue
        base_w, base_c = _pair(stats, "W8", impl, "off", "msg_per_s")
        for case in WORKLOADS["W8"].cases:
            st_w, st_c = _pair(stats, "W8", impl, case, "msg_per_s")
            if st_w is None:
                continue
            lines.append(
                f"| {IMPLS[impl]} | {case} | {cell(st_w, 'rate')} | "
                f"{_ratio_text(st_w, base_w, lambda a, b: a / b)} | {cell(st_c, 'rate')} | "
                f"{_ratio_text(st_c, base_c, lambda a, b: a / b)} |"
            )
    return lines


@dataclass(frozen=True)
class Verdict:
    target: Target
    wall: float | None  # the measured value (ratio, or absolute for "abs" targets)
    cpu: float | None  # the same by CPU time, when the metric has a CPU twin
    ceiling: float | None = None  # for "× pykka" targets: the matching floor's own speed-up

    def met(self, value: float | None) -> bool | None:
        t = self.target
        if value is None:
            return None
        if t.op == ">":
            return value > t.bound
        return value >= t.bound if t.op == ">=" else value <= t.bound

    @property
    def verdict(self) -> str:
        wall, cpu = self.met(self.wall), self.met(self.cpu)
        if wall is None and cpu is None:
            return "— no data"
        if cpu is None or wall == cpu:
            return "✅ met" if (wall if wall is not None else cpu) else "❌ not met"
        return "◐ met by CPU time only" if cpu else "◐ met by wall clock only"


def _target_value(stats: dict[Key, Stat], t: Target, suffix: str) -> float | None:
    al = stats.get((t.workload, "actorlab", t.case, t.metric + suffix))
    if al is None:
        return None
    if t.versus == "abs":
        return al.median
    if t.versus.startswith("case:"):
        other = stats.get((t.workload, "actorlab", t.versus[5:], t.metric + suffix))
    else:
        other = stats.get((t.workload, t.versus, t.case, t.metric + suffix))
    if other is None:
        return None
    if t.speedup:
        return speedup(al.median, other.median, _metric(t.workload, t.metric))
    return al.median / other.median


def _ceiling(stats: dict[Key, Stat], t: Target) -> float | None:
    """How many times faster than ``t.versus`` the matching floor itself is (wall clock)."""
    floor = MATCHING_FLOOR.get((t.workload, t.case))
    if not t.speedup or floor is None:
        return None
    fl = stats.get((t.workload, floor, t.case, t.metric))
    other = stats.get((t.workload, t.versus, t.case, t.metric))
    if fl is None or other is None:
        return None
    return speedup(fl.median, other.median, _metric(t.workload, t.metric))


def evaluate(stats: dict[Key, Stat], targets: list[Target] | None = None) -> list[Verdict]:
    return [
        Verdict(t, _target_value(stats, t, ""), _target_value(stats, t, CPU), _ceiling(stats, t))
        for t in (TARGETS if targets is None else targets)
    ]


def _value_text(v: Verdict, value: float | None) -> str:
    if value is None:
        return "—"
    if v.target.versus == "abs":
        return fmt(value, _metric(v.target.workload, v.target.metric).unit)
    return f"{value:.2f}×"


def targets_table(verdicts: list[Verdict]) -> list[str]:
    lines = [
        "| target | measured on | actorlab (wall) | actorlab (CPU) | met | matching floor (wall) |",
        "|---|---|---|---|---|---|",
    ]
    for v in verdicts:
        t = v.target
        versus = "" if t.versus == "abs" else f" vs {t.versus.removeprefix('case:')}"
        where = f"{t.workload} {t.case} {_metric(t.workload, t.metric).label}{versus}"
        lines.append(
            f"| {t.text} | {where} | {_value_text(v, v.wall)} | {_value_text(v, v.cpu)} | "
            f"{v.verdict} | {_value_text(v, v.ceiling)} |"
        )
    return lines


def render(
    records: list[dict[str, Any]],
    failures: list[dict[str, str]],
    machine: dict[str, str],
    *,
    quick: bool,
    repeats: int,
    snapshots_available: bool,
    wall_s: float,
) -> str:
    stats = aggregate(records)
    failed = {(f["workload"], f["impl"]) for f in failures}
    mode = "quick (smoke test: tiny sizes, timings meaningless)" if quick else "full"
    out = ["# actorlab benchmarks", ""]
    out += [f"- **{k}**: {v}" for k, v in machine.items()]
    out += [
        f"- **mode**: {mode}; median of {repeats} run(s) per cell, ±: half the min–max range "
        f"(W6 runs once and reports medians of its own repetitions; W7 runs once: memory is "
        f"deterministic; W8 at most "
        f"{WORKLOADS['W8'].max_repeats} times, each run alternating its variants itself)",
        f"- **bench wall time**: {wall_s:.0f} s",
        "",
        "Method: every (workload, implementation) pair runs in a fresh interpreter "
        "(`python -m bench.worker W I`), the pairs interleaved and the order rotated on each "
        "repetition. Each timed pass follows a short warm-up pass. ↑: higher is better, "
        "↓: lower is better. *cell* = sent from the main thread (a notebook cell or script); "
        "*actor* = actor-to-actor. The single-loop floors run their *cell* as a coroutine "
        "on the actors' own loop (a cell on the kernel loop); the cross-thread floor crosses "
        "threads with one `call_soon_threadsafe` per message (the batched variant: one per "
        "burst). Asks carry a 5 s timeout everywhere.",
        "",
        "## W1–W5: throughput and latency",
        "",
        "Medians by wall clock.",
        "",
        *main_table(stats, failed),
        "",
        "### Ratios",
        "",
        "By wall clock and by CPU time of the whole process (`time.process_time`, every thread): "
        "CPU time leaves out the time the OS gave to other processes, which makes it the "
        "steadier measure on a shared machine, and the time spent idle waiting for a thread to "
        "wake up (which is a real cost of cross-thread hops: trust the wall clock there). "
        "*speed vs pykka* is how many times faster actorlab is.",
        "",
        *ratio_table(stats),
        "",
        "## W6: snapshot save and load (~1 MB state)",
        "",
        *snapshot_table(stats, snapshots_available, ("W6", "snapshots") in failed),
        "",
        "## W7: memory per idle actor (tracemalloc)",
        "",
        *memory_table(stats, failed, WORKLOADS["W7"].sizes(quick)),
        "",
        "## W8: cost of the tracing/monitoring hooks",
        "",
        *hooks_table(stats, failed),
        "",
        "## Targets",
        "",
        "Each target by both clocks (a ◐ verdict means the two disagree). For the "
        '"× pykka" targets the last column is the matching floor\'s own speed-up over pykka '
        "in the same run: where it is below the target, no runtime built on that hop can meet it.",
        "",
        *targets_table(evaluate(stats)),
    ]
    if failures:
        out += ["", "## Failures", ""]
        for f in failures:
            out.append(f"- {f['workload']} / {f['impl']}: {f['error']}")
    return "\n".join(out) + "\n"
