"""Actors on Ray: node runtimes hosting many actors, location-transparent refs, names, order.

One local Ray for the whole test session (``num_cpus=2``, tests/cluster/conftest.py); each test gets a fresh actorlab runtime in
this process. The message classes live in ``tests/cluster/actors.py`` (importable by name in
the workers) and in ``__main__``-like dynamic modules where a test says so.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

import actorlab as al
from actorlab.testing import wait_until

ray = pytest.importorskip("ray")

from .actors import Add, Collector, Counter, Crash, Get, Items, Ping, Pinger, Seq  # noqa: E402

pytestmark = [pytest.mark.ray, pytest.mark.timeout(180)]


TESTS = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
# The workers import the test actors by name, and the actorlab of this checkout.
WORKER_PATH = os.pathsep.join([TESTS, os.path.dirname(TESTS)])


def test_a_remote_counter_answers_like_a_local_one(cluster):
    c = al.root().spawn(Counter(5), placement=al.Remote())
    for _ in range(100):
        c.tell(Add(1))
    assert c.ask_sync(Get()) == 105
    assert isinstance(c, al.ActorRef)
    info = c.info()
    assert info.actor_type == "Counter" and info.processed >= 101 and info.node is not None


def test_unhandled_messages_are_refused_at_send_time(cluster):
    c = al.root().spawn(Counter(0), placement=al.Remote())
    with pytest.raises(al.UnhandledMessage, match="Counter has no handler for str"):
        c.tell("nope")


def test_tells_keep_per_sender_order_across_bursts_and_asks(cluster):
    c = al.root().spawn(Collector(), placement=al.Remote())
    for i in range(5000):
        c.tell(Seq(i))
        if i % 1000 == 999:
            assert c.ask_sync(Items())[-1] == i  # an ask flushes the tells sent before it
    assert c.ask_sync(Items()) == list(range(5000))


def test_a_handler_error_reaches_the_asker_as_handler_error(cluster):
    c = al.root().spawn(Counter(0), placement=al.Remote())
    with pytest.raises(al.HandlerError, match="boom") as info:
        c.ask_sync(Crash("boom"))
    assert isinstance(info.value.__cause__, RuntimeError)


def test_an_ask_times_out(cluster):
    c = al.root().spawn(Counter(0), placement=al.Remote())
    with pytest.raises(al.AskTimeout):
        c.ask_sync(Get(sleep=2.0), timeout=0.3)
    with pytest.raises(ValueError, match="positive number of seconds"):
        c.ask_sync(Get(), timeout=-1)  # refused before anything is sent, as locally


def test_names_are_cluster_wide(cluster):
    c = al.root().spawn(Counter(7), name="shared-counter", placement=al.Remote())
    found = al.lookup("shared-counter")
    assert found == c and found.ask_sync(Get()) == 7
    with pytest.raises(al.NameTaken):
        al.root().spawn(Counter(0), name="shared-counter", placement=al.Remote())


def test_refs_travel_in_messages_both_ways(cluster):
    local = al.root().spawn(Pinger(), name="local")
    remote = al.root().spawn(Pinger(), placement=al.Remote())
    remote.tell(Ping(10, local))  # remote -> local -> remote ... through the relay
    wait_until(lambda: local.ask_sync(Items()) == [9, 7, 5, 3, 1], what="the rally")
    assert remote.ask_sync(Items()) == [10, 8, 6, 4, 2, 0]


def test_a_remote_actor_spawns_remote_children(cluster):
    c = al.root().spawn(Counter(0), placement=al.Remote())
    child = c.ask_sync(Add(0, spawn_child=True))
    assert child.ask_sync(Get()) == 0 and child != c


def test_inspect_includes_remote_actors_and_their_node(cluster):
    al.root().spawn(Counter(0), name="here")
    al.root().spawn(Counter(0), name="there", placement=al.Remote())
    infos = {i.label: i for i in al.inspect()}
    assert infos["here"].node is None
    assert infos["there"].node in {n["id"] for n in cluster.nodes()}


def test_stop_closes_the_remote_actor(cluster):
    c = al.root().spawn(Counter(0), placement=al.Remote())
    assert c.ask_sync(Get()) == 0
    c.stop()
    assert c.is_closed()
    with pytest.raises(al.ActorClosed):
        c.info()


def test_spawn_without_a_cluster_says_how_to_get_one():
    script = textwrap.dedent(
        """
        import actorlab as al
        class A(al.Actor): ...
        try:
            al.root().spawn(A(), placement=al.Remote())
        except al.ActorlabError as e:
            print(e)
        """
    )
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert "al.cluster.connect()" in out.stdout


def test_classes_defined_in_main_work_on_the_workers(cluster, tmp_path):
    script = textwrap.dedent(
        """
        from dataclasses import dataclass
        import actorlab as al

        @dataclass
        class Bump:
            n: int

        @dataclass
        class Total: ...

        class Tally(al.Actor):
            def __init__(self):
                self.total = 0
            @al.handler
            def bump(self, m: Bump) -> int:
                self.total += m.n
                return self.total
            @al.handler
            def get(self, m: Total) -> int:
                return self.total

        cluster = al.cluster.connect(address="auto")
        t = al.root().spawn(Tally(), placement=al.Remote())
        t.tell(Bump(2))
        print("total", t.ask_sync(Bump(3)))
        # More spawns ship the class again; the node runtime must not treat that as a re-run
        # cell (live upgrade) and lose the first actor's handlers.
        others = [al.root().spawn(Tally(), placement=al.Remote()) for _ in range(20)]
        print("again", t.ask_sync(Total()), others[-1].ask_sync(Total()))
        cluster.shutdown()
        """
    )
    env = dict(os.environ, RAY_ADDRESS=ray.get_runtime_context().gcs_address)
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120
    )
    assert "total 5" in out.stdout and "again 5 0" in out.stdout, out.stderr[-2000:]


def test_a_killed_notebook_process_leaves_no_actor_behind(cluster):
    # A kernel restart kills the notebook's process: its registry (which owns its node runtimes)
    # and relay are owned by that process, so Ray removes them all.
    script = textwrap.dedent(
        """
        import sys, time
        import actorlab as al
        sys.path.insert(0, sys.argv[1])
        from cluster.actors import Counter
        env = {"env_vars": {"PYTHONPATH": sys.argv[1]}}
        cluster = al.cluster.connect(address="auto", runtime_env=env)
        c = al.root().spawn(Counter(1), placement=al.Remote())
        c.ask_sync(__import__("cluster.actors").actors.Get())
        print(cluster.transport.home, flush=True)
        time.sleep(120)
        """
    )
    env = dict(os.environ, RAY_ADDRESS=ray.get_runtime_context().gcs_address)
    proc = subprocess.Popen(
        [sys.executable, "-c", script, TESTS], stdout=subprocess.PIPE, text=True, env=env
    )
    try:
        home = proc.stdout.readline().strip()
        assert home.startswith("driver-"), home

        def theirs() -> list[str]:
            named = ray.util.list_named_actors(all_namespaces=True)
            return [a["name"] for a in named if home in a["name"]]

        assert len(theirs()) >= 3  # registry, relay, one node runtime
    finally:
        proc.kill()
        proc.wait(30)
    wait_until(lambda: not theirs(), timeout=60, what="the killed driver's actors to go")


def _ray_processes() -> list[str]:
    found = []
    for pid in os.listdir("/proc"):
        try:
            with open(f"/proc/{pid}/cmdline", "rb") as f:
                cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if "ray/core/src/ray" in cmd or "gcs_server" in cmd or "raylet" in cmd:
            found.append(cmd[:120])
    return found


@pytest.mark.ends_shared_ray
def test_shutdown_leaves_no_ray_process(cluster, shared_ray):
    """Run after every test on the session's shared Ray (conftest's order): it ends it
    (connect started this local Ray), which started once for all of them."""
    assert shared_ray.starts == 1
    assert _ray_processes()
    cluster.shutdown()
    assert al.cluster.current() is None
    wait_until(lambda: not _ray_processes(), timeout=30, what="every Ray process to exit")
