"""Tests that kill mutants of ``ref`` that need persistence (``make mutation``): a ref kept from
before a stop reaches the actor respawned with the same id."""

from __future__ import annotations

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
