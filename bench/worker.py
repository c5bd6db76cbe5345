"""Run one (workload, implementation) pair in this interpreter and print its result as JSON.

``python -m bench.worker W1 tuned [--quick] [--profile]``. The last stdout line is
``BENCH-RESULT {"workload": ..., "impl": ..., "cases": {case: {metric: value}}}``. A crash or a
wrong answer exits non-zero with the reason on stderr. ``--profile`` (actorlab only) also prints
the top of a cProfile of the main thread and of the runtime thread to stderr. Several workloads
(``S1,S2,S3``) run one after the other in this interpreter, one result line each (the quick
mode does this for Savina, to keep the smoke test short).
"""

from __future__ import annotations

import argparse
import importlib
import json
import sys
import time
from collections.abc import Callable
from typing import Any

from bench.common import Cases
from bench.workloads import WORKLOADS

RESULT_PREFIX = "BENCH-RESULT "

#: implementation -> (module, keyword arguments for its workload functions)
MODULES: dict[str, tuple[str, dict[str, Any]]] = {
    "actorlab": ("bench.impl_actorlab", {}),
    "asyncio": ("bench.impl_floor", {"actor": "queue"}),
    "tuned": ("bench.impl_floor", {"actor": "deque"}),
    "thread": ("bench.impl_thread", {"batched": False}),
    "thread-batch": ("bench.impl_thread", {"batched": True}),
    "pykka": ("bench.impl_pykka", {}),
    "snapshots": ("bench.impl_snapshots", {}),
}
#: Every implementation name a workload may list (some only through ``Workload.modules``).
IMPLEMENTATIONS = sorted({*MODULES, *(i for w in WORKLOADS.values() for i in w.modules or ())})


def workload_function(workload: str, impl: str) -> Callable[[dict[str, Any]], Cases]:
    """The callable running ``workload`` for ``impl`` (sizes dict -> cases)."""
    wl = WORKLOADS[workload]
    module_name, kwargs = (wl.modules[impl], {}) if wl.modules else MODULES[impl]
    module = importlib.import_module(module_name)
    fn = getattr(module, wl.function_name, None)
    if fn is None:
        raise LookupError(f"{impl} does not implement {workload} ({module_name})")

    def run(size: dict[str, Any]) -> Cases:
        cases: Cases = fn(size, **kwargs)
        return cases

    return run


def run_one(workload: str, impl: str, quick: bool) -> dict[str, Any]:
    """Run a pair and return the result record (raises on a crash or a wrong answer)."""
    size = dict(WORKLOADS[workload].sizes(quick))
    if impl == "snapshots":
        size["quick"] = quick
    t0 = time.perf_counter()
    cases = workload_function(workload, impl)(size)
    _check_cases(workload, impl, cases)
    return {
        "workload": workload,
        "impl": impl,
        "quick": quick,
        "wall_s": time.perf_counter() - t0,
        "cases": cases,
    }


def _check_cases(workload: str, impl: str, cases: Cases) -> None:
    if not isinstance(cases, dict) or not cases:
        raise TypeError(f"{workload}/{impl} returned no cases: {cases!r}")
    for case, metrics in cases.items():
        for key, value in metrics.items():
            if not isinstance(value, (int, float)) or value != value or value < 0:
                raise ValueError(f"{workload}/{impl}/{case}: bad {key} = {value!r}")


def _profiled(workload: str, impl: str, quick: bool) -> dict[str, Any]:
    import cProfile
    import pstats

    main_prof = cProfile.Profile()
    runtime_prof = cProfile.Profile() if impl == "actorlab" else None
    if runtime_prof is not None:
        _enable_on_runtime_thread(runtime_prof)
    main_prof.enable()
    try:
        return run_one(workload, impl, quick)
    finally:
        main_prof.disable()  # (the runtime thread's profile ends with the runtime's shutdown)
        for label, prof in (("main thread", main_prof), ("runtime thread", runtime_prof)):
            if prof is None:
                continue
            print(f"\n=== cProfile, {label}: {workload} {impl} ===", file=sys.stderr)
            pstats.Stats(prof, stream=sys.stderr).sort_stats("tottime").print_stats(25)


def _enable_on_runtime_thread(prof: Any) -> None:
    """Turn ``prof`` on in actorlab's runtime thread, where handlers run (public API only)."""
    import actorlab as al

    class ProfilerSwitch(al.Actor):
        @al.handler
        def enable(self, msg: bool) -> None:
            prof.enable()

    switch = al.root().spawn(ProfilerSwitch())
    switch.ask_sync(True)
    switch.stop()  # (workloads count the live actors)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.worker", description=__doc__)
    parser.add_argument("workload", help="a workload id, or several separated by commas")
    parser.add_argument("impl", choices=sorted(IMPLEMENTATIONS))
    parser.add_argument("--quick", action="store_true", help="small sizes (smoke test)")
    parser.add_argument("--profile", action="store_true", help="cProfile to stderr")
    args = parser.parse_args(argv)
    workloads = args.workload.upper().split(",")
    unknown = [w for w in workloads if w not in WORKLOADS]
    if unknown:
        parser.error(f"unknown workload(s) {', '.join(unknown)}; known: {', '.join(WORKLOADS)}")
    run = _profiled if args.profile else run_one
    for workload in workloads:
        record = run(workload, args.impl, args.quick)
        print(RESULT_PREFIX + json.dumps(record), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
