"""Tests that kill mutants of ``persistence/storage.py`` (``make mutation``): the sweep of dead
writers' temp files (who counts as alive, the age bounds, never signalling a live process), how a
write names its temp file, the exact error texts, and the reprs."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import types
from pathlib import Path

import pytest

import actorlab as al
from actorlab.persistence import storage as storage_mod
from actorlab.persistence.storage import FileStorage, MemoryStorage, SQLiteStorage

A = al.ActorId.from_name("a")
B = al.ActorId.from_name("b")
T0 = 1_700_000_000  # a whole second: ages below are exact in floating point


@pytest.fixture(params=["file", "memory", "sqlite"])
def storage(request, tmp_path):
    return {
        "file": lambda: FileStorage(tmp_path / "snaps"),
        "memory": MemoryStorage,
        "sqlite": lambda: SQLiteStorage(tmp_path / "snaps.db"),
    }[request.param]()


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def _leftover(directory: Path, name: str, mtime: float) -> Path:
    tmp = directory / name
    tmp.write_bytes(b"half a snapshot")
    os.utime(tmp, (mtime, mtime))
    return tmp


def _now(monkeypatch, now: float) -> None:
    """storage.py's clock reads ``now`` (the sweep compares file ages with it)."""
    monkeypatch.setattr(storage_mod, "time", types.SimpleNamespace(time=lambda: now))


def test_non_bytes_error_names_the_actor_and_the_type_given(storage):
    with pytest.raises(TypeError) as err:
        storage.write(A, "text")  # type: ignore[arg-type]
    assert str(err.value) == f"snapshot of actor id {A}: expected bytes, got {str!r}"


# -- sweep -----------------------------------------------------------------------------------------
def test_sweep_keeps_the_temp_file_of_a_live_writer_and_never_signals_it(tmp_path):
    """Another process that is still writing: its file stays, and the liveness probe is
    signal 0 (a real signal, e.g. SIGHUP, would kill the writer)."""
    store = FileStorage(tmp_path)
    writer = subprocess.Popen(
        [sys.executable, "-c", "import sys; sys.stdin.read()"], stdin=subprocess.PIPE
    )
    try:
        busy = _leftover(tmp_path, f".{A}.snap.{writer.pid}.abc123xy.tmp", T0)
        assert store.sweep() == [] and busy.exists()
    finally:
        assert writer.stdin is not None
        writer.stdin.close()
        assert writer.wait(timeout=30) == 0  # it finished normally: it was never signalled


def test_sweep_keeps_the_temp_file_of_a_writer_it_may_not_signal(tmp_path, monkeypatch):
    """A writer owned by another user (``os.kill`` says PermissionError) counts as alive."""
    store = FileStorage(tmp_path)
    other = _leftover(tmp_path, f".{A}.snap.4242.abc123xy.tmp", T0)

    def not_yours(pid, sig):
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(os, "kill", not_yours)
    assert store.sweep() == [] and other.exists()


@pytest.mark.parametrize(
    "age, legacy, removed",
    [
        (60.0, False, True),  # a dead writer's file goes once it is a minute old ("at least")
        (59.0, False, False),
        (86400.0, True, True),  # a file without a writer pid waits a day ("at least")
        (3600.0, True, False),  # an hour is old enough for a dead writer, not for an unknown one
    ],
)
def test_sweep_age_bounds_are_inclusive_and_unknown_writers_wait_a_day(
    tmp_path, monkeypatch, age, legacy, removed
):
    store = FileStorage(tmp_path)
    name = f".{A}.snap.oldstyle.tmp" if legacy else f".{A}.snap.{_dead_pid()}.abc123xy.tmp"
    tmp = _leftover(tmp_path, name, T0)
    _now(monkeypatch, T0 + age)
    assert store.sweep() == ([tmp] if removed else [])
    assert tmp.exists() is not removed


def test_a_file_the_sweep_cannot_remove_does_not_stop_it(tmp_path, monkeypatch):
    store = FileStorage(tmp_path)
    dead = _dead_pid()
    files = [_leftover(tmp_path, f".{n}.snap.{dead}.abc123xy.tmp", T0) for n in (A, B)]
    _now(monkeypatch, T0 + 120)
    real_unlink = Path.unlink
    calls = []

    def first_fails(self, missing_ok=False):
        calls.append(self)
        if len(calls) == 1:
            raise PermissionError(13, "Permission denied", str(self))
        real_unlink(self, missing_ok)

    monkeypatch.setattr(Path, "unlink", first_fails)
    removed = store.sweep()
    assert len(calls) == 2 and removed == [calls[1]]
    assert [f.exists() for f in files].count(True) == 1


