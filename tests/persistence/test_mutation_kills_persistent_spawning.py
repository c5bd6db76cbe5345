"""Tests that kill mutants of ``persistence.spawning`` (``make mutation``): the errors a user
reads (spawn args that are not an actor, an async-only storage inside an actor, a snapshot that
is not an actor's), what a decode error names, the class ``respawn_or`` expects from its
``default_args`` (without calling it), and the storage a respawned actor saves to."""

from __future__ import annotations

import functools
import logging

import pytest

import actorlab as al
from actorlab.persistence import codec

from .actors import Counter, GetCount, Increment, Other, Tally
from .helpers import AsyncOnly

LOG = "actorlab.persistence"


def saved_tally(root, store, aid, count):
    ref = root.spawn_persistent_sync(store, aid, Tally(count))
    root.save_snapshot_sync(ref)
    ref.stop()


def test_spawn_persistent_of_something_not_an_actor_says_what_to_pass(al_root):
    with pytest.raises(TypeError) as caught:
        al_root.spawn_persistent_sync(al.MemoryStorage(), al.ActorId.from_name("n"), 42)
    assert str(caught.value) == (
        "spawn_persistent() needs an al.Actor instance or al.ActorArgs, got 42. "
        "Fix: pass an instance of a class declared with snapshot=True"
    )


def test_load_snapshot_reads_an_async_only_storage_from_a_thread(al_root):
    store, aid = AsyncOnly(), al.ActorId.from_name("async-only")
    saved_tally(al_root, store, aid, 6)
    assert al.load_snapshot(store, aid).state.count == 6
    assert store.read_ids == [aid]
    assert al_root.respawn_sync(store, aid).ask_sync(GetCount()) == 6


class Loader(al.Actor):
    """Loads a snapshot, blocking, from inside a handler."""

    @al.handler
    def load_here(self, msg: AsyncOnly) -> str:
        try:
            al.load_snapshot(msg, al.ActorId.from_name("inside"))
        except al.WrongThread as exc:
            return str(exc)
        return "loaded"


def test_a_blocking_read_inside_an_actor_refuses_an_async_only_storage(al_root):
    text = al_root.spawn(Loader()).ask_sync(AsyncOnly())
    assert text == (
        "AsyncOnly() only has async methods, and a _sync call inside an actor cannot wait for "
        "them without blocking the runtime. Fix: use the async form with await"
    )


def test_a_snapshot_that_is_not_one_names_the_id_and_the_storage(al_root, caplog):
    store, aid = al.MemoryStorage(), al.ActorId.from_name("garbage")
    store.write(aid, b"garbage!" * 8)
    who = f"snapshot of actor id {aid}, {store!r}: not an actorlab snapshot"
    with pytest.raises(al.SnapshotError) as caught:
        al_root.respawn_sync(store, aid)
    assert str(caught.value).startswith(who)
    ref = al_root.respawn_or_sync(store, aid, None, Tally(100))
    assert ref.ask_sync(GetCount()) == 100
    [rec] = [r for r in caplog.records if r.name == LOG]
    assert rec.getMessage().startswith(
        f"respawn_or: failed to decode the snapshot of Tally({aid}): {who}"
    )


def test_a_snapshot_stored_under_another_id_is_refused(al_root):
    store, aid, stray = al.MemoryStorage(), al.ActorId.from_name("one"), al.ActorId.from_name("two")
    saved_tally(al_root, store, aid, 1)
    store.write(stray, store.read(aid))
    with pytest.raises(al.SnapshotError, match=f"the data stored under actor id {stray} is the"):
        al_root.respawn_sync(store, stray)


class NotAnActor:
    def __init__(self) -> None:
        self.x = 1


def test_a_snapshot_of_something_else_than_an_actor_is_refused(al_root):
    store, aid = al.MemoryStorage(), al.ActorId.from_name("not-an-actor")
    data = codec.dump_snapshot(NotAnActor, NotAnActor(), actor_id=aid, actor_path=None, label="x")
    store.write(aid, data)
    with pytest.raises(al.SnapshotError) as caught:
        al_root.respawn_sync(store, aid)
    assert (
        f"it holds a {__name__}.NotAnActor, not an al.Actor. Fix: respawn it with the matching "
        "class, or use another actor id"
    ) in str(caught.value)


class Recorded(al.Actor, snapshot=True):
    """Records each time it is built by calling its class (unpickling does not call it)."""

    def __init__(self, calls: list[str] | None = None, count: int = 0) -> None:
        if calls is not None:
            calls.append("built")
        self.count = count

    @al.handler
    def get(self, msg: GetCount) -> int:
        return self.count


