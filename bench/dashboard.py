"""``python -m bench.dashboard``: what the live dashboard costs.

1. Refresh cost per frame with 1000 actors (kernel-side Python work; no browser): first build,
   a frame where nothing changed, one actor changed, every actor changed, plus the JSON
   encoding of the drawn tree's 1000 node records (what the comm sends when they change).
   Target: every frame <= 50 ms.
2. Message throughput with the dashboard open vs closed: two actors bounce a message back and
   forth (actor-to-actor on the runtime thread) while an asyncio loop on the main thread, like
   the kernel's, awaits the result and runs the dashboard's refresher. 1000 idle actors sit in
   the tree in every case. Target: open >= 0.9x closed.

Cases are interleaved and repeated; medians are reported. Options: ``--quick``.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import json
import statistics
import sys
import time
from dataclasses import dataclass
from typing import Any

import actorlab as al
from actorlab.testing import wait_idle
from actorlab.views import dashboard as dash_mod


@dataclass
class Hop:
    left: int
    done: Any  # concurrent.futures.Future set when left reaches 0


@dataclass
class Poke:
    n: int


class Relay(al.Actor):
    def __init__(self) -> None:
        self.peer: al.ActorRef | None = None
        self.hops = 0

    @al.handler
    def link(self, peer: al.ActorRef) -> None:
        self.peer = peer

    @al.handler
    def hop(self, msg: Hop) -> None:
        self.hops += 1
        if msg.left == 0:
            msg.done.set_result(self.hops)
        else:
            self.peer.tell(Hop(msg.left - 1, msg.done))


class Idle(al.Actor):
    def __init__(self) -> None:
        self.n = 0

    @al.handler
    def poke(self, msg: Poke) -> None:
        self.n += msg.n


def _setup(n_idle: int) -> tuple[list[al.ActorRef], al.ActorRef, al.ActorRef]:
    al.reset(timeout=5.0)
    root = al.root()
    idle = [root.spawn(Idle()) for _ in range(n_idle)]
    a, b = root.spawn(Relay(), name="relay-a"), root.spawn(Relay(), name="relay-b")
    a.tell(b)
    b.tell(a)
    wait_idle(timeout=30)
    return idle, a, b


# -- 1. refresh cost ------------------------------------------------------------------------


def _ms(fn: Any, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1000


def refresh_cost(n_actors: int, repeat: int) -> dict[str, float]:
    idle, a, _b = _setup(n_actors - 2)
    t = time.perf_counter()
    dash = al.dashboard()  # no running loop here: builds and draws once, then refresh by hand
    build = (time.perf_counter() - t) * 1000
    dash.select(a)

    def unchanged() -> None:
        if dash._begin() is not None:  # the refresher's change check
            raise AssertionError("nothing changed, yet the dashboard wanted to redraw")

    def one_changed() -> None:
        idle[0].tell(Poke(1))
        wait_idle()
        t0 = time.perf_counter()
        dash.refresh_now()
        one.append(time.perf_counter() - t0)

    def all_changed() -> None:  # every label changes: each actor gets a queued message
        for ref in idle:
            ref.pause()
        for ref in idle:
            ref.tell(Poke(1))
        wait_idle_paused(idle)
        t0 = time.perf_counter()
        dash.refresh_now()
        timings.append(time.perf_counter() - t0)
        for ref in idle:
            ref.resume()
        wait_idle()
        dash.refresh_now()

    timings: list[float] = []
    one: list[float] = []
    for _ in range(repeat * 3):
        one_changed()
    out = {
        "build_ms": build,
        "unchanged_ms": _ms(unchanged, repeat * 20),
        "one_changed_ms": statistics.median(one) * 1000,
    }
    for _ in range(repeat):
        all_changed()
    out["all_changed_ms"] = statistics.median(timings) * 1000
    out["all_changed_max_ms"] = max(timings) * 1000
    out["rebuilds"] = float(dash.tree.rebuilds)
    nodes = getattr(getattr(dash.tree, "graph", None), "nodes", None)
    if nodes is not None:
        out["nodes_json_ms"] = _ms(lambda: json.dumps(nodes), repeat * 3)
        out["nodes_json_kb"] = len(json.dumps(nodes)) / 1024
    out["tree"] = type(dash.tree).__name__  # type: ignore[assignment]
    dash.close()
    return out


def wait_idle_paused(refs: list[al.ActorRef]) -> None:
    deadline = time.monotonic() + 30
    while any(r.info().mailbox == 0 for r in refs):
        if time.monotonic() > deadline:
            raise TimeoutError("messages to paused actors never arrived")
        time.sleep(0.001)


# -- 2. throughput ------------------------------------------------------------------------------


async def _bounce(a: al.ActorRef, hops: int) -> float:
    done: concurrent.futures.Future[int] = concurrent.futures.Future()
    t = time.perf_counter()
    a.tell(Hop(hops, done))
    count = await asyncio.wrap_future(done)
    elapsed = time.perf_counter() - t
    if count < hops // 2:
        raise AssertionError(f"lost hops: {count}")
    return hops / elapsed


def throughput(case: str, a: al.ActorRef, hops: int) -> float:
    async def run() -> float:
        dash = None
        if case != "closed":
            dash = al.dashboard()
            dash.select(a)
            if case == "open+messages":
                dash.tabs.selected_index = dash_mod.TABS.index("Messages")  # message events on
            if case == "open+animated":
                dash.animate.value = True  # message events on, dots along the tree
        try:
            await asyncio.sleep(0.15)  # let the refresher start its cycle
            rate = await _bounce(a, hops)
            if dash is not None and dash.refreshes < 2:
                raise AssertionError("the dashboard did not refresh during the run")
            return rate
        finally:
            if dash is not None:
                dash.close()

    return asyncio.run(run())


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="smaller and fewer runs")
    args = p.parse_args(argv)
    repeat = 3 if args.quick else 7
    runs = 4 if args.quick else 16
    hops = 20_000 if args.quick else 50_000

    cost = refresh_cost(1000, repeat)
    print("## Dashboard refresh cost, 1000 actors (kernel side, per frame)\n")
    print("| frame | ms |\n|---|---:|")
    print(f"| first build (1000 tree nodes) | {cost['build_ms']:.1f} |")
    print(f"| nothing changed (change check only) | {cost['unchanged_ms']:.3f} |")
    print(f"| one actor changed (the usual busy frame) | {cost['one_changed_ms']:.2f} |")
    print(f"| all 1000 actors changed | {cost['all_changed_ms']:.1f} |")
    print(f"| all 1000 actors changed, worst run | {cost['all_changed_max_ms']:.1f} |")
    if "nodes_json_ms" in cost:
        kb = cost["nodes_json_kb"]
        print(f"| JSON of the 1000 node records ({kb:.0f} KiB) | {cost['nodes_json_ms']:.2f} |")
    print(f"\ntree: {cost['tree']}; structure changed {cost['rebuilds']:.0f} time(s) in total\n")

    _idle, a, _b = _setup(1000)
    # "closed again" is an A/A control: it shows how much two identical cases differ here.
    cases = ["closed", "open", "open+messages", "open+animated", "closed again"]
    rates: dict[str, list[float]] = {c: [] for c in cases}
    throughput("closed", a, hops // 5)  # warm-up
    for i in range(runs):
        order = cases[i % len(cases) :] + cases[: i % len(cases)]  # rotate: no position bias
        for c in order:
            rates[c].append(throughput(c.replace(" again", ""), a, hops))
    med = {c: statistics.median(v) for c, v in rates.items()}
    print(f"## Actor-to-actor throughput, {hops} hops per run, 1000 idle actors in the tree\n")
    print("| dashboard | msgs/s (median) | vs closed | min–max |\n|---|---:|---:|---:|")
    for c in cases:
        lo, hi = min(rates[c]), max(rates[c])
        print(f"| {c} | {med[c]:,.0f} | {med[c] / med['closed']:.2f}x | {lo:,.0f}–{hi:,.0f} |")
    print(f"\nPython {sys.version.split()[0]}, {runs} interleaved runs per case (rotated order)")
    al.shutdown()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
