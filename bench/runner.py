"""``python -m bench``: run every (workload, implementation) pair in a fresh interpreter.

Pairs are interleaved (all implementations of W1, then W2, ...) and the implementation order
rotates on each repetition, so slow drifts of a shared machine spread over everyone. The table is
printed to stdout (``--out`` writes it to a file too; a hand-written analysis below the
``ANALYSIS_MARKER`` line of an existing file is kept; a run of only the "Savina and the message
path" workloads, e.g. ``--only savina,path``, replaces only that section of the file). Exits 1 if
any pair crashed, timed out or computed a wrong answer; timings are never asserted. ``--quick``
runs all Savina benchmarks of one implementation in one interpreter, to stay short.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import impl_snapshots, machine, report, report_savina
from bench.worker import IMPLEMENTATIONS, RESULT_PREFIX
from bench.workloads import SECTION_WORKLOADS, WORKLOADS

ANALYSIS_MARKER = (
    "<!-- analysis: everything below this line is kept when the table is rewritten -->"
)
FULL_REPEATS = 5
#: ``--only`` names for groups of workloads
ALIASES = {
    "SAVINA": [w.id for w in WORKLOADS.values() if w.group == "savina"],
    "PATH": [w.id for w in WORKLOADS.values() if w.group == "path"],
    "SECTION": list(SECTION_WORKLOADS),
}


def plan(
    workloads: list[str], impls: list[str] | None, repeats: int, snapshots: bool
) -> list[tuple[str, str]]:
    """The ordered list of (workload, impl) runs."""
    jobs = []
    for rep in range(repeats):
        for wid in workloads:
            cap = WORKLOADS[wid].max_repeats
            if cap is not None and rep >= cap:
                continue
            chosen = [i for i in WORKLOADS[wid].impls if impls is None or i in impls]
            if wid == "W6":
                wanted = impls is None or "snapshots" in impls or "actorlab" in impls
                chosen = ["snapshots"] if snapshots and wanted else []
            if not chosen:
                continue
            k = rep % len(chosen)
            jobs += [(wid, impl) for impl in chosen[k:] + chosen[:k]]
    return jobs


def grouped(jobs: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The quick mode's plan: each implementation's Savina runs merged into one ``S1,S2,...`` job."""
    out: list[tuple[str, str]] = []
    merged: dict[str, int] = {}
    for wid, impl in jobs:
        if WORKLOADS[wid].group != "savina":
            out.append((wid, impl))
        elif impl in merged:
            i = merged[impl]
            out[i] = (out[i][0] + "," + wid, impl)
        else:
            merged[impl] = len(out)
            out.append((wid, impl))
    return out


def run_pair(workload: str, impl: str, quick: bool, timeout: float) -> dict[str, Any]:
    """Run one pair in a subprocess; returns the record or raises RuntimeError with the reason."""
    return run_group(workload, impl, quick, timeout)[-1]


def run_group(workload: str, impl: str, quick: bool, timeout: float) -> list[dict[str, Any]]:
    """Run ``W1`` or ``S1,S2,...`` in one subprocess: the records (RuntimeError on a failure)."""
    cmd = [sys.executable, "-m", "bench.worker", workload, impl] + (["--quick"] if quick else [])
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(machine.ROOT), *filter(None, [env.get("PYTHONPATH")])])
    try:
        proc = subprocess.run(
            cmd, cwd=machine.ROOT, env=env, capture_output=True, text=True, timeout=timeout
        )
    except subprocess.TimeoutExpired:
        raise RuntimeError(f"timed out after {timeout:.0f} s") from None
    if proc.returncode != 0:
        tail = [ln for ln in proc.stderr.strip().splitlines() if ln.strip()][-1:] or ["no stderr"]
        raise RuntimeError(f"exit code {proc.returncode}: {tail[0].strip()}")
    records = [
        json.loads(line[len(RESULT_PREFIX) :])
        for line in proc.stdout.splitlines()
        if line.startswith(RESULT_PREFIX)
    ]
    if len(records) != workload.count(",") + 1:
        raise RuntimeError(f"the worker printed {len(records)} result line(s) for {workload}")
    return records


