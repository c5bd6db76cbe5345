"""Tests that kill mutants of ``signalling`` (``make mutation``): a failing parent suspends its
children until its supervisor decides (and a resume lets them go on), pause and resume events,
step mode's error text, and a supervisor's decisions for siblings."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass

import pytest

import actorlab as al
from actorlab.testing import wait_idle, wait_until

from .actors import Add, Boom, Counter, Get

_DECIDE = threading.Event()


@dataclass
class Kid:
    pass


class Middle(al.Actor):
    """Fails on Boom; its child keeps counting."""

    def on_start(self) -> None:
        self.kid = self.ctx.spawn(Counter(), name="kid")

    @al.handler
    def kid_ref(self, msg: Kid) -> al.ActorRef:
        return self.kid

    @al.handler
    def boom(self, msg: Boom) -> None:
        raise ValueError(msg.text)

    @al.handler
    def get(self, msg: Get) -> str:
        return "middle"


class SlowResumer(al.Actor):
    """Resumes a failing child, after the test lets it decide."""

    def on_start(self) -> None:
        self.middle = self.ctx.spawn(Middle(), name="middle")

    async def supervise(self, esc):
        await asyncio.get_running_loop().run_in_executor(None, _DECIDE.wait, 5)
        return (al.Signal.RESUME, None)

    @al.handler
    def get(self, msg: Get) -> al.ActorRef:
        return self.middle


@pytest.fixture
def decide():
    _DECIDE.clear()
    yield _DECIDE
    _DECIDE.set()


def test_a_failing_actors_children_wait_suspended_until_it_is_resumed(al_root, decide):
    top = al_root.spawn(SlowResumer(), name="top")
    middle = top.ask_sync(Get())
    kid = middle.ask_sync(Kid())
    assert kid.ask_sync(Get()) == 0
    statuses = []
    al.monitor(kid, lambda u: statuses.append(u.status))
    middle.tell(Boom())
    wait_until(lambda: kid.info().status is al.Status.SUSPENDED, what="the child suspended")
    assert middle.info().status is al.Status.FAILED
    kid.tell(Add(2))
    kid.tell(Add(3))
    wait_until(lambda: kid.info().mailbox == 2, what="the messages to queue")
    assert kid.info().processed == 1  # held: nothing handled while suspended
    decide.set()
    assert kid.ask_sync(Get()) == 5  # resumed: the queued messages ran, in order
    assert middle.ask_sync(Get()) == "middle"
    assert al.Status.SUSPENDED in statuses
    assert all(isinstance(s, al.Status) for s in statuses)  # every update a real status
    assert kid.info().status is al.Status.IDLE
    assert middle.info().restarts == 0 and kid.info().restarts == 0


def test_a_second_failure_suspends_and_resumes_the_children_again(al_root, decide):
    decide.set()  # decide at once
    top = al_root.spawn(SlowResumer(), name="top")
    middle = top.ask_sync(Get())
    kid = middle.ask_sync(Kid())
    for n in range(1, 3):
        middle.tell(Boom())
        wait_until(lambda n=n: middle.info().failures == n, what=f"failure {n}")
        assert kid.ask_sync(Add(1)) is None
        assert kid.ask_sync(Get()) == n
    wait_idle()
    assert kid.info().status is al.Status.IDLE


def test_pause_and_resume_emit_one_event_each_and_a_second_pause_changes_nothing(al_root):
    c = al_root.spawn(Counter(), name="c")
    c.ask_sync(Get())
    statuses = []
    al.monitor(c, lambda u: statuses.append(u.status))
    c.pause()
    c.pause()
    assert c.info().status is al.Status.PAUSED
    wait_idle()
    assert statuses == [al.Status.IDLE, al.Status.PAUSED]  # the second pause: no news
    c.tell(Add(1))
    assert c.step() == Add(1)
    c.resume()
    c.resume()  # not paused any more: nothing
    assert c.ask_sync(Get()) == 1
    events = [(e.kind, e.src, e.dst) for e in al.events() if e.kind in ("pause", "resume")]
    assert events == [("pause", None, c.id), ("resume", None, c.id)]


def test_step_on_an_actor_that_is_not_paused_says_how_to_use_step_mode(al_root):
    c = al_root.spawn(Counter(), name="stepper")
    c.ask_sync(Get())
    with pytest.raises(al.ActorlabError) as info:
        c.step()
    assert str(info.value) == (
        "step() processes one message of a paused actor, but stepper is not paused. "
        "Fix: call ref.pause() first, then ref.step(), then ref.resume()"
    )


def test_steps_beyond_the_queued_messages_return_none(al_root):
    c = al_root.spawn(Counter(), name="c")
    c.ask_sync(Get())
    c.pause()
    c.tell(Add(1))
    c.tell(Add(2))
    assert [c.step(), c.step(), c.step()] == [Add(1), Add(2), None]
    c.resume()
    assert c.ask_sync(Get()) == 3


class Siblings(al.Actor):
    """Restarts the failing child, resumes (leaves alone) its siblings."""

    def on_start(self) -> None:
        self.kids = [self.ctx.spawn(Counter(), name=f"s{i}") for i in range(3)]

    def supervise(self, esc):
        return (al.Signal.RESTART, al.Signal.RESUME)

    @al.handler
    def get(self, msg: Get) -> list:
        return self.kids


def test_a_resume_for_siblings_that_never_failed_changes_nothing(al_root):
    s = al_root.spawn(Siblings(), name="sib")
    kids = s.ask_sync(Get())
    for k in kids:
        k.tell(Add(1))
    kids[0].tell(Boom())
    wait_until(lambda: kids[0].info().restarts == 1, what="the restart")
    assert [k.ask_sync(Get()) for k in kids] == [0, 1, 1]
    assert [k.info().restarts for k in kids] == [1, 0, 0]


class AllStop(al.Actor):
    """Stops every child when one fails (one already stopped is skipped)."""

    def on_start(self) -> None:
        self.kids = [self.ctx.spawn(Counter(), name=f"a{i}") for i in range(3)]

    def supervise(self, esc):
        return (al.Signal.TERMINATE, al.Signal.TERMINATE)

    @al.handler
    def get(self, msg: Get) -> list:
        return self.kids


def test_a_supervisor_terminating_all_children_skips_none(al_root):
    s = al_root.spawn(AllStop(), name="all")
    kids = s.ask_sync(Get())
    kids[1].tell(Boom())
    wait_until(lambda: all(k.is_closed() for k in kids), what="every child stopped")
    assert s.ask_sync(Get()) == kids and not s.is_closed()


class Uncle(al.Actor):
    """A parent of its own: its child is a grandchild of the actor that fails."""

    def on_start(self) -> None:
        self.kid = self.ctx.spawn(Counter(), name="grandkid")

    @al.handler
    def kid_ref(self, msg: Kid) -> al.ActorRef:
        return self.kid


class MiddleOfThree(Middle):
    def on_start(self) -> None:
        self.kid = self.ctx.spawn(Uncle(), name="uncle")


class SlowResumerOfThree(SlowResumer):
    def on_start(self) -> None:
        self.middle = self.ctx.spawn(MiddleOfThree(), name="middle")


def test_a_suspension_reaches_the_grandchildren_and_so_does_the_resume(al_root, decide):
    top = al_root.spawn(SlowResumerOfThree(), name="top")
    middle = top.ask_sync(Get())
    uncle = middle.ask_sync(Kid())
    grandkid = uncle.ask_sync(Kid())
    middle.tell(Boom())
    wait_until(lambda: grandkid.info().status is al.Status.SUSPENDED, what="the grandchild held")
    assert uncle.info().status is al.Status.SUSPENDED
    grandkid.tell(Add(4))
    wait_until(lambda: grandkid.info().mailbox == 1, what="the message to queue")
    decide.set()
    assert grandkid.ask_sync(Get()) == 4
    assert grandkid.info().status is al.Status.IDLE and not uncle.is_closed()
