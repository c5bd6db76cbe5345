"""The Ray actors behind a cluster: node runtimes (``NodeHost``), the ``Registry``, the ``Relay``.

These are plain classes, made Ray actors by ``connect()`` (keeping them importable by name
avoids cloudpickle shipping them by value with a private copy of this module's globals).

- ``NodeHost``: one Ray worker process running actorlab's own runtime with many actors in it.
  Its default concurrency group has one thread, so calls run in submission order: tells
  (``deliver``), ``spawn``, ``ask_start``, ``stop`` and ``info`` keep per-sender order (a
  read after a spawn sees the actor). Replies are waited for in the "replies" group, so a slow
  handler never holds up the messages behind it.
- ``Registry``: creates the node runtimes (it owns them: they die with it, and it with the
  notebook's process) and keeps the cluster-wide names.
- ``Relay``: where other processes send messages for actors in the notebook's process (the
  driver, which Ray cannot call into); the driver takes them in batches.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import logging
import os
import threading
from collections.abc import Callable
from typing import Any

NAMESPACE = "actorlab"
log = logging.getLogger("actorlab")


def registry_name(driver_home: str) -> str:
    """Each notebook process (driver) has its own registry and relay: two notebooks can share
    one Ray cluster without meeting."""
    return f"actorlab-registry-{driver_home}"


def relay_name(driver_home: str) -> str:
    return f"actorlab-relay-{driver_home}"


def group(name: str) -> Callable[[Any], Any]:
    """Put a method in a Ray concurrency group (what ``@ray.method`` does, without Ray)."""

    def mark(fn: Any) -> Any:
        fn.__ray_concurrency_group__ = name
        return fn

    return mark


CONCURRENCY = {"replies": 64}
# Seconds an ask may hold the ordered group waiting for its reply: a quick handler's reply comes
# back in the same Ray call; a slower one is waited for in the "replies" group.
FAST_REPLY = 0.005


def _error_tuple(exc: BaseException) -> tuple[str, str, Any]:
    """An error to send back: its kind, its text, and its cause (if it pickles)."""
    import actorlab as al

    kind = (
        "timeout"
        if isinstance(exc, al.AskTimeout)
        else "handler"
        if isinstance(exc, al.HandlerError)
        else "closed"
        if isinstance(exc, al.ActorClosed)
        else "other"
    )
    cause = exc.__cause__ if kind == "handler" else None
    return (kind, f"{type(exc).__name__}: {exc}" if kind == "other" else str(exc), cause)


class NodeHost:
    """A node runtime: a Ray worker process hosting many actorlab actors."""

    def __init__(self, name: str, driver_home: str) -> None:
        import actorlab as al

        from .transport import RayTransport

        # Classes reach a node runtime by value (cloudpickle), rebuilt as new class objects: they
        # must not count as a notebook re-running a cell (live upgrade is the notebook's).
        al.configure(live_upgrade=False)
        self.name = name
        self.node_id = _node_id()
        self.transport = RayTransport(home=name, driver_home=driver_home)
        self.transport.install()
        self.root = al.root()
        self.refs: dict[str, Any] = {}  # actor id -> local ref (actors spawned here)
        self.links: dict[str, Any] = {}  # actor id -> its ParentLink (a parent elsewhere)
        self.parents: dict[str, str | None] = {}  # actor id -> its parent's id (in any process)
        self.asks: dict[str, concurrent.futures.Future[Any]] = {}
        self.asks_lock = threading.Lock()
        self.standins: dict[str, str] = {}  # actor id -> the process of its parent's stand-in
        self._parents_watcher: threading.Thread | None = None

    def ping(self) -> tuple[str, int, str]:
        return (self.name, os.getpid(), self.node_id)

    # -- default group: in submission order ----------------------------------------------------
    def spawn(
        self,
        args: Any,
        name: str | None,
        actor_id: str,
        parent: str | None,
        standin: tuple[str, str] | None = None,
    ) -> None:
        """Start an actor here; with ``standin`` (its parent's process, the stand-in's id) its
        supervisor is a ``ParentLink`` that lets the parent in that process decide."""
        import actorlab as al
        from actorlab.ids import ActorId
        from actorlab.runtime import get_runtime
        from actorlab.spawning import spawn_cell

        from .supervised import ChildStopped, ParentLink
        from .transport import _remote_ref

        rt = get_runtime()
        under: Any = rt.root_cell
        standin_ref = None
        if standin is not None:
            standin_ref = _remote_ref(standin[1], standin[0], None, None)
            link = spawn_cell(rt, rt.root_cell, ParentLink(standin_ref))
            self.links[actor_id] = link.ref
            self.standins[actor_id] = standin[0]
            under = link
            self._watch_parents()
        cell = spawn_cell(rt, under, args, name, actor_id=ActorId(actor_id))
        self.track(actor_id, name, cell.ref, parent)
        if standin_ref is not None:
            link_ref, told = self.links[actor_id], standin_ref

            def on_status(update: Any) -> None:  # stopped for good: tell the parent's side
                if update.status is al.Status.STOPPED:
                    self.standins.pop(actor_id, None)
                    told.tell(ChildStopped())
                    with contextlib.suppress(al.ActorClosed):
                        link_ref.tell(ChildStopped())  # and the link goes too

            al.monitor(cell.ref, on_status)

    def track(self, actor_id: str, name: str | None, ref: Any, parent: str | None) -> None:
        """An actor spawned here; a named one releases its cluster-wide name when it stops."""
        import actorlab as al

        self.refs[actor_id] = ref
        self.parents[actor_id] = parent
        if name is None:
            return
        registry = self.transport.registry()

        def on_status(update: Any) -> None:
            if update.status is al.Status.STOPPED:
                registry.unbind.remote(name, actor_id)

        al.monitor(ref, on_status)

    def deliver(self, data: bytes) -> None:
        """Tells, spawns, forwards, in order (``inbox``); a message for a stopped actor is
        dropped here: at most once."""
        from . import wire
        from .inbox import receive

        try:
            batch = wire.loads(data)
        except Exception:
            log.exception("actorlab: %s could not unpickle a batch of messages", self.name)
            raise
        receive(batch, self._find, lambda args, name, aid: self.spawn(args, name, aid, None))

    def stop_many(self, actor_ids: list[str], timeout: float | None) -> None:
        """Stop these actors (``al.shutdown()`` in the process that spawned them)."""
        import actorlab as al

        for actor_id in actor_ids:
            try:
                self.stop(actor_id, timeout)
            except (al.ActorlabError, TimeoutError):
                pass  # stopped meanwhile, or still stopping: it goes when its handler returns

    def _find(self, actor_id: str) -> Any:
        import actorlab as al
        from actorlab.ref import _ref_by_id

        ref = self.refs.get(actor_id)
        if ref is None:  # not spawned through this host: a stand-in of a remote child
            rec = self.transport.children.get(actor_id)
            if rec is not None and rec.standin is not None:
                return rec.standin if not rec.standin.is_closed() else None
            try:
                ref = _ref_by_id(actor_id)
                ref._live()
            except al.ActorlabError:
                return None
        elif ref.is_closed():
            self.refs.pop(actor_id, None)
            return None
        return ref

    def present(self, actor_ids: list[str]) -> list[str]:
        """Which of these supervised children live here (a watcher's question; a restarted
        process has none)."""
        return [a for a in actor_ids if a in self.links]

    @group("replies")
    def has_standins(self, actor_ids: list[str]) -> list[str]:
        """Which of these remote children have their stand-in (their parent's side) here."""
        return [a for a in actor_ids if a in self.transport.children]

    def _watch_parents(self) -> None:
        if self._parents_watcher is None:
            from .supervised import watch_parents

            self._parents_watcher = threading.Thread(
                target=watch_parents, args=(self,), name="actorlab-parents", daemon=True
            )
            self._parents_watcher.start()

    def reply(self, token: str, reply: tuple[str, Any]) -> None:
        """The reply to an ask this process sent to the notebook's process."""
        self.transport.settle_ask(token, reply)

    def ask_start(
        self, token: str, actor_id: str, data: bytes, timeout: float | None
    ) -> tuple[str, Any] | None:
        """Start an ask, in message order; its reply if it comes within ``FAST_REPLY`` s (one
        Ray call for a quick handler), else None: the asker then waits in ``ask_result``."""
        from . import wire

        msg = wire.loads(data)
        ref = self._find(actor_id)
        fut = self._ask_future(token)
        if ref is None:
            import actorlab as al

            fut.set_exception(al.ActorClosed(f"actor {actor_id} is not running on {self.name}"))
        else:
            rt_loop = ref._live(allow_closed=True).runtime.loop
            inner = asyncio.run_coroutine_threadsafe(ref.ask(msg, timeout=timeout), rt_loop)
            inner.add_done_callback(lambda f: _copy_result(f, fut))
        try:
            fut.result(FAST_REPLY)
        except concurrent.futures.TimeoutError:
            return None
        except BaseException:
            pass
        return self.ask_result(token, timeout)

    def stop(self, actor_id: str, timeout: float | None) -> None:
        ref = self._find(actor_id)
        self.refs.pop(actor_id, None)
        link = self.links.pop(actor_id, None)
        for r in (ref, link):  # the child first: its stand-in hears of it
            if r is not None and not r.is_closed():
                r.stop(timeout)

    def decide(self, token: str, decision: str) -> None:
        """The parent's decision for a failure a ``ParentLink`` here is waiting on."""
        from .supervised import settle

        settle(token, decision)

    def restart_child(
        self, args: Any, name: str | None, actor_id: str, parent: str, standin: tuple[str, str]
    ) -> None:
        """Restart a supervised child its parent restarts; spawn it again if it was lost."""
        ref = self.refs.get(actor_id)
        if ref is not None and not ref.is_closed():
            ref.restart()
            return
        self.stop(actor_id, None)
        self.spawn(args, name, actor_id, parent, standin)

    def control(self, actor_id: str, verb: str) -> Any:
        ref = self._find(actor_id)
        if ref is None:
            return None
        return getattr(ref, verb)()

    def run(self, fn: Callable[..., Any], *args: Any) -> Any:
        """``fn(self, *args)`` here, in message order (snapshots: ``actorlab.cluster.snapshots``)."""
        return fn(self, *args)

    # -- replies group: waits that must not hold up messages ------------------------------------
    @group("replies")
    def ask_result(self, token: str, timeout: float | None) -> tuple[str, Any]:
        fut = self._ask_future(token)
        try:
            wait = None if timeout is None or timeout == float("inf") else timeout + 30.0
            return ("ok", fut.result(wait))
        except BaseException as exc:
            return ("error", _error_tuple(exc))
        finally:
            with self.asks_lock:
                self.asks.pop(token, None)

    def _ask_future(self, token: str) -> concurrent.futures.Future[Any]:
        with self.asks_lock:  # ask_start and ask_result may come in either order
            fut = self.asks.get(token)
            if fut is None:
                fut = self.asks[token] = concurrent.futures.Future()
            return fut

    # -- view group -----------------------------------------------------------------------------
    def info(self, actor_id: str) -> Any:
        ref = self._find(actor_id)  # None: never here, or stopped (by itself, or its parent)
        return self._placed(ref.info()) if ref is not None else None

    def infos(self) -> list[Any]:
        import actorlab as al

        hidden = ("ParentLink", "StandIn")  # supervision plumbing: the driver shows the actors
        return [self._placed(i) for i in al.inspect() if i.actor_type not in hidden]

    def _placed(self, info: Any) -> Any:
        import dataclasses

        parent = self.parents.get(str(info.id), info.parent)
        if parent is not None and (info.parent is None or str(info.id) in self.links):
            # a remote child of another process (under the root, or its ParentLink)
            from actorlab.ids import ActorId

            info = dataclasses.replace(info, parent=ActorId(parent))
        return dataclasses.replace(info, node=self.node_id, host=self.name)


def _copy_result(src: concurrent.futures.Future[Any], dst: concurrent.futures.Future[Any]) -> None:
    if dst.done():
        return
    exc = src.exception()
    if exc is not None:
        dst.set_exception(exc)
    else:
        dst.set_result(src.result())


def _node_id() -> str:
    import ray

    return str(ray.get_runtime_context().get_node_id())


class Registry:
    """Creates node runtimes and keeps cluster-wide names. Owned by the notebook's process."""

    def __init__(self, driver_home: str) -> None:
        self.driver_home = driver_home
        self.hosts: dict[tuple[Any, ...], Any] = {}  # placement key -> NodeHost handle
        self.host_names: dict[tuple[Any, ...], str] = {}
        self.names: dict[str, tuple[str, str, Any]] = {}  # name -> (home, actor id, class key)
        self.classes: dict[Any, bytes] = {}  # cell classes sent between processes (``wire``)

    def host_for(self, key: tuple[Any, ...]) -> str:
        """The node runtime for a placement key, started on first use."""
        name = self.host_names.get(key)
        if name is not None:
            return name
        import ray
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        node, resources = key
        soft = False
        if node is None and not resources:  # spread; after a lost node, restart anywhere
            node, soft = self._least_loaded_node(), True
        name = f"actorlab-host-{self.driver_home}-{len(self.hosts)}-{(node or 'any')[:8]}"
        options: dict[str, Any] = {
            "name": name,
            "namespace": NAMESPACE,
            "num_cpus": 0,
            # A crashed process comes back empty with the same handle (refs keep working);
            # its queued calls are not retried: delivery is at most once.
            "max_restarts": -1,
            "max_task_retries": 0,
        }
        if resources:
            options["resources"] = {k: v for k, v in resources if k not in ("CPU", "GPU")}
            options["num_cpus"] = dict(resources).get("CPU", 0)
            options["num_gpus"] = dict(resources).get("GPU", 0)
        if node is not None:
            options["scheduling_strategy"] = NodeAffinitySchedulingStrategy(node, soft=soft)
        host_class = ray.remote(concurrency_groups=CONCURRENCY)(NodeHost)  # type: ignore[call-overload]
        handle: Any = host_class.options(**options).remote(name, self.driver_home)
        ray.get(handle.ping.remote())  # started and importable before anyone sends to it
        self.hosts[key] = handle
        self.host_names[key] = name
        return name

    def _least_loaded_node(self) -> str | None:
        import ray

        alive = [n["NodeID"] for n in ray.nodes() if n.get("Alive")]
        if not alive:
            return None
        used = [k[0] for k in self.hosts]
        return min(alive, key=lambda n: used.count(n))

    def all_hosts(self) -> list[str]:
        return list(self.host_names.values())

    def bind(
        self, name: str, home: str, actor_id: str, class_key: Any
    ) -> tuple[str, str, Any] | None:
        """Bind a name; returns what it is already bound to (home, id, class key), if taken."""
        found = self.names.get(name)
        if found is not None and found[1] != actor_id:
            return found
        self.names[name] = (home, actor_id, class_key)
        return None

    def unbind(self, name: str, actor_id: str) -> None:
        if self.names.get(name, (None, None))[1] == actor_id:
            del self.names[name]

    def lookup(self, name: str) -> tuple[str, str, Any] | None:
        return self.names.get(name)

    def put_class(self, key: Any, blob: bytes) -> None:
        self.classes[key] = blob

    def get_class(self, key: Any) -> bytes | None:
        return self.classes.get(key)


class Relay:
    """Messages for actors in the notebook's process, queued until the driver takes them."""

    def __init__(self) -> None:
        self.queue: list[bytes] = []  # pickled batches, unpickled only by the driver
        self.cond = threading.Condition()

    def put(self, batch: bytes) -> None:
        with self.cond:
            self.queue.append(batch)
            self.cond.notify_all()

    @group("replies")
    def take(self, timeout: float) -> list[bytes]:
        with self.cond:
            if not self.queue:
                self.cond.wait(timeout)
            out, self.queue = self.queue, []
            return out
