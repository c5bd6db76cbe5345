"""Spawns are not lost with a node runtime that restarts.

A top-level spawn travels in a batch with the tells (``transport.send``). If the process dies
before that batch ran (a crash in an earlier message of the same batch, or a batch sent while Ray
had not yet seen it die), Ray fails the call and its messages are lost (at most once). Tells
stay lost; the spawns of that batch are sent again, alone, until the node runtime is back
(Ray restarts it with the same handle) or ``RETRY_FOR`` seconds have passed; then the error
is logged with the actors named.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

CHECK_EVERY = 0.05  # seconds between looks at the deliveries that carry spawns
RETRY_FOR = 120.0  # seconds a spawn is sent again while its node runtime is restarting

log = logging.getLogger("actorlab")


@dataclass
class Pending:
    """A delivery carrying spawns, until Ray says it ran."""

    obj: Any  # the Ray call's ObjectRef
    home: str
    spawns: list[tuple[str, Any]]
    give_up: float = field(default_factory=lambda: time.monotonic() + RETRY_FOR)


def _label(spawn: tuple[str, Any]) -> str:
    args, name, actor_id = spawn[1]
    from actorlab.spawning import prepare

    try:
        kind = prepare(args)[0].__qualname__
    except Exception:
        kind = "actor"
    return name or f"{kind}#{actor_id[:8]}"


def check_spawns(t: Any) -> None:
    """Look at the finished deliveries with spawns (the flusher's thread): send again those a
    dying process lost; log those that failed otherwise."""
    import ray

    with t._lock:
        pending, t._spawning = t._spawning, []
    objs = [p.obj for p in pending]
    done, _ = ray.wait(objs, num_returns=len(objs), timeout=0)
    finished = set(done)
    keep: list[Pending] = []
    for p in pending:
        if p.obj not in finished:
            keep.append(p)
            continue
        try:
            ray.get(p.obj)
        except ray.exceptions.RayActorError as exc:  # lost with its process: again
            names = ", ".join(_label(s) for s in p.spawns)
            if time.monotonic() > p.give_up:
                log.error(
                    "actorlab: could not spawn %s: its node runtime %s did not come back within "
                    "%g s (%s). Fix: check the cluster (cluster.nodes()) and spawn again",
                    names, p.home, RETRY_FOR, exc,
                )
                continue
            with t._lock:
                obj = t.handle(p.home).deliver.remote(t.dumps(p.home, p.spawns))
            keep.append(Pending(obj, p.home, p.spawns, p.give_up))
        except Exception as exc:
            names = ", ".join(_label(s) for s in p.spawns)
            log.error("actorlab: could not spawn %s on %s: %s", names, p.home, exc)
    with t._lock:
        t._spawning.extend(keep)