def make_recorded(calls: list[str]) -> Recorded:
    return Recorded(calls, -1)


def make_unhinted(calls: list[str]) -> NotDefinedAnywhere:  # noqa: F821
    return Recorded(calls, -1)


class MakeRecorded:
    """A callable object as default_args (its type is learnt by calling it)."""

    def __init__(self, calls: list[str]) -> None:
        self.calls = calls

    def __call__(self) -> Recorded:
        return Recorded(self.calls, -1)


@pytest.mark.parametrize(
    "factory",
    [
        lambda calls: functools.partial(Recorded, calls, -1),
        lambda calls: functools.partial(make_recorded, calls),
        lambda calls: functools.partial(make_unhinted, calls),
    ],
    ids=["partial of the class", "partial of an annotated function", "unresolvable annotation"],
)
def test_respawn_or_learns_the_class_of_a_partial_default_without_calling_it(al_root, factory):
    store, aid = al.MemoryStorage(), al.ActorId.from_name("partial")
    ref = al_root.spawn_persistent_sync(store, aid, Recorded(None, 8))
    al_root.save_snapshot_sync(ref)
    ref.stop()
    calls: list[str] = []
    again = al_root.respawn_or_sync(store, aid, None, factory(calls))
    assert again.ask_sync(GetCount()) == 8 and calls == []


def test_respawn_or_calls_a_callable_object_default_once_to_learn_its_class(al_root):
    store, aid = al.MemoryStorage(), al.ActorId.from_name("callable-object")
    ref = al_root.spawn_persistent_sync(store, aid, Recorded(None, 8))
    al_root.save_snapshot_sync(ref)
    ref.stop()
    calls: list[str] = []
    again = al_root.respawn_or_sync(store, aid, None, MakeRecorded(calls))
    assert again.ask_sync(GetCount()) == 8 and calls == ["built"]


def test_actor_type_wins_over_the_class_a_default_factory_names(al_root, caplog):
    """With ``actor_type=`` the factory is neither inspected nor called unless it is used."""
    store, aid = al.MemoryStorage(), al.ActorId.from_name("typed-factory")
    saved_tally(al_root, store, aid, 5)
    ref = al_root.respawn_or_sync(store, aid, None, lambda: Tally(100), actor_type=Other)
    assert ref.ask_sync(GetCount()) == 100  # the Tally snapshot is not an Other
    [rec] = [r for r in caplog.records if r.name == LOG]
    assert rec.getMessage().startswith(
        f"respawn_or: failed to decode the snapshot of Other({aid}): "
    )


def test_actor_type_spares_an_opaque_default_factory_the_call(al_root):
    store, aid = al.MemoryStorage(), al.ActorId.from_name("typed-opaque")
    ref = al_root.spawn_persistent_sync(store, aid, Recorded(None, 8))
    al_root.save_snapshot_sync(ref)
    ref.stop()
    calls: list[str] = []
    again = al_root.respawn_or_sync(store, aid, None, MakeRecorded(calls), actor_type=Recorded)
    assert again.ask_sync(GetCount()) == 8 and calls == []


def test_a_default_of_unknown_class_is_logged_as_an_actor(al_root, caplog):
    caplog.set_level(logging.DEBUG, logger=LOG)
    aid = al.ActorId.from_name("unknown-default")
    with pytest.raises(TypeError, match="needs an al.Actor instance or al.ActorArgs, got 42"):
        al_root.respawn_or_sync(al.MemoryStorage(), aid, None, 42)
    [rec] = [r for r in caplog.records if r.name == LOG]
    assert rec.getMessage().startswith(f"respawn_or: failed to read the snapshot of actor({aid}) ")


@pytest.mark.parametrize("form", ["respawn_sync", "respawn_or_sync"])
def test_a_respawned_actor_saves_to_the_storage_it_came_from(al_root, tmp_path, monkeypatch, form):
    monkeypatch.chdir(tmp_path)  # the default storage, were it used, is under here
    store, aid = al.MemoryStorage(), al.ActorId.from_name("saves-home")
    c = al_root.spawn_persistent_sync(store, aid, Counter(1))
    assert c.ask_sync(Increment(1)) == 2  # Counter saves to its storage on every increment
    c.stop()
    if form == "respawn_sync":
        again = al_root.respawn_sync(store, aid)
    else:
        again = al_root.respawn_or_sync(store, aid, None, Counter(0))
    assert again.ask_sync(Increment(1)) == 3
    assert al.load_snapshot(store, aid).state.count == 3
    assert al.snapshots(al.default_storage()) == []
