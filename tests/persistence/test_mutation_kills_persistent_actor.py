"""Tests that kill mutants of ``persistence.actor`` (``make mutation``): ``PersistentActor``'s
default ``persistent_args``, what ``al.snapshot_of`` leaves out, a snapshot type the actor is an
instance of, and the errors a user reads (a bad ``snapshot=`` flag, a class that is not
persistent, ``persistent_args`` returning something that cannot be spawned)."""

from __future__ import annotations

from typing import Any

import pytest

import actorlab as al

from .actors import Connection, GetCount, Plain


class Notes(al.PersistentActor):
    """A PersistentActor that keeps the default persistent_args (no runtime args)."""

    def __init__(self, text: str) -> None:
        self.text = text

    @al.handler
    def get(self, msg: GetCount) -> str:
        return self.text


def saved(root, store, name, actor) -> al.ActorId:
    aid = al.ActorId.from_name(name)
    ref = root.spawn_persistent_sync(store, aid, actor)
    root.save_snapshot_sync(ref)
    ref.stop()
    return aid


def test_a_persistent_actor_with_the_default_persistent_args_comes_back(al_root):
    store = al.MemoryStorage()
    aid = saved(al_root, store, "notes", Notes("kept"))
    assert al_root.respawn_sync(store, aid).ask_sync(GetCount()) == "kept"


def test_the_default_persistent_args_refuse_runtime_args_with_the_fix(al_root):
    store = al.MemoryStorage()
    aid = saved(al_root, store, "notes-args", Notes("kept"))
    with pytest.raises(TypeError) as caught:
        al_root.respawn_sync(store, aid, runtime_args="conn")
    assert str(caught.value) == (
        "Notes takes no runtime args (RuntimeArgs is None), got 'conn'. Fix: pass "
        "runtime_args=None, or subclass al.PersistentActor and override "
        "persistent_args(snapshot, runtime_args) to combine them"
    )


class Link(al.Actor, snapshot=True):
    __snapshot_exclude__ = ("conn",)

    def __init__(self, conn: Connection | None) -> None:
        self.conn = conn
        self.rows = [1]


def test_snapshot_of_leaves_the_excluded_attributes_out_and_the_actor_alone():
    conn = Connection("db")
    actor = Link(conn)
    snap = al.snapshot_of(actor)
    assert type(snap) is Link and snap.conn is None and snap.rows == [1]
    assert actor.conn is conn  # a copy was blanked, not the actor


class Base(al.PersistentActor):
    def __init__(self) -> None:
        self.x = 1


class Derived(Base):
    """Saved as its base class, which it is an instance of: the snapshot is a copy of it."""

    Snapshot = Base

    def __init__(self) -> None:
        super().__init__()
        self.y = 2


def test_a_snapshot_type_the_actor_is_an_instance_of_is_a_copy_of_it():
    actor = Derived()
    snap = al.snapshot_of(actor)
    assert snap is not actor and type(snap) is Derived and (snap.x, snap.y) == (1, 2)


class BadFlag(al.Actor, snapshot="yes"):
    pass


def test_a_bad_snapshot_flag_says_what_it_must_be(al_root):
    with pytest.raises(TypeError) as caught:
        al_root.spawn_persistent_sync(al.MemoryStorage(), al.ActorId.from_name("bad"), BadFlag())
    assert str(caught.value) == (
        "class BadFlag(al.Actor, snapshot='yes'): snapshot must be True or a type. Fix: "
        "snapshot=True (the actor is its own snapshot) or snapshot=MySnapshot"
    )


def test_a_class_that_is_not_persistent_says_how_to_make_it_so(al_root):
    with pytest.raises(TypeError) as caught:
        al_root.spawn_persistent_sync(al.MemoryStorage(), al.ActorId.from_name("plain"), Plain())
    assert str(caught.value) == (
        "Plain is not persistent, so it has no snapshot. Fix: declare class Plain(al.Actor, "
        "snapshot=True) (the actor is its own snapshot), or subclass al.PersistentActor"
    )


class Returns(al.PersistentActor):
    """persistent_args returns whatever the runtime args say."""

    def __init__(self) -> None:
        self.x = 1

    @classmethod
    def persistent_args(cls, snapshot: Any, runtime_args: Any) -> Any:
        return runtime_args


def test_persistent_args_returning_another_actor_class_is_refused(al_root):
    store = al.MemoryStorage()
    aid = saved(al_root, store, "returns-actor", Returns())
    with pytest.raises(TypeError) as caught:
        al_root.respawn_sync(store, aid, runtime_args=Plain())
    assert str(caught.value) == "Returns.persistent_args() returned a Plain, not a Returns"


def test_persistent_args_returning_what_cannot_be_spawned_is_refused(al_root):
    store = al.MemoryStorage()
    aid = saved(al_root, store, "returns-int", Returns())
    with pytest.raises(TypeError) as caught:
        al_root.respawn_sync(store, aid, runtime_args=42)
    assert str(caught.value) == (
        "Returns.persistent_args() returned 42, which cannot be spawned. "
        "Fix: return an actor instance or an al.ActorArgs"
    )


class NotAnActor:
    def __init__(self) -> None:
        self.x = 1


def test_snapshot_of_something_that_is_not_an_actor_says_it_is_not_persistent():
    with pytest.raises(TypeError) as caught:
        al.snapshot_of(NotAnActor())
    assert str(caught.value).startswith("NotAnActor is not persistent, so it has no snapshot.")
