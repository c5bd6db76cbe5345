"""The cluster transport of one process: remote refs, batched tells, asks, names, infos.

Installed into the core's transport hook (``actorlab.transport``) by ``connect()`` on the
notebook's process (the driver) and by each node runtime on its worker process.

Tells to a remote actor go into an outbox per destination process; a flusher thread sends each
outbox as one Ray call per burst (after ``FLUSH_AFTER`` seconds, or at ``BATCH`` messages).
Every call to one destination goes through one Ray actor handle in submission order, and an
ask or stop flushes the outbox first, so messages from one sender arrive in the order sent.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import threading
import time
import uuid
from typing import Any

from actorlab.errors import ActorClosed, ActorlabError, AskTimeout, HandlerError
from actorlab.ids import ActorId
from actorlab.info import ActorInfo, Status
from actorlab.ref import ActorRef
from actorlab.transport import set_transport

from . import wire
from .asks import _Ask, _RelayedAsk
from .host import NAMESPACE, registry_name, relay_name
from .inbox import ASK, FORWARD, SPAWN

FLUSH_AFTER = 0.001  # seconds a burst of tells may wait to share one Ray call
BATCH = 2000  # messages per Ray call at most
WAIT_ON_CLOSE = 5.0  # seconds close() waits for each watcher or respawn to end
REPLY_GRACE = 30.0  # extra seconds to wait for a remote reply past its ask timeout


def _ray() -> Any:
    import ray

    return ray


class RemoteActorRef(ActorRef[Any]):
    """A ref to an actor in another process of the cluster: the same interface as ``ActorRef``.

    Pickles as an address (the process it lives in) plus a class key, never the class itself.
    """

    __slots__ = ("_home", "_key", "_label", "_type")

    def __init__(
        self, actor_id: ActorId, home: str, actor_type: type | None, label: str | None = None
    ) -> None:
        super().__init__(None, actor_id)
        self._home = home
        self._type = actor_type
        self._key = (actor_type.__module__, actor_type.__qualname__) if actor_type else None
        self._label = label

    # -- identity --------------------------------------------------------------------------------
    @property
    def name(self) -> str | None:
        return self._label

    @property
    def actor_type(self) -> Any:
        if self._type is None:
            raise ActorlabError(
                f"the class of remote actor {self.label} is not importable in this process. "
                f"Fix: define or import it here too"
            )
        return self._type

    @property
    def label(self) -> str:
        if self._label:
            return self._label
        kind = self._type.__qualname__ if self._type is not None else "actor"
        return f"{kind}#{self.id.short}"

    @property
    def home(self) -> str:
        """The process (node runtime) this actor lives in."""
        return self._home

    @property
    def path(self) -> str:
        return f"{self._home}/{self.label}"

    @property
    def status(self) -> Status:
        info = self._info()
        return info.status if info is not None else Status.STOPPED

    def is_closed(self) -> bool:
        return self._info() is None

    def __repr__(self) -> str:
        kind = self._type.__qualname__ if self._type is not None else "?"
        return f"<ActorRef {self.label} {kind} on {self._home}>"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_remote_ref, (str(self.id), self._home, self._key, self._label))

    def _live(self, allow_closed: bool = False) -> Any:
        raise ActorlabError(
            f"{self.label} lives in another process ({self._home}); this operation needs a local "
            f"actor. Fix: use tell/ask/stop/info, which work across processes"
        )

    # -- messages ----------------------------------------------------------------------------------
    def _check(self, msg: Any) -> None:
        t: Any = self._type
        if t is not None:  # refused at send time, as for local actors
            t._al_cache.get(type(msg)) or t._al_handler_for(msg)

    def tell(self, msg: Any) -> None:
        """Send ``msg`` (batched per destination, in order; at most once)."""
        self._check(msg)
        _transport().send(self._home, str(self.id), msg)

    def forward(self, msg: Any, target: ActorRef[Any]) -> None:
        """Send ``msg`` there; the handler's reply is told to ``target`` (in any process)."""
        if not isinstance(target, ActorRef):
            raise TypeError(
                f"forward(msg, target): target must be an al.ActorRef (where the reply goes), "
                f"got {type(target).__name__}. Fix: pass a ref, e.g. ref.forward(msg, other_ref)"
            )
        self._check(msg)
        _transport().send(self._home, FORWARD, (str(self.id), msg, target))

    def ask_sync(self, msg: Any, timeout: float | None = None) -> Any:
        """The blocking ``ask`` across processes (``AskTimeout``, ``HandlerError``)."""
        self._check(msg)
        t = _timeout(timeout)
        obj = _transport().ask(self._home, str(self.id), msg, t)
        wait = None if t is None else t + REPLY_GRACE
        try:
            reply = obj.get(wait)
        except _ray().exceptions.GetTimeoutError:
            raise AskTimeout(f"no reply from {self.label} within {t:g} s") from None
        except _ray().exceptions.RayActorError as exc:
            raise ActorClosed(f"{self.label}'s process died: {exc}") from None
        return self._unpack(reply, msg, t)

    async def ask(self, msg: Any, timeout: float | None = None) -> Any:
        """Send ``msg`` and await the reply across processes."""
        self._check(msg)
        t = _timeout(timeout)
        obj = _transport().ask(self._home, str(self.id), msg, t)
        try:
            reply = await asyncio.wait_for(obj.wait(), None if t is None else t + REPLY_GRACE)
        except asyncio.TimeoutError:
            raise AskTimeout(f"no reply from {self.label} within {t:g} s") from None
        except _ray().exceptions.RayActorError as exc:
            raise ActorClosed(f"{self.label}'s process died: {exc}") from None
        return self._unpack(reply, msg, t)

    def _unpack(self, reply: tuple[str, Any], msg: Any, t: float | None) -> Any:
        status, value = reply
        if status == "ok":
            return value
        kind, text, cause = value
        err: Exception
        if kind == "timeout":
            err = AskTimeout(text)
        elif kind == "handler":
            err = HandlerError(text)
            err.__cause__ = cause
        elif kind == "closed":
            err = ActorClosed(text)
        else:
            err = ActorlabError(f"asking {self.label} for {type(msg).__qualname__}: {text}")
        raise err

    # -- lifecycle --------------------------------------------------------------------------------
    def stop(self, timeout: float | None = None) -> None:
        """Stop the remote actor and wait until it has stopped."""
        _ray().get(_transport().call(self._home, "stop", str(self.id), timeout))

    async def stop_async(self) -> None:
        await asyncio.wrap_future(_transport().call(self._home, "stop", str(self.id), None).future())

    def _control(self, kind: Any, payload: Any = None) -> Any:
        verb = {"pause": "pause", "unpause": "resume", "step": "step", "restart": "restart"}
        name = verb.get(getattr(kind, "value", kind))
        if name is None:
            raise ActorlabError(f"{kind} is not supported on remote actors yet")
        return _ray().get(_transport().call(self._home, "control", str(self.id), name))

    def inject_fault(self, error: BaseException | None = None) -> None:
        raise ActorlabError(f"inject_fault() on the remote actor {self.label} is not supported yet")

    def downgrade(self) -> Any:
        raise ActorlabError(f"weak refs to the remote actor {self.label} are not supported")

    def info(self) -> ActorInfo:
        info = self._info()
        if info is None:
            raise ActorClosed(f"actor {self.label} has stopped (it lived on {self._home})")
        return info

    def _info(self) -> ActorInfo | None:
        try:  # in message order: after what this process sent it (a spawn included)
            return _ray().get(_transport().call(self._home, "info", str(self.id)))
        except _ray().exceptions.RayActorError:
            return None


