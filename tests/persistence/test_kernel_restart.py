"""Across a real ipykernel restart (nbclient): classes defined in notebook cells come back."""

from __future__ import annotations

import pytest

pytest.importorskip("nbclient")
pytestmark = pytest.mark.kernel

CELLS = """
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
        self.value += {step} * msg.n
        return self.value

    @al.handler
    def get(self, msg: Get) -> int:
        return self.value

store = al.FileStorage("snaps")
aid = al.ActorId.from_name("counter")
"""


def _out(result):
    assert not result.errors, result.errors
    return result.stdout.split()


def test_respawn_after_a_kernel_restart(kernel_session):
    k = kernel_session
    _out(k.run(CELLS.format(step=1)))
    assert _out(
        k.run(
            "c = await al.root().respawn_or(store, aid, None, lambda: Counter(10),"
            " autosave=al.OnStop())\n"
            "print(await c.ask(Add(5)))\n"
            "await c.stop_async()"
        )
    ) == ["15"]
    k.restart()
    # the class cell is NOT re-run: the by-value copy from the snapshot is used
    assert _out(
        k.run(
            "import actorlab as al\n"
            "store, aid = al.FileStorage('snaps'), al.ActorId.from_name('counter')\n"
            "c = al.root().respawn_sync(store, aid)\n"
            "Add = [t for t in c.actor_type.accepted_types() if t.__name__ == 'Add'][0]\n"
            "print(c.actor_type.__module__, c.ask_sync(Add(1)))\n"
            "c.stop()"
        )
    ) == ["__main__", "16"]
    k.restart()
    # the cells are edited and re-run: the current definitions win, with the saved state
    _out(k.run(CELLS.format(step=100)))
    assert _out(
        k.run(
            "c = al.root().respawn_sync(store, aid)\n"
            "print(c.actor_type is Counter, c.ask_sync(Get()), c.ask_sync(Add(1)))"
        )
    ) == ["True", "15", "115"]
