"""Live code: the time to upgrade N live actors to a redefined class.

``python -m bench.upgrade [--n 1000] [--repeat 5]`` prints, as medians over the repeats:

- ``define``: the class statement itself while N actors of the old class live (the defining
  thread finds them and requests their upgrade; it does not wait for them);
- ``automatic``: from the class statement until every actor runs the new code;
- ``al.upgrade``: the explicit call (``live_upgrade=False`` first), until every actor upgraded.

Each upgrade builds a fresh instance from the actor's constructor arguments (one new field to
fill) and runs an ``on_upgrade``. Self-contained: it uses only the public API.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
import types

import actorlab as al

SOURCE = """
import actorlab as al

class Counter(al.Actor):
    def __init__(self, start=0):
        self.n = start
        self.version = {version}

    def on_upgrade(self, old_class):
        self.upgraded_to = {version}

    @al.handler
    def add(self, msg: int) -> None:
        self.n += msg

    @al.handler
    def get(self, msg: str):
        return (self.n, self.version, getattr(self, "upgraded_to", None))
"""


def _define(module: types.ModuleType, version: int) -> None:
    exec(compile(SOURCE.format(version=version), f"<{module.__name__}>", "exec"), module.__dict__)


def run(n: int, repeats: int) -> dict[str, list[float]]:
    module = types.ModuleType("bench_live_code")
    sys.modules[module.__name__] = module
    times: dict[str, list[float]] = {"define": [], "automatic": [], "al.upgrade": []}
    version = 0
    al.configure(live_upgrade=True)
    _define(module, version)
    root = al.reset()
    refs = [root.spawn(module.Counter(i)) for i in range(n)]
    for r in refs:
        r.tell(1)
    assert [r.ask_sync("get")[0] for r in refs] == [i + 1 for i in range(n)]
    try:
        for _ in range(repeats):
            version += 1
            t0 = time.perf_counter()
            _define(module, version)  # requests the automatic upgrade of every live actor
            t1 = time.perf_counter()
            al.upgrade(module.Counter, timeout=60)  # waits for the upgrades on their way
            t2 = time.perf_counter()
            times["define"].append(t1 - t0)
            times["automatic"].append(t2 - t0)
            _check(refs, version)

            al.configure(live_upgrade=False)
            version += 1
            _define(module, version)
            t0 = time.perf_counter()
            upgraded = al.upgrade(module.Counter, timeout=60)
            times["al.upgrade"].append(time.perf_counter() - t0)
            al.configure(live_upgrade=True)
            assert len(upgraded) == n, len(upgraded)
            _check(refs, version)
    finally:
        al.configure(live_upgrade=True)
        al.shutdown()
        sys.modules.pop(module.__name__, None)
    return times


def _check(refs: list[al.ActorRef], version: int) -> None:
    for i, r in enumerate(refs):
        got = r.ask_sync("get")
        # state kept (n), the field the first __init__ set kept, on_upgrade ran
        assert got == (i + 1, 0, version), (got, i, version)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.upgrade", description=__doc__)
    parser.add_argument("--n", type=int, default=1000, help="live actors (default 1000)")
    parser.add_argument("--repeat", type=int, default=5, help="repetitions (default 5)")
    args = parser.parse_args(argv)
    times = run(args.n, args.repeat)
    print(f"live code: upgrading {args.n} live actors (median of {args.repeat})")
    for what, ts in times.items():
        med = statistics.median(ts)
        print(f"  {what:<11} {med * 1000:8.2f} ms   {med / args.n * 1e6:7.2f} us/actor")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
