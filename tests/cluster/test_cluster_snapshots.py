"""Snapshots across the processes of a cluster: saved on a worker, respawned in the notebook,
and back, through a FileStorage on a shared path and through ``al.cluster.ClusterStorage``.

One local Ray for the module (``num_cpus=2``), as in test_ray.py; each test gets a fresh
actorlab runtime in this process. The actors live in ``tests/cluster/snapshot_actors.py``
(importable by name in the workers), and in ``__main__`` where a test runs a script.
"""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import textwrap

import pytest

import actorlab as al
from actorlab.persistence.storage import ListableStorage
from actorlab.testing import wait_until

ray = pytest.importorskip("ray")

from .snapshot_actors import Bump, SaveTo, Tally, Total, Where  # noqa: E402

pytestmark = [pytest.mark.ray, pytest.mark.timeout(240)]

TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _remote_tally(*bumps: int) -> al.ActorRef:
    ref = al.root().spawn(Tally(0), placement=al.Remote())
    for n in bumps:
        ref.tell(Bump(n))
    assert ref.ask_sync(Total()) == (sum(bumps), list(bumps))  # handled before any save
    assert ref.ask_sync(Where()) != os.getpid()
    return ref


def _is_here(ref: al.ActorRef) -> bool:
    return ref.ask_sync(Where()) == os.getpid() and ref.info().node is None


def _script(code: str, *args: str, timeout: float = 150) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, RAY_ADDRESS=ray.get_runtime_context().gcs_address)
    cmd = [sys.executable, "-c", textwrap.dedent(code), *args]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)


# -- FileStorage on a shared path (a directory of this machine) ------------------------------


def test_a_worker_saves_from_its_handler_and_the_notebook_respawns_it_here(cluster, tmp_path):
    store = al.FileStorage(tmp_path)
    remote = _remote_tally(2, 3)
    assert remote.ask_sync(SaveTo(store)) == str(remote.id)  # ctx.save_snapshot_sync(store)
    remote.stop()
    here = al.root().respawn_sync(store, remote.id)
    assert _is_here(here) and here.ask_sync(Total()) == (5, [2, 3])
    assert here.ask_sync(Bump(1)) == 6  # a live actor of this process, its class the local one


def test_the_notebook_saves_a_remote_actor_by_its_ref(cluster, tmp_path):
    store = al.FileStorage(tmp_path)
    remote = _remote_tally(4)
    header = al.root().save_snapshot_sync(remote, store)
    assert header.actor_id == str(remote.id) and header.actor_class.endswith("Tally")
    remote.tell(Bump(1))  # then the async form, in order after this tell
    header = asyncio.run(al.root().save_snapshot(remote, store))
    remote.stop()
    here = al.root().respawn_sync(store, remote.id)
    assert _is_here(here) and here.ask_sync(Total()) == (5, [4, 1])


def test_a_notebook_snapshot_respawns_on_a_node_runtime_and_saves_back(cluster, tmp_path):
    store = al.FileStorage(tmp_path)
    here = al.root().spawn_persistent_sync(store, al.ActorId.from_name("tally"), Tally(7))
    here.tell(Bump(1))
    al.root().save_snapshot_sync(here, store)
    here.stop()
    remote = al.root().respawn_sync(store, here.id, placement=al.Remote())
    assert isinstance(remote, al.ActorRef) and remote.id == here.id
    assert not _is_here(remote) and remote.info().node is not None
    assert remote.ask_sync(Total()) == (8, [1])
    remote.tell(Bump(2))
    assert remote.ask_sync(SaveTo(None)) == str(here.id)  # its storage came along
    remote.stop()
    again = asyncio.run(
        al.root().respawn_or(store, here.id, default_args=lambda: Tally(0), placement=al.Remote())
    )
    assert again.ask_sync(Total()) == (10, [1, 2]) and not _is_here(again)
    again.stop()
    assert al.root().respawn_sync(store, here.id).ask_sync(Total()) == (10, [1, 2])


