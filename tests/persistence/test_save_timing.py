"""``save_snapshot`` captures the state when it is called, not when it is first awaited, and
writes land in call order (issue 10, item 11)."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import actorlab as al
from actorlab.persistence.format import SnapshotHeader


@dataclass
class SaveThenChange:
    pass


@dataclass
class TwoSavesAwaitedBackwards:
    pass


@dataclass
class Get:
    pass


class Counter(al.Actor, snapshot=True):
    def __init__(self, count: int = 0) -> None:
        self.count = count

    @al.handler
    async def save_then_change(self, msg: SaveThenChange) -> int:
        pending = self.ctx.save_snapshot()
        self.count = -1
        header = await pending
        assert isinstance(header, SnapshotHeader)
        return self.count

    @al.handler
    async def backwards(self, msg: TwoSavesAwaitedBackwards) -> None:
        first = self.ctx.save_snapshot()
        self.count = 2
        second = self.ctx.save_snapshot()
        self.count = 3
        await second
        await first

    @al.handler
    def get(self, msg: Get) -> int:
        return self.count


@dataclass
class Change:
    count: int


class Holder(al.Actor, snapshot=True):
    def __init__(self, count: object = 0) -> None:
        self.count = count

    @al.handler
    def change(self, msg: Change) -> None:
        self.count = msg.count

    @al.handler
    def get(self, msg: Get) -> object:
        return self.count

    @al.handler
    async def save_unpicklable(self, msg: SaveThenChange) -> str:
        self.count = (x for x in ())  # a generator cannot be pickled
        try:
            pending = self.ctx.save_snapshot()
        except al.NotPicklable:
            return "raised at the call"
        await pending
        return "raised later"


AID = al.ActorId.from_name("timing")


def saved_count(store: al.MemoryStorage) -> int:
    return al.load_snapshot(store, AID).state.count


def test_state_is_captured_when_save_snapshot_is_called(al_root):
    store = al.MemoryStorage()
    c = al_root.spawn_persistent_sync(store, AID, Counter(7))
    assert c.ask_sync(SaveThenChange()) == -1
    assert saved_count(store) == 7  # not -1: captured at the call, not at the await


def test_writes_land_in_call_order_whatever_the_await_order(al_root):
    store = al.MemoryStorage()
    c = al_root.spawn_persistent_sync(store, AID, Counter(1))
    c.ask_sync(TwoSavesAwaitedBackwards())
    assert saved_count(store) == 2  # the later call's state, written last


def test_capture_errors_raise_at_the_call(al_root):
    store = al.MemoryStorage()
    h = al_root.spawn_persistent_sync(store, AID, Holder())
    assert h.ask_sync(SaveThenChange()) == "raised at the call"


def test_root_save_from_a_cell_is_captured_at_the_call(al_root):
    """``root.save_snapshot(ref)`` from a cell (another thread): handed to the runtime loop at
    the call, so a message told after the call but before the await is not in the snapshot."""
    store = al.MemoryStorage()
    h = al_root.spawn_persistent_sync(store, AID, Holder(1))
    assert h.ask_sync(Get()) == 1
    pending = al_root.save_snapshot(h)
    h.tell(Change(2))
    assert h.ask_sync(Get()) == 2

    async def cell() -> SnapshotHeader:
        return await pending

    assert isinstance(asyncio.run(cell()), SnapshotHeader)
    assert saved_count(store) == 1
