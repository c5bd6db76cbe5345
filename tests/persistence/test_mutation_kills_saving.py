"""Tests that kill mutants of ``persistence.saving`` (``make mutation``): the errors a user reads
(not a storage, no state to save yet), the snapshot event's detail for a blocking save in a
handler, and a blocking save queued to an async-only storage (its failure logged, its task
cleaned up)."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

import pytest

import actorlab as al
from actorlab.testing import virtual_time, wait_until

from .actors import GetCount, Tally
from .helpers import AsyncOnly

LOG = "actorlab.persistence"


def test_a_storage_that_is_not_one_is_refused_with_the_fix(al_root):
    with pytest.raises(TypeError) as caught:
        al_root.spawn_persistent_sync("snapshots", al.ActorId.from_name("str"), Tally())
    assert str(caught.value) == (
        "'snapshots' is not a snapshot storage (it needs async try_read(actor_id) and "
        "try_write(actor_id, data)). Fix: pass al.FileStorage(dir), al.SQLiteStorage(file), "
        "al.MemoryStorage(), or None for the default"
    )


class Slow(al.Actor, snapshot=True):
    def __init__(self) -> None:
        self.n = 1


@dataclass
class SlowArgs(al.ActorArgs[Slow]):
    """Starts only after 10 (virtual) seconds."""

    async def initialize(self, ctx: al.Context) -> Slow:
        await asyncio.sleep(10)
        return Slow()


@pytest.fixture
def clock():
    """A fresh runtime on virtual time."""
    with virtual_time() as c:
        yield c


def test_saving_an_actor_still_starting_says_when_to_save(clock):
    root = al.root()
    ref = root.spawn_persistent_sync(al.MemoryStorage(), al.ActorId.from_name("slow"), SlowArgs())
    with pytest.raises(al.SnapshotError) as caught:
        root.save_snapshot_sync(ref)  # its initialize is still waiting: no actor yet
    assert str(caught.value) == (
        f"actor {ref.label} has no state to save right now (starting: it is starting, "
        "restarting or stopped). Fix: save from its handlers or on_start, or use "
        "autosave=al.OnStop() to save when it stops"
    )
    clock.advance(10)
    assert root.save_snapshot_sync(ref).actor_id == str(ref.id)


@dataclass
class SaveSyncTo:
    storage: Any


class Saver(al.Actor, snapshot=True):
    def __init__(self, n: int = 0) -> None:
        self.n = n

    @al.handler
    def save_sync_to(self, msg: SaveSyncTo) -> int:
        return self.ctx.save_snapshot_sync(msg.storage).size

    @al.handler
    def get(self, msg: GetCount) -> int:
        return self.n


def test_a_blocking_save_in_a_handler_records_where_it_wrote(al_root):
    store = al.MemoryStorage()
    ref = al_root.spawn_persistent_sync(al.MemoryStorage(), al.ActorId.from_name("ev"), Saver())
    size = ref.ask_sync(SaveSyncTo(store))
    [ev] = [e for e in al.events() if e.kind == "snapshot"]
    assert ev.detail == f"{size} bytes to {store!r}"


def test_a_queued_blocking_save_that_fails_is_logged_with_the_actor_and_storage(al_root, caplog):
    caplog.set_level(logging.ERROR)
    ref = al_root.spawn_persistent_sync(
        al.MemoryStorage(), al.ActorId.from_name("queued"), Saver(2)
    )
    ref.ask_sync(SaveSyncTo(AsyncOnly(fail=True)))  # queued: the handler cannot await it
    [rec] = wait_until(lambda: [r for r in caplog.records if r.name == LOG], what="the log")
    assert rec.levelno == logging.ERROR
    assert rec.getMessage() == (
        f"saving the snapshot of actor {ref.label} to AsyncOnly() failed: "
        "[Errno 28] No space left on device"
    )


def test_a_queued_blocking_save_lands_and_leaves_no_error_behind(al_root, caplog):
    caplog.set_level(logging.ERROR)
    store, aid = AsyncOnly(), al.ActorId.from_name("queued-ok")
    ref = al_root.spawn_persistent_sync(al.MemoryStorage(), aid, Saver(3))
    ref.ask_sync(SaveSyncTo(store))
    wait_until(lambda: aid in store.memory.ids(), what="the queued write")
    assert ref.ask_sync(GetCount()) == 3  # a later loop step: the write task's callbacks ran
    assert al.load_snapshot(store, aid).state.n == 3
    assert [r.getMessage() for r in caplog.records] == []
