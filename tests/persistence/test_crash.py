"""A writer killed with SIGKILL at random points never leaves an unreadable snapshot, and never
loses a write it had completed."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time

import pytest

import actorlab as al
from actorlab.persistence import codec
from actorlab.persistence.storage import FileStorage, SQLiteStorage

from .helpers import REPO

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs SIGKILL")

AID = al.ActorId.from_name("crash-counter")

WRITER = r"""
import sys
import actorlab as al
from actorlab.persistence import codec
from actorlab.persistence.storage import FileStorage, SQLiteStorage

def state(i):
    return {"i": i, "data": [str(i)] * 2000, "blob": bytes([i % 256]) * 80_000}

aid = al.ActorId.from_name("crash-counter")
stores = {"f": FileStorage(sys.argv[1]), "s": SQLiteStorage(sys.argv[2])}
i = int(sys.argv[3])
print("ready", flush=True)
while True:
    for tag, store in stores.items():
        store.write(aid, codec.dump(state(i), actor_id=aid, actor_class="crash.Counter"))
        print(tag, i, flush=True)
    i += 1
"""


def _check(store, durable: int) -> int:
    """Load the latest snapshot; it must be whole and at least as new as the last durable write."""
    try:
        data = store.read(AID)
    except al.SnapshotNotFound:
        assert durable < 0, f"{store!r}: write {durable} completed but no snapshot is there"
        return -1
    _, state = codec.load(data, expected_id=AID)
    i = state["i"]
    assert state["data"] == [str(i)] * 2000 and state["blob"] == bytes([i % 256]) * 80_000
    assert i >= durable, f"{store!r}: write {durable} completed, the snapshot holds {i}"
    return i


def test_sigkill_during_writes_never_leaves_an_unreadable_snapshot(tmp_path):
    files = FileStorage(tmp_path / "files")
    db = SQLiteStorage(tmp_path / "snaps.db")
    rng = random.Random(1234)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    latest = {"f": -1, "s": -1}
    completed = {"f": 0, "s": 0}  # writes the writer reported finished
    kills = 0
    deadline = time.monotonic() + 90
    while min(completed.values()) < 200:
        assert time.monotonic() < deadline, f"too slow: {latest} after {kills} kills"
        start = max(latest.values()) + 1
        proc = subprocess.Popen(
            [sys.executable, str(script), str(files.path), str(db.path), str(start)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
        )
        assert proc.stdout.readline() == "ready\n", proc.stderr.read()
        durable = {"f": -1, "s": -1}
        for _ in range(rng.randrange(10, 70)):
            tag, i = proc.stdout.readline().split()
            durable[tag] = int(i)
            completed[tag] += 1
        time.sleep(rng.uniform(0, 0.004))  # a random kill point inside the next write
        proc.send_signal(signal.SIGKILL)
        rest, err = proc.communicate()
        assert proc.returncode == -signal.SIGKILL, err
        # The kill can land inside a report: a last line without its newline was not reported.
        for line in rest.split("\n")[:-1]:
            tag, i = line.split()
            durable[tag] = int(i)
            completed[tag] += 1
        kills += 1
        latest = {"f": _check(files, durable["f"]), "s": _check(db, durable["s"])}
    assert kills >= 5
    assert files.ids() == [AID] and db.ids() == [AID]
    files.sweep(min_age=0)  # every writer is dead: their half-written temporaries go
    assert [p.name for p in files.path.iterdir()] == [files.file_for(AID).name]
    _check(files, durable["f"])
    versions = db.versions(AID)
    assert versions == list(range(1, len(versions) + 1)) and len(versions) >= 200
    for v in rng.sample(versions, 10):  # older versions are whole too
        codec.load(db.read_version(AID, v), expected_id=AID)
