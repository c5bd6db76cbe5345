"""An actor class with ``__slots__`` keeps its slot values in a snapshot and in the copies a
spawn and a restart start from (``Actor.__getstate__`` gives pickle's ``(fields, slots)``)."""

from __future__ import annotations

from dataclasses import dataclass

import actorlab as al


@dataclass
class Bump:
    n: int


@dataclass
class Read:
    pass


class Slotted(al.Actor, snapshot=True):
    __slots__ = ("count", "__secret")

    def __init__(self, count: int = 0) -> None:
        self.count = count
        self.__secret = "kept"
        self.label = "in the dict"

    @al.handler
    async def bump(self, msg: Bump) -> int:
        self.count += msg.n
        await self.ctx.save_snapshot()
        return self.count

    @al.handler
    def read(self, msg: Read) -> tuple:
        return self.count, self.__secret, self.label


def test_a_slotted_actor_s_snapshot_keeps_its_slots(al_root):
    store = al.MemoryStorage()
    aid = al.ActorId.from_name("slotted")
    ref = al_root.spawn_persistent_sync(store, aid, Slotted(2))
    assert ref.ask_sync(Read()) == (2, "kept", "in the dict")
    assert ref.ask_sync(Bump(3)) == 5
    ref.stop()
    again = al_root.respawn_sync(store, aid)
    assert again.ask_sync(Read()) == (5, "kept", "in the dict")


def test_a_slotted_actor_restarts_from_its_spawn_args(al_root):
    ref = al_root.spawn(Slotted(1))
    assert ref.ask_sync(Bump(4)) == 5
    ref.restart()
    assert ref.ask_sync(Read()) == (1, "kept", "in the dict")
