"""al.snapshots() (headers, no unpickling), al.load_snapshot() and al.diff_snapshot()."""

from __future__ import annotations

import pytest

import actorlab as al
from actorlab.persistence import codec

from .actors import Counter, GetCount, Increment, Save, Tally
from .helpers import Touch


def test_snapshots_lists_headers_without_unpickling(al_root, tmp_path):
    store = al.FileStorage(tmp_path)
    a, b = al.ActorId.from_name("a"), al.ActorId.from_name("b")
    al_root.spawn_persistent_sync(store, a, Counter(1)).ask_sync(Save())
    marker = tmp_path / "UNPICKLED"
    store.write(b, codec.dump(Touch(str(marker)), actor_id=b, actor_class="x.Evil"))
    entries = al.snapshots(store)
    assert [e.actor_id for e in entries] == sorted([a, b])
    by_id = {e.actor_id: e for e in entries}
    assert by_id[a].ok and by_id[a].actor_class.endswith("actors.Counter")
    assert by_id[b].header.actor_class == "x.Evil"
    assert not marker.exists()
    assert "Counter" in repr(by_id[a])


def test_snapshots_lists_unreadable_ones_with_the_error(tmp_path):
    store = al.FileStorage(tmp_path)
    aid = al.ActorId.from_name("junk")
    store.write(aid, b"junk")
    [entry] = al.snapshots(store)
    assert not entry.ok and entry.actor_class == "?"
    assert "not an actorlab snapshot" in entry.error
    assert "unreadable" in repr(entry)


def test_snapshots_of_one_actor_and_the_sqlite_history(al_root, tmp_path):
    store = al.SQLiteStorage(tmp_path / "s.db")
    aid = al.ActorId.from_name("hist")
    c = al_root.spawn_persistent_sync(store, aid, Counter(0))
    for _ in range(3):
        c.ask_sync(Increment(1))
    assert [e.version for e in al.snapshots(store, aid)] == [None]
    history = al.snapshots(store, aid, history=True)
    assert [e.version for e in history] == [1, 2, 3] and all(e.ok for e in history)
    assert al.load_snapshot(store, aid, version=2).state.count == 2
    assert al.snapshots(store, al.ActorId.from_name("none")) == []


def test_snapshots_of_the_default_storage(al_root, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    assert al.snapshots() == []
    al_root.spawn_persistent_sync(None, al.ActorId.from_name("d"), Counter(1)).ask_sync(Save())
    assert len(al.snapshots()) == 1


def test_load_snapshot_returns_header_class_state_and_fields(al_root):
    store = al.MemoryStorage()
    aid = al.ActorId.from_name("load")
    c = al_root.spawn_persistent_sync(store, aid, Counter(0))
    c.ask_sync(Increment(4))
    snap = al.load_snapshot(store, aid)
    assert snap.actor_type is Counter and isinstance(snap.state, Counter)
    assert snap.fields() == {"count": 4}
    assert snap.header.actor_id == str(aid)
    assert al.inspect()[0].id == aid  # loading spawned nothing
    with pytest.raises(al.SnapshotNotFound):
        al.load_snapshot(store, al.ActorId.from_name("missing"))
    with pytest.raises(TypeError, match="needs an al.SQLiteStorage"):
        al.load_snapshot(store, aid, version=1)


def test_diff_snapshot_against_a_live_actor(al_root):
    store = al.MemoryStorage()
    aid = al.ActorId.from_name("diff")
    c = al_root.spawn_persistent_sync(store, aid, Tally(1))
    al_root.save_snapshot_sync(c)
    snap = al.load_snapshot(store, aid)
    assert al.diff_snapshot(snap, c) == []
    c.ask_sync(Increment(2))
    al.root().runtime.call(lambda: setattr(c._live().actor, "extra", [1]))
    diff = {d.name: d for d in al.diff_snapshot(snap, c)}
    assert diff["count"].status == "changed"
    assert (diff["count"].saved, diff["count"].live) == (1, 3)
    assert diff["extra"].status == "added" and diff["extra"].live == [1]
    assert set(diff) == {"count", "extra"}


def test_diff_snapshot_against_a_state_object():
    saved, live = Tally(1), Tally(1)
    live.__dict__.pop("sock")
    [d] = al.diff_snapshot(saved, live)
    assert (d.name, d.status, d.saved) == ("sock", "removed", None)


def test_snapshot_of_gives_what_would_be_saved(al_root):
    c = al_root.spawn(Tally(5))
    c.ask_sync(GetCount())
    actor = c._live().actor
    snap = al.root().runtime.call(lambda: al.snapshot_of(actor))
    assert isinstance(snap, Tally) and snap is not actor
    assert snap.count == 5 and "_al_ctx" not in snap.__dict__
