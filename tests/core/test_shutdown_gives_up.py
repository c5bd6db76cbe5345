"""A shutdown that gives up on an actor ignoring cancellation reports it once, then is quiet:
the tasks it left are not reported again by asyncio when the collector frees them (which
happened at a random later moment, in whatever test or cell was running then)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging

import actorlab as al
from actorlab.testing import wait_until


class Stubborn(al.Actor):
    @al.handler
    async def stay(self, msg: str) -> None:
        while True:  # swallows every cancellation: the actor never stops
            with contextlib.suppress(asyncio.CancelledError):
                await asyncio.sleep(3600)


def _shut_down_on_a_stubborn_actor() -> None:
    s = al.root().spawn(Stubborn(), name="stubborn")
    s.tell("stay")
    wait_until(lambda: s.info().current_handler is not None, what="the handler to start")
    al.shutdown(timeout=0.1)


def test_the_tasks_a_shutdown_gave_up_on_are_freed_without_a_word(caplog):
    caplog.set_level(logging.WARNING)
    _shut_down_on_a_stubborn_actor()
    assert "al.shutdown(): actors still running after 0.1 s were cancelled: stubborn" in [
        r.getMessage() for r in caplog.records
    ]
    caplog.clear()
    al.root()  # a fresh runtime: the old one, and the tasks it left, are garbage now
    gc.collect()
    assert [r.getMessage() for r in caplog.records] == []
