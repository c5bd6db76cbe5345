"""``al.cluster.ClusterStorage``: snapshots on the head node's disk, reached through Ray calls.

    store = al.cluster.ClusterStorage()          # <actorlab data dir on the head>/cluster-snapshots
    ref = al.root().spawn(Counter(0), placement=al.Remote())
    al.root().save_snapshot_sync(ref, store)      # written by the actor's node runtime
    al.root().respawn_sync(store, ref.id)         # read here: no shared disk anywhere

One named Ray actor per directory (``StorageServer``, ``num_cpus=0``, pinned to the head node)
wraps a ``FileStorage`` there; a ``ClusterStorage`` in any process of the cluster (it pickles as
the server's name) reads and writes through it, one call at a time. It is a built-in storage
(``read``/``write``/``ids``/``delete`` and the async protocol), so save, respawn, autosave,
``al.browse`` and ``al.trust_snapshot`` work unchanged.

Lifetime: not detached. The server belongs to the notebook's connection: ``cluster.shutdown()``
stops it and a kernel restart takes it with the driver; the snapshots stay in the directory,
and the next ``ClusterStorage`` over it (after ``connect()`` again) serves them. So no Ray
process outlives the notebook, and a directory is the storage's identity, not a process.
"""

from __future__ import annotations

import hashlib
import os
import socket
from pathlib import Path
from typing import Any

from actorlab.errors import SnapshotError
from actorlab.ids import ActorId
from actorlab.persistence.storage import BaseStorage, FileStorage

from .host import NAMESPACE

DEFAULT_DIR = "cluster-snapshots"  # under the actorlab data directory of the head node
HEAD = "node:__internal_head__"  # the resource only Ray's head node has


class StorageServer:
    """The Ray actor behind ``ClusterStorage``: a ``FileStorage`` on the head node's disk."""

    def __init__(self, path: str | None) -> None:
        from actorlab.persistence.keys import data_dir

        self.store = FileStorage(path if path is not None else data_dir() / DEFAULT_DIR)

    def where(self) -> tuple[str, str]:
        return (str(self.store.path), socket.gethostname())

    def read(self, actor_id: str) -> tuple[str, Any]:
        return _reply(lambda: self.store.read(ActorId(actor_id)))

    def write(self, actor_id: str, data: bytes) -> tuple[str, Any]:
        return _reply(lambda: self.store.write(ActorId(actor_id), data))

    def ids(self) -> list[str]:
        return [str(i) for i in self.store.ids()]

    def delete(self, actor_id: str) -> bool:
        return self.store.delete(ActorId(actor_id))


def _reply(fn: Any) -> tuple[str, Any]:
    """("ok", value) or ("error", exc): storage errors travel back as themselves."""
    try:
        return ("ok", fn())
    except (SnapshotError, TypeError, ValueError) as exc:
        return ("error", exc)


def server_name(driver_home: str, path: str | None) -> str:
    digest = hashlib.sha256((path or "").encode()).hexdigest()[:12]
    return f"actorlab-storage-{driver_home}-{digest}"


_servers: dict[str, Any] = {}  # servers this process created or found: closed by shutdown


class ClusterStorage(BaseStorage):
    """Snapshots in a directory on the head node, for every process of the cluster.

    ``path``: that directory (a relative path is made absolute here, as ``FileStorage`` does;
    None: ``cluster-snapshots`` in the head's actorlab data directory). Needs
    ``al.cluster.connect()`` first; created once per directory and notebook, shared after.
    """

    def __init__(self, path: str | os.PathLike[str] | None = None) -> None:
        from . import transport as _transport

        transport = _transport._current
        if transport is None:
            from .snapshots import not_connected

            raise not_connected("al.cluster.ClusterStorage()")
        self.path = str(Path(path).expanduser().absolute()) if path is not None else None
        self.name = server_name(transport.driver_home, self.path)
        self._handle: Any = _servers.get(self.name)
        if self._handle is None:
            self._handle = _servers[self.name] = _start(self.name, self.path)

    @classmethod
    def _attach(cls, name: str, path: str | None) -> ClusterStorage:
        """The storage of an existing server (what unpickling gives in another process)."""
        self = cls.__new__(cls)
        self.name, self.path, self._handle = name, path, None
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (ClusterStorage._attach, (self.name, self.path))

    def _call(self, method: str, *args: Any) -> Any:
        import ray

        try:
            if self._handle is None:
                self._handle = ray.get_actor(self.name, namespace=NAMESPACE)
            return ray.get(getattr(self._handle, method).remote(*args))
        except (ValueError, ray.exceptions.RayActorError) as exc:
            self._handle = None
            raise SnapshotError(
                f"{self!r} is not reachable ({type(exc).__name__}): its server stops with the "
                "notebook's connection (cluster.shutdown() or a kernel restart). Fix: "
                "al.cluster.connect() and create al.cluster.ClusterStorage(...) again (the "
                "snapshots stay on the head's disk)"
            ) from None

    def read(self, actor_id: ActorId) -> bytes:
        status, value = self._call("read", str(ActorId(actor_id)))
        if status == "error":
            raise value
        return bytes(value)

    def write(self, actor_id: ActorId, data: bytes) -> None:
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError(f"snapshot of actor id {actor_id}: expected bytes, got {type(data)}")
        status, value = self._call("write", str(ActorId(actor_id)), bytes(data))
        if status == "error":
            raise value

    def ids(self) -> list[ActorId]:
        return sorted(ActorId(i) for i in self._call("ids"))

    def delete(self, actor_id: ActorId) -> bool:
        return bool(self._call("delete", str(ActorId(actor_id))))

    def where(self) -> tuple[str, str]:
        """(directory, host name) of the server: where the snapshots are."""
        path, host = self._call("where")
        return (str(path), str(host))

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ClusterStorage) and other.name == self.name

    def __hash__(self) -> int:
        return hash(self.name)

    def __repr__(self) -> str:
        return f"ClusterStorage({self.path or DEFAULT_DIR!r} on the head node)"


def _start(name: str, path: str | None) -> Any:
    import ray

    server: Any = ray.remote(StorageServer)
    server = server.options(
        name=name,
        namespace=NAMESPACE,
        get_if_exists=True,
        num_cpus=0,
        resources={HEAD: 0.001},
        max_restarts=-1,  # the state is on disk: a crashed server comes back with the same handle
    )
    handle: Any = server.remote(path)
    ray.get(handle.where.remote())  # started (and its directory resolved) before first use
    return handle


def close_all() -> None:
    """Stop the storage servers this process started (``cluster.shutdown()``)."""
    import ray

    for name, handle in list(_servers.items()):
        try:
            ray.kill(handle)
        except Exception:
            pass
        _servers.pop(name, None)
