"""Autosave policies: every N messages, every S seconds (if something changed), on stop."""

from __future__ import annotations

import logging

import pytest

import actorlab as al
from actorlab.testing import wait_idle, wait_until

from .actors import Connect, Crash, GetCount, Increment, Tally

LOG = "actorlab.persistence"


@pytest.fixture
def store():
    return al.MemoryStorage()


def saved_count(store, aid):
    return al.load_snapshot(store, aid).state.count


def test_every_n_messages(al_root, store):
    aid = al.ActorId.from_name("every3")
    ref = al_root.spawn_persistent_sync(store, aid, Tally(), autosave=al.Every(messages=3))
    for _ in range(2):
        ref.tell(Increment(1))
    wait_idle()  # MemoryStorage: a save completes within the loop step of its message
    assert store.ids() == []
    ref.tell(Increment(1))
    wait_idle()
    assert saved_count(store, aid) == 3
    for _ in range(2):
        ref.tell(Increment(1))
    wait_idle()
    assert saved_count(store, aid) == 3
    ref.tell(Increment(1))
    wait_idle()
    assert saved_count(store, aid) == 6
    assert len([e for e in al.events() if e.kind == "snapshot"]) == 2


def test_on_stop(al_root, store):
    aid = al.ActorId.from_name("onstop")
    ref = al_root.spawn_persistent_sync(store, aid, Tally(), autosave=al.OnStop())
    ref.ask_sync(Increment(7))
    assert store.ids() == []
    ref.stop()
    assert saved_count(store, aid) == 7
    assert al_root.respawn_sync(store, aid).ask_sync(GetCount()) == 7


def test_on_stop_at_shutdown(al_root, store):
    aid = al.ActorId.from_name("shutdown")
    al_root.spawn_persistent_sync(store, aid, Tally(), autosave=al.OnStop()).ask_sync(Increment(2))
    al.shutdown()
    assert saved_count(store, aid) == 2


def test_on_stop_skips_a_stop_after_a_failure(al_root, store):
    aid = al.ActorId.from_name("failed")
    ref = al_root.spawn_persistent_sync(store, aid, Tally(), autosave=al.OnStop())
    ref.ask_sync(Increment(1))
    with pytest.raises(al.HandlerError):
        ref.ask_sync(Crash())  # top-level failure: the root stops it
    wait_until(ref.is_closed, what="the failed actor to stop")
    assert store.ids() == []  # the half-updated state (1001) was not saved


def test_every_seconds_saves_only_when_something_changed(al_root, store):
    aid = al.ActorId.from_name("timer")
    ref = al_root.spawn_persistent_sync(store, aid, Tally(), autosave=al.Every(seconds=0.02))
    wait_until(lambda: aid in store, what="the first timed autosave")
    ref.ask_sync(Increment(5))
    wait_until(lambda: saved_count(store, aid) == 5, what="the timed autosave after a change")
    first = [e for e in al.events() if e.kind == "snapshot"]
    # idle: several periods pass without another save
    wait_until(lambda: ref.info().age > 0.2, what="a few timer periods")
    assert [e for e in al.events() if e.kind == "snapshot"] == first
    ref.stop()


def test_combined_policies(al_root, store):
    aid = al.ActorId.from_name("combined")
    ref = al_root.spawn_persistent_sync(
        store, aid, Tally(), autosave=(al.Every(messages=10), al.OnStop())
    )
    ref.ask_sync(Increment(3))
    assert store.ids() == []
    ref.stop()
    assert saved_count(store, aid) == 3


def test_failed_autosave_is_logged_once_and_the_actor_keeps_working(al_root, store, caplog):
    caplog.set_level(logging.ERROR, logger=LOG)
    aid = al.ActorId.from_name("unpicklable")
    ref = al_root.spawn_persistent_sync(store, aid, Tally(), autosave=al.Every(messages=1))
    ref.tell(Increment(1))
    ref.ask_sync(Connect())  # now holds a socket
    for _ in range(3):
        ref.ask_sync(Increment(1))
    assert ref.ask_sync(GetCount()) == 4
    wait_idle()
    errors = [r.getMessage() for r in caplog.records if r.name == LOG]
    assert len(errors) == 1
    assert errors[0].startswith(f"autosave of actor Tally#{aid.short} to {store!r} failed: ")
    assert "cannot snapshot Tally.sock: socket" in errors[0] and "__snapshot_exclude__" in errors[0]
    assert saved_count(store, aid) == 1  # the last good autosave (before Connect)
    al.root().runtime.call(lambda: ref._live().actor.sock.close())


@pytest.mark.parametrize(
    ("policy", "match"),
    [
        (lambda: al.Every(), "needs messages=N and/or seconds=S"),
        (lambda: al.Every(messages=0), "an int >= 1"),
        (lambda: al.Every(seconds=-1), "positive number"),
    ],
)
def test_bad_policies_are_refused(policy, match):
    with pytest.raises(ValueError, match=match):
        policy()


def test_unknown_policy_object_is_refused(al_root, store):
    with pytest.raises(TypeError, match=r"expected al.Every\(messages=N\)"):
        al_root.spawn_persistent_sync(store, al.ActorId.from_name("x"), Tally(), autosave="stop")
