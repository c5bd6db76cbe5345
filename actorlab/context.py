"""Contexts: ``Context`` (an actor's view of the runtime) and ``RootContext`` (the top)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from . import names as _names
from .actor import Actor, ActorArgs
from .display import Displayable
from .errors import ActorlabError
from .ids import ActorId
from .persistence import contexts as _persistence
from .runtime import get_runtime, running_in
from .signals import Kind, Sig
from .spawning import spawn_cell
from .timers import TimerHandle
from .transport import get_transport

if TYPE_CHECKING:
    from collections.abc import Awaitable

    from .cell import ActorCell, RootCell
    from .persistence.autosave import Autosave
    from .persistence.format import SnapshotHeader
    from .persistence.storage import PersistentStorage
    from .ref import ActorRef
    from .runtime import Runtime

A = TypeVar("A", bound=Actor)


class _Spawner:
    """What ``RootContext`` and ``Context`` share: spawning and names."""

    __slots__ = ()

    def _parent_cell(self) -> ActorCell | RootCell:
        raise NotImplementedError

    def _rt(self) -> Runtime:
        raise NotImplementedError

    def spawn(
        self, args: A | ActorArgs[A], *, name: str | None = None, placement: Any = None
    ) -> ActorRef[A]:
        """Start an actor (an ``Actor`` instance or ``ActorArgs``); returns its ref at once.

        ``placement=al.Remote()`` starts it in another process of a cluster
        (``al.cluster.connect()``); without one, it lives in this process, under this parent.
        """
        if placement is not None:
            transport = get_transport()
            if transport is None:
                raise ActorlabError(
                    f"spawn(placement={placement!r}) needs a cluster, and none is connected. "
                    f"Fix: call al.cluster.connect() first (pip install \"actorlab[ray]\")"
                )
            return transport.spawn(self._parent_cell(), args, name, placement)
        parent = self._parent_cell()
        return spawn_cell(parent.runtime, parent, args, name).ref

    def bind(self, name: str, ref: ActorRef[Any]) -> None:
        """Make ``ref`` findable as ``name`` (``al.lookup``). ``NameTaken`` if a live actor has it."""
        _names.bind(self._rt(), name, ref)

    def free(self, name: str) -> ActorRef[Any] | None:
        """Remove a name binding; returns the ref it pointed to (None if unbound)."""
        return _names.free(self._rt(), name)

    def lookup(self, name: str, actor_type: type[A] | None = None) -> ActorRef[A]:
        """The live actor bound to ``name`` (``ActorNotFound``/``TypeMismatch`` otherwise)."""
        return _names.lookup(self._rt(), name, actor_type)

    # persistence (theta PersistentSpawnExt), composed: actorlab.persistence.contexts does it
    async def spawn_persistent(
        self,
        storage: PersistentStorage | None,
        actor_id: ActorId | str,
        args: Any,
        *,
        name: str | None = None,
        autosave: Autosave | None = None,
        placement: Any = None,
    ) -> ActorRef[Any]:
        """Spawn ``args`` with a fixed id (theta: neither loads nor saves a snapshot).

        ``storage`` (None: ``al.default_storage()``) becomes the default of this actor's
        ``ctx.save_snapshot()``; ``autosave=al.Every(messages=N)``/``al.Every(seconds=S)``/
        ``al.OnStop()`` saves automatically. ``DuplicateActorId`` if the id is live.
        ``placement=al.Remote()`` starts it on a cluster (as ``spawn``); so do ``respawn`` and
        ``respawn_or``, which read and check the snapshot here, then ship the actor.
        """
        return self.spawn_persistent_sync(
            storage, actor_id, args, name=name, autosave=autosave, placement=placement
        )

    def spawn_persistent_sync(
        self,
        storage: PersistentStorage | None,
        actor_id: ActorId | str,
        args: Any,
        *,
        name: str | None = None,
        autosave: Autosave | None = None,
        placement: Any = None,
    ) -> ActorRef[Any]:
        """``spawn_persistent`` without ``await`` (it never blocks, unless placed on a cluster)."""
        return _persistence.spawn_persistent(
            self._rt(),
            self._parent_cell(),
            storage,
            actor_id,
            args,
            name=name,
            autosave=autosave,
            placement=placement,
        )

    async def respawn(
        self,
        storage: PersistentStorage | None,
        actor_id: ActorId | str,
        runtime_args: Any = None,
        *,
        name: str | None = None,
        autosave: Autosave | None = None,
        actor_type: type[Actor] | None = None,
        placement: Any = None,
    ) -> ActorRef[Any]:
        """Spawn the actor saved under ``actor_id``, strictly.

        Raises ``SnapshotNotFound`` if there is no snapshot and ``SnapshotError`` if it cannot
        be read, verified or decoded (or is not an ``actor_type``, when given). The actor's class
        is the one saved in the snapshot, rebound to the current definition of the same name.
        With ``placement=al.Remote()`` it is read and checked here, then started on the cluster.
        """
        return await _persistence.respawn(
            self._rt(),
            self._parent_cell(),
            storage,
            actor_id,
            runtime_args,
            name=name,
            autosave=autosave,
            actor_type=actor_type,
            placement=placement,
        )

    def respawn_sync(
        self,
        storage: PersistentStorage | None,
        actor_id: ActorId | str,
        runtime_args: Any = None,
        *,
        name: str | None = None,
        autosave: Autosave | None = None,
        actor_type: type[Actor] | None = None,
        placement: Any = None,
    ) -> ActorRef[Any]:
        """``respawn`` without ``await``."""
        return _persistence.respawn_sync(
            self._rt(),
            self._parent_cell(),
            storage,
            actor_id,
            runtime_args,
            name=name,
            autosave=autosave,
            actor_type=actor_type,
            placement=placement,
        )

    async def respawn_or(
        self,
        storage: PersistentStorage | None,
        actor_id: ActorId | str,
        runtime_args: Any = None,
        default_args: Any = None,
        *,
        name: str | None = None,
        autosave: Autosave | None = None,
        actor_type: type[Actor] | None = None,
        placement: Any = None,
    ) -> ActorRef[Any]:
        """Spawn from the snapshot if it loads, else from ``default_args`` (theta semantics).

        ``runtime_args`` and ``default_args`` are zero-argument callables or plain values. The
        snapshot must hold the class of ``actor_type``, else of the default args: a callable
        ``default_args`` is then called first to learn it (pass ``actor_type=`` to call it only
        on a fallback). A snapshot that cannot be read falls back silently (debug log; a warning
        if the storage itself failed); one that cannot be verified or decoded, or holds another
        class, falls back with a warning naming the actor and the cause.
        """
        return await _persistence.respawn_or(
            self._rt(),
            self._parent_cell(),
            storage,
            actor_id,
            runtime_args,
            default_args,
            name=name,
            autosave=autosave,
            actor_type=actor_type,
            placement=placement,
        )

    def respawn_or_sync(
        self,
        storage: PersistentStorage | None,
        actor_id: ActorId | str,
        runtime_args: Any = None,
        default_args: Any = None,
        *,
        name: str | None = None,
        autosave: Autosave | None = None,
        actor_type: type[Actor] | None = None,
        placement: Any = None,
    ) -> ActorRef[Any]:
        """``respawn_or`` without ``await``."""
        return _persistence.respawn_or_sync(
            self._rt(),
            self._parent_cell(),
            storage,
            actor_id,
            runtime_args,
            default_args,
            name=name,
            autosave=autosave,
            actor_type=actor_type,
            placement=placement,
        )


class Context(_Spawner):
    """An actor's handle on the runtime: ``self.ctx`` inside the actor."""

    __slots__ = ("_cell",)

    def __init__(self, cell: ActorCell) -> None:
        self._cell = cell

    def _parent_cell(self) -> ActorCell:
        return self._cell

    def _rt(self) -> Runtime:
        return self._cell.runtime

    @property
    def id(self) -> ActorId:
        return self._cell.id

    @property
    def this(self) -> ActorRef[Any]:
        """A ref to this actor."""
        return self._cell.ref

    @property
    def name(self) -> str | None:
        return self._cell.name

    @property
    def parent(self) -> ActorRef[Any] | None:
        """The supervisor's ref; None for top-level actors (supervised by the root)."""
        from .cell import ActorCell

        p = self._cell.parent
        return p.ref if isinstance(p, ActorCell) else None

    @property
    def children(self) -> list[ActorRef[Any]]:
        return [c.ref for c in list(self._cell.children.values())]

    def terminate(self) -> None:
        """Stop this actor. Safe in its own handler: it stops after the current message."""
        cell = self._cell
        if running_in(cell):  # its own handler (not a task it started): after this message
            cell.request_stop()
            return
        cell.runtime.run_soon(lambda: cell.signal(Sig(Kind.TERMINATE)))

    def send_after(self, delay: float, msg: Any) -> TimerHandle:
        """Tell ``msg`` to this actor after ``delay`` seconds."""
        return TimerHandle(self._cell, msg, delay, None)

    def send_every(self, period: float, msg: Any, *, delay: float | None = None) -> TimerHandle:
        """Tell ``msg`` to this actor every ``period`` seconds (first after ``delay``, default one period)."""
        return TimerHandle(self._cell, msg, period if delay is None else delay, period)

    def save_snapshot(self, storage: PersistentStorage | None = None) -> Awaitable[SnapshotHeader]:
        """Save this actor's snapshot (theta ``save_snapshot``); await it for its header.

        The state is captured when this is called, not when awaited. ``storage`` None means the
        storage the actor was (re)spawned from, else ``al.default_storage()``. ``NotPicklable``
        names the attribute that cannot be saved.
        """
        return _persistence.save_snapshot(self._cell, storage)

    def save_snapshot_sync(self, storage: PersistentStorage | None = None) -> SnapshotHeader:
        """``save_snapshot`` from a sync handler (or another thread)."""
        return _persistence.save_snapshot_sync(self._cell, storage)

    def __repr__(self) -> str:
        return f"<Context of {self._cell.label}>"


