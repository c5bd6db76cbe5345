"""A monitor sees a sync handler's batch as PROCESSING then IDLE, also for an actor without a
task (which skips that bracket while nobody watches: cell._run_sync, ready.run_cell)."""

from __future__ import annotations

import actorlab as al
from actorlab.testing import wait_until


class Echo(al.Actor):
    @al.handler
    def echo(self, msg: str) -> str:
        return msg


def test_a_monitor_sees_a_sync_batch_go_processing_then_idle():
    e = al.root().spawn(Echo())
    assert e.ask_sync("warm") == "warm"  # started, parked without a task
    seen: list = []
    al.monitor(e, seen.append)
    assert e.ask_sync("watched") == "watched"

    def statuses() -> list:
        return [u.status for u in seen if u.kind == "status"]

    wait_until(lambda: al.Status.IDLE in statuses(), what="the batch to end")
    assert statuses()[-2:] == [al.Status.PROCESSING, al.Status.IDLE]
