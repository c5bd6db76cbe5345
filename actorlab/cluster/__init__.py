"""Distribution on Ray: the same actor classes on a cluster when one machine is not enough.

    cluster = al.cluster.connect()        # RAY_ADDRESS / address=..., else a local Ray
    c = al.root().spawn(Counter(0), name="c", placement=al.Remote())
    c.tell(Add(1)); c.ask_sync(Get())     # the same ActorRef interface
    al.lookup("c")                        # names are cluster-wide
    cluster.nodes(); cluster.shutdown()

Needs ``pip install "actorlab[ray]"``; importing this module does not import Ray.

How it works: each node gets node runtimes (Ray worker processes) that run actorlab's own
runtime with many actors each (a Ray actor is a process of ~84 MiB: never one per actor), so
dispatch, one message at a time, hooks, restarts and snapshots are the same code as locally.
Refs pickle as an address and a class key and can travel in messages. Tells are batched per
destination per burst (about 1 ms) and flushed before an ask.

What holds across processes: send-time refusal of unhandled messages, one message at a time,
per-sender FIFO, ask timeouts and ``HandlerError``, asks and ``forward`` in every direction,
cluster-wide names, supervision (a remote child's parent decides for its failures, and for its
process dying: Ray restarts the node runtime, the parent's strategy restarts the child there,
``supervised``), snapshots (``ClusterStorage``, ``placement=`` on respawn). What differs:
delivery is at most once (a dead process's queued messages are lost); ask cycles across
processes end by timeout, not ``Deadlock``; remote actors' ``print()`` goes to the notebook
through Ray's log monitor (prefixed with the worker's pid), not into the sending cell. The user
guide: ``docs/cluster.md``.
"""

from __future__ import annotations

import os
import threading
import uuid
from typing import Any

from actorlab.errors import ActorlabError

from .placement import Remote
from .storage import ClusterStorage

__all__ = ["Cluster", "ClusterStorage", "Remote", "connect"]

_INSTALL = 'pip install "actorlab[ray]"'
_cluster: Cluster | None = None


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise ActorlabError(
            f"al.cluster needs Ray, which is not installed. Fix: {_INSTALL}"
        ) from None
    return ray


class Cluster:
    """A connection to a Ray cluster; ``shutdown()`` ends it (and the local Ray it started)."""

    def __init__(self, started_ray: bool) -> None:
        from .host import CONCURRENCY, NAMESPACE, Registry, Relay, registry_name, relay_name
        from .transport import RayTransport

        ray = _import_ray()
        self._ray = ray
        self._started_ray = started_ray
        home = f"driver-{uuid.uuid4().hex[:12]}"
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        here = ray.get_runtime_context().get_node_id()
        # The driver owns the registry (which owns the node runtimes) and the relay: they die
        # with this process, so a kernel restart leaves no actor behind. Both live on the
        # driver's node: a node runtime dies for good with its owner, so a registry on a node
        # that is lost would take every node runtime with it, not only that node's.
        common = {
            "namespace": NAMESPACE,
            "num_cpus": 0,
            "scheduling_strategy": NodeAffinitySchedulingStrategy(here, soft=False),
        }
        remote = ray.remote(concurrency_groups=CONCURRENCY)
        self._registry = remote(Registry).options(name=registry_name(home), **common).remote(home)
        self._relay = remote(Relay).options(name=relay_name(home), **common).remote()
        ray.get([self._registry.all_hosts.remote(), self._relay.take.remote(0.0)])
        self.transport = RayTransport(home=home, driver_home=home)
        self.transport.install()
        self._closed = False
        self._taker = threading.Thread(target=self._take_loop, name="actorlab-relay", daemon=True)
        self._taker.start()

    def nodes(self) -> list[dict[str, Any]]:
        """The cluster's nodes: id, address, alive, resources."""
        return [
            {
                "id": n["NodeID"],
                "address": n.get("NodeManagerAddress"),
                "alive": bool(n.get("Alive")),
                "resources": dict(n.get("Resources", {})),
            }
            for n in self._ray.nodes()
        ]

    def hosts(self) -> list[str]:
        """The node runtimes started so far."""
        return list(self._ray.get(self._registry.all_hosts.remote()))

    def _take_loop(self) -> None:
        """Deliver what other processes sent to actors in this process (``inbox``)."""
        from . import wire
        from .inbox import receive

        transport = self.transport
        while not self._closed:
            try:
                batch = self._ray.get(self._relay.take.remote(0.2))
            except Exception:
                if self._closed:
                    return
                continue
            for data in batch:
                receive(wire.loads(data), _local, reply=transport.reply_to)

    def shutdown(self) -> None:
        """Stop every remote actor and the node runtimes; end Ray if ``connect`` started it."""
        global _cluster
        if self._closed:
            return
        self._closed = True
        self.transport.close()
        ray = self._ray
        try:
            from .storage import close_all

            close_all()  # the ClusterStorage servers (their snapshots stay on disk)
            for name in self.hosts():
                ray.kill(ray.get_actor(name, namespace="actorlab"))
            ray.kill(self._registry)
            ray.kill(self._relay)
        except Exception:
            pass
        if self._started_ray:
            ray.shutdown()
        if _cluster is self:
            _cluster = None

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, *exc: object) -> None:
        self.shutdown()

    def __repr__(self) -> str:
        state = "shut down" if self._closed else f"{len(self.nodes())} node(s)"
        return f"<Cluster {state}>"


def _local(actor_id: str) -> Any:
    """The live local actor with that id (a remote child's stand-in included), or None."""
    from actorlab.ref import _ref_by_id

    from .transport import current

    t = current()
    rec = t.children.get(actor_id) if t is not None else None
    if rec is not None and rec.standin is not None:
        return rec.standin if not rec.standin.is_closed() else None
    try:
        ref = _ref_by_id(actor_id)
        ref._live()
    except ActorlabError:
        return None
    return ref


def connect(address: str | None = None, **ray_init_kwargs: Any) -> Cluster:
    """Join the Ray cluster at ``address`` (or ``RAY_ADDRESS``), else start a local Ray.

    ``ray_init_kwargs`` go to ``ray.init`` (e.g. ``num_cpus=2``). Idempotent while connected.
    """
    global _cluster
    if _cluster is not None and not _cluster._closed:
        return _cluster
    ray = _import_ray()
    started = False
    if not ray.is_initialized():
        os.environ.setdefault("RAY_AUTH_MODE", "disabled")  # local tests: no token file
        addr = address or os.environ.get("RAY_ADDRESS")
        kwargs = {"include_dashboard": False, "log_to_driver": True, **ray_init_kwargs}
        for attempt in (1, 2):
            try:
                # "local": a new Ray of our own, never one that happens to run on this machine
                ray.init(address=addr or "local", **kwargs)
                break
            except Exception:
                # A local Ray on a busy machine can miss its own 30 s start-up deadline: retry once.
                ray.shutdown()
                if addr is not None or attempt == 2:
                    raise
        started = addr is None
    _cluster = Cluster(started_ray=started)
    return _cluster


def current() -> Cluster | None:
    """The connected cluster, if any."""
    return _cluster if _cluster is not None and not _cluster._closed else None
