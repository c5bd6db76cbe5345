"""The cluster tests' fixtures: **one local Ray for the whole test session** (``num_cpus=2``),
started by the first test that needs it, and a fresh actorlab runtime in this process per test.
A module may set ``WARM_UP`` to an actor class: one of them is spawned remotely first, so its
tests find a node runtime already running.

Two kinds of test cannot share that Ray, and run after every test that does (the collection
order below): the one marked ``ends_shared_ray``, which shuts it down and checks that no Ray
process is left, and ``test_nodes_ray.py``, which needs several raylets
(``ray.cluster_utils.Cluster``; one process can join only one Ray at a time): its fixture ends
the shared Ray first, through ``shared_ray.close()``.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

import actorlab as al

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The workers import the test actors by name (as `cluster.actors`), like any module outside
# __main__ (Ray's runtime_env puts the tests folder on their path), and this checkout's actorlab.
WORKER_PATH = os.pathsep.join([TESTS, os.path.dirname(TESTS)])
HERE = Path(__file__).resolve().parent


class SharedRay:
    """The session's local Ray, connected on first use; ``close()`` ends it (idempotent)."""

    def __init__(self) -> None:
        self.cluster: al.cluster.Cluster | None = None
        self.starts = 0  # how many times this session started it (the order below keeps it 1)

    def get(self) -> al.cluster.Cluster:
        if self.cluster is None or al.cluster.current() is not self.cluster:
            self.cluster = al.cluster.connect(
                num_cpus=2, runtime_env={"env_vars": {"PYTHONPATH": WORKER_PATH}}
            )
            self.starts += 1
        return self.cluster

    def close(self) -> None:
        if self.cluster is not None and al.cluster.current() is self.cluster:
            self.cluster.shutdown()
        self.cluster = None


@pytest.fixture(scope="session")
def shared_ray():
    ray_ = SharedRay()
    yield ray_
    ray_.close()


@pytest.fixture(scope="module")
def cluster(request, shared_ray):
    c = shared_ray.get()
    warm = getattr(request.module, "WARM_UP", None)
    if warm is not None:
        al.root().spawn(warm(), placement=al.Remote()).info()  # the node runtime is up
    return c


@pytest.fixture(autouse=True)
def _fresh(cluster):
    al.shutdown(timeout=2.0)
    yield
    al.shutdown(timeout=2.0)


def _phase(item: pytest.Item) -> int:
    """0: on the shared Ray; 1: the test that ends it; 2: tests with a Ray of their own."""
    if item.get_closest_marker("ends_shared_ray") is not None:
        return 1
    return 2 if Path(str(item.fspath)).name == "test_nodes_ray.py" else 0


def pytest_collection_modifyitems(config, items):
    """Within the cluster tests' slots of the run, the shared-Ray tests first, then the one that
    ends it, then the multi-node ones: Ray starts once per session."""
    slots = [i for i, item in enumerate(items) if HERE in Path(str(item.fspath)).parents]
    ordered = sorted((items[i] for i in slots), key=_phase)  # stable: file order kept within
    for i, item in zip(slots, ordered, strict=True):
        items[i] = item
