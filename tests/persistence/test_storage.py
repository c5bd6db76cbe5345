"""The three built-in storages: round trips, listing, not-found errors, atomicity, versions."""

from __future__ import annotations

import asyncio
import os

import pytest

import actorlab as al
from actorlab.persistence.storage import (
    FileStorage,
    MemoryStorage,
    PersistentStorage,
    SQLiteStorage,
    default_storage,
)

A = al.ActorId.from_name("a")
B = al.ActorId.from_name("b")


@pytest.fixture(params=["file", "memory", "sqlite"])
def storage(request, tmp_path):
    return {
        "file": lambda: FileStorage(tmp_path / "snaps"),
        "memory": MemoryStorage,
        "sqlite": lambda: SQLiteStorage(tmp_path / "snaps.db"),
    }[request.param]()


def test_every_storage_satisfies_the_protocol(storage):
    assert isinstance(storage, PersistentStorage)


def test_async_round_trip_returns_the_latest_write(storage):
    async def go():
        await storage.try_write(A, b"one")
        await storage.try_write(A, b"two")
        await storage.try_write(B, b"bee")
        return await storage.try_read(A), await storage.try_read(B)

    assert asyncio.run(go()) == (b"two", b"bee")


def test_listing_gives_the_sorted_ids(storage):
    assert storage.ids() == [] and len(storage) == 0
    storage.write(B, b"x")
    storage.write(A, b"y")
    assert storage.ids() == sorted([A, B])
    assert list(storage) == sorted([A, B])
    assert A in storage and al.ActorId.from_name("c") not in storage


def test_missing_snapshot_raises_snapshot_not_found_naming_the_id(storage):
    with pytest.raises(al.SnapshotNotFound, match=f"no snapshot for actor id {A}.*Fix: "):
        asyncio.run(storage.try_read(A))


def test_delete_removes_the_snapshot(storage):
    storage.write(A, b"x")
    assert storage.delete(A) is True
    assert storage.delete(A) is False
    with pytest.raises(al.SnapshotNotFound):
        storage.read(A)


def test_write_refuses_non_bytes(storage):
    with pytest.raises(TypeError, match="expected bytes"):
        storage.write(A, "text")  # type: ignore[arg-type]


def test_file_storage_writes_one_snap_file_per_actor_and_no_temp_files(tmp_path):
    store = FileStorage(tmp_path / "d")
    store.write(A, b"data")
    store.write(A, b"data2")
    assert sorted(p.name for p in (tmp_path / "d").iterdir()) == [f"{A}.snap"]
    assert (tmp_path / "d" / f"{A}.snap").read_bytes() == b"data2"


def test_file_storage_ignores_stray_files_when_listing(tmp_path):
    store = FileStorage(tmp_path)
    store.write(A, b"x")
    (tmp_path / "notes.snap").write_text("not an id")
    (tmp_path / f".{A}.snap.abc.tmp").write_text("left by a crash")
    assert store.ids() == [A]


def test_file_storage_failed_write_keeps_the_old_snapshot(tmp_path, monkeypatch):
    store = FileStorage(tmp_path)
    store.write(A, b"old")

    def boom(src, dst):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", boom)
    with pytest.raises(al.SnapshotError, match="cannot write the snapshot of actor id .*untouched"):
        store.write(A, b"new")
    monkeypatch.undo()
    assert store.read(A) == b"old"
    assert [p.name for p in tmp_path.iterdir()] == [f"{A}.snap"]  # the temp file was removed


def test_file_storage_io_runs_off_the_event_loop_thread(tmp_path, monkeypatch):
    import threading

    seen = []
    store = FileStorage(tmp_path)
    original = FileStorage.write

    def spy(self, actor_id, data):
        seen.append(threading.current_thread())
        original(self, actor_id, data)

    monkeypatch.setattr(FileStorage, "write", spy)

    async def go():
        await store.try_write(A, b"x")
        return threading.current_thread()

    loop_thread = asyncio.run(go())
    assert seen and seen[0] is not loop_thread