class RootContext(_Spawner, Displayable):
    """The top of the actor tree (theta ``RootContext``); ``al.root()`` gives the one in use."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    @classmethod
    def init_local(cls) -> RootContext:
        """The process-wide root, starting the runtime if needed (same as ``al.root()``)."""
        return get_runtime().root_context

    def _rt(self) -> Runtime:
        rt = self._runtime
        if rt.closed:
            raise ActorlabError(
                "this root belongs to an actorlab runtime that was shut down (al.shutdown() or "
                "al.reset()). Fix: use root = al.root() to get the current one"
            )
        return rt

    def _parent_cell(self) -> RootCell:
        return self._rt().root_cell

    @property
    def runtime(self) -> Runtime:
        return self._runtime

    def save_snapshot(
        self, ref: ActorRef[Any], storage: PersistentStorage | None = None
    ) -> Awaitable[SnapshotHeader]:
        """Save the snapshot of the actor behind ``ref`` from outside it; await it for its header.

        It is captured when this is called, between two steps of the runtime loop; if a handler
        of that actor is suspended at an ``await``, its partial changes are included.
        """
        return _persistence.save_snapshot_of(ref, storage)

    def save_snapshot_sync(
        self, ref: ActorRef[Any], storage: PersistentStorage | None = None
    ) -> SnapshotHeader:
        """``save_snapshot(ref)`` without ``await``."""
        return _persistence.save_snapshot_of_sync(ref, storage)

    @property
    def children(self) -> list[ActorRef[Any]]:
        """The top-level actors (one spawned from another thread is listed before it starts)."""
        rt = self._runtime
        with rt.lock:
            return [c.ref for c in rt.cells.values() if c.parent is rt.root_cell]

    def shutdown(self, timeout: float | None = None) -> None:
        """Stop every actor and the runtime (``al.shutdown``)."""
        from .runtime import shutdown

        if not self._runtime.closed:
            shutdown(timeout)

    def __repr__(self) -> str:
        rt = self._runtime
        state = "shut down" if rt.closed else f"{len(rt.cells)} actors"
        return f"<RootContext {state}>"


def root() -> RootContext:
    """The process-wide root context; starts the runtime on first use. Idempotent."""
    return get_runtime().root_context
