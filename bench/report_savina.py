"""The "Savina and the message path" section of the results: S1–S8, W9, W10 and issue 9's targets.

``render`` is the section alone, between ``SECTION_BEGIN`` and ``SECTION_END`` (a run of only
these workloads replaces just that part of RESULTS.md); ``bench.report.render`` appends it to the
full table when the run measured any of it.
"""

from __future__ import annotations

from typing import Any

from bench.common import CPU
from bench.report import Key, Stat, Verdict, aggregate, cell, evaluate, fmt
from bench.workloads import SAVINA, SAVINA_IMPLS, SECTION_TARGETS, WORKLOADS

SECTION_BEGIN = "<!-- savina: begin -->"
SECTION_END = "<!-- savina: end -->"

_MARK = {"✅ met": "✅", "❌ not met": "❌", "— no data": "—"}


def _mark(v: Verdict | None) -> str:
    if v is None:
        return "—"
    return _MARK.get(v.verdict, "◐ " + v.verdict.removeprefix("◐ met by ").replace(" only", ""))


def _size(params: dict[str, Any]) -> str:
    return ", ".join(f"{k} {v:,}" for k, v in params.items())


def _x(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}×"


def times_table(stats: dict[Key, Stat], failed: set[tuple[str, str]], quick: bool) -> list[str]:
    impls = list(SAVINA_IMPLS)
    head = ["benchmark", "size", *(f"{SAVINA_IMPLS[i]} CPU (wall)" for i in impls)]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for w in SAVINA:
        row = [f"{w.id} {w.title}", _size(w.sizes(quick))]
        for impl in impls:
            if (w.id, impl) in failed:
                row.append("**FAILED**")
                continue
            c, wall = (
                stats.get((w.id, impl, "actor", "ms" + CPU)),
                stats.get((w.id, impl, "actor", "ms")),
            )
            row.append(f"{cell(c, 'ms')} ({fmt(wall.median, 'ms')})" if c and wall else "—")
        lines.append("| " + " | ".join(row) + " |")
    return lines


def ratio_table(verdicts: list[Verdict]) -> list[str]:
    """Per benchmark: actorlab ÷ floor (time), and how many times faster than thespian, pykka."""
    by: dict[tuple[str, str], Verdict] = {(v.target.workload, v.target.versus): v for v in verdicts}
    lines = [
        "| benchmark | actorlab ÷ floor, CPU (wall) | ≤ 2.0× | speed vs thespian, CPU (wall) "
        "| > 1× | speed vs pykka, CPU (wall) | ≥ 3× |",
        "|---|---|---|---|---|---|---|",
    ]
    for w in SAVINA:
        row = [w.id + " " + w.function]
        for versus in ("tuned", "thespian", "pykka"):
            v = by.get((w.id, versus))
            row += [f"{_x(v.cpu)} ({_x(v.wall)})" if v else "—", _mark(v)]
        lines.append("| " + " | ".join(row) + " |")
    return lines


def summary(verdicts: list[Verdict]) -> list[str]:
    """One line per Savina target: met on how many benchmarks (by CPU time), and the range."""
    out = []
    for text in dict.fromkeys(v.target.text for v in verdicts if v.target.workload.startswith("S")):
        vs = [v for v in verdicts if v.target.text == text and v.cpu is not None]
        if not vs:
            continue
        met = sum(bool(v.met(v.cpu)) for v in vs)
        lo, hi = min(v.cpu for v in vs if v.cpu), max(v.cpu for v in vs if v.cpu)
        out.append(f"- {text}: met on {met} of {len(vs)} by CPU time (range {lo:.2f}–{hi:.2f}×)")
    return out


def path_table(verdicts: list[Verdict]) -> list[str]:
    lines = [
        "| target | measured on | actorlab (wall) | actorlab (CPU) | met |",
        "|---|---|---|---|---|",
    ]
    for v in verdicts:
        t = v.target
        if t.workload.startswith("S"):
            continue
        versus = t.versus.removeprefix("case:")
        where = f"{t.workload} {t.case} vs {versus}"
        lines.append(f"| {t.text} | {where} | {_x(v.wall)} | {_x(v.cpu)} | {v.verdict} |")
    return lines