def test_the_sweep_runs_on_the_first_write_only(tmp_path):
    store = FileStorage(tmp_path)
    store.write(A, b"one")
    stale = _leftover(tmp_path, f".{B}.snap.{_dead_pid()}.abc123xy.tmp", T0)
    store.write(A, b"two")
    assert stale.exists()  # this storage swept on its first write; later writes do not glob
    FileStorage(tmp_path).write(B, b"bee")  # a new storage's first write
    assert not stale.exists()


# -- writing ---------------------------------------------------------------------------------------
def test_a_write_goes_through_a_temp_file_the_sweep_can_attribute(tmp_path, monkeypatch):
    """Next to the target (so the rename is atomic), hidden, ``.<id>.snap.<pid>.<random>.tmp``:
    the name the sweep parses for the writer's pid."""
    store = FileStorage(tmp_path / "d")
    seen = []
    real_replace = os.replace

    def spy(src, dst):
        seen.append((Path(src), Path(dst)))
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    store.write(A, b"x")
    [(src, dst)] = seen
    assert dst == store.file_for(A) and src.parent == store.path
    assert re.fullmatch(rf"\.{A}\.snap\.{os.getpid()}\.[^.]+\.tmp", src.name), src.name
    assert store.read(A) == b"x"


def test_a_failed_write_reports_its_own_error_even_if_the_cleanup_fails(tmp_path, monkeypatch):
    store = FileStorage(tmp_path)
    target = store.file_for(A)

    def no_space(src, dst):
        raise OSError(28, "No space left on device")

    def cannot_unlink(path, *a, **k):
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(os, "replace", no_space)
    monkeypatch.setattr(os, "unlink", cannot_unlink)
    with pytest.raises(al.SnapshotError) as err:
        store.write(A, b"new")
    monkeypatch.undo()
    assert str(err.value) == (
        f"cannot write the snapshot of actor id {A} to {target}: [Errno 28] No space left on "
        "device. Fix: check that the directory is writable and the disk has space; the previous "
        "snapshot (if any) is untouched."
    )


def test_an_unreadable_snapshot_is_a_snapshot_error_with_the_fix(tmp_path):
    store = FileStorage(tmp_path)
    file = store.file_for(A)
    file.mkdir()  # reading it raises IsADirectoryError, an OSError other than "not found"
    with pytest.raises(al.SnapshotError) as err:
        store.read(A)
    text = str(err.value)
    assert text.startswith(f"cannot read the snapshot of actor id {A} from {file}: [Errno 21] ")
    assert text.endswith(". Fix: check the file's permissions and the storage path.")


def test_listing_skips_every_stray_snap_file(tmp_path):
    store = FileStorage(tmp_path)
    (tmp_path / "notes.snap").write_text("not an id")
    ids = [al.ActorId.from_name(f"a{i}") for i in range(6)]
    for i, actor_id in enumerate(ids):
        store.write(actor_id, b"x")
        if i in (1, 3):
            (tmp_path / f"stray{i}.snap").write_text("not an id")
    assert store.ids() == sorted(ids)


# -- texts -----------------------------------------------------------------------------------------
def test_reprs_name_the_path(tmp_path):
    assert repr(FileStorage(tmp_path / "d")) == f"FileStorage({str(tmp_path / 'd')!r})"
    assert repr(SQLiteStorage(tmp_path / "s.db")) == f"SQLiteStorage({str(tmp_path / 's.db')!r})"


def test_sqlite_memory_database_error_text():
    with pytest.raises(ValueError) as err:
        SQLiteStorage(":memory:")
    assert str(err.value) == (
        "SQLiteStorage(':memory:') would lose every snapshot between operations; "
        "use al.MemoryStorage() for an in-memory store"
    )


def test_sqlite_missing_version_of_an_unknown_actor_says_none_are_stored(tmp_path):
    store = SQLiteStorage(tmp_path / "s.db")
    with pytest.raises(al.SnapshotNotFound) as err:
        store.read_version(B, 1)
    assert str(err.value) == (
        f"no version 1 of the snapshot of actor id {B} in {store.path} (versions stored: none). "
        "Fix: pick one of storage.versions(actor_id)."
    )
