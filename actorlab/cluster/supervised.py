"""Supervision across processes: a remote child is supervised by its parent in another process.

    parent P (process X)                          node runtime (process Y)
      └─ stand-in (StandIn, C's id)   <────────   link (ParentLink) ── C
         fails when C fails or Y dies             asks X for the decision, applies it

- **C fails**: its supervisor on Y is a ``ParentLink``, whose ``supervise()`` tells the stand-in
  ``ChildFailed`` and waits. The stand-in raises C's error, so P's strategy decides for it as for
  any child (intensity, then escalation). The decision goes back to Y through the stand-in's
  lifecycle: restarted (``on_restart``) → C restarts, stopped (``on_exit``) → C stops, back to
  running → C resumes.
- **Y dies** (a crash, a lost node): X's watcher of Y tells each stand-in there ``ChildLost``. Ray
  restarts Y's node runtime empty (same handle, elsewhere if its node is gone); a restart decided
  by P spawns C there again, with the same id and its spawn args, so refs to C keep working. A
  resume cannot bring back the state that died with Y: it restarts C as well.
- **C stops by itself** (or ``ref.stop()``): the link tells the stand-in ``ChildStopped``; the
  stand-in stops too.

Top-level remote actors (spawned from ``al.root()``) have no stand-in: the root stops a failing
top-level actor, and one lost with its process is gone, as locally.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from actorlab.actor import Actor
from actorlab.errors import ActorlabError
from actorlab.info import Status, StatusUpdate
from actorlab.messages import handler
from actorlab.supervision import Escalation, Signal

WATCH_EVERY = 0.5  # seconds between a watcher's questions ("do you still host these?")
WATCH_WAIT = 2.0  # seconds a watcher waits for an answer before it asks again
RESTART_WAIT = 180.0  # seconds a lost child's restart waits for Ray to restart its process


class RemoteProcessLost(ActorlabError):
    """A remote child's process died (a crash or a lost node), and the child with it."""


class RemoteChildFailed(ActorlabError):
    """A remote child failed with an error that could not travel between processes."""


@dataclass
class ChildFailed:
    """From a link to the stand-in: the child failed; the parent decides (token: the reply)."""

    token: str
    text: str
    error: BaseException | None = None


@dataclass
class ChildLost:
    """From the watcher to the stand-in: the child's process died."""

    reason: str


@dataclass
class ChildStopped:
    """From a link to the stand-in: the child stopped for good."""


@dataclass
class Record:
    """What the parent's process knows of one remote child (shared by all its stand-ins)."""

    actor_id: str
    host: str
    args: Any
    name: str | None
    parent_id: str
    pending: str | None = None  # the token of the failure waiting for a decision
    lost: bool = False  # its process died
    respawning: bool = False  # being spawned again where it was lost
    restarting: bool = False
    status: Status | None = None  # the stand-in's, as its monitor last saw it
    started: bool = False
    unmonitor: Any = field(default=None, repr=False)
    standin: Any = field(default=None, repr=False)  # the stand-in's own (local) ref


class StandIn(Actor):
    """In the parent's process: the remote child as its parent's supervision sees it."""

    def __init__(self, actor_id: str) -> None:
        self.actor_id = actor_id

    def _record(self) -> Record:
        from .transport import _transport

        return _transport().children[self.actor_id]

    @handler
    def failed(self, msg: ChildFailed) -> None:
        rec = self._record()
        rec.pending = msg.token
        if msg.error is not None:
            raise msg.error
        raise RemoteChildFailed(msg.text)

    @handler
    def lost(self, msg: ChildLost) -> None:
        rec = self._record()
        rec.lost, rec.pending = True, None
        raise RemoteProcessLost(
            f"the remote actor {self.actor_id[:8]} died with its process ({msg.reason}); "
            f"its parent's strategy decides whether it starts again (fresh, from its spawn args)"
        )

    @handler
    def stopped(self, msg: ChildStopped) -> None:
        self._record().started = False  # nothing left to stop on its node
        self.ctx.terminate()

    def on_restart(self) -> None:
        self._record().restarting = True

    def on_start(self) -> None:
        from .transport import _transport

        rec = self._record()
        if not rec.started:  # the first start: transport.spawn has spawned C already
            rec.started = True
            return
        rec.restarting = False
        _transport().apply(rec, "restart")

    def on_exit(self, code: Any) -> None:
        from .transport import current

        t = current()
        if t is None:  # the cluster was shut down first: nothing left to stop there
            return
        rec = t.children.pop(self.actor_id, None)
        if rec is not None and rec.started:
            t.apply(rec, "terminate")
        if rec is not None and rec.unmonitor is not None:
            rec.unmonitor()


def on_standin_status(rec: Record, update: StatusUpdate) -> None:
    """Resumed: a stand-in from failed straight back to running means P resumed it."""
    before, rec.status = rec.status, update.status
    back = before is Status.FAILED and update.status in (Status.IDLE, Status.PROCESSING)
    if back and (rec.pending or rec.lost) and not rec.restarting:
        from .transport import _transport

        _transport().apply(rec, "resume")


