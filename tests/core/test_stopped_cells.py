"""A stopped actor is no reference cycle: refcounting frees it, not the garbage collector.

``lifecycle.close`` lets go of what points back at the cell (its ref, ``Context``, contextvars
context and the instance, whose ``_al_cell`` points at the cell), so thousands of short-lived
actors cost the collector nothing once stopped. What a stopped actor's ref answers is unchanged.
"""

from __future__ import annotations

import asyncio
import gc
import weakref
from typing import Any

import pytest

import actorlab as al
from actorlab.errors import ActorClosed
from actorlab.runtime import get_runtime


class Quitter(al.Actor):
    """Stops itself from a sync handler: the taskless path (``stop_now``)."""

    def __init__(self) -> None:
        self.seen: list[Any] = []

    @al.handler
    def bye(self, msg: str) -> str:
        self.seen.append(msg)
        _ = self.ctx.this  # makes the Context (one of the back-pointers)
        self.ctx.terminate()
        return msg


class SlowQuitter(Quitter):
    """Stops itself after an async handler: the cell's task runs the stop."""

    async def on_start(self) -> None:
        await asyncio.sleep(0)


@pytest.fixture
def no_collector():
    was = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@pytest.mark.parametrize("kind", [Quitter, SlowQuitter], ids=["taskless", "with-a-task"])
def test_a_stopped_actor_is_freed_by_refcounting_alone(kind, no_collector):
    ref = al.root().spawn(kind())
    cell = weakref.ref(ref._cell)
    instance = weakref.ref(get_runtime().call(lambda: cell().actor))  # (once it has started)
    assert ref.ask_sync("bye") == "bye"
    ref.stop()
    get_runtime().call(lambda: None)
    assert ref.is_closed()
    assert instance() is None, "the stopped cell still holds its instance"
    assert cell() is not None  # the user's ref keeps the cell (its label, its status)
    del ref
    assert cell() is None, "a stopped cell is part of a cycle: only the collector would free it"


def test_a_stopped_actors_ref_answers_as_before():
    ref = al.root().spawn(Quitter())
    label = ref.label
    cell = ref._cell
    assert ref.ask_sync("bye") == "bye"
    ref.stop()
    get_runtime().call(lambda: None)
    assert cell.ref == ref and hash(cell.ref) == hash(ref)  # a new handle, equal to the first
    assert ref.label == label and label.startswith("Quitter#")
    assert ref.status is al.Status.STOPPED
    with pytest.raises(ActorClosed, match=label):
        ref.tell("again")
