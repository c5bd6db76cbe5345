"""The cluster tests' fixtures: one local Ray per module (``num_cpus=2``), a fresh actorlab
runtime in this process per test. A module may set ``WARM_UP`` to an actor class: one of them
is spawned remotely first, so its tests find a node runtime already running.
``test_nodes_ray.py`` builds its own multi-node Ray and overrides both fixtures."""

from __future__ import annotations

import os

import pytest

import actorlab as al

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The workers import the test actors by name (as `cluster.actors`), like any module outside
# __main__ (Ray's runtime_env puts the tests folder on their path), and this checkout's actorlab.
WORKER_PATH = os.pathsep.join([TESTS, os.path.dirname(TESTS)])


@pytest.fixture(scope="module")
def cluster(request):
    c = al.cluster.connect(num_cpus=2, runtime_env={"env_vars": {"PYTHONPATH": WORKER_PATH}})
    warm = getattr(request.module, "WARM_UP", None)
    if warm is not None:
        al.root().spawn(warm(), placement=al.Remote()).info()  # the node runtime is up
    yield c
    c.shutdown()


@pytest.fixture(autouse=True)
def _fresh(cluster):
    al.shutdown(timeout=2.0)
    yield
    al.shutdown(timeout=2.0)