def test_default_storage_is_relative_to_the_cwd_at_call_time(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    store = default_storage()
    assert store.path == tmp_path / ".actorlab" / "snapshots"
    store.write(A, b"x")
    monkeypatch.chdir(tmp_path.parent)
    assert store.read(A) == b"x"  # resolved once: a later chdir does not move it


def test_sqlite_storage_keeps_every_version(tmp_path):
    store = SQLiteStorage(tmp_path / "s.db")
    for i in range(3):
        store.write(A, f"v{i}".encode())
    store.write(B, b"b")
    assert store.versions(A) == [1, 2, 3]
    assert [store.read_version(A, v) for v in (1, 2, 3)] == [b"v0", b"v1", b"v2"]
    assert store.read(A) == b"v2"
    assert store.versions(al.ActorId.from_name("none")) == []
    with pytest.raises(al.SnapshotNotFound, match=r"no version 9 .*versions stored: \[1, 2, 3\]"):
        store.read_version(A, 9)


def test_sqlite_storage_uses_wal_and_survives_reopening(tmp_path):
    import sqlite3

    SQLiteStorage(tmp_path / "s.db").write(A, b"x")
    con = sqlite3.connect(tmp_path / "s.db")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()
    assert SQLiteStorage(tmp_path / "s.db").read(A) == b"x"


def test_sqlite_storage_keep_prunes_old_versions(tmp_path):
    store = SQLiteStorage(tmp_path / "s.db", keep=2)
    for i in range(5):
        store.write(A, str(i).encode())
    assert store.versions(A) == [4, 5]
    assert store.read(A) == b"4"


def _fail_on(path, event: str) -> None:
    """A trigger that makes the next INSERT/DELETE on the snapshots table fail mid-write."""
    import sqlite3

    con = sqlite3.connect(path)
    con.execute(
        f"CREATE TRIGGER fail BEFORE {event} ON snapshots "
        "BEGIN SELECT RAISE(ABORT, 'the disk said no'); END"
    )
    con.commit()
    con.close()


@pytest.mark.parametrize("event, keep", [("INSERT", None), ("DELETE", 1)])
def test_sqlite_storage_failed_write_raises_and_keeps_the_previous_version(tmp_path, event, keep):
    """A write that fails inside its transaction (here the insert, or the pruning after the
    insert) is reported, not swallowed, and leaves the database as it was."""
    store = SQLiteStorage(tmp_path / "s.db", keep=keep)
    store.write(A, b"old")
    _fail_on(tmp_path / "s.db", event)
    with pytest.raises(al.SnapshotError, match="the disk said no"):
        store.write(A, b"new")
    assert store.versions(A) == [1] and store.read(A) == b"old"

    async def through_the_protocol() -> None:
        await store.try_write(A, b"newer")

    with pytest.raises(al.SnapshotError, match="the disk said no"):
        asyncio.run(through_the_protocol())


def test_sqlite_storage_refuses_memory_database_and_bad_keep(tmp_path):
    with pytest.raises(ValueError, match="MemoryStorage"):
        SQLiteStorage(":memory:")
    with pytest.raises(ValueError, match="keep must be"):
        SQLiteStorage(tmp_path / "s.db", keep=0)


def test_sqlite_storage_on_a_non_database_file_raises_snapshot_error(tmp_path):
    bad = tmp_path / "bad.db"
    bad.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(al.SnapshotError, match="bad.db"):
        SQLiteStorage(bad)


def _dead_pid() -> int:
    import subprocess
    import sys

    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _leftover(directory, pid, age: float, name: str | None = None):
    tmp = directory / (name or f".{A}.snap.{pid}.abc123xy.tmp")
    tmp.write_bytes(b"half a snapshot")
    past = tmp.stat().st_mtime - age
    os.utime(tmp, (past, past))
    return tmp


def test_file_storage_sweeps_what_dead_writers_left_on_its_first_write(tmp_path):
    storage = FileStorage(tmp_path / "snaps")
    storage.path.mkdir()
    dead = _dead_pid()
    stale = _leftover(storage.path, dead, age=120)
    young = _leftover(storage.path, dead, age=0, name=f".{B}.snap.{dead}.young999.tmp")
    alive = _leftover(storage.path, os.getpid(), age=3600, name=f".{B}.snap.{os.getpid()}.mine0000.tmp")
    legacy = _leftover(storage.path, None, age=2 * 86400, name=f".{A}.snap.oldstyle.tmp")
    storage.write(A, b"snapshot")
    assert not stale.exists() and not legacy.exists()
    assert young.exists() and alive.exists()  # a writer may still be busy with those
    assert storage.read(A) == b"snapshot" and storage.ids() == [A]
    assert storage.sweep(min_age=0) == [young]
    assert alive.exists()  # this process is alive


def test_sweep_of_a_missing_directory_is_a_no_op(tmp_path):
    assert FileStorage(tmp_path / "nowhere").sweep() == []
