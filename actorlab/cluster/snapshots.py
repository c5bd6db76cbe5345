"""Snapshots across the processes of a cluster: the transport's half of the persistence hooks.

- ``root.save_snapshot(ref, storage)`` of a remote actor runs on its node runtime, in message
  order after what this process told it (``NodeHost.run``), and signs with that process's key.
- ``spawn_persistent``/``respawn``/``respawn_or`` with ``placement=``: the snapshot is read,
  verified and decoded in the calling process (its key, its ``__main__`` classes), and the
  actor, state included, is shipped like any spawn; its node runtime keeps the storage for
  ``ctx.save_snapshot()`` and autosave.

A storage handed to another process must reach the same snapshots from there: a
``MemoryStorage`` is refused (the worker would write to a copy), a ``FileStorage`` must be an
existing directory in the worker's file system (never created there, where it would land on
that machine's own disk), and both processes must sign with the same key.
"""

from __future__ import annotations

import concurrent.futures
import hashlib
import pickle
from typing import Any

from actorlab.errors import ActorClosed, ActorlabError, SnapshotError
from actorlab.ids import ActorId
from actorlab.persistence.storage import FileStorage, MemoryStorage, SQLiteStorage
from actorlab.ref import ActorRef

from .transport import RemoteActorRef

_SHARED_FIX = (
    "Fix: use al.cluster.ClusterStorage() (no shared disk needed), or a FileStorage on a file "
    "system every node mounts at the same path"
)


def key_id() -> str:
    """A fingerprint of the snapshot key in force here (the key itself never leaves)."""
    from actorlab.persistence import keys

    return hashlib.sha256(b"actorlab-key-id\n" + keys.current_key()).hexdigest()[:16]


def check_crossing(storage: Any, label: str) -> None:
    """Refuse a storage that cannot be the same storage in another process."""
    if isinstance(storage, MemoryStorage):
        raise SnapshotError(
            f"{label} lives in another process, and a MemoryStorage lives in this one: it would "
            f"save to (or keep) a copy there that this process never sees. {_SHARED_FIX}"
        )


def _check_here(storage: Any, label: str, where: str) -> None:
    """In the node runtime: the storage's directory must already exist in this file system."""
    path = None
    if isinstance(storage, FileStorage):
        path = storage.path
    elif isinstance(storage, SQLiteStorage):
        path = storage.path.parent
    if path is not None and not path.is_dir():
        import socket

        raise SnapshotError(
            f"{label} runs on {where} (host {socket.gethostname()}), where the directory {path} "
            f"of {storage!r} does not exist. A FileStorage is a directory on one machine's disk: "
            f"on a cluster it must be a shared path that exists on every node (on one machine, "
            f"create it first: os.makedirs({str(path)!r})). {_SHARED_FIX}"
        )


def _check_key(expected: str, label: str, where: str) -> None:
    from actorlab.persistence import keys

    if key_id() != expected:
        raise SnapshotError(
            f"{label} runs on {where}, which signs snapshots with another key than the calling "
            f"process ({keys.source()} there): neither could load what the other saved. Fix: "
            f"give every process the same key: the same key file in each machine's actorlab "
            f"data directory, or ACTORLAB_SNAPSHOT_KEY in the cluster's environment "
            f'(al.cluster.connect(runtime_env={{"env_vars": {{"ACTORLAB_SNAPSHOT_KEY": ...}}}}))'
        )


def _portable(exc: BaseException) -> BaseException:
    """``exc`` if it pickles (to travel back), else a ``SnapshotError`` with its text."""
    try:
        pickle.loads(pickle.dumps(exc))
    except Exception:
        return SnapshotError(f"{type(exc).__name__}: {exc}")
    return exc


# -- in the node runtime (``NodeHost.run``: default group, in message order) --------------------


