"""Several nodes (``ray.cluster_utils.Cluster``: a head and two worker raylets on this machine):
placement on a chosen node, and a lost node whose actors come back on another one under their
parent's strategy."""

from __future__ import annotations

import os

import pytest

import actorlab as al
from actorlab.testing import wait_until

ray = pytest.importorskip("ray")

from ray.cluster_utils import Cluster  # noqa: E402

from .actors import Add, Counter, Get  # noqa: E402
from .supervision_actors import Restarter, SpawnChild  # noqa: E402

pytestmark = [pytest.mark.ray, pytest.mark.timeout(420)]

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
WORKER_PATH = os.pathsep.join([TESTS, os.path.dirname(TESTS)])


@pytest.fixture(scope="module")
def nodes(shared_ray):
    shared_ray.close()  # one process joins one Ray at a time: the session's shared one ends here
    os.environ.setdefault("RAY_AUTH_MODE", "disabled")
    sim = Cluster(initialize_head=True, head_node_args={"num_cpus": 1})
    workers = [sim.add_node(num_cpus=1, resources={"worker": 1}) for _ in range(2)]
    sim.wait_for_nodes()
    cluster = al.cluster.connect(
        address=sim.address, runtime_env={"env_vars": {"PYTHONPATH": WORKER_PATH}}
    )
    yield sim, workers, cluster
    cluster.shutdown()
    ray.shutdown()
    sim.shutdown()


@pytest.fixture(autouse=True)
def _fresh(nodes):
    al.shutdown(timeout=2.0)
    yield
    al.shutdown(timeout=2.0)


def test_cluster_nodes_lists_the_head_and_the_workers(nodes):
    sim, workers, cluster = nodes
    ids = {n["id"] for n in cluster.nodes() if n["alive"]}
    assert {w.node_id for w in workers} <= ids and len(ids) == 3


def test_the_registry_and_relay_live_on_the_driver_s_node(nodes):
    """A node runtime dies for good with its owner (the registry): a registry placed on a
    worker that is lost would take every node runtime with it (it did, under CI's load)."""
    from ray._private.state import actors

    here = ray.get_runtime_context().get_node_id()
    placed = {
        a["ActorClassName"]: a["Address"]["NodeID"]
        for a in actors().values()
        if a["State"] == "ALIVE" and a["ActorClassName"] in ("Registry", "Relay")
    }
    assert placed == {"Registry": here, "Relay": here}


def test_an_actor_runs_on_the_node_it_is_placed_on(nodes):
    sim, workers, cluster = nodes
    for w in workers:
        c = al.root().spawn(Counter(1), placement=al.Remote(node=w.node_id))
        c.tell(Add(1))
        assert c.ask_sync(Get(), timeout=60) == 2
        assert c.info().node == w.node_id


def test_a_lost_node_s_actor_comes_back_on_another_node_under_its_parent(nodes):
    sim, workers, cluster = nodes
    parent = al.root().spawn(Restarter())
    child = parent.ask_sync(SpawnChild(4, al.Remote(resources={"worker": 0.5})), timeout=90)
    child.tell(Add(1))
    assert child.ask_sync(Get(), timeout=60) == 5
    lost = child.info().node
    victim = next(w for w in workers if w.node_id == lost)
    sim.remove_node(victim)  # the node and every process on it are gone
    try:
        wait_until(lambda: _answers(child) == 4, timeout=180, what="the child on another node")
    except AssertionError:
        t = cluster.transport
        raise AssertionError(
            f"the child did not come back: records {list(t.children.values())}, "
            f"parent {parent.info().status} errors {parent.info().errors[-1:]}, "
            f"actors {_ray_actors()}, alive nodes {_alive_nodes()}, lost {lost[:6]}"
        ) from None
    assert child.info().node not in (lost, None)
    assert child.info().node in {w.node_id for w in workers}
    assert parent.info().status is not al.Status.STOPPED


def _answers(ref):
    try:
        return ref.ask_sync(Get(), timeout=2.0)
    except (al.AskTimeout, al.ActorClosed):
        return None


def _ray_actors():
    """Every Ray actor's class, state and node, read from the GCS (no dashboard needed)."""
    from ray._private.state import actors

    return [
        (a["ActorClassName"], a["State"], a["Address"]["NodeID"][:6], a.get("NumRestarts"))
        for a in actors().values()
    ]


def _alive_nodes():
    return [n["NodeID"][:6] for n in ray.nodes() if n.get("Alive")]