def w9_table(stats: dict[Key, Stat], failed: set[tuple[str, str]]) -> list[str]:
    lines = [
        "| implementation | first 10 % | last 10 % | last ÷ first (wall, CPU) | whole run "
        "(sends + drain) | collector's share of it | of the sends | full collections |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for impl in WORKLOADS["W9"].impls:
        if ("W9", impl) in failed:
            lines.append(f"| {SAVINA_IMPLS[impl]} | **FAILED** | | | | | | |")
            continue

        def get(case: str, key: str, impl: str = impl) -> Stat | None:
            return stats.get(("W9", impl, case, key))

        first, last = get("first-10%", "msg_per_s"), get("last-10%", "msg_per_s")
        first_c, last_c = get("first-10%", "msg_per_s" + CPU), get("last-10%", "msg_per_s" + CPU)
        if first is None or last is None:
            continue
        ratio_c = _x(last_c.median / first_c.median) if first_c and last_c else "—"
        share, sends, full = (
            get("all", "gc_share"),
            get("all", "gc_share_sends"),
            get("all", "gc_full"),
        )
        lines.append(
            f"| {SAVINA_IMPLS[impl]} | {cell(first, 'rate')} | {cell(last, 'rate')} | "
            f"{_x(last.median / first.median)}, {ratio_c} | {cell(get('all', 'msg_per_s'), 'rate')} | "
            f"{f'{share.median:.0%}' if share else '—'} | {f'{sends.median:.0%}' if sends else '—'} | "
            f"{f'{full.median:.0f}' if full else '—'} |"
        )
    series = [_chunk_series(stats, impl) for impl in WORKLOADS["W9"].impls]
    if any(series):
        lines += ["", "Each chunk's sends in k msg/s (wall; one * per full collection in it):", ""]
        lines += [s for s in series if s]
    return lines


def _chunk_series(stats: dict[Key, Stat], impl: str) -> str:
    rates = _case(stats, "W9", impl, "chunks")
    fulls = _case(stats, "W9", impl, "full-gc-per-chunk")
    if not rates:
        return ""
    order = sorted(rates, key=lambda c: int(c.rsplit("-", 1)[1]))
    text = ", ".join(
        f"{rates[c].median / 1000:.1f}" + "*" * round(fulls[c].median if c in fulls else 0)
        for c in order
    )
    return f"- {SAVINA_IMPLS[impl]}: {text}"


def _case(stats: dict[Key, Stat], wid: str, impl: str, case: str) -> dict[str, Stat]:
    """The metrics of one case: ``{metric: stat}``."""
    return {k[3]: v for k, v in stats.items() if k[:3] == (wid, impl, case)}


def w10_table(stats: dict[Key, Stat], failed: set[tuple[str, str]]) -> list[str]:
    if ("W10", "actorlab") in failed:
        return ["W10: **FAILED** (see the failures below)."]
    lines = [
        "| sender | before | after save_snapshot | after ÷ before (wall, CPU) "
        "| control, never saved: 2nd half ÷ 1st |",
        "|---|---|---|---|---|",
    ]
    for via in ("actor", "cell"):
        b, a = (
            stats.get(("W10", "actorlab", f"{via}-before", "msg_per_s")),
            stats.get(("W10", "actorlab", f"{via}-after", "msg_per_s")),
        )
        bc, ac = (
            stats.get(("W10", "actorlab", f"{via}-before", "msg_per_s" + CPU)),
            stats.get(("W10", "actorlab", f"{via}-after", "msg_per_s" + CPU)),
        )
        ctl = stats.get(("W10", "actorlab", f"{via}-control", "ratio"))
        if b is None or a is None:
            continue
        cpu = _x(ac.median / bc.median) if ac and bc else "—"
        lines.append(
            f"| {via} | {cell(b, 'rate')} | {cell(a, 'rate')} | {_x(a.median / b.median)}, {cpu} | "
            f"{_x(ctl.median if ctl else None)} |"
        )
    return lines


def render(
    records: list[dict[str, Any]],
    failures: list[dict[str, str]],
    machine: dict[str, str],
    *,
    quick: bool,
    repeats: int,
    wall_s: float,
    **_: Any,
) -> str:
    stats = aggregate(records)
    failed = {(f["workload"], f["impl"]) for f in failures}
    verdicts = evaluate(stats, SECTION_TARGETS)
    savina = [v for v in verdicts if v.target.workload.startswith("S")]
    ran = ", ".join(sorted({r["workload"] for r in records}, key=lambda w: (len(w), w)))
    mode = "quick (smoke test: tiny sizes, timings meaningless)" if quick else "full"
    out = [
        SECTION_BEGIN,
        "## Savina and the message path (issue 9)",
        "",
        f"Run of {machine.get('date', '?')} on actorlab {machine.get('actorlab', '?')}, "
        f"pykka {machine.get('pykka', '?')}, thespian {machine.get('thespian', '?')}; "
        f"load average {machine.get('load average at start', '?')} at the start, "
        f"{machine.get('load average at end', '?')} at the end; {mode}, median of {repeats} "
        f"run(s) per cell (W9 at most {WORKLOADS['W9'].max_repeats}); {wall_s:.0f} s in all; "
        f"workloads {ran}. **The machine is shared** (2 vCPUs, other engineers' test suites "
        "running): trust CPU time over wall time, and ratios over absolute numbers.",
        "",
        "Savina (Imam & Sarkar, AGERE 2014), written natively for each library in "
        "`bench/savina/`: actorlab through `import actorlab as al` only; the floor is the tuned "
        "asyncio actor of `bench.floors` (a task, a deque and a waking Future per actor, "
        "everything on one loop); pykka 4 (a thread and a queue per actor); thespian's "
        "`simpleSystemBase` (every actor in the caller's thread). Each pass creates its actors "
        "from a master actor, runs to completion and checks its answer (`bench/savina/spec.py`); "
        "one warm-up pass at a tenth of the work precedes the timed pass, in a fresh interpreter "
        "per (benchmark, implementation), interleaved and rotated. CPU time is "
        "`time.process_time` of the whole process (pykka's threads included).",
        "",
        "### Savina: time per pass, CPU (wall)",
        "",
        *times_table(stats, failed, quick),
        "",
        "### Savina: ratios and targets",
        "",
        "Time ratios (actorlab ÷ floor: lower is better) and speed-ups (thespian's or pykka's "
        "time ÷ actorlab's: higher is better). A mark is by both clocks; ◐ says which one meets it.",
        "",
        *ratio_table(savina),
        "",
        *summary(savina),
        "",
        "### The message path",
        "",
        *path_table(verdicts),
        "",
        f"W9: {WORKLOADS['W9'].title}; throughput of the sends per chunk; the collector's "
        "share is the time inside `gc` collections (`gc.callbacks`) over the run's wall time.",
        "",
        *w9_table(stats, failed),
        "",
        f"W10: {WORKLOADS['W10'].title}; the control is the same flood to a second actor of the "
        "same class, alternated with the first, that is never saved.",
        "",
        *w10_table(stats, failed),
    ]
    mine = [f for f in failures if f["workload"] in {w.id for w in SAVINA} | {"W9", "W10"}]
    if mine:
        out += ["", "Failures:", ""] + [
            f"- {f['workload']} / {f['impl']}: {f['error']}" for f in mine
        ]
    out.append(SECTION_END)
    return "\n".join(out) + "\n"


def has_data(records: list[dict[str, Any]], failures: list[dict[str, str]]) -> bool:
    """Whether a run measured any Savina or W9/W10 workload (W1/W2 alone are not enough)."""
    ids = {w.id for w in SAVINA} | {"W9", "W10"}
    return any(r["workload"] in ids for r in records) or any(f["workload"] in ids for f in failures)