def test_respawn_or_falls_back_on_the_cluster_and_autosaves_there(cluster, tmp_path):
    store = al.FileStorage(tmp_path)
    aid = al.ActorId.from_name("fresh")
    remote = al.root().respawn_or_sync(
        store,
        aid,
        default_args=lambda: Tally(100),
        placement=al.Remote(),
        name="fresh",
        autosave=al.Every(messages=1),
    )
    assert not _is_here(remote) and al.lookup("fresh") == remote
    assert remote.ask_sync(Bump(1)) == 101
    wait_until(lambda: store.file_for(aid).exists(), what="the autosave on the worker")
    remote.stop()
    assert al.root().respawn_sync(store, aid).ask_sync(Total()) == (101, [1])


# -- ClusterStorage: no shared disk ---------------------------------------------------------


def test_cluster_storage_carries_snapshots_both_ways(cluster, tmp_path):
    store = al.cluster.ClusterStorage(tmp_path / "head")
    assert al.cluster.ClusterStorage(tmp_path / "head") == store  # one server per directory
    assert isinstance(store, al.PersistentStorage) and isinstance(store, ListableStorage)
    remote = _remote_tally(3)
    remote.ask_sync(SaveTo(store))  # the worker writes through the server
    assert store.ids() == [remote.id] and store.where()[0] == str(tmp_path / "head")
    assert (tmp_path / "head" / f"{remote.id}.snap").exists()  # a FileStorage on the head
    assert [e.actor_class for e in al.snapshots(store)] == [
        f"{Tally.__module__}.{Tally.__qualname__}"
    ]
    remote.stop()
    here = al.root().respawn_sync(store, remote.id)
    assert _is_here(here) and here.ask_sync(Total()) == (3, [3])
    here.tell(Bump(4))
    al.root().save_snapshot_sync(here, store)
    here.stop()
    back = al.root().respawn_sync(store, remote.id, placement=al.Remote())
    assert not _is_here(back) and back.ask_sync(Total()) == (7, [3, 4])
    back.tell(Bump(1))
    al.root().save_snapshot_sync(back)  # its own storage: the cluster one
    back.stop()
    assert al.root().respawn_sync(store, remote.id).ask_sync(Total()) == (8, [3, 4, 1])
    with pytest.raises(al.SnapshotNotFound):
        al.root().respawn_sync(store, al.ActorId.from_name("never saved"))


def test_cluster_storage_outlives_its_notebook_and_no_server_outlives_shutdown(
    cluster, tmp_path
):
    # A notebook (another driver) saves through a ClusterStorage, shuts its connection down, and
    # stays alive: its server must be gone. Then its process exits (a kernel restart), and
    # this notebook finds the snapshot through a new ClusterStorage over the same directory.
    code = """
        import sys, time
        import actorlab as al
        sys.path.insert(0, sys.argv[1])
        from cluster.snapshot_actors import Tally, Bump, Total
        env = {"env_vars": {"PYTHONPATH": sys.argv[1]}}
        cluster = al.cluster.connect(address="auto", runtime_env=env)
        store = al.cluster.ClusterStorage(sys.argv[2])
        t = al.root().spawn(Tally(0), placement=al.Remote())
        t.tell(Bump(5))
        assert t.ask_sync(Total()) == (5, [5])
        al.root().save_snapshot_sync(t, store)
        print("id", t.id, flush=True)
        print("server", store.name, flush=True)
        cluster.shutdown()
        print("down", flush=True)
        sys.stdin.readline()  # alive until the test has looked
    """
    env = dict(os.environ, RAY_ADDRESS=ray.get_runtime_context().gcs_address)
    cmd = [sys.executable, "-c", textwrap.dedent(code), TESTS, str(tmp_path / "head")]
    proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    try:
        lines = dict(proc.stdout.readline().split() for _ in range(2))
        assert proc.stdout.readline().strip() == "down"

        def named() -> list[str]:
            return [a["name"] for a in ray.util.list_named_actors(all_namespaces=True)]

        assert lines["server"].startswith("actorlab-storage-")
        wait_until(lambda: lines["server"] not in named(), timeout=30, what="the server to go")
    finally:
        proc.communicate("\n", timeout=60)
    store = al.cluster.ClusterStorage(tmp_path / "head")
    here = al.root().respawn_sync(store, al.ActorId(lines["id"]))
    assert here.ask_sync(Total()) == (5, [5])


# -- classes defined in a notebook cell ------------------------------------------------------