# -- the parent's process: watching node runtimes, respawning the lost -----------------------
def watch_loop(t: Any, host: str) -> None:
    """Every ``WATCH_EVERY`` s, ask the node runtime which of this process's remote
    children it still hosts: one missing (its process died, and maybe came back empty) is
    lost, and its stand-in is told."""
    import ray

    while not t._closed:
        time.sleep(WATCH_EVERY)
        watched = [
            r for r in list(t.children.values())
            if r.host == host and r.started and not (r.lost or r.respawning)
        ]
        if not watched:
            continue
        reason = "its process died"
        try:
            call = t.call(host, "present", [r.actor_id for r in watched])
            have = set(ray.get(call, timeout=WATCH_WAIT))
        except ray.exceptions.RayActorError:
            have = set()
        except ray.exceptions.GetTimeoutError:
            continue  # busy: ask again
        gone = [r for r in watched if r.actor_id not in have]
        if gone:
            lost(t, gone, reason)


def lost(t: Any, records: list[Record], reason: str) -> None:
    for rec in records:
        aid = rec.actor_id
        current = t.children.get(aid)
        if current is None or current is not rec:
            continue  # its stand-in stopped meanwhile
        current.lost = True
        try:
            rec.standin.tell(ChildLost(reason))
        except ActorlabError:
            pass  # the stand-in stopped meanwhile


def respawn(t: Any, rec: Record) -> None:
    """Spawn a lost child again on its node runtime as soon as Ray has restarted it."""
    import ray

    args = (rec.args, rec.name, rec.actor_id, rec.parent_id, (t.home, rec.actor_id))
    give_up = time.monotonic() + RESTART_WAIT
    while not t._closed:
        try:
            ray.get(t.call(rec.host, "restart_child", *args), timeout=WATCH_WAIT * 2)
            rec.respawning = False
            return
        except (ray.exceptions.RayActorError, ray.exceptions.GetTimeoutError):
            if time.monotonic() > give_up:
                logging.getLogger("actorlab").error(
                    "actorlab: %s's node runtime %s did not come back within %g s; the "
                    "remote actor %s stays lost", rec.parent_id, rec.host, RESTART_WAIT,
                    rec.actor_id,
                )
                rec.respawning = False
                return
            time.sleep(0.2)  # not back yet
    rec.respawning = False


# -- the child's side (its node runtime) ------------------------------------------------------
_decisions: dict[str, tuple[asyncio.AbstractEventLoop, asyncio.Future[str]]] = {}
_waiting: dict[str, str] = {}  # child id -> the token of the decision its link waits for
_lock = threading.Lock()


def watch_parents(host: Any) -> None:
    """On a node runtime: every ``WATCH_EVERY`` s, ask the processes of the parents of the
    remote children here whether their stand-ins are still there. A parent whose process died
    (Ray restarted it empty, or it is gone) is gone: its child stops, as a local child stops
    with its parent, and a decision its link was waiting for is settled as a stop. (The
    notebook's process is not asked: when it dies, Ray takes every node runtime with it.)"""
    import ray

    t = host.transport
    while not t._closed:
        time.sleep(WATCH_EVERY)
        by_home: dict[str, list[str]] = {}
        for aid, home in list(host.standins.items()):
            if home != t.driver_home:
                by_home.setdefault(home, []).append(aid)
        for home, aids in by_home.items():
            try:
                have = set(ray.get(t.call(home, "has_standins", aids), timeout=WATCH_WAIT))
            except ray.exceptions.RayActorError:
                have = set()
            except ray.exceptions.GetTimeoutError:
                continue  # busy: ask again
            for aid in aids:
                if aid not in have and host.standins.pop(aid, None) is not None:
                    orphaned(host, aid, home)


def orphaned(host: Any, actor_id: str, home: str) -> None:
    """The parent of ``actor_id`` (in ``home``) is gone: stop the child."""
    ref = host.refs.get(actor_id)
    label = ref.label if ref is not None else actor_id
    logging.getLogger("actorlab").warning(
        "actorlab: the parent of the remote actor %s (in %s) is gone with its process; %s "
        "stops, as a child stops with its parent", label, home, label,
    )
    with _lock:
        token = _waiting.pop(actor_id, None)
    if token is not None:
        settle(token, "terminate")
    try:
        host.stop(actor_id, 5.0)
    except Exception:
        logging.getLogger("actorlab").exception("actorlab: stopping %s failed", label)


def settle(token: str, decision: str) -> None:
    """A decision from the parent's process for the failure ``token`` (any thread)."""
    with _lock:
        found = _decisions.pop(token, None)
    if found is not None:
        loop, fut = found
        loop.call_soon_threadsafe(_set, fut, decision)


def _set(fut: asyncio.Future[str], decision: str) -> None:
    if not fut.done():
        fut.set_result(decision)


class ParentLink(Actor):
    """On the child's node runtime: the child's supervisor, asking the real parent to decide."""

    def __init__(self, standin: Any) -> None:
        self.standin = standin  # a ref to the stand-in, in the parent's process

    @handler
    def stopped(self, msg: ChildStopped) -> None:
        """The child stopped for good: the link goes too."""
        self.ctx.terminate()

    async def supervise(self, esc: Escalation) -> tuple[Signal, Signal | None]:
        loop = asyncio.get_running_loop()
        fut: asyncio.Future[str] = loop.create_future()
        token = uuid.uuid4().hex
        child = str(esc.child.id)
        with _lock:
            _decisions[token] = (loop, fut)
            _waiting[child] = token
        error: BaseException | None = esc.error
        try:
            import ray

            ray.cloudpickle.dumps(error)
        except Exception:
            error = None  # it does not travel: its text does
        self.standin.tell(ChildFailed(token, f"{type(esc.error).__name__}: {esc.error}", error))
        try:
            decision = await fut  # "resume", "restart" or "terminate"
        finally:
            with _lock:
                if _waiting.get(child) == token:
                    del _waiting[child]
        return (Signal(decision), None)
