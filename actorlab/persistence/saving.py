"""Saving an actor's snapshot: the state is pickled at call time, writes land in call order.

As in theta, ``save_snapshot`` computes the snapshot synchronously when it is called (so it is
the state as of that line of the handler), then writes it. Writes of one actor are serialized
by a per-actor lock, so an older snapshot never overwrites a newer one.
"""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from actorlab.errors import SnapshotError
from actorlab.persistence import codec, format
from actorlab.persistence.actor import snapshot_of
from actorlab.persistence.storage import BaseStorage, PersistentStorage, default_storage

if TYPE_CHECKING:
    from actorlab.cell import ActorCell

log = logging.getLogger("actorlab.persistence")


def check_storage(storage: Any) -> PersistentStorage:
    if not isinstance(storage, PersistentStorage):
        raise TypeError(
            f"{storage!r} is not a snapshot storage (it needs async try_read(actor_id) and "
            "try_write(actor_id, data)). Fix: pass al.FileStorage(dir), al.SQLiteStorage(file), "
            "al.MemoryStorage(), or None for the default"
        )
    return storage


@dataclass
class CellPersistence:
    """What persistence keeps per actor (``cell.persistence``): made on first use."""

    storage: PersistentStorage | None = None  # the one it was (re)spawned from
    lock: asyncio.Lock | None = None  # one write at a time, in order
    saved_processed: int | None = None  # ``cell.processed`` at the last save
    writes: set[asyncio.Task[None]] = field(default_factory=set)  # queued background writes
    autosave: Any = None  # the autosave policy's state, if any


def of(cell: ActorCell) -> CellPersistence:
    """The actor's persistence state (created on first use)."""
    st = cell.persistence
    if st is None:
        st = cell.persistence = CellPersistence()
    return st  # type: ignore[no-any-return]


def resolve_storage(cell: ActorCell, storage: PersistentStorage | None) -> PersistentStorage:
    """``storage``, else the one the actor was (re)spawned from, else ``default_storage()``."""
    if storage is not None:
        return check_storage(storage)
    st = cell.persistence
    found = st.storage if st is not None else None
    return found if found is not None else default_storage()


def encode(cell: ActorCell) -> bytes:
    """The snapshot bytes of the actor in ``cell``, now (``NotPicklable`` names the culprit)."""
    actor = cell.actor
    if actor is None:
        raise SnapshotError(
            f"actor {cell.label} has no state to save right now ({cell.status.value}: it is "
            "starting, restarting or stopped). Fix: save from its handlers or on_start, or use "
            "autosave=al.OnStop() to save when it stops"
        )
    return codec.dump_snapshot(
        type(actor),
        snapshot_of(actor),
        actor_id=cell.id,
        actor_path=cell.path,
        label=cell.label,
    )


def _lock(cell: ActorCell) -> asyncio.Lock:
    st = of(cell)
    if st.lock is None:
        st.lock = asyncio.Lock()
    return st.lock


def _saved(cell: ActorCell, storage: PersistentStorage, data: bytes) -> format.SnapshotHeader:
    cell.last_snapshot_at = time.time()
    of(cell).saved_processed = cell.processed
    rt = cell.runtime
    rt.events.emit(
        "snapshot",
        None,
        cell.id,
        cell.actor_type.__qualname__,
        detail=f"{len(data)} bytes to {storage!r}",
    )
    rt.touch()
    return format.read_header(data)


async def _write(cell: ActorCell, storage: PersistentStorage, data: bytes) -> None:
    async with _lock(cell):
        await storage.try_write(cell.id, data)


async def save(cell: ActorCell, storage: PersistentStorage | None = None) -> format.SnapshotHeader:
    """Pickle the state now, write it after any earlier write of this actor (runtime loop)."""
    return await start_save(cell, storage)


def start_save(
    cell: ActorCell, storage: PersistentStorage | None = None
) -> asyncio.Task[format.SnapshotHeader]:
    """Pickle the state now and start the write (runtime loop); the task gives the header.

    The write task is created here, so writes start, and land, in call order even when the
    returned tasks are awaited in another order (or not at all).
    """
    store = resolve_storage(cell, storage)
    data = encode(cell)
    return cell.runtime.loop.create_task(_write_then_header(cell, store, data))


async def _write_then_header(
    cell: ActorCell, storage: PersistentStorage, data: bytes
) -> format.SnapshotHeader:
    await _write(cell, storage, data)
    return _saved(cell, storage, data)


def save_on_loop_blocking(
    cell: ActorCell, storage: PersistentStorage | None = None
) -> format.SnapshotHeader:
    """``save`` for a sync handler on the runtime thread.

    The state is pickled now. A built-in storage is written before returning, unless another
    write of this actor is in flight: then, as for an async-only storage, the write is queued
    behind it (in order) and a failure is logged.
    """
    store = resolve_storage(cell, storage)
    data = encode(cell)
    if isinstance(store, BaseStorage) and not _lock(cell).locked():
        store.write(cell.id, data)
    else:
        task = cell.runtime.loop.create_task(_write_logged(cell, store, data))
        pending = of(cell).writes
        pending.add(task)
        task.add_done_callback(pending.discard)
    return _saved(cell, store, data)


async def _write_logged(cell: ActorCell, storage: PersistentStorage, data: bytes) -> None:
    try:
        await _write(cell, storage, data)
    except Exception as exc:
        log.error("saving the snapshot of actor %s to %r failed: %s", cell.label, storage, exc)
