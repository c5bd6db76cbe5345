"""Supervision across processes: a parent decides for its remote children, whether they fail
in a handler or die with their process (Ray restarts the node runtime, the parent's strategy
decides whether the child starts again there, with the same id)."""

from __future__ import annotations

import os

import pytest

import actorlab as al
from actorlab.testing import wait_until

ray = pytest.importorskip("ray")

from .actors import Add, Crash, Get  # noqa: E402
from .supervision_actors import (  # noqa: E402
    Children,
    Decisions,
    Exit,
    Mortal,
    Restarter,
    Resumer,
    SpawnChild,
    Stopper,
)

WARM_UP = Restarter  # conftest: a node runtime is up before the first test

pytestmark = [pytest.mark.ray, pytest.mark.timeout(180)]

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The workers import the test actors by name, and the actorlab of this checkout.
WORKER_PATH = os.pathsep.join([TESTS, os.path.dirname(TESTS)])


def _child(parent_type, start=0, placement=None):
    parent = al.root().spawn(parent_type())
    child = parent.ask_sync(SpawnChild(start, placement), timeout=60)  # may start a node runtime
    assert isinstance(child, al.cluster.transport.RemoteActorRef)
    return parent, child


def test_a_local_parents_strategy_restarts_its_failing_remote_child(cluster):
    parent, child = _child(Restarter, start=5)
    child.tell(Add(2))
    assert child.ask_sync(Get()) == 7
    child.tell(Crash("boom"))
    assert child.ask_sync(Get()) == 5  # restarted from its spawn args, the same ref
    assert child.info().restarts == 1
    assert parent.info().status is not al.Status.STOPPED


def test_a_resume_keeps_the_remote_childs_state_and_the_parent_sees_the_error(cluster):
    parent, child = _child(Resumer, start=1)
    child.tell(Add(1))
    child.tell(Crash("kaput"))
    assert child.ask_sync(Get()) == 2  # resumed: state kept, the failing message dropped
    assert child.info().restarts == 0
    assert parent.ask_sync(Decisions()) == ["RuntimeError: kaput"]


def test_terminate_stops_the_remote_child(cluster):
    parent, child = _child(Stopper)
    child.tell(Crash("bye"))
    wait_until(child.is_closed, what="the remote child to stop")
    assert parent.ask_sync(Decisions()) == ["RuntimeError"]
    assert not parent.ask_sync(Decisions()) == []  # the parent itself goes on


def test_past_its_intensity_the_parent_escalates_and_the_child_goes_with_it(cluster):
    parent, child = _child(Restarter)  # max_restarts=2 within 60 s
    for i in range(3):
        child.tell(Crash(f"crash {i}"))
        if i < 2:
            assert child.ask_sync(Get()) == 0
    wait_until(parent.is_closed, what="the parent to escalate (the root stops it)")
    wait_until(child.is_closed, what="its remote child to stop with it")


def test_a_crashed_process_is_restarted_under_the_parents_strategy(cluster):
    parent, child = _child(Restarter, start=3)
    child.tell(Add(4))
    assert child.ask_sync(Get()) == 7
    before = child.info().id
    child.tell(Exit())  # the whole node runtime dies: Ray restarts it empty
    wait_until(lambda: _answers(child) == 3, timeout=60, what="the child to come back fresh")
    assert child.info().id == before
    assert parent.info().status is not al.Status.STOPPED


def test_a_crashed_process_with_a_terminating_parent_leaves_the_child_stopped(cluster):
    parent, child = _child(Stopper)
    child.tell(Exit())
    wait_until(lambda: parent.ask_sync(Decisions()) == ["RemoteProcessLost"], timeout=60,
               what="the parent to hear of the lost process")
    wait_until(child.is_closed, timeout=30, what="the child to stay stopped")
    wait_until(lambda: _up(cluster, child.home), timeout=60, what="Ray to restart the process")


def _up(cluster, home):
    try:
        return ray.get(cluster.transport.handle(home).ping.remote(), timeout=5.0)
    except (ray.exceptions.RayActorError, ray.exceptions.GetTimeoutError):
        return None


def test_a_remote_parent_supervises_its_child_in_another_process(cluster):
    parent = al.root().spawn(Restarter(), placement=al.Remote())
    node = parent.info().node
    child = parent.ask_sync(SpawnChild(9, al.Remote(node=node)), timeout=60)  # a new node runtime
    assert child.home != parent.home
    child.tell(Crash("far away"))
    assert child.ask_sync(Get()) == 9
    assert child.info().restarts == 1
    assert child.info().parent == parent.id


def test_stopping_the_remote_child_stops_its_stand_in(cluster):
    parent, child = _child(Restarter)
    child.stop()
    assert child.is_closed()
    wait_until(lambda: not [i for i in al.inspect() if i.parent == parent.id],
               what="the parent to have no child left, here or there")


def test_inspect_shows_a_remote_child_once_under_its_parent(cluster):
    parent, child = _child(Restarter)
    infos = [i for i in al.inspect() if parent.id in (i.id, i.parent)]
    assert [i.id for i in infos] == [parent.id, child.id]
    assert infos[1].parent == parent.id and infos[1].node is not None
    assert infos[1].actor_type == "Mortal"


def test_ctx_children_lists_a_ref_that_reaches_the_remote_child(cluster):
    parent, child = _child(Restarter, start=4)
    (kid,) = parent.ask_sync(Children())
    assert kid == child and isinstance(kid, al.cluster.transport.RemoteActorRef)
    kid.tell(Add(1))  # not refused at send time: the child's class, not its stand-in's
    assert kid.ask_sync(Get()) == 5 and kid.info().actor_type == "Mortal"
    kid.tell(Crash("via ctx.children"))  # supervision goes on as before
    assert child.ask_sync(Get()) == 4 and child.info().restarts == 1


def test_a_remote_child_stops_when_its_parents_process_dies(cluster, caplog):
    parent = al.root().spawn(Restarter(), placement=al.Remote())  # the default node runtime
    child = parent.ask_sync(SpawnChild(9, al.Remote(node=parent.info().node)), timeout=60)
    assert child.home != parent.home and child.ask_sync(Get()) == 9
    al.root().spawn(Mortal(0), placement=al.Remote()).tell(Exit())  # the parent's process dies
    child.tell(Crash("orphan"))  # its link asks the parent's side, which is gone, for a decision
    wait_until(child.is_closed, timeout=60, what="the orphaned child to stop with its parent")
    wait_until(lambda: _up(cluster, parent.home), timeout=60, what="Ray to restart the process")


def _answers(ref):
    try:
        return ref.ask_sync(Get(), timeout=2.0)
    except (al.AskTimeout, al.ActorClosed):
        return None