def test_classes_defined_in_main_go_to_the_worker_and_back(cluster, tmp_path):
    code = """
        import sys
        from dataclasses import dataclass
        import actorlab as al

        @dataclass
        class Add:
            n: int

        @dataclass
        class Get: ...

        class Notes(al.Actor, snapshot=True):
            def __init__(self):
                self.items = []
            @al.handler
            def add(self, m: Add) -> int:
                self.items.append(m.n)
                return sum(self.items)
            @al.handler
            def get(self, m: Get) -> list:
                return self.items

        cluster = al.cluster.connect(address="auto")
        for store in (al.FileStorage(sys.argv[1]), al.cluster.ClusterStorage(sys.argv[2])):
            n = al.root().spawn(Notes(), placement=al.Remote())
            n.tell(Add(1))
            n.ask_sync(Add(2))
            al.root().save_snapshot_sync(n, store)
            n.stop()
            here = al.root().respawn_sync(store, n.id)
            print("here", type(here.info()).__name__, here.info().node, here.ask_sync(Add(3)))
            al.root().save_snapshot_sync(here, store)
            here.stop()
            there = al.root().respawn_sync(store, n.id, placement=al.Remote())
            print("there", there.info().node is not None, there.ask_sync(Get()))
        cluster.shutdown()
    """
    os.makedirs(tmp_path / "files")
    out = _script(code, str(tmp_path / "files"), str(tmp_path / "head"))
    assert out.stdout.count("here ActorInfo None 6") == 2, out.stderr[-3000:]
    assert out.stdout.count("there True [1, 2, 3]") == 2, out.stderr[-3000:]


# -- bad cases: refused, naming the actor and the fix ----------------------------------------


def test_a_file_storage_missing_on_the_worker_is_refused(cluster, tmp_path):
    remote = _remote_tally(1)
    missing = al.FileStorage(tmp_path / "not-on-the-worker")
    with pytest.raises(al.SnapshotError, match="not-on-the-worker") as err:
        al.root().save_snapshot_sync(remote, missing)
    text = str(err.value)
    assert remote.label in text and "does not exist" in text and "ClusterStorage()" in text
    assert not missing.path.exists()  # never created on the worker's disk


def test_storages_that_cannot_cross_processes_are_refused(cluster, tmp_path):
    remote = _remote_tally(1)
    with pytest.raises(al.SnapshotError, match=f"{remote.label}.*MemoryStorage.*Fix"):
        al.root().save_snapshot_sync(remote, al.MemoryStorage())
    with pytest.raises(al.SnapshotError, match=f"{remote.label}.*without a storage.*Fix"):
        al.root().save_snapshot_sync(remote)  # not spawned from one: no default on a worker
    mem = al.MemoryStorage()
    here = al.root().spawn_persistent_sync(mem, al.ActorId.from_name("m"), Tally(1))
    al.root().save_snapshot_sync(here, mem)
    here.stop()
    with pytest.raises(al.SnapshotError, match="MemoryStorage.*Fix"):
        al.root().respawn_sync(mem, here.id, placement=al.Remote())
    assert al.root().respawn_sync(mem, here.id).ask_sync(Total()) == (1, [])


def test_a_worker_with_another_signing_key_is_refused(cluster, tmp_path):
    remote = _remote_tally(1)
    store = al.FileStorage(tmp_path)
    al.configure(snapshot_key=b"a key the workers do not have")
    try:
        with pytest.raises(al.SnapshotError, match="another key.*ACTORLAB_SNAPSHOT_KEY") as err:
            al.root().save_snapshot_sync(remote, store)
        assert remote.label in str(err.value)
        assert store.ids() == []
    finally:
        al.configure(snapshot_key=None)


def test_without_a_cluster_the_errors_say_connect():
    code = """
        import actorlab as al
        class T(al.Actor, snapshot=True): ...
        store = al.MemoryStorage()
        for make in (lambda: al.cluster.ClusterStorage(),
                     lambda: al.root().respawn_or_sync(store, al.ActorId.from_name("t"),
                                                       default_args=T(), placement=al.Remote())):
            try:
                make()
            except al.ActorlabError as e:
                print("error:", e)
    """
    out = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=60
    )
    assert out.stdout.count("al.cluster.connect()") == 2, out.stdout + out.stderr[-2000:]
    assert "ClusterStorage()" in out.stdout and "placement=" in out.stdout
