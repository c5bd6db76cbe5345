"""Tests that kill mutants of ``supervising`` (``make mutation``): what a failure records, the
events it emits, where its report goes, and how decisions are checked and sent."""

from __future__ import annotations

import asyncio
import sys
import time

import pytest

import actorlab as al
from actorlab import runtime as rt_mod
from actorlab.testing import wait_until

from .actors import Boom, Get


class Kid(al.Actor):
    @al.handler
    def boom(self, msg: Boom) -> None:
        raise RuntimeError(msg.text)

    @al.handler
    def get(self, msg: Get) -> str:
        return "alive"


class Sup(al.Actor):
    def __init__(self, decision=(al.Signal.RESUME, None)) -> None:
        self.decision = decision

    def supervise(self, esc):
        return self.decision

    @al.handler
    def make(self, msg: str) -> al.ActorRef:
        return self.ctx.spawn(Kid(), name=msg)


def test_errors_keep_the_last_five_with_time_and_traceback(al_root):
    kid = al_root.spawn(Sup()).ask_sync("kid")
    before = time.time()
    for i in range(6):
        kid.tell(Boom(f"e{i}"))
    wait_until(lambda: kid.info().failures == 6)
    errors = kid.info().errors
    assert [e.message for e in errors] == ["e1", "e2", "e3", "e4", "e5"]
    e = errors[-1]
    assert before <= e.at <= time.time()
    assert e.traceback.startswith("Traceback (most recent call last):\n  File ")
    assert "raise RuntimeError(msg.text)" in e.traceback and e.traceback.endswith("RuntimeError: e5\n")


def test_a_failure_emits_fail_and_escalate_events(al_root):
    sup = al_root.spawn(Sup())
    kid = sup.ask_sync("kid")
    kid.tell(Boom("x"))
    wait_until(lambda: kid.info().failures == 1)
    wait_until(lambda: any(e.kind == "escalate" for e in al.events()))
    fail = next(e for e in al.events() if e.kind == "fail")
    assert (fail.src, fail.dst, fail.msg_type, fail.detail) == (None, kid.id, "Boom", "RuntimeError: x")
    esc = next(e for e in al.events() if e.kind == "escalate")
    assert (esc.src, esc.dst) == (kid.id, sup.id)
    assert esc.detail == "kid failed in handler while handling Boom: RuntimeError: x"


def test_statuses_a_monitor_sees_through_a_failure_and_a_resume(al_root):
    kid = al_root.spawn(Sup()).ask_sync("kid")
    seen = []
    al.monitor(kid, lambda u: seen.append(u.status))
    kid.tell(Boom())
    assert kid.ask_sync(Get()) == "alive"
    assert None not in seen and al.Status.FAILED in seen
    assert seen[seen.index(al.Status.FAILED) + 1] is al.Status.IDLE


def test_a_top_level_failure_is_reported_in_the_cell_that_caused_it(al_root, monkeypatch, caplog):
    reports = []
    monkeypatch.setattr(rt_mod, "_origin_capture", lambda: "cell-9")
    rt_mod.set_failure_reporter(lambda label, error, origin: reports.append((label, origin)))
    try:
        kid = al_root.spawn(Kid(), name="top")
        kid.tell(Boom())
        wait_until(kid.is_closed)

        class Escalates(Sup):
            def supervise(self, esc):
                return al.Signal.ESCALATE, None

        p = al_root.spawn(Escalates(), name="esc")
        child = p.ask_sync("child")
        child.tell(Boom())
        wait_until(p.is_closed)
    finally:
        rt_mod.set_failure_reporter(None)
    assert reports == [("top", "cell-9"), ("esc", "cell-9")]
    assert "internal actorlab error" not in caplog.text
    assert [e.kind for e in kid.info().errors] == ["handler"]


def test_a_supervisor_that_gives_up_names_the_childs_error_as_the_cause(al_root):
    class Limited(Sup):
        supervisor = al.OneForOne(max_restarts=0, within=60)
        supervise = al.Actor.supervise

    root_reports = []
    rt_mod.set_failure_reporter(lambda label, error, origin: root_reports.append(error))
    try:
        p = al_root.spawn(Limited(), name="limited")
        p.ask_sync("kid").tell(Boom("the cause"))
        wait_until(p.is_closed)
    finally:
        rt_mod.set_failure_reporter(None)
    err = p.info().errors[-1]
    assert err.type == "RestartLimitExceeded"
    assert "direct cause" in err.traceback and "RuntimeError: the cause" in err.traceback


def test_decisions_must_be_a_tuple_and_siblings_get_the_second(al_root):
    class Listy(Sup):
        def supervise(self, esc):
            return [al.Signal.RESUME, None]

    p = al_root.spawn(Listy(), name="listy")
    p.ask_sync("k1").tell(Boom())
    wait_until(p.is_closed)
    assert p.info().errors[-1].kind == "supervise"
    assert "must return (al.Signal, al.Signal | None), got [" in p.info().errors[-1].message

    p2 = al_root.spawn(Sup((al.Signal.RESUME, al.Signal.TERMINATE)))
    failing, sibling = p2.ask_sync("a"), p2.ask_sync("b")
    failing.tell(Boom())
    wait_until(sibling.is_closed, what="the sibling to be terminated")
    assert failing.ask_sync(Get()) == "alive"


def test_a_cancelled_error_out_of_supervise_is_a_failure_of_the_supervisor(al_root, caplog):
    class Cancels(Sup):
        async def supervise(self, esc):
            t = asyncio.ensure_future(asyncio.sleep(10))
            await asyncio.sleep(0)
            t.cancel()
            await t

    p = al_root.spawn(Cancels(), name="cancels")
    p.ask_sync("k").tell(Boom())
    wait_until(p.is_closed)
    assert (p.info().errors[-1].kind, p.info().errors[-1].type) == ("supervise", "CancelledError")
    assert "internal actorlab error" not in caplog.text


def test_shutdown_during_an_awaiting_supervise_is_not_a_failure(caplog):
    class Stuck(Sup):
        async def supervise(self, esc):
            await asyncio.sleep(60)

    root = al.root()
    p = root.spawn(Stuck())
    kid = p.ask_sync("k")
    kid.tell(Boom())
    wait_until(lambda: kid.status is al.Status.FAILED)
    wait_until(lambda: any(e.kind == "escalate" for e in al.events()))
    al.shutdown(timeout=0.2)
    assert p.info().errors == ()


@pytest.mark.skipif(sys.version_info < (3, 11), reason="Task.cancelling() is 3.11+")
def test_an_actor_cancelling_its_own_task_is_stopped_not_failed(al_root):
    class SelfCancel(al.Actor):
        @al.handler
        async def go(self, msg: Get) -> None:
            asyncio.current_task().cancel()
            await asyncio.sleep(0)

    s = al_root.spawn(SelfCancel())
    s.tell(Get())
    wait_until(s.is_closed)
    assert s.info().errors == ()
