"""Actors on Ray, side by side in one run: `python -m bench.cluster [--quick]`.

Measures, on one local Ray (num_cpus=2):
- remote tell throughput (batched per burst), and in-process tells for the ratio;
- remote ask p50 from the notebook's process, and a bare Ray actor call's p50 for the ratio;
- both with the message class (defined in ``__main__``) sent by value in every pickle (before:
  ``wire.CACHE = False``) and once per destination process, then by key (after);
- spawns per second onto a node runtime that is already running;
- memory per remote actor (the node runtime's RSS growth per 1000 idle actors).
Prints a Markdown table with the issue's targets marked met or not.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from dataclasses import dataclass

import actorlab as al


@dataclass
class Add:
    n: int


@dataclass
class Get: ...


@dataclass
class Rss: ...


class Counter(al.Actor):
    def __init__(self, value: int = 0) -> None:
        self.value = value

    @al.handler
    def add(self, msg: Add) -> None:
        self.value += msg.n

    @al.handler
    def get(self, msg: Get) -> int:
        return self.value

    @al.handler
    def rss(self, msg: Rss) -> int:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _tells(ref: al.ActorRef, n: int) -> float:
    start = ref.ask_sync(Get())
    t0 = time.perf_counter()
    for _ in range(n):
        ref.tell(Add(1))
    assert ref.ask_sync(Get(), timeout=120) == start + n
    return n / (time.perf_counter() - t0)


def _p50(fn, n: int) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="tiny sizes (a smoke run)")
    args = parser.parse_args()
    tells, asks, spawns, idle = (2000, 50, 50, 200) if args.quick else (100_000, 500, 1000, 1000)

    cluster = al.cluster.connect(num_cpus=2)
    try:
        import ray

        from actorlab.cluster import wire

        remote = al.root().spawn(Counter(), placement=al.Remote())
        local = al.root().spawn(Counter())
        _tells(remote, 1000)  # warm up
        wire.CACHE = False
        before_rate = statistics.median(_tells(remote, tells) for _ in range(3))
        wire.CACHE = True
        remote_rate = statistics.median(_tells(remote, tells) for _ in range(3))
        local_rate = statistics.median(_tells(local, tells) for _ in range(3))

        @ray.remote
        class Bare:
            def get(self) -> int:
                return 0

            def echo(self, msg: Get) -> int:  # the same message as the ask carries
                return 0

        bare = Bare.remote()
        ray.get(bare.get.remote())
        bare_p50 = _p50(lambda: ray.get(bare.get.remote()), asks)
        bare_msg_p50 = _p50(lambda: ray.get(bare.echo.remote(Get())), asks)
        wire.CACHE = False
        before_p50 = _p50(lambda: remote.ask_sync(Get()), asks)
        wire.CACHE = True
        ask_p50 = _p50(lambda: remote.ask_sync(Get()), asks)

        t0 = time.perf_counter()
        refs = [al.root().spawn(Counter(), placement=al.Remote()) for _ in range(spawns)]
        assert refs[-1].ask_sync(Get()) == 0  # the last spawn has happened, in order
        spawn_rate = spawns / (time.perf_counter() - t0)

        before = remote.ask_sync(Rss())
        more = [al.root().spawn(Counter(), placement=al.Remote()) for _ in range(idle)]
        more[-1].ask_sync(Get())
        per_actor = (remote.ask_sync(Rss()) - before) / idle
    finally:
        cluster.shutdown()

    rows = [
        ("remote tell throughput, batched, class by value each time (before)",
         f"{before_rate / 1000:.1f} k/s", f"in-process {local_rate / 1000:.1f} k/s: "
         f"{local_rate / before_rate:.1f}x", "", None),
        ("remote tell throughput, batched", f"{remote_rate / 1000:.1f} k/s",
         f"in-process {local_rate / 1000:.1f} k/s: {local_rate / remote_rate:.1f}x",
         "≥ 50 k/s and within 10x of in-process",
         remote_rate >= 50_000 and local_rate / remote_rate <= 10),
        ("remote ask p50 (cell), class by value each time (before)", f"{before_p50 * 1e3:.2f} ms",
         f"bare Ray call {bare_p50 * 1e3:.2f} ms: {before_p50 / bare_p50:.2f}x", "", None),
        ("remote ask p50 (cell)", f"{ask_p50 * 1e3:.2f} ms",
         f"bare Ray call {bare_p50 * 1e3:.2f} ms: {ask_p50 / bare_p50:.2f}x", "≤ 2x a bare Ray call",
         ask_p50 <= 2 * bare_p50),
        ("remote ask p50, like for like", f"{ask_p50 * 1e3:.2f} ms",
         f"bare Ray call with the same message {bare_msg_p50 * 1e3:.2f} ms: "
         f"{ask_p50 / bare_msg_p50:.2f}x", "(the message class is defined in __main__)", None),
        ("spawns onto a running node runtime", f"{spawn_rate:.0f} /s", "", "≥ 1000 /s",
         spawn_rate >= 1000),
        ("memory per idle remote actor", f"{per_actor / 1024:.2f} KiB", "(node runtime RSS growth)",
         "", None),
    ]
    print(f"\n## Cluster (Ray {ray.__version__}, local, num_cpus=2{', quick' if args.quick else ''})\n")
    print("| measure | actorlab | compared with | target | met |")
    print("|---|---|---|---|---|")
    for name, value, versus, target, met in rows:
        mark = "" if met is None else ("met" if met else "not met")
        print(f"| {name} | {value} | {versus} | {target} | {mark} |")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
