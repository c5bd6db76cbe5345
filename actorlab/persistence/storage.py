"""Where snapshots live: the ``PersistentStorage`` protocol and three built-in storages.

theta's storage is two async calls keyed by actor id (``try_read``/``try_write``); any object
with them works. The built-ins also list what they hold (``ids()``), read and write synchronously
(for notebook cells), and never block the runtime loop (their async methods run file and
database I/O in a worker thread):

- ``FileStorage(dir)``: one file per actor, ``<dir>/<uuid>.snap``, written atomically (temp file
  in the same directory, fsync, rename, fsync of the directory): a crash leaves the old snapshot.
- ``MemoryStorage()``: a dict, for tests and throwaway sessions.
- ``SQLiteStorage(file)``: stdlib sqlite3 in WAL mode, keeps every version
  (``versions(actor_id)``, ``read_version(actor_id, n)``), optionally only the last ``keep``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sqlite3
import tempfile
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol, runtime_checkable

from actorlab.errors import SnapshotError, SnapshotNotFound
from actorlab.ids import ActorId

_FIX_NOT_FOUND = (
    "Fix: save one first (ctx.save_snapshot(storage) or autosave), check that the storage "
    "points where it was saved, or use respawn_or(...) to fall back to default args."
)


@runtime_checkable
class PersistentStorage(Protocol):
    """theta's storage interface: opaque bytes keyed by actor id.

    ``try_read`` raises ``actorlab.SnapshotNotFound`` when there is no snapshot for the id.
    """

    async def try_read(self, actor_id: ActorId) -> bytes: ...

    async def try_write(self, actor_id: ActorId, data: bytes) -> None: ...


@runtime_checkable
class ListableStorage(Protocol):
    """A storage that can list the actor ids it holds (every built-in storage)."""

    def ids(self) -> list[ActorId]: ...


class BaseStorage(ABC):
    """Base of the built-in storages: a blocking core, async wrappers and listing."""

    @abstractmethod
    def read(self, actor_id: ActorId) -> bytes:
        """The latest snapshot bytes of ``actor_id`` (blocking); ``SnapshotNotFound`` if none."""

    @abstractmethod
    def write(self, actor_id: ActorId, data: bytes) -> None:
        """Store ``data`` as the latest snapshot of ``actor_id`` (blocking)."""

    @abstractmethod
    def ids(self) -> list[ActorId]:
        """Every actor id with a snapshot, sorted."""

    @abstractmethod
    def delete(self, actor_id: ActorId) -> bool:
        """Remove the snapshot(s) of ``actor_id``; False if there were none."""

    async def try_read(self, actor_id: ActorId) -> bytes:
        return await asyncio.to_thread(self.read, actor_id)

    async def try_write(self, actor_id: ActorId, data: bytes) -> None:
        await asyncio.to_thread(self.write, actor_id, data)

    def __iter__(self) -> Iterator[ActorId]:
        return iter(self.ids())

    def __len__(self) -> int:
        return len(self.ids())

    def __contains__(self, actor_id: object) -> bool:
        return isinstance(actor_id, ActorId) and actor_id in self.ids()


def _check_bytes(actor_id: ActorId, data: object) -> bytes:
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise TypeError(f"snapshot of actor id {actor_id}: expected bytes, got {type(data)}")
    return bytes(data)


class MemoryStorage(BaseStorage):
    """Snapshots in a dict (lost with the process)."""

    def __init__(self) -> None:
        self._data: dict[ActorId, bytes] = {}
        self._lock = threading.Lock()

    def read(self, actor_id: ActorId) -> bytes:
        with self._lock:
            data = self._data.get(ActorId(actor_id))
        if data is None:
            raise SnapshotNotFound(
                f"no snapshot for actor id {actor_id} in {self!r}. " + _FIX_NOT_FOUND
            )
        return data

    def write(self, actor_id: ActorId, data: bytes) -> None:
        data = _check_bytes(actor_id, data)
        with self._lock:
            self._data[ActorId(actor_id)] = data

    def ids(self) -> list[ActorId]:
        with self._lock:
            return sorted(self._data)

    def delete(self, actor_id: ActorId) -> bool:
        with self._lock:
            return self._data.pop(ActorId(actor_id), None) is not None

    async def try_read(self, actor_id: ActorId) -> bytes:
        return self.read(actor_id)

    async def try_write(self, actor_id: ActorId, data: bytes) -> None:
        self.write(actor_id, data)

    def __repr__(self) -> str:
        return f"MemoryStorage({len(self._data)} snapshots)"


def _process_alive(pid: int) -> bool:
    """Is a process with this id running on this machine? (Unsure counts as alive.)"""
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except (PermissionError, OSError, OverflowError):
        return True  # exists but is not ours, or cannot tell: leave its file alone
    return True


def _fsync_dir(path: Path) -> None:
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:  # Windows cannot open a directory; rename is durable enough there
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


class FileStorage(BaseStorage):
    """One file per actor, ``<dir>/<uuid>.snap``; writes are atomic and durable.

    The directory is resolved to an absolute path when the storage is created, and created on
    the first write.
    """

    SUFFIX = ".snap"

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path).expanduser().absolute()
        self._swept = False

    def sweep(self, min_age: float = 60.0) -> list[Path]:
        """Delete temporary files left by writers that died mid-write; returns what went.

        A write goes to ``.<id>.snap.<pid>.<random>.tmp`` first; a process killed before the
        rename leaves it behind. A temporary file is removed when its writer process is gone
        and it is at least ``min_age`` seconds old (a live writer's file is never touched).
        Runs by itself on each storage's first write in a process.
        """
        removed: list[Path] = []
        if not self.path.is_dir():
            return removed
        now = time.time()
        for tmp in self.path.glob(f".*{self.SUFFIX}.*.tmp"):
            try:
                pid = int(tmp.name[: -len(".tmp")].split(".")[-2])
            except ValueError:
                pid = None  # not ours, or an older name: judged by age alone
            try:
                old = now - tmp.stat().st_mtime >= max(min_age, 0.0 if pid else 86400.0)
                if old and (pid is None or not _process_alive(pid)):
                    tmp.unlink()
                    removed.append(tmp)
            except OSError:
                continue
        return removed

    def file_for(self, actor_id: ActorId) -> Path:
        return self.path / f"{ActorId(actor_id)}{self.SUFFIX}"

    def read(self, actor_id: ActorId) -> bytes:
        file = self.file_for(actor_id)
        try:
            return file.read_bytes()
        except FileNotFoundError:
            raise SnapshotNotFound(
                f"no snapshot for actor id {actor_id} in {self.path} (no file {file.name}). "
                + _FIX_NOT_FOUND
            ) from None
        except OSError as e:
            raise SnapshotError(
                f"cannot read the snapshot of actor id {actor_id} from {file}: {e}. "
                "Fix: check the file's permissions and the storage path."
            ) from e

    def write(self, actor_id: ActorId, data: bytes) -> None:
        data = _check_bytes(actor_id, data)
        target = self.file_for(actor_id)
        try:
            self.path.mkdir(parents=True, exist_ok=True)
            if not self._swept:
                self._swept = True
                self.sweep()
            fd, tmp = tempfile.mkstemp(
                prefix=f".{target.name}.{os.getpid()}.", suffix=".tmp", dir=self.path
            )
            try:
                with os.fdopen(fd, "wb") as f:
                    f.write(data)
                    f.flush()
                    os.fsync(f.fileno())
                os.replace(tmp, target)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(tmp)
                raise
            _fsync_dir(self.path)
        except OSError as e:
            raise SnapshotError(
                f"cannot write the snapshot of actor id {actor_id} to {target}: {e}. "
                "Fix: check that the directory is writable and the disk has space; the previous "
                "snapshot (if any) is untouched."
            ) from e

    def ids(self) -> list[ActorId]:
        if not self.path.is_dir():
            return []
        found = []
        for file in self.path.glob(f"*{self.SUFFIX}"):
            try:
                found.append(ActorId(file.stem))
            except ValueError:
                continue
        return sorted(found)

    def delete(self, actor_id: ActorId) -> bool:
        try:
            self.file_for(actor_id).unlink()
        except FileNotFoundError:
            return False
        return True

    def __repr__(self) -> str:
        return f"FileStorage({str(self.path)!r})"


class SQLiteStorage(BaseStorage):
    """Every version of every snapshot in one SQLite file (WAL mode, durable commits).

    ``keep=N`` keeps only the newest N versions per actor; the default keeps all of them.
    Each operation opens its own connection, so the storage is usable from any thread.
    """

    def __init__(self, path: str | os.PathLike[str], *, keep: int | None = None) -> None:
        if str(path) == ":memory:":
            raise ValueError(
                "SQLiteStorage(':memory:') would lose every snapshot between operations; "
                "use al.MemoryStorage() for an in-memory store"
            )
        if keep is not None and keep < 1:
            raise ValueError(f"keep must be >= 1 or None (keep every version), got {keep}")
        self.path = Path(path).expanduser().absolute()
        self.keep = keep
        with self._connect() as con:
            con.execute("PRAGMA journal_mode=WAL")
            con.execute(
                "CREATE TABLE IF NOT EXISTS snapshots ("
                " actor_id TEXT NOT NULL, version INTEGER NOT NULL, created REAL NOT NULL,"
                " data BLOB NOT NULL, PRIMARY KEY (actor_id, version))"
            )

    @contextlib.contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            con = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        except (OSError, sqlite3.Error) as e:
            raise SnapshotError(
                f"cannot open the snapshot database {self.path}: {e}. "
                "Fix: check the path and its permissions."
            ) from e
        try:
            con.execute("PRAGMA synchronous=FULL")
            yield con
        except sqlite3.Error as e:
            raise SnapshotError(
                f"snapshot database {self.path}: {e}. Fix: check the disk and permissions; if "
                "the file is damaged, restore it or point the storage at a new file."
            ) from e
        finally:
            con.close()

    def write(self, actor_id: ActorId, data: bytes) -> None:
        data = _check_bytes(actor_id, data)
        key = str(ActorId(actor_id))
        with self._connect() as con:
            con.execute("BEGIN IMMEDIATE")
            try:
                (version,) = con.execute(
                    "SELECT COALESCE(MAX(version), 0) + 1 FROM snapshots WHERE actor_id = ?",
                    (key,),
                ).fetchone()
                con.execute(
                    "INSERT INTO snapshots (actor_id, version, created, data) VALUES (?, ?, ?, ?)",
                    (key, version, time.time(), data),
                )
                if self.keep is not None:
                    con.execute(
                        "DELETE FROM snapshots WHERE actor_id = ? AND version <= ?",
                        (key, version - self.keep),
                    )
                con.execute("COMMIT")
            except BaseException:
                con.execute("ROLLBACK")
                raise

    def read(self, actor_id: ActorId) -> bytes:
        with self._connect() as con:
            row = con.execute(
                "SELECT data FROM snapshots WHERE actor_id = ? ORDER BY version DESC LIMIT 1",
                (str(ActorId(actor_id)),),
            ).fetchone()
        if row is None:
            raise SnapshotNotFound(
                f"no snapshot for actor id {actor_id} in {self.path}. " + _FIX_NOT_FOUND
            )
        return bytes(row[0])

    def versions(self, actor_id: ActorId) -> list[int]:
        """The stored versions of ``actor_id``, oldest first (empty if none)."""
        with self._connect() as con:
            rows = con.execute(
                "SELECT version FROM snapshots WHERE actor_id = ? ORDER BY version",
                (str(ActorId(actor_id)),),
            ).fetchall()
        return [int(r[0]) for r in rows]

    def read_version(self, actor_id: ActorId, version: int) -> bytes:
        """The bytes of one stored version; ``SnapshotNotFound`` names the versions there are."""
        with self._connect() as con:
            row = con.execute(
                "SELECT data FROM snapshots WHERE actor_id = ? AND version = ?",
                (str(ActorId(actor_id)), int(version)),
            ).fetchone()
        if row is None:
            raise SnapshotNotFound(
                f"no version {version} of the snapshot of actor id {actor_id} in {self.path} "
                f"(versions stored: {self.versions(actor_id) or 'none'}). "
                "Fix: pick one of storage.versions(actor_id)."
            )
        return bytes(row[0])

    def ids(self) -> list[ActorId]:
        with self._connect() as con:
            rows = con.execute("SELECT DISTINCT actor_id FROM snapshots").fetchall()
        return sorted(ActorId(r[0]) for r in rows)

    def delete(self, actor_id: ActorId) -> bool:
        with self._connect() as con:
            cur = con.execute("DELETE FROM snapshots WHERE actor_id = ?", (str(ActorId(actor_id)),))
            return cur.rowcount > 0

    def __repr__(self) -> str:
        return f"SQLiteStorage({str(self.path)!r})"


def default_storage() -> FileStorage:
    """``FileStorage("./.actorlab/snapshots")``, relative to the current directory now."""
    return FileStorage(Path.cwd() / ".actorlab" / "snapshots")
