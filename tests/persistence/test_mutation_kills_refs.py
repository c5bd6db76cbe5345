"""Tests that kill mutants of ``ref`` that need persistence (``make mutation``): a ref kept from
before a stop reaches the actor respawned with the same id."""

from __future__ import annotations

import asyncio

import pytest

import actorlab as al

from .actors import Counter, GetCount, Increment


def test_an_old_ref_of_a_respawned_actor_is_open_again_and_reaches_it(al_root):
    store = al.MemoryStorage()
    aid = al.ActorId.from_name("again")
    old = al_root.spawn_persistent_sync(store, aid, Counter(5))
    assert old.ask_sync(Increment(1)) == 6
    old.stop()
    assert old.is_closed()
    al_root.respawn_sync(store, aid)
    assert not old.is_closed()  # the same id is live again: the old ref resolves to it
    assert old.ask_sync(GetCount()) == 6
    assert old.status is not al.Status.STOPPED  # it now holds the new actor, not the stopped one


def test_an_old_ref_describes_the_respawned_actor_before_any_message(al_root):
    """Before the fix, an old ref's status, name, label and info described the stopped actor
    until a message made it look its id up again."""
    store = al.MemoryStorage()
    aid = al.ActorId.from_name("described")
    old = al_root.spawn_persistent_sync(store, aid, Counter(5), name="described")
    old.ask_sync(Increment(1))
    old.stop()
    assert old.status is al.Status.STOPPED
    new = al_root.respawn_sync(store, aid, name="again")
    new.ask_sync(GetCount())
    assert old.status is new.status and old.status is not al.Status.STOPPED
    assert old.name == "again" and old.label == "again"
    assert old.info().status is not al.Status.STOPPED and old.info().name == "again"


def test_a_stopped_unresolved_ref_names_the_actor_once(al_root):
    import pickle

    c = al_root.spawn(Counter(1))
    c.stop()
    lost = pickle.loads(pickle.dumps(c))
    with pytest.raises(al.ActorClosed) as caught:
        lost.tell(GetCount())
    text = str(caught.value)
    assert text.startswith(f"actor #{c.id} has stopped") and "actor actor" not in text


def test_an_old_ref_that_followed_a_respawn_still_describes_it_after_it_stops(al_root):
    store = al.MemoryStorage()
    aid = al.ActorId.from_name("followed")
    old = al_root.spawn_persistent_sync(store, aid, Counter(1), name="first")
    assert old.ask_sync(Increment(1)) == 2  # saved
    old.stop()
    al_root.respawn_sync(store, aid, name="second")
    old.tell(Increment(1))  # the old ref follows the respawned actor
    assert old.ask_sync(GetCount()) == 3
    old.stop()
    assert old.label == "second" and old.actor_type is Counter


@pytest.mark.parametrize("how", ["stop", "stop_async"])
def test_a_ref_kept_from_before_a_respawn_stops_the_respawned_actor(al_root, how):
    """Before the fix, stop() through a ref still holding the stopped cell returned at once and
    the respawned actor kept running."""
    store = al.MemoryStorage()
    aid = al.ActorId.from_name(f"stopped-again-{how}")
    old = al_root.spawn_persistent_sync(store, aid, Counter(1))
    assert old.ask_sync(Increment(1)) == 2  # saved
    old.stop()
    new = al_root.respawn_sync(store, aid)
    if how == "stop":
        old.stop()
    else:
        asyncio.run(old.stop_async())  # from a cell's own event loop
    assert new.status is al.Status.STOPPED and old.is_closed()