def _save_here(host: Any, actor_id: str, label: str, storage: Any, expected_key: str) -> Any:
    try:
        from actorlab.persistence.contexts import save_snapshot_sync

        ref = host._find(actor_id)
        if ref is None:
            raise ActorClosed(f"actor {label} is not running on {host.name}; nothing to save")
        cell = ref._live()
        state = cell.persistence
        store = storage if storage is not None else getattr(state, "storage", None)
        if store is None:
            raise SnapshotError(
                f"save_snapshot({label}) without a storage: {label} lives on {host.name} and was "
                f"not (re)spawned from one, and the default storage would be a directory on that "
                f"worker. Fix: pass one, al.root().save_snapshot(ref, al.cluster.ClusterStorage())"
            )
        _check_here(store, label, host.name)
        _check_key(expected_key, label, host.name)
        return ("ok", save_snapshot_sync(cell, store))
    except Exception as exc:
        return ("error", _portable(exc))


def _spawn_here(
    host: Any,
    args: Any,
    name: str | None,
    actor_id: str,
    parent: str | None,
    storage: Any,
    autosave: Any,
    label: str,
    expected_key: str,
) -> Any:
    try:
        from actorlab.persistence import autosave as _autosave
        from actorlab.runtime import get_runtime
        from actorlab.spawning import spawn_cell

        _check_here(storage, label, host.name)
        _check_key(expected_key, label, host.name)
        rt = get_runtime()
        cell = spawn_cell(rt, rt.root_cell, args, name, actor_id=ActorId(actor_id), persistent=True)
        _autosave.attach(cell, storage, autosave)
        host.track(actor_id, name, cell.ref, parent)
        return ("ok", None)
    except Exception as exc:
        return ("error", _portable(exc))


# -- in the calling process (the transport's hooks) ----------------------------------------------


def _settle(obj: Any, label: str) -> concurrent.futures.Future[Any]:
    """A future of the ("ok", value) / ("error", exc) reply of a node runtime."""
    import ray

    out: concurrent.futures.Future[Any] = concurrent.futures.Future()

    def done(f: concurrent.futures.Future[Any]) -> None:
        try:
            status, value = f.result()
        except ray.exceptions.RayActorError as exc:
            out.set_exception(ActorClosed(f"{label}'s process died: {exc}"))
        except BaseException as exc:
            out.set_exception(exc)
        else:
            if status == "ok":
                out.set_result(value)
            else:
                out.set_exception(value)

    obj.future().add_done_callback(done)
    return out


def save_remote(transport: Any, ref: ActorRef[Any], storage: Any) -> Any:
    """Start saving a remote actor where it lives (None: ``ref`` is an actor of this process)."""
    if not isinstance(ref, RemoteActorRef):
        return None
    check_crossing(storage, ref.label)
    obj = transport.call(ref.home, "run", _save_here, str(ref.id), ref.label, storage, key_id())
    return _settle(obj, ref.label)


def spawn_persistent_remote(
    transport: Any,
    parent: Any,
    args: Any,
    name: str | None,
    placement: Any,
    actor_id: ActorId,
    storage: Any,
    autosave: Any,
) -> ActorRef[Any]:
    """Start a persistent actor (args already decoded here) in a node runtime; waits for it."""
    import ray

    from actorlab.spawning import prepare

    actor_type, _ = prepare(args)
    label = name or f"{actor_type.__qualname__}({actor_id})"
    check_crossing(storage, label)
    key = placement.key()
    host = transport._hosts.get(key)
    if host is None:
        host = transport._hosts[key] = ray.get(transport.registry().host_for.remote(key))
    if name is not None:
        transport.bind(name, host, str(actor_id), (actor_type.__module__, actor_type.__qualname__))
    parent_id = str(parent.id) if getattr(parent, "id", None) is not None else None
    transport.top_level(host, str(actor_id))  # a root-level actor there, whoever spawned it
    call = (args, name, str(actor_id), parent_id, storage, autosave, label, key_id())
    obj = transport.call(host, "run", _spawn_here, *call)
    try:
        _settle(obj, label).result()
    except BaseException:
        if name is not None:
            transport.registry().unbind.remote(name, str(actor_id))
        raise
    return RemoteActorRef(actor_id, host, actor_type, name)


def not_connected(what: str) -> ActorlabError:
    return ActorlabError(
        f"{what} needs a cluster, and this process is not connected to one. "
        f'Fix: call al.cluster.connect() first (pip install "actorlab[ray]")'
    )