def write_out(path: Path, table: str, section_only: bool = False) -> None:
    """Write the table, keeping any hand-written analysis after ANALYSIS_MARKER.

    With ``section_only``, ``table`` is the Savina section alone: it replaces that section of
    the file (or goes just before the analysis) and everything else is kept.
    """
    old = path.read_text(encoding="utf-8") if path.exists() else ""
    if section_only:
        begin, end = report_savina.SECTION_BEGIN, report_savina.SECTION_END
        if begin in old and end in old:
            head, rest = old.split(begin, 1)
            text = head + table.rstrip("\n") + rest.split(end, 1)[1]
        elif ANALYSIS_MARKER in old:
            head, rest = old.split(ANALYSIS_MARKER, 1)
            text = head + table + "\n" + ANALYSIS_MARKER + rest
        else:
            text = old + ("\n" if old else "") + table + "\n" + ANALYSIS_MARKER + "\n"
        path.write_text(text, encoding="utf-8")
        return
    kept = old[old.index(ANALYSIS_MARKER) :] if ANALYSIS_MARKER in old else ""
    text = table + ("\n" + kept if kept else "\n" + ANALYSIS_MARKER + "\n")
    path.write_text(text, encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--quick",
        action="store_true",
        help="tiny sizes, one run each: a smoke test (well under a minute)",
    )
    parser.add_argument(
        "--repeat",
        type=int,
        default=None,
        help=f"runs per pair (default {FULL_REPEATS}; 1 with --quick)",
    )
    parser.add_argument("--only", default="", help="comma-separated workloads, e.g. W1,W3")
    parser.add_argument("--impl", default="", help="comma-separated implementations")
    parser.add_argument("--out", type=Path, help="also write the Markdown table to this file")
    parser.add_argument("--json", type=Path, help="write the raw run records to this file")
    parser.add_argument(
        "--render", type=Path, help="run nothing: re-render the table from a --json file"
    )
    parser.add_argument(
        "--timeout", type=float, default=None, help="seconds per pair (default 60 quick, 600 full)"
    )
    args = parser.parse_args(argv)

    named = [w.strip().upper() for w in args.only.split(",") if w.strip()]
    workloads = list(dict.fromkeys(x for w in named for x in ALIASES.get(w, [w]))) or list(
        WORKLOADS
    )
    unknown = [w for w in workloads if w not in WORKLOADS]
    impls = [i.strip() for i in args.impl.split(",") if i.strip()] or None
    unknown += [i for i in impls or [] if i not in IMPLEMENTATIONS]
    if unknown:
        parser.error(f"unknown workload/implementation: {', '.join(unknown)}")
    repeats = args.repeat or (1 if args.quick else FULL_REPEATS)
    timeout = args.timeout or (60.0 if args.quick else 600.0)
    snapshots = impl_snapshots.available()

    if args.render:
        saved = json.loads(args.render.read_text(encoding="utf-8"))
        info, records, failures = saved["machine"], saved["records"], saved["failures"]
        meta = saved.get("meta", {})
        quick, repeats = meta.get("quick", False), meta.get("repeats", FULL_REPEATS)
        snapshots, wall = meta.get("snapshots_available", snapshots), meta.get("wall_s", 0.0)
    else:
        quick = args.quick
        info = machine.describe()
        jobs = plan(workloads, impls, repeats, snapshots)
        records, failures, wall = _run_all(grouped(jobs) if quick else jobs, quick, timeout)
        info["load average at end"] = machine.load_average()

    ran = {r["workload"] for r in records} | {f["workload"] for f in failures}
    section_only = bool(ran) and ran <= set(SECTION_WORKLOADS) and not ran <= {"W1", "W2"}
    options: dict[str, Any] = {
        "quick": quick,
        "repeats": repeats,
        "snapshots_available": snapshots,
        "wall_s": wall,
    }
    if section_only:
        table = report_savina.render(records, failures, info, **options)
    else:
        table = report.render(records, failures, info, **options)
        if report_savina.has_data(records, failures):
            table += "\n" + report_savina.render(records, failures, info, **options)
    print(table)
    if args.out:
        write_out(args.out, table, section_only)
    if args.json:
        meta = {
            "quick": quick,
            "repeats": repeats,
            "snapshots_available": snapshots,
            "wall_s": wall,
        }
        args.json.write_text(
            json.dumps(
                {"machine": info, "meta": meta, "records": records, "failures": failures},
                indent=1,
            ),
            encoding="utf-8",
        )
    if failures:
        print(f"bench: {len(failures)} run(s) failed", file=sys.stderr)
        return 1
    return 0


def _run_all(
    jobs: list[tuple[str, str]], quick: bool, timeout: float
) -> tuple[list[dict[str, Any]], list[dict[str, str]], float]:
    """Run the pairs in order, reporting progress on stderr; returns records, failures, wall."""
    records: list[dict[str, Any]] = []
    failures: list[dict[str, str]] = []
    t_start = time.perf_counter()
    for i, (wid, impl) in enumerate(jobs, 1):
        t0 = time.perf_counter()
        try:
            if "," in wid:
                records += run_group(wid, impl, quick, timeout * (wid.count(",") + 1))
            else:
                records.append(run_pair(wid, impl, quick, timeout))
            status = "ok"
        except RuntimeError as exc:
            failures += [{"workload": w, "impl": impl, "error": str(exc)} for w in wid.split(",")]
            status = f"FAILED: {exc}"
        print(
            f"[{i}/{len(jobs)}] {wid} {impl}: {time.perf_counter() - t0:.1f} s {status}",
            file=sys.stderr,
            flush=True,
        )
    return records, failures, time.perf_counter() - t_start