def _timeout(timeout: float | None) -> float | None:
    """The ask's timeout in seconds, checked like a local one (None: no limit)."""
    from actorlab.config import settings
    from actorlab.timeouts import timeout as checked

    return checked(settings().ask_timeout if timeout is None else timeout, "timeout", "ask(): ")


def _remote_ref(actor_id: str, home: str, key: Any, label: str | None) -> ActorRef[Any]:
    """Unpickle a remote ref: the local actor itself if it lives here."""
    from actorlab.ref import _ref_by_id

    transport = _current
    if transport is not None and home == transport.home:
        return _ref_by_id(actor_id)
    return RemoteActorRef(ActorId(actor_id), home, _class_of(key), label)


def _class_of(key: Any) -> type | None:
    if key is None:
        return None
    from actorlab.persistence.pickling import lookup

    module, qualname = key
    found = lookup(module, qualname, import_module=True)
    return found if isinstance(found, type) else None


_current: RayTransport | None = None


def current() -> RayTransport | None:
    """This process's cluster transport, if connected."""
    return _current


def _transport() -> RayTransport:
    if _current is None:
        raise ActorlabError(
            "this ref points into a cluster, and this process is not connected to one. "
            "Fix: call al.cluster.connect() first"
        )
    return _current


class RayTransport:
    """The transport of one process (the driver's, or a node runtime's)."""

    def __init__(self, home: str, driver_home: str) -> None:
        self.home: str | None = home
        self.driver_home = driver_home
        self._handles: dict[str, Any] = {}
        self._out: dict[str, list[tuple[str, Any]]] = {}
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._closed = False
        self._hosts: dict[Any, str] = {}  # placement key -> node runtime name
        self.children: dict[str, Any] = {}  # actor id -> supervised.Record (remote children)
        self._replies: dict[str, concurrent.futures.Future[tuple[str, Any]]] = {}
        self._watched: set[str] = set()  # node runtimes this process watches for a crash
        self._threads: list[threading.Thread] = []  # watchers and respawns, joined on close
        self._sent: dict[str, set[wire.Key]] = {}  # destination -> the classes it was sent
        self._tops: dict[str, set[str]] = {}  # node runtime -> top-level actors spawned from here
        self._spawning: list[Any] = []  # deliveries carrying spawns, until they are known done
        self._flusher = threading.Thread(target=self._flush_loop, name="actorlab-flush", daemon=True)
        self._flusher.start()

    def install(self) -> None:
        global _current
        _current = self
        set_transport(self)

    def close(self) -> None:
        global _current
        self.flush_all()
        self._closed = True
        self._wake.set()
        for thread in self._threads:  # no Ray call may be in flight when Ray shuts down
            thread.join(WAIT_ON_CLOSE)
        if _current is self:
            _current = None
            set_transport(None)

    # -- handles -----------------------------------------------------------------------------------
    def handle(self, home: str) -> Any:
        h = self._handles.get(home)
        if h is None:
            name = relay_name(home) if home == self.driver_home else home
            h = self._handles[home] = _ray().get_actor(name, namespace=NAMESPACE)
        return h

    def registry(self) -> Any:
        return self.handle_named(registry_name(self.driver_home))

    def handle_named(self, name: str) -> Any:
        h = self._handles.get(name)
        if h is None:
            h = self._handles[name] = _ray().get_actor(name, namespace=NAMESPACE)
        return h

    # -- tells ---------------------------------------------------------------------------------------
    def send(self, home: str, actor_id: str, msg: Any) -> None:
        with self._lock:
            box = self._out.get(home)
            if box is None:
                box = self._out[home] = []
            box.append((actor_id, msg))
            full = len(box) >= BATCH
            first = len(box) == 1
        if full:
            self.flush(home)
        elif first:
            self._wake.set()

    def flush(self, home: str) -> None:
        with self._lock:
            batch = self._out.pop(home, None)
            if batch:
                self._submit(home, batch)

    def flush_all(self) -> None:
        with self._lock:
            boxes, self._out = self._out, {}
            for home, batch in boxes.items():
                if batch:
                    self._submit(home, batch)

    def _submit(self, home: str, batch: list[tuple[str, Any]]) -> Any:
        h = self.handle(home)  # under the lock: calls to one process leave in order
        # As bytes, with cell classes by key once sent (the relay never unpickles its batches).
        data = self.dumps(home, batch)
        if home == self.driver_home:
            return h.put.remote(data)
        obj = h.deliver.remote(data)
        spawns = [item for item in batch if item[0] == SPAWN]
        if spawns:  # a spawn must not be lost with a process that restarts: see check_spawns
            from .retry import Pending

            self._spawning.append(Pending(obj, home, spawns))
        return obj

    def dumps(self, home: str, obj: Any) -> bytes:
        """``obj`` pickled for ``home`` (call under the lock)."""
        sent = self._sent.get(home)
        if sent is None:
            sent = self._sent[home] = set()
        return wire.dumps(obj, sent, self._store_class)

    def _store_class(self, key: wire.Key, blob: bytes) -> None:
        _ray().get(self.registry().put_class.remote(key, blob))

    def _flush_loop(self) -> None:
        from .retry import CHECK_EVERY, check_spawns

        while not self._closed:
            woken = self._wake.wait(CHECK_EVERY if self._spawning else None)
            self._wake.clear()
            if self._closed:
                return
            if woken:
                time.sleep(FLUSH_AFTER)  # let the burst gather
            try:
                self.flush_all()
                if self._spawning:
                    check_spawns(self)
            except Exception:  # a process gone: its messages are lost (at most once)
                import logging

                logging.getLogger("actorlab").exception("actorlab: sending to the cluster failed")

    # -- asks and calls ------------------------------------------------------------------------------
    def ask(self, home: str, actor_id: str, msg: Any, timeout: float | None) -> Any:
        token = uuid.uuid4().hex
        if home == self.driver_home:  # the notebook's process: through its relay, in order
            fut: concurrent.futures.Future[tuple[str, Any]] = concurrent.futures.Future()
            with self._lock:
                self._replies[token] = fut
            self.send(home, ASK, (token, actor_id, msg, timeout, self.home))
            self.flush(home)
            return _RelayedAsk(self, token, fut)
        with self._lock:
            batch = self._out.pop(home, None)
            if batch:
                self._submit(home, batch)  # messages sent before the ask arrive before it
            h = self.handle(home)
            data = self.dumps(home, msg)
            return _Ask(h, token, timeout, h.ask_start.remote(token, actor_id, data, timeout))

    def settle_ask(self, token: str, reply: tuple[str, Any]) -> None:
        """The reply to an ask sent through the relay (see ``_RelayedAsk``)."""
        with self._lock:
            fut = self._replies.pop(token, None)
        if fut is not None and not fut.done():
            fut.set_result(reply)

    def reply_to(self, home: str, token: str, reply: tuple[str, Any]) -> None:
        """Send the reply to an ask that came through this process's relay."""
        self.call(home, "reply", token, reply)

    def call(self, home: str, method: str, *args: Any) -> Any:
        """A call in the destination's message order (after the tells sent before it)."""
        with self._lock:
            batch = self._out.pop(home, None)
            if batch:
                self._submit(home, batch)
            return getattr(self.handle(home), method).remote(*args)

    # -- the core's transport hook -------------------------------------------------------------
    def spawn(self, parent: Any, args: Any, name: str | None, placement: Any) -> ActorRef[Any]:
        from actorlab.spawning import prepare

        actor_type, _ = prepare(args)  # bad args fail here, in the caller's process
        key = placement.key()
        host = self._hosts.get(key)
        if host is None:
            host = self._hosts[key] = _ray().get(self.registry().host_for.remote(key))
        actor_id = ActorId.new()
        class_key = (actor_type.__module__, actor_type.__qualname__)
        if name is not None:
            self.bind(name, host, str(actor_id), class_key)
        parent_id = str(parent.id) if getattr(parent, "id", None) is not None else None
        if parent_id is None:  # top level: the root's rule (a failure or a lost process stops it)
            self.top_level(host, str(actor_id))
            self.send(host, SPAWN, (args, name, str(actor_id)))  # batched with the tells, in order
        elif host == self.home:  # placed in this very process: a local child
            from actorlab.spawning import spawn_cell

            return spawn_cell(parent.runtime, parent, args, name, actor_id=actor_id).ref
        else:
            self._spawn_supervised(parent, args, name, str(actor_id), host, actor_type)
        return RemoteActorRef(actor_id, host, actor_type, name)

    def bind(self, name: str, host: str, actor_id: str, class_key: Any) -> None:
        """Bind a cluster-wide name, or raise ``NameTaken``. A name still bound to an actor that
        has stopped (its process died, say, before it could release it) is taken over."""
        registry = self.registry()
        taken = _ray().get(registry.bind.remote(name, host, actor_id, class_key))
        if taken is not None:
            home, old_id, _ = taken
            if RemoteActorRef(ActorId(old_id), home, None).is_closed():
                _ray().get(registry.unbind.remote(name, old_id))
                taken = _ray().get(registry.bind.remote(name, host, actor_id, class_key))
        if taken is not None:
            from actorlab.errors import NameTaken

            raise NameTaken(
                f"the name {name!r} is taken by the live actor {taken[1]} on the cluster. Fix: "
                f"stop it first (al.lookup({name!r}).stop()), or pick another name"
            )

    def top_level(self, host: str, actor_id: str) -> None:
        """Note a top-level actor spawned from here: ``al.shutdown()`` stops it."""
        with self._lock:
            self._tops.setdefault(host, set()).add(actor_id)

    def shutdown(self, timeout: float | None) -> None:
        """``al.shutdown()``: stop the top-level actors this process started in node runtimes
        (their children go with them; remote children of local actors went with their
        stand-ins)."""
        with self._lock:
            tops, self._tops = self._tops, {}
        if not tops or self._closed:
            return
        ray = _ray()
        t = 5.0 if timeout is None or timeout == float("inf") else timeout
        pending = [self.call(host, "stop_many", sorted(ids), t) for host, ids in tops.items()]
        try:
            ray.get(pending, timeout=t + 5.0)
        except Exception:  # a process gone (or going): its actors went with it
            pass

    def _spawn_supervised(
        self, parent: Any, args: Any, name: str | None, aid: str, host: str, actor_type: type
    ) -> None:
        """A remote child of a local actor: a stand-in here lets the parent supervise it."""
        import actorlab as al
        from actorlab.spawning import spawn_cell

        from .supervised import Record, StandIn, on_standin_status

        rec = self.children[aid] = Record(aid, host, args, name, str(parent.id))
        self.call(host, "spawn", args, name, aid, rec.parent_id, (self.home, aid))
        standin = spawn_cell(parent.runtime, parent, StandIn(aid), None, actor_id=ActorId(aid))
        rec.unmonitor = al.monitor(standin.ref, lambda update: on_standin_status(rec, update))
        rec.standin = standin.ref  # the stand-in itself, for the supervision plumbing
        # What the parent sees of its child (ctx.children, esc.child) is the child itself.
        standin._ref = RemoteActorRef(ActorId(aid), host, actor_type, name)
        self._watch(host)

    def apply(self, rec: Any, verb: str) -> None:
        """Carry a decision for a remote child to its process: restart, resume or terminate."""
        token, rec.pending = rec.pending, None
        lost = rec.lost
        if lost and verb != "terminate":
            rec.respawning = True  # first: the watcher must not count it lost again meanwhile
        rec.lost = False
        if token is not None and not lost:  # its ParentLink is waiting for this decision
            self.call(rec.host, "decide", token, verb)
        elif verb == "terminate":
            self.call(rec.host, "stop", rec.actor_id, None)
        elif not lost:  # restart a live child (a sibling's failure, say)
            self.call(
                rec.host, "restart_child", rec.args, rec.name, rec.actor_id, rec.parent_id,
                (self.home, rec.actor_id),
            )
        else:  # restart (or resume) one lost with its process, once Ray has restarted that
            from .supervised import respawn

            self._start(threading.Thread(target=respawn, args=(self, rec), daemon=True))

    def _watch(self, host: str) -> None:
        """Watch a node runtime: when its process dies, tell the stand-ins of its actors."""
        if host in self._watched:
            return
        self._watched.add(host)
        from .supervised import watch_loop

        self._start(
            threading.Thread(
                target=watch_loop, args=(self, host), name=f"actorlab-watch-{host}", daemon=True
            )
        )

    def _start(self, thread: threading.Thread) -> None:
        self._threads = [t for t in self._threads if t.is_alive()]
        self._threads.append(thread)
        thread.start()

    def save_snapshot(self, ref: ActorRef[Any], storage: Any) -> Any:
        from .snapshots import save_remote

        return save_remote(self, ref, storage)

    def spawn_persistent(
        self,
        parent: Any,
        args: Any,
        name: str | None,
        placement: Any,
        actor_id: ActorId,
        storage: Any,
        autosave: Any,
    ) -> ActorRef[Any]:
        from .snapshots import spawn_persistent_remote

        return spawn_persistent_remote(
            self, parent, args, name, placement, actor_id, storage, autosave
        )

    def resolve(self, actor_id: ActorId, home: str, class_key: Any) -> ActorRef[Any] | None:
        return RemoteActorRef(actor_id, home, _class_of(class_key))

    def lookup(self, name: str) -> ActorRef[Any] | None:
        found = _ray().get(self.registry().lookup.remote(name))
        if found is None:
            return None
        home, actor_id, key = found
        ref = RemoteActorRef(ActorId(actor_id), home, _class_of(key), name)
        return ref if not ref.is_closed() else None

    def infos(self) -> list[ActorInfo]:
        if self.home != self.driver_home:
            return []  # only the notebook's process shows the whole cluster
        ray = _ray()
        hosts = ray.get(self.registry().all_hosts.remote())
        out: list[ActorInfo] = []
        for pending in [self.call(h, "infos") for h in hosts]:
            try:
                out.extend(ray.get(pending))
            except ray.exceptions.RayActorError:
                pass  # a process that died (being restarted): its actors are gone
        return out
