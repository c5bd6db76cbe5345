"""Asks from remote actors to actors in the notebook's process, and forward across processes."""

from __future__ import annotations

import os

import pytest

import actorlab as al
from actorlab.testing import wait_until

ray = pytest.importorskip("ray")

from .actors import Counter, Get, Seq  # noqa: E402
from .asking_actors import Answerer, Asker, AskThere, Fail, ForwardThere, Got, Sink  # noqa: E402

WARM_UP = Asker  # conftest: a node runtime is up before the first test

pytestmark = [pytest.mark.ray, pytest.mark.timeout(180)]

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKER_PATH = os.pathsep.join([TESTS, os.path.dirname(TESTS)])


@pytest.mark.parametrize("blocking", [False, True])
def test_a_remote_actor_asks_an_actor_in_the_notebook(cluster, blocking):
    here = al.root().spawn(Answerer(42))
    there = al.root().spawn(Asker(), placement=al.Remote())
    assert there.ask_sync(AskThere(here, Get(), 10.0, blocking), timeout=30) == 42


def test_the_notebook_actors_error_reaches_the_remote_asker(cluster):
    here = al.root().spawn(Answerer(1))
    there = al.root().spawn(Asker(), placement=al.Remote())
    with pytest.raises(al.HandlerError, match="ValueError: no way"):
        there.ask_sync(AskThere(here, Fail("no way"), 10.0), timeout=30)
    wait_until(here.is_closed, what="the root's rule: a failing top-level actor stops")


def test_a_remote_ask_to_the_notebook_times_out_like_a_local_one(cluster):
    here = al.root().spawn(Answerer(1))
    there = al.root().spawn(Asker(), placement=al.Remote())
    with pytest.raises(al.HandlerError, match="AskTimeout"):
        there.ask_sync(AskThere(here, Get(sleep=5.0), 0.3), timeout=30)


def test_forward_to_a_remote_actor_tells_the_reply_to_a_local_one(cluster):
    there = al.root().spawn(Counter(7), placement=al.Remote())
    here = al.root().spawn(Sink())
    there.forward(Get(), here)  # Counter's reply (7) is told to here
    wait_until(lambda: here.ask_sync(Got()) == [7], what="the forwarded reply")


def test_a_remote_actor_forwards_to_the_notebook_and_back(cluster):
    answer = al.root().spawn(Answerer(5))
    collect = al.root().spawn(Sink(), placement=al.Remote())
    there = al.root().spawn(Asker(), placement=al.Remote())
    there.tell(ForwardThere(answer, Get(), collect))
    wait_until(lambda: collect.ask_sync(Got()) == [5], what="the reply, forwarded twice over")


def test_forward_refuses_a_bad_target_and_an_unhandled_message(cluster):
    there = al.root().spawn(Counter(0), placement=al.Remote())
    with pytest.raises(TypeError, match="target must be an al.ActorRef"):
        there.forward(Get(), "somewhere")
    with pytest.raises(al.UnhandledMessage):
        there.forward(Seq(1), al.root().spawn(Sink()))
