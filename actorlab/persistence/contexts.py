"""The persistence methods of ``RootContext`` and ``Context`` (mixed into both).

Every method has an async form and a ``_sync`` twin. The async forms may be awaited anywhere (an
actor, a notebook cell): the storage I/O always runs on the runtime loop. The ``_sync`` twins
block the calling thread; inside an actor (the runtime thread) they read/write the built-in
storages directly and refuse async-only storages with ``WrongThread``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from actorlab.clock import await_interruptibly
from actorlab.persistence import saving
from actorlab.persistence.spawning import Respawn, spawn

if TYPE_CHECKING:
    from actorlab.actor import Actor
    from actorlab.cell import ActorCell, RootCell
    from actorlab.ids import ActorId
    from actorlab.persistence.autosave import Autosave
    from actorlab.persistence.format import SnapshotHeader
    from actorlab.persistence.storage import PersistentStorage
    from actorlab.ref import ActorRef
    from actorlab.runtime import Runtime

T = TypeVar("T")


async def _on_runtime(rt: Runtime, fn: Callable[[], Awaitable[T]]) -> T:
    """Await ``fn()`` on the runtime loop, from whichever loop we are on."""
    if rt.on_loop_thread():
        return await fn()

    async def run() -> T:
        return await fn()

    return await await_interruptibly(rt.submit(run()), None)


def _blocking(rt: Runtime, fn: Callable[[], Awaitable[T]]) -> T:
    """Run ``fn()`` on the runtime loop and wait (from a thread other than the runtime's)."""
    from actorlab.clock import wait_future

    async def run() -> T:
        return await fn()

    return wait_future(rt.submit(run()), None)


class PersistentSpawning:
    """``spawn_persistent``, ``respawn``, ``respawn_or`` (theta ``PersistentSpawnExt``)."""

    __slots__ = ()

    if TYPE_CHECKING:

        def _rt(self) -> Runtime: ...

        def _parent_cell(self) -> ActorCell | RootCell: ...

    async def spawn_persistent(
        self,
        storage: PersistentStorage | None,
        actor_id: ActorId | str,
        args: Any,
        *,
        name: str | None = None,
        autosave: Autosave | None = None,
    ) -> ActorRef[Any]:
        """Spawn ``args`` with a fixed id (theta: neither loads nor saves a snapshot).

        ``storage`` (None: ``al.default_storage()``) becomes the default of this actor's
        ``ctx.save_snapshot()``; ``autosave=al.Every(messages=N)``/``al.Every(seconds=S)``/
        ``al.OnStop()`` saves automatically. ``DuplicateActorId`` if the id is live.
        """
        return self.spawn_persistent_sync(storage, actor_id, args, name=name, autosave=autosave)

    def spawn_persistent_sync(
        self,
        storage: PersistentStorage | None,
        actor_id: ActorId | str,
        args: Any,
        *,
        name: str | None = None,
        autosave: Autosave | None = None,
    ) -> ActorRef[Any]:
        """``spawn_persistent`` without ``await`` (it never blocks)."""
        rt = self._rt()
        return spawn(rt, self._parent_cell(), storage, actor_id, args, name=name, autosave=autosave)

    def _respawn(
        self,
        storage: PersistentStorage | None,
        actor_id: ActorId | str,
        name: str | None,
        autosave: Autosave | None,
        actor_type: type[Actor] | None,
    ) -> Respawn:
        rt = self._rt()
        return Respawn(
            rt,
            self._parent_cell(),
            storage,
            actor_id,
            name=name,
            autosave=autosave,
            actor_type=actor_type,
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
    ) -> ActorRef[Any]:
        """Spawn the actor saved under ``actor_id``, strictly.

        Raises ``SnapshotNotFound`` if there is no snapshot and ``SnapshotError`` if it cannot
        be read or decoded (or is not an ``actor_type``, when given). The actor's class is the
        one saved in the snapshot, rebound to the current definition of the same name.
        """
        r = self._respawn(storage, actor_id, name, autosave, actor_type)

        async def go() -> ActorRef[Any]:
            data = await _read_strict(r)
            return r.strict_from(data, runtime_args)

        return await _on_runtime(r.rt, go)

    def respawn_sync(
        self,
        storage: PersistentStorage | None,
        actor_id: ActorId | str,
        runtime_args: Any = None,
        *,
        name: str | None = None,
        autosave: Autosave | None = None,
        actor_type: type[Actor] | None = None,
    ) -> ActorRef[Any]:
        """``respawn`` without ``await``."""
        r = self._respawn(storage, actor_id, name, autosave, actor_type)
        return r.strict(r.read_blocking, runtime_args)

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
    ) -> ActorRef[Any]:
        """Spawn from the snapshot if it loads, else from ``default_args`` (theta semantics).

        ``runtime_args`` and ``default_args`` are zero-argument callables (called only when
        needed, like theta's closures) or plain values. A snapshot that cannot be read falls back
        silently (debug log; a warning if the storage itself failed); one that cannot be decoded
        falls back with a warning naming the actor and the cause.
        """
        r = self._respawn(storage, actor_id, name, autosave, actor_type)
        decision = r.fallback(runtime_args, _required(default_args))

        async def go() -> ActorRef[Any]:
            try:
                data = await r.read()
            except Exception as exc:
                return r.spawn(decision.read_failed(exc))
            return r.spawn(decision.args_from(data))

        return await _on_runtime(r.rt, go)

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
    ) -> ActorRef[Any]:
        """``respawn_or`` without ``await``."""
        r = self._respawn(storage, actor_id, name, autosave, actor_type)
        decision = r.fallback(runtime_args, _required(default_args))
        try:
            data = r.read_blocking()
        except Exception as exc:
            return r.spawn(decision.read_failed(exc))
        return r.spawn(decision.args_from(data))


