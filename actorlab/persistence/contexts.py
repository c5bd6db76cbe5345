"""What the persistence methods of ``RootContext`` and ``Context`` do (they delegate here).

The contexts keep the public methods (``save_snapshot``, ``spawn_persistent``, ``respawn``,
``respawn_or`` and their ``_sync`` twins) and call these functions with the runtime, the parent
cell (who spawns) or the actor's cell (who is saved): persistence is composed into the contexts,
not inherited.

The async forms may be awaited anywhere (an actor, a notebook cell): the storage I/O always runs
on the runtime loop. The ``_sync`` forms block the calling thread; inside an actor (the runtime
thread) they read/write the built-in storages directly and refuse async-only storages with
``WrongThread``.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import functools
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from actorlab.clock import await_interruptibly, wait_future
from actorlab.errors import WrongThread
from actorlab.persistence import saving
from actorlab.persistence.spawning import Respawn, spawn, strict_read_error
from actorlab.transport import get_transport

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

    async def run() -> T:
        return await fn()

    return wait_future(rt.submit(run()), None)


# --- saving ----------------------------------------------------------------------------------


def save_snapshot(cell: ActorCell, storage: PersistentStorage | None) -> Awaitable[SnapshotHeader]:
    """Capture the state of ``cell``'s actor now and start writing it; await the result.

    On the runtime thread (a handler) the state is pickled before this returns and the write is
    queued behind the actor's earlier writes, so ``pending = save(); change(); await pending``
    saves the state as of the call. From another thread the capture is handed to the runtime
    loop at once, ahead of any message told after the call, not at the first ``await``.
    Errors of the capture (``NotPicklable``, no state) are raised by this call.
    """
    _check_storage(storage, "save_snapshot(storage)")
    rt = cell.runtime
    if rt.on_loop_thread():
        return saving.start_save(cell, storage)
    fut: concurrent.futures.Future[SnapshotHeader] = concurrent.futures.Future()

    def begin() -> None:  # on the runtime loop, in order with the messages told after this call
        try:
            task = saving.start_save(cell, storage)
        except BaseException as exc:
            fut.set_exception(exc)
        else:
            task.add_done_callback(lambda t: _settle(fut, t))

    rt.run_soon(begin)
    return await_interruptibly(fut, None)


def _settle(fut: concurrent.futures.Future[T], task: asyncio.Task[T]) -> None:
    if task.cancelled():
        fut.cancel()
    elif task.exception() is not None:
        fut.set_exception(task.exception())
    else:
        fut.set_result(task.result())


def save_snapshot_sync(cell: ActorCell, storage: PersistentStorage | None) -> SnapshotHeader:
    """``save_snapshot`` that waits for the write (on the runtime thread: see ``saving``)."""
    _check_storage(storage, "save_snapshot_sync(storage)")
    if cell.runtime.on_loop_thread():
        return saving.save_on_loop_blocking(cell, storage)
    return _blocking(cell.runtime, lambda: saving.save(cell, storage))


def save_snapshot_of(
    ref: ActorRef[Any], storage: PersistentStorage | None
) -> Awaitable[SnapshotHeader]:
    """``root.save_snapshot(ref)``: ``save_snapshot`` of the live actor behind ``ref``."""
    _check_ref(ref, storage, "save_snapshot(ref, storage)")
    remote = _save_elsewhere(ref, storage)
    if remote is not None:
        return await_interruptibly(remote, None)
    return save_snapshot(ref._live(), storage)


def save_snapshot_of_sync(ref: ActorRef[Any], storage: PersistentStorage | None) -> SnapshotHeader:
    """``root.save_snapshot_sync(ref)``."""
    _check_ref(ref, storage, "save_snapshot_sync(ref, storage)")
    remote = _save_elsewhere(ref, storage)
    if remote is not None:
        return wait_future(remote, None)
    return save_snapshot_sync(ref._live(), storage)


def _save_elsewhere(
    ref: ActorRef[Any], storage: PersistentStorage | None
) -> concurrent.futures.Future[SnapshotHeader] | None:
    """The save running where the actor lives, if that is another process (a cluster)."""
    transport = get_transport()
    return transport.save_snapshot(ref, storage) if transport is not None else None


# --- spawning --------------------------------------------------------------------------------


def spawn_persistent(
    rt: Runtime,
    parent: ActorCell | RootCell,
    storage: PersistentStorage | None,
    actor_id: ActorId | str,
    args: Any,
    *,
    name: str | None,
    autosave: Autosave | None,
    placement: Any = None,
) -> ActorRef[Any]:
    """Spawn ``args`` under ``parent`` with a fixed id; never blocks (unless ``placement``)."""
    return spawn(
        rt, parent, storage, actor_id, args, name=name, autosave=autosave, placement=placement
    )


def _respawn(
    rt: Runtime,
    parent: ActorCell | RootCell,
    storage: PersistentStorage | None,
    actor_id: ActorId | str,
    name: str | None,
    autosave: Autosave | None,
    actor_type: type[Actor] | None,
    placement: Any = None,
) -> Respawn:
    return Respawn(
        rt,
        parent,
        storage,
        actor_id,
        name=name,
        autosave=autosave,
        actor_type=actor_type,
        placement=placement,
    )


async def respawn(
    rt: Runtime,
    parent: ActorCell | RootCell,
    storage: PersistentStorage | None,
    actor_id: ActorId | str,
    runtime_args: Any,
    *,
    name: str | None,
    autosave: Autosave | None,
    actor_type: type[Actor] | None,
    placement: Any = None,
) -> ActorRef[Any]:
    """Strict respawn: ``SnapshotNotFound``/``SnapshotError`` instead of a fallback."""
    if placement is not None:  # the spawn waits for another process: off the runtime loop
        return await asyncio.to_thread(
            functools.partial(
                respawn_sync,
                rt,
                parent,
                storage,
                actor_id,
                runtime_args,
                name=name,
                autosave=autosave,
                actor_type=actor_type,
                placement=placement,
            )
        )
    r = _respawn(rt, parent, storage, actor_id, name, autosave, actor_type)

    async def go() -> ActorRef[Any]:
        try:
            data = await r.read()
        except Exception as exc:
            raise strict_read_error(r.storage, r.actor_id, exc) from exc
        return r.strict_from(data, runtime_args)

    return await _on_runtime(r.rt, go)


def respawn_sync(
    rt: Runtime,
    parent: ActorCell | RootCell,
    storage: PersistentStorage | None,
    actor_id: ActorId | str,
    runtime_args: Any,
    *,
    name: str | None,
    autosave: Autosave | None,
    actor_type: type[Actor] | None,
    placement: Any = None,
) -> ActorRef[Any]:
    r = _respawn(rt, parent, storage, actor_id, name, autosave, actor_type, placement)
    return r.strict(r.read_blocking, runtime_args)


async def respawn_or(
    rt: Runtime,
    parent: ActorCell | RootCell,
    storage: PersistentStorage | None,
    actor_id: ActorId | str,
    runtime_args: Any,
    default_args: Any,
    *,
    name: str | None,
    autosave: Autosave | None,
    actor_type: type[Actor] | None,
    placement: Any = None,
) -> ActorRef[Any]:
    """Respawn from the snapshot if it loads (and is of the expected class), else the default."""
    if placement is not None:  # the spawn waits for another process: off the runtime loop
        return await asyncio.to_thread(
            functools.partial(
                respawn_or_sync,
                rt,
                parent,
                storage,
                actor_id,
                runtime_args,
                default_args,
                name=name,
                autosave=autosave,
                actor_type=actor_type,
                placement=placement,
            )
        )
    r = _respawn(rt, parent, storage, actor_id, name, autosave, actor_type)
    decision = r.fallback(runtime_args, _required(default_args))

    async def go() -> ActorRef[Any]:
        try:
            data = await r.read()
        except Exception as exc:
            return r.spawn(decision.read_failed(exc))
        return r.spawn(decision.args_from(data))

    return await _on_runtime(r.rt, go)


def respawn_or_sync(
    rt: Runtime,
    parent: ActorCell | RootCell,
    storage: PersistentStorage | None,
    actor_id: ActorId | str,
    runtime_args: Any,
    default_args: Any,
    *,
    name: str | None,
    autosave: Autosave | None,
    actor_type: type[Actor] | None,
    placement: Any = None,
) -> ActorRef[Any]:
    r = _respawn(rt, parent, storage, actor_id, name, autosave, actor_type, placement)
    decision = r.fallback(runtime_args, _required(default_args))
    try:
        data = r.read_blocking()
    except WrongThread:  # not a failed read: falling back would overwrite the unread snapshot
        raise
    except Exception as exc:
        return r.spawn(decision.read_failed(exc))
    return r.spawn(decision.args_from(data))


def _required(default_args: Any) -> Any:
    if default_args is None:
        raise TypeError(
            "respawn_or() needs default_args: what to start from when there is no usable "
            "snapshot. Fix: respawn_or(store, actor_id, runtime_args=None, "
            "default_args=lambda: Counter(0)); or use respawn() to require the snapshot"
        )
    return default_args


def _check_storage(storage: object, call: str) -> None:
    """``TypeError`` at the public call for a storage that is not one (e.g. the class itself)."""
    if storage is None:
        return
    if isinstance(storage, type):
        raise TypeError(
            f"{call}: storage must be a storage instance, got the class {storage.__qualname__} "
            f'itself. Fix: pass an instance, e.g. al.FileStorage("snapshots")'
        )
    saving.check_storage(storage)  # "... is not a snapshot storage ... Fix: ..."


def _check_ref(ref: object, storage: object, call: str) -> None:
    from actorlab.names import check_ref

    check_ref(ref, call)
    _check_storage(storage, call)
