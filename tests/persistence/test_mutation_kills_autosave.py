"""Tests that kill mutants of ``persistence.autosave`` (``make mutation``): the timed policy on
virtual time (a save due mid-handler happens right after it, an idle period does not end the
timer, an actor still starting is not saved), the policies' error texts, and what a failed
autosave logs."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

import pytest

import actorlab as al
from actorlab.testing import virtual_time

from .actors import Connect, GetCount, Increment, Tally

LOG = "actorlab.persistence"


@pytest.fixture
def clock():
    """A fresh runtime on virtual time."""
    with virtual_time() as c:
        yield c


@dataclass
class Work:
    seconds: float


class Worker(al.Actor, snapshot=True):
    def __init__(self, count: int = 0) -> None:
        self.count = count

    @al.handler
    def increment(self, msg: Increment) -> int:
        self.count += msg.amount
        return self.count

    @al.handler
    async def work(self, msg: Work) -> None:
        await asyncio.sleep(msg.seconds)


def saved(store, aid):
    return al.load_snapshot(store, aid).state.count if aid in store.ids() else None


def test_a_timed_save_due_mid_handler_happens_right_after_it(clock):
    store, aid = al.MemoryStorage(), al.ActorId.from_name("due")
    ref = al.root().spawn_persistent_sync(store, aid, Worker(), autosave=al.Every(seconds=1))
    ref.tell(Increment(1))
    ref.tell(Work(1.5))  # from t=0 to t=1.5: the tick at t=1 finds it mid-handler
    clock.advance(1.2)
    assert saved(store, aid) is None  # due, not done
    clock.advance(0.4)  # t=1.6: the Work ended at t=1.5, and the save followed it at once
    assert saved(store, aid) == 1
    ref.tell(Increment(1))
    clock.advance(0.5)  # t=2.1: the timer goes on, the tick at t=2 saved the change
    assert saved(store, aid) == 2


def test_an_idle_period_does_not_end_the_timed_saves(clock):
    store, aid = al.MemoryStorage(), al.ActorId.from_name("idle")
    ref = al.root().spawn_persistent_sync(store, aid, Worker(), autosave=al.Every(seconds=1))
    ref.tell(Increment(1))
    clock.advance(1.5)
    assert saved(store, aid) == 1
    clock.advance(2)  # ticks at t=2 and t=3 find nothing changed
    ref.tell(Increment(1))
    clock.advance(1)  # the tick at t=4 saves it
    assert saved(store, aid) == 2


class Late(al.Actor, snapshot=True):
    def __init__(self) -> None:
        self.count = 5

    @al.handler
    def get(self, msg: GetCount) -> int:
        return self.count


@dataclass
class LateArgs(al.ActorArgs[Late]):
    async def initialize(self, ctx: al.Context) -> Late:
        await asyncio.sleep(2.5)
        return Late()


def test_a_timed_save_skips_an_actor_still_starting(clock, caplog):
    caplog.set_level(logging.DEBUG, logger=LOG)
    store, aid = al.MemoryStorage(), al.ActorId.from_name("late")
    al.root().spawn_persistent_sync(store, aid, LateArgs(), autosave=al.Every(seconds=1))
    clock.advance(2)  # ticks at t=1 and t=2: no actor yet, nothing to save or to complain about
    assert store.ids() == [] and [r.getMessage() for r in caplog.records if r.name == LOG] == []
    clock.advance(1)  # started at t=2.5; the tick at t=3 saves it
    assert saved(store, aid) == 5


def test_every_needs_messages_or_seconds():
    with pytest.raises(ValueError) as caught:
        al.Every()
    assert str(caught.value) == "al.Every() needs messages=N and/or seconds=S"


def test_every_zero_seconds_is_refused():
    with pytest.raises(ValueError) as caught:
        al.Every(seconds=0)
    assert str(caught.value) == "al.Every(seconds=...) needs a positive number, got 0"


def test_an_unknown_policy_names_the_ones_there_are(al_root):
    with pytest.raises(TypeError) as caught:
        al_root.spawn_persistent_sync(
            al.MemoryStorage(), al.ActorId.from_name("x"), Tally(), autosave=(al.OnStop(), "x")
        )
    assert str(caught.value) == (
        "autosave=(OnStop(), 'x'): expected al.Every(messages=N), al.Every(seconds=S), "
        "al.OnStop(), or a tuple of them"
    )


def test_a_failed_autosave_logs_the_kind_of_error(al_root, caplog):
    caplog.set_level(logging.ERROR, logger=LOG)
    store, aid = al.MemoryStorage(), al.ActorId.from_name("kind")
    ref = al_root.spawn_persistent_sync(store, aid, Tally(), autosave=al.OnStop())
    ref.ask_sync(Connect())  # now holds a socket
    sock = al_root.runtime.call(lambda: ref._live().actor.sock)
    ref.stop()
    sock.close()
    [rec] = [r for r in caplog.records if r.name == LOG]
    assert rec.getMessage().startswith(
        f"autosave of actor {ref.label} to {store!r} failed: NotPicklable: "
    )