async def _read_strict(r: Respawn) -> bytes:
    from actorlab.persistence.spawning import _strict_read_error

    try:
        return await r.read()
    except Exception as exc:
        raise _strict_read_error(r.storage, r.actor_id, exc) from exc


def _required(default_args: Any) -> Any:
    if default_args is None:
        raise TypeError(
            "respawn_or() needs default_args: what to start from when there is no usable "
            "snapshot. Fix: respawn_or(store, actor_id, runtime_args=None, "
            "default_args=lambda: Counter(0)); or use respawn() to require the snapshot"
        )
    return default_args


class ContextPersistence(PersistentSpawning):
    """``Context`` methods: the above, plus ``save_snapshot`` of this actor."""

    __slots__ = ()

    if TYPE_CHECKING:
        _cell: ActorCell

    async def save_snapshot(self, storage: PersistentStorage | None = None) -> SnapshotHeader:
        """Save this actor's snapshot (theta ``save_snapshot``); returns its header.

        The state is captured when this is called. ``storage`` None means the storage the actor
        was (re)spawned from, else ``al.default_storage()``. ``NotPicklable`` names the
        attribute that cannot be saved.
        """
        cell = self._cell
        return await _on_runtime(cell.runtime, lambda: saving.save(cell, storage))

    def save_snapshot_sync(self, storage: PersistentStorage | None = None) -> SnapshotHeader:
        """``save_snapshot`` from a sync handler (or another thread)."""
        cell = self._cell
        if cell.runtime.on_loop_thread():
            return saving.save_on_loop_blocking(cell, storage)
        return _blocking(cell.runtime, lambda: saving.save(cell, storage))


class RootPersistence(PersistentSpawning):
    """``RootContext`` methods: the above, plus ``save_snapshot(ref)`` from outside the actor."""

    __slots__ = ()

    async def save_snapshot(
        self, ref: ActorRef[Any], storage: PersistentStorage | None = None
    ) -> SnapshotHeader:
        """Save the snapshot of the actor behind ``ref`` now, from outside it.

        It is taken between two steps of the runtime loop; if a handler of that actor is
        suspended at an ``await``, its partial changes are included.
        """
        cell = ref._live()
        return await _on_runtime(cell.runtime, lambda: saving.save(cell, storage))

    def save_snapshot_sync(
        self, ref: ActorRef[Any], storage: PersistentStorage | None = None
    ) -> SnapshotHeader:
        """``save_snapshot(ref)`` without ``await``."""
        cell = ref._live()
        if cell.runtime.on_loop_thread():
            return saving.save_on_loop_blocking(cell, storage)
        return _blocking(cell.runtime, lambda: saving.save(cell, storage))
