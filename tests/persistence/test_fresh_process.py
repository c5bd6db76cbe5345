"""Save in one Python process, respawn in a fresh one, with the actor class defined in
``__main__`` (as in a notebook): with the definitions gone, and with edited definitions."""

from __future__ import annotations

import pytest

from .helpers import run_script

SAVER = """
from dataclasses import dataclass
import actorlab as al

SCALE = 2

@dataclass
class Add:
    n: int

@dataclass
class Get:
    pass

def scaled(n):
    return n * SCALE

class Counter(al.Actor, snapshot=True):
    def __init__(self, value=0):
        self.value = value
        self.history = []
        self.rule = lambda v: v + 1000      # a lambda in the state

    @al.handler
    async def add(self, msg: Add) -> int:
        self.value += scaled(msg.n)
        self.history.append(msg)
        await self.ctx.save_snapshot()
        return self.value

    @al.handler
    def get(self, msg: Get) -> int:
        return self.rule(self.value)

store = al.FileStorage("snaps")
c = al.root().spawn_persistent_sync(store, al.ActorId.from_name("counter"), Counter(1))
print(c.ask_sync(Add(3)), c.ask_sync(Get()))
al.shutdown()
"""


@pytest.fixture
def saved(tmp_path):
    assert run_script(tmp_path, SAVER, name="saver.py").split() == ["7", "1007"]
    return tmp_path


def test_respawn_in_a_fresh_process_without_the_definitions(saved):
    out = run_script(
        saved,
        """
        import actorlab as al
        store = al.FileStorage("snaps")
        aid = al.ActorId.from_name("counter")
        [entry] = al.snapshots(store)
        print(entry.header.contains_code, entry.actor_class)
        c = al.root().respawn_sync(store, aid)
        Add = type(al.load_snapshot(store, aid).state.history[0])  # the saved message class
        print(c.actor_type.__name__, c.ask_sync(Add(1)))   # the saved handler, SCALE = 2
        c.stop()
        c = al.root().respawn_sync(store, aid)
        print(c.ask_sync(Add(1)))
        al.shutdown()
        """,
        name="fresh.py",
    )
    assert out.splitlines() == ["True __main__.Counter", "Counter 9", "11"]


def test_respawn_uses_the_current_definitions_after_a_restart(saved):
    """The kernel restarted, the cells were edited and re-run: the edited handler runs on the
    saved state, and messages built from the new cells match."""
    out = run_script(
        saved,
        """
        from dataclasses import dataclass
        import actorlab as al

        @dataclass
        class Add:
            n: int

        @dataclass
        class Get:
            pass

        class Counter(al.Actor, snapshot=True):
            def __init__(self, value=0):
                self.value = value

            @al.handler
            def add(self, msg: Add) -> int:
                self.value += 100 * msg.n
                return self.value

            @al.handler
            def get(self, msg: Get) -> int:
                return self.value

        store = al.FileStorage("snaps")
        aid = al.ActorId.from_name("counter")
        c = al.root().respawn_or_sync(store, aid, None, lambda: Counter(-1))
        print(c.actor_type is Counter, c.ask_sync(Get()), c.ask_sync(Add(1)))
        state = al.load_snapshot(store, aid).state
        print(type(state) is Counter, type(state.history[0]) is Add, state.rule(0))
        al.shutdown()
        """,
        name="edited.py",
    )
    assert out.splitlines() == ["True 7 107", "True True 1000"]


def test_fallback_class_with_string_annotations(tmp_path):
    """A cell with ``from __future__ import annotations``: handler annotations are strings,
    resolved against the by-value copy's own globals when the definitions are gone."""
    run_script(
        tmp_path,
        "from __future__ import annotations\n" + SAVER,
        name="saver.py",
    )
    out = run_script(
        tmp_path,
        """
        import actorlab as al
        store = al.FileStorage("snaps")
        aid = al.ActorId.from_name("counter")
        c = al.root().respawn_sync(store, aid)
        Get = [t for t in c.actor_type.accepted_types() if t.__name__ == "Get"][0]
        print(c.ask_sync(Get()))
        al.shutdown()
        """,
        name="fresh.py",
    )
    assert out.split() == ["1007"]


SNAP_T_SAVER = """
import warnings
from dataclasses import dataclass
import dill
import actorlab as al

warnings.simplefilter("error", dill.PicklingWarning)  # no "recursive self-references" fallback


@dataclass
class TSnap(al.ActorArgs):
    value: int

    @classmethod
    def from_actor(cls, actor):
        return cls(actor.value)

    def initialize(self, ctx) -> "Counter":
        return Counter(self.value)


class Counter(al.Actor, snapshot=TSnap):
    def __init__(self, value=0):
        self.value = value

    @al.handler
    def add(self, n: int) -> int:
        self.value += n
        return self.value


store = al.FileStorage("snaps")
c = al.root().spawn_persistent_sync(store, al.ActorId.from_name("t"), TSnap(1))
print(c.ask_sync(5))
al.root().save_snapshot_sync(c)
al.shutdown()
"""

SNAP_T_RESPAWN = """
import warnings
import dill
import actorlab as al

warnings.simplefilter("error", dill.PicklingWarning)
store = al.FileStorage("snaps")
aid = al.ActorId.from_name("t")
c = al.root().respawn_sync(store, aid)
snap = al.load_snapshot(store, aid).state
print(type(snap).__name__, isinstance(snap, al.ActorArgs), c.actor_type.__name__, c.ask_sync(10))
al.root().save_snapshot_sync(c)   # the respawned copy saves again
al.shutdown()
"""


def test_snapshot_type_defined_in_main_respawns_in_a_fresh_process(tmp_path):
    """``snapshot=T`` with T and the actor in ``__main__`` referring to each other: saved by
    value, respawned (twice) in processes that never defined them."""
    assert run_script(tmp_path, SNAP_T_SAVER, name="saver.py").split() == ["6"]
    out = run_script(tmp_path, SNAP_T_RESPAWN, name="fresh.py")
    assert out.split() == ["TSnap", "True", "Counter", "16"]
    out = run_script(tmp_path, SNAP_T_RESPAWN, name="fresh_again.py")
    assert out.split() == ["TSnap", "True", "Counter", "26"]
