"""Tests that kill mutants of ``persistence/browse.py`` (``make mutation``): the exact entries
``al.snapshots()`` lists (id, header, error text with the store, version), listing past a missing
or failing id and across several histories, storages that cannot list, the reprs, the fields of
a state (``__getstate__``, slots, ``_al_`` names), ``load_snapshot``'s checks, and the diffs
field by field (against a stopped actor, from inside a handler, values that refuse ``==``)."""

from __future__ import annotations

import pytest

import actorlab as al
from actorlab.persistence import browse, codec
from actorlab.persistence.browse import FieldDiff, SnapshotEntry

from .actors import Counter, GetCount, Increment, Save, Tally

A = al.ActorId.from_name("a")
B = al.ActorId.from_name("b")
C = al.ActorId.from_name("c")


def _blob(actor_id, value=None):
    return codec.dump({"v": value}, actor_id=actor_id, actor_class="x.State")


class Gappy(al.MemoryStorage):
    """Lists ids it no longer holds (deleted meanwhile) and fails to read one of them."""

    def __init__(self, listed, failing=()):
        super().__init__()
        self.listed, self.failing = listed, failing

    def ids(self):
        return list(self.listed)

    def read(self, actor_id):
        if actor_id in self.failing:
            raise al.SnapshotError(f"disk error reading {actor_id}")
        return super().read(actor_id)


class Unlistable:
    """A user storage with only the two async methods (no ids())."""

    async def try_read(self, actor_id):
        raise al.SnapshotNotFound(str(actor_id))

    async def try_write(self, actor_id, data):
        pass

    def __repr__(self):
        return "<Unlistable>"


# -- al.snapshots() ----------------------------------------------------------------------------


def test_a_readable_entry_field_by_field_and_its_repr():
    store = al.MemoryStorage()
    store.write(A, _blob(A))
    [entry] = al.snapshots(store)
    assert (entry.actor_id, entry.error, entry.version, entry.ok) == (A, None, None, True)
    h = entry.header
    assert h.actor_class == "x.State" and entry.actor_class == "x.State"
    assert entry.created == h.created is not None
    assert repr(entry) == f"<SnapshotEntry x.State {A} {h.created} {h.size} B>"


def test_an_unreadable_entry_names_the_id_and_the_store():
    store = al.MemoryStorage()
    store.write(A, b"junk")
    [entry] = al.snapshots(store)
    assert (entry.actor_id, entry.header, entry.version, entry.created) == (A, None, None, None)
    assert entry.error.startswith(f"snapshot of actor id {A}, {store!r}: not an actorlab snapshot")
    assert repr(entry) == f"<SnapshotEntry {A} unreadable: {entry.error}>"


def test_a_snapshot_stored_under_another_id_is_listed_as_unreadable():
    store = al.MemoryStorage()
    store.write(A, _blob(B))
    [entry] = al.snapshots(store)
    assert not entry.ok and entry.actor_id == A
    assert f"the data stored under actor id {A} is the snapshot of" in entry.error


def test_listing_goes_past_a_missing_id_and_a_failing_one():
    store = Gappy([A, B, C], failing=[B])
    store.write(B, _blob(B))
    store.write(C, _blob(C))
    entries = al.snapshots(store)
    assert [e.actor_id for e in entries] == [B, C]
    assert entries[0] == SnapshotEntry(B, None, f"disk error reading {B}", None)
    assert entries[1].ok and entries[1].header.actor_id == str(C)


def test_a_storage_that_cannot_list_is_refused_with_the_fix():
    with pytest.raises(TypeError) as info:
        al.snapshots(Unlistable())
    assert str(info.value) == (
        "<Unlistable> cannot list what it holds (it has no ids() method). Fix: pass actor_id=, "
        "or give the storage an ids() -> list[ActorId] method"
    )


def test_histories_of_several_actors_with_an_unreadable_version(tmp_path):
    store = al.SQLiteStorage(tmp_path / "h.db")
    store.write(A, _blob(A, 1))
    store.write(A, b"junk")
    store.write(B, _blob(B, 2))
    history = al.snapshots(store, history=True)
    assert [(e.actor_id, e.version, e.ok) for e in history] == [
        (A, 1, True),
        (A, 2, False),
        (B, 1, True),
    ]
    assert history[1].error.startswith(f"snapshot of actor id {A}, {store!r}: not an actorlab")
    assert repr(history[1]).startswith(f"<SnapshotEntry {A} v2 unreadable: ")
    h = history[2].header
    assert repr(history[2]) == f"<SnapshotEntry x.State {B} v1 {h.created} {h.size} B>"


def test_a_snapshot_of_notebook_code_says_it_carries_code(monkeypatch):
    import __main__

    ns: dict = {}
    exec("class Cell:\n    def __init__(self):\n        self.n = 1\n", ns)
    cls = ns["Cell"]
    cls.__module__ = "__main__"
    monkeypatch.setattr(__main__, "Cell", cls, raising=False)
    store = al.MemoryStorage()
    store.write(A, codec.dump(cls(), actor_id=A))
    [entry] = al.snapshots(store)
    h = entry.header
    assert h.contains_code
    assert repr(entry) == f"<SnapshotEntry __main__.Cell {A} {h.created} {h.size} B, carries code>"


