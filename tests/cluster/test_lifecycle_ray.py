"""Lifetimes across processes: al.shutdown() stops top-level remote actors, a stopped named
actor releases its cluster-wide name, a spawn onto a node runtime that is restarting is not
lost, and cell classes travel by value once per process, then by key (a redefined one anew)."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
import textwrap

import pytest

import actorlab as al
from actorlab.testing import wait_until

ray = pytest.importorskip("ray")

from actorlab.cluster import retry, wire  # noqa: E402
from actorlab.cluster import transport as transport_module  # noqa: E402

from .actors import Counter, Get  # noqa: E402
from .supervision_actors import DieOnArrival, Exit, Mortal  # noqa: E402

WARM_UP = Counter  # conftest: a node runtime is up before the first test

pytestmark = [pytest.mark.ray, pytest.mark.timeout(180)]


def _answers(ref):
    try:
        return ref.ask_sync(Get(), timeout=2.0)
    except (al.AskTimeout, al.ActorClosed):
        return None


def _bound(cluster, name):
    return ray.get(cluster.transport.registry().lookup.remote(name))


def test_al_shutdown_stops_top_level_remote_actors(cluster):
    c = al.root().spawn(Counter(1), placement=al.Remote())
    named = al.root().spawn(Counter(2), name="top", placement=al.Remote())
    assert c.ask_sync(Get()) == 1 and named.ask_sync(Get()) == 2
    al.shutdown(timeout=2.0)
    assert c.is_closed() and named.is_closed()
    assert not [i for i in cluster.transport.infos() if i.id in (c.id, named.id)]


def test_a_stopped_named_actor_releases_its_cluster_wide_name(cluster):
    c = al.root().spawn(Counter(1), name="reused", placement=al.Remote())
    assert al.lookup("reused").ask_sync(Get()) == 1
    c.stop()
    with pytest.raises(al.ActorNotFound, match="no live actor is bound to 'reused'"):
        al.lookup("reused")
    wait_until(lambda: _bound(cluster, "reused") is None, what="the registry to release it")
    again = al.root().spawn(Counter(2), name="reused", placement=al.Remote())
    assert al.lookup("reused") == again and again.ask_sync(Get()) == 2


def test_a_name_left_by_an_actor_lost_with_its_process_can_be_bound_again(cluster):
    m = al.root().spawn(Mortal(0), name="phoenix", placement=al.Remote())
    assert m.ask_sync(Get()) == 0
    m.tell(Exit())  # its process dies before the actor could release the name
    wait_until(m.is_closed, timeout=60, what="the actor to be gone")
    again = al.root().spawn(Mortal(5), name="phoenix", placement=al.Remote())
    wait_until(lambda: _answers(again) == 5, timeout=60, what="the new phoenix to answer")
    assert al.lookup("phoenix") == again


def test_a_spawn_onto_a_restarting_node_runtime_is_not_lost(cluster, monkeypatch):
    m = al.root().spawn(Mortal(0), placement=al.Remote())
    assert m.ask_sync(Get()) == 0
    monkeypatch.setattr(transport_module, "FLUSH_AFTER", 0.5)  # both in one batch, for sure
    m.tell(DieOnArrival())  # the process dies reading the batch that carries the spawn
    c = al.root().spawn(Counter(3), placement=al.Remote())
    assert c.home == m.home
    wait_until(lambda: _answers(c) == 3, timeout=90, what="the spawn to be retried")


def test_a_spawn_whose_node_runtime_stays_away_is_given_up_with_the_actor_named(
    cluster, monkeypatch, caplog
):
    """The retry's end (RETRY_FOR, 120 s in use): an error that names the actor and the fix."""
    m = al.root().spawn(Mortal(0), placement=al.Remote())
    assert m.ask_sync(Get()) == 0
    monkeypatch.setattr(transport_module, "FLUSH_AFTER", 0.5)  # both in one batch, for sure
    monkeypatch.setattr(retry, "RETRY_FOR", 0.0)  # the first loss is already too late
    caplog.set_level(logging.ERROR, logger="actorlab")
    m.tell(DieOnArrival())
    al.root().spawn(Counter(3), name="left-behind", placement=al.Remote())

    def given_up() -> list[str]:
        return [r.getMessage() for r in caplog.records if "could not spawn" in r.getMessage()]

    wait_until(given_up, timeout=90, what="the spawn to be given up")
    (text,) = given_up()
    assert "left-behind" in text and "did not come back within 0 s" in text
    assert "Fix: check the cluster (cluster.nodes()) and spawn again" in text


def test_a_cell_class_travels_by_value_once_then_by_key():
    def cell(area: int) -> type:  # a class defined in a notebook cell (by value for Ray)
        ns: dict = {"__name__": "__main__"}
        exec(f"class Shape:\n    def area(self):\n        return {area}", ns)
        return ns["Shape"]

    first, sent = cell(1), set()
    full = wire.dumps(first(), sent)
    short = wire.dumps(first(), sent)
    assert len(short) * 3 < len(full)
    assert wire.loads(full).area() == 1 and wire.loads(short).area() == 1
    redefined = wire.dumps(cell(2)(), sent)  # a re-run cell: a new class, sent again
    assert len(redefined) * 3 > len(full) and wire.loads(redefined).area() == 2
    assert wire.loads(wire.dumps(first(), set())).area() == 1


def test_a_redefined_cell_class_reaches_the_worker_as_the_new_version(cluster):
    script = textwrap.dedent(
        """
        from dataclasses import dataclass
        import actorlab as al

        @dataclass
        class Probe:
            item: object

        class Shape:
            def area(self):
                return 1

        class Measurer(al.Actor):
            @al.handler
            def probe(self, m: Probe) -> int:
                return m.item.area()

        cluster = al.cluster.connect(address="auto")
        r = al.root().spawn(Measurer(), placement=al.Remote())
        print("v1", r.ask_sync(Probe(Shape())), r.ask_sync(Probe(Shape())))
        r.tell(Probe(Shape()))

        class Shape:  # the cell again, changed
            def area(self):
                return 2

        print("v2", r.ask_sync(Probe(Shape())), r.ask_sync(Probe(Shape())))
        cluster.shutdown()
        """
    )
    env = dict(os.environ, RAY_ADDRESS=ray.get_runtime_context().gcs_address)
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert "v1 1 1" in out.stdout and "v2 2 2" in out.stdout, out.stderr[-2000:]