# -- state_fields / load_snapshot --------------------------------------------------------------


class Custom:
    def __init__(self):
        self.a, self.b = 1, 2

    def __getstate__(self):
        return {"only": self.a}


class Slotted:
    __slots__ = ("x", "unset", "__weakref__")

    def __init__(self):
        self.x = 5


class SlotsAndDict:
    __slots__ = ("x", "__dict__")

    def __init__(self):
        self.x = 5
        self.y = 6


class Hidden:
    def __init__(self):
        self.n = 1
        self._al_cell = "runtime bookkeeping"


def test_state_fields_of_each_kind_of_state():
    assert browse.state_fields({1: "a", "b": 2}) == {"1": "a", "b": 2}
    assert browse.state_fields(Custom()) == {"only": 1}
    assert browse.state_fields(Slotted()) == {"x": 5}
    assert browse.state_fields(SlotsAndDict()) == {"x": 5, "y": 6}
    assert browse.state_fields(Hidden()) == {"n": 1}


def test_load_snapshot_repr_and_its_checks(al_root, tmp_path):
    store = al.MemoryStorage()
    c = al_root.spawn_persistent_sync(store, A, Counter(0))
    c.ask_sync(Increment(4))
    snap = al.load_snapshot(store, A)
    h = snap.header
    assert repr(snap) == f"<LoadedSnapshot {h.actor_class} {A} {h.created}: ['count']>"
    store.write(B, store.read(A))  # the snapshot of A under B's id
    with pytest.raises(al.SnapshotError, match=f"the data stored under actor id {B} is the"):
        al.load_snapshot(store, B)
    store.write(C, b"junk")
    with pytest.raises(al.SnapshotError) as info:
        al.load_snapshot(store, C)
    assert str(info.value).startswith(f"snapshot of actor id {C}, {store!r}: not an actorlab")
    with pytest.raises(TypeError) as info:
        al.load_snapshot(store, A, version=1)
    assert str(info.value) == (
        f"{store!r} keeps one version per actor; version= needs an al.SQLiteStorage"
    )
    sqlite = al.SQLiteStorage(tmp_path / "s.db")
    sqlite.write(A, store.read(A))
    assert al.load_snapshot(sqlite, A, version=1).state.count == 4


def test_load_snapshot_reads_the_storage_given(al_root, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the default storage is here, and empty
    store = al.MemoryStorage()
    al_root.spawn_persistent_sync(store, A, Counter(2)).ask_sync(Save())
    assert al.load_snapshot(store, A).state.count == 2
    assert al.snapshots(store, A)[0].ok


# -- al.diff_snapshot() ------------------------------------------------------------------------


class Box:
    def __init__(self, **fields):
        self.__dict__.update(fields)


class NoEq:
    """A value whose ``==`` raises (like a numpy array's, ambiguous): compared by repr."""

    def __init__(self, text):
        self.text = text

    def __eq__(self, other):
        raise ValueError("ambiguous")

    __hash__ = object.__hash__

    def __repr__(self):
        return f"NoEq({self.text})"


def test_diff_field_by_field_in_order():
    saved = Box(kept=[1], changed=1, gone=[1])  # kept: equal, not the same object
    live = Box(kept=[1], changed=2, new="n")
    assert al.diff_snapshot(saved, live) == [
        FieldDiff("changed", "changed", 1, 2),
        FieldDiff("gone", "removed", saved=[1]),
        FieldDiff("new", "added", live="n"),
    ]


def test_diff_of_values_that_refuse_equality_compares_their_reprs():
    shared = float("nan")  # not equal to itself, but the same object
    saved = Box(same=NoEq("a"), other=NoEq("a"), nan=shared)
    live = Box(same=NoEq("a"), other=NoEq("b"), nan=shared)
    [d] = al.diff_snapshot(saved, live)
    assert (d.name, d.status, repr(d.saved), repr(d.live)) == (
        "other",
        "changed",
        "NoEq(a)",
        "NoEq(b)",
    )


class NeverBuilt(al.ActorArgs[Tally]):
    def initialize(self, ctx):
        raise RuntimeError("no state today")


def test_diff_against_an_actor_that_has_no_state_says_so(al_root):
    c = al_root.spawn(NeverBuilt())  # its construction fails: it stops with no actor
    c.stop()
    label = c.label
    with pytest.raises(al.SnapshotError) as info:
        al.diff_snapshot(Tally(1), c)
    assert str(info.value) == (
        f"actor {label} has no live state (stopped); nothing to diff against"
    )


class Differ(al.Actor):
    def __init__(self, target):
        self.target = target

    @al.handler
    def get(self, msg: GetCount) -> list:
        return al.diff_snapshot(Tally(1), self.target)  # on the runtime thread


def test_diff_from_inside_a_handler(al_root):
    c = al_root.spawn(Tally(1))
    c.ask_sync(Increment(2))
    differ = al_root.spawn(Differ(c))
    assert differ.ask_sync(GetCount()) == [FieldDiff("count", "changed", 1, 3)]
