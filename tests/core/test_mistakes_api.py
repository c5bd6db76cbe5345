"""Issue 10, items 6-10: resource-holding actors spawn, timeouts and argument types are checked
at the call, a subclass's strategy applies, and a failing message's fate is visible."""

from __future__ import annotations

import asyncio
import collections
import math
import queue
import sqlite3
import threading
from dataclasses import dataclass

import pytest

import actorlab as al
from actorlab import timeouts
from actorlab.testing import spawn_probe, wait_idle, wait_until

from .actors import Add, Boom, Counter, Get, Sleep


# -- 6. Actors that hold resources can spawn -------------------------------------------------------
class Holder(al.Actor):
    def __init__(self, path) -> None:
        self.lock = threading.Lock()
        self.event = threading.Event()
        self.jobs: queue.Queue = queue.Queue()
        self.log = open(path, "w")  # noqa: SIM115
        self.db = sqlite3.connect(":memory:", check_same_thread=False)
        self.items: list = []
        self.alias = self.items

    @al.handler
    def add(self, msg: Add) -> list:
        with self.lock:
            self.items.append(msg.amount)
        return list(self.items)

    @al.handler
    def get(self, msg: Get) -> tuple:
        return self.lock, self.db, self.log, list(self.items), self.alias is self.items

    def close(self) -> None:
        self.log.close()
        self.db.close()


def test_an_actor_holding_locks_files_queues_and_connections_spawns(al_root, tmp_path):
    pristine = Holder(tmp_path / "log.txt")
    try:
        ref = al_root.spawn(pristine)
        assert ref.info().shared_fields == ("lock", "event", "jobs", "log", "db")
        assert ref.ask_sync(Add(1)) == [1]
        lock, db, log, items, aliased = ref.ask_sync(Get())
        # Shared: the very objects of the args. Copied: the rest, aliases kept.
        assert (lock, db, log) == (pristine.lock, pristine.db, pristine.log)
        assert items == [1] and pristine.items == [] and aliased
        assert db.execute("select 1").fetchone() == (1,)
        ref.restart()  # a restart still starts from the original args
        lock, db, _, items, aliased = ref.ask_sync(Get())
        assert items == [] and aliased and lock is pristine.lock and db is pristine.db
        assert ref.info().shared_fields == ("lock", "event", "jobs", "log", "db")
        assert ref.info().restarts == 1
    finally:
        pristine.close()


def test_an_uncopyable_value_inside_a_container_shares_that_attribute_only(al_root):
    class Pool(al.Actor):
        def __init__(self) -> None:
            self.conns = {"main": threading.Lock(), "n": 1}
            self.count = [0]

        @al.handler
        def bump(self, msg: Add) -> int:
            self.count[0] += msg.amount
            return self.count[0]

    pristine = Pool()
    ref = al_root.spawn(pristine)
    assert ref.ask_sync(Add(2)) == 2
    assert pristine.count == [0]  # still copied
    assert ref.info().shared_fields == ("conns",)


def test_a_copyable_actor_reports_no_shared_fields(al_root):
    assert al_root.spawn(Counter(3)).info().shared_fields == ()


def test_persistent_actor_pattern_with_a_real_connection(al_root):
    class Db(al.PersistentActor):
        __snapshot_exclude__ = ("conn",)

        def __init__(self, rows: dict | None = None, conn=None) -> None:
            self.rows = rows or {}
            self.conn = conn

        @classmethod
        def persistent_args(cls, snapshot, runtime_args):
            snapshot.conn = runtime_args
            return snapshot

        @al.handler
        def put(self, msg: tuple) -> int:
            self.rows[msg[0]] = msg[1]
            return self.conn.execute("select ?", (len(self.rows),)).fetchone()[0]

    conn = sqlite3.connect(":memory:", check_same_thread=False)
    try:
        store = al.MemoryStorage()
        aid = al.ActorId.from_name("db")
        ref = al_root.spawn_persistent_sync(store, aid, Db(conn=conn))
        assert ref.ask_sync(("a", 1)) == 1
        al_root.save_snapshot_sync(ref, store)
        ref.stop()
        again = al_root.respawn_sync(store, aid, runtime_args=conn)
        assert again.ask_sync(("b", 2)) == 2
        assert again.info().shared_fields == ("conn",)
    finally:
        conn.close()


# -- 7. Timeouts --------------------------------------------------------------------------------------
BAD_TIMEOUTS = [
    (-1, ValueError),
    (0, ValueError),
    (math.nan, ValueError),
    (-math.inf, ValueError),
    ("5", TypeError),
    (True, TypeError),
    (None.__class__, TypeError),
]


@pytest.mark.parametrize("bad,error", BAD_TIMEOUTS, ids=repr)
def test_bad_timeouts_are_refused_before_anything_is_sent(al_root, bad, error):
    c = al_root.spawn(Counter())
    with pytest.raises(error, match="timeout must be a .*number of seconds"):
        c.ask_sync(Add(1), timeout=bad)
    with pytest.raises(error, match="timeout"):
        asyncio.run(c.ask(Add(1), timeout=bad))
    with pytest.raises(error, match="timeout"):
        c.stop(timeout=bad)
    with pytest.raises(error, match="timeout"):
        al.shutdown(timeout=bad)
    assert c.ask_sync(Get()) == 0  # none of those Add(1) was sent
    assert not c.is_closed()


@pytest.mark.parametrize("forever", [math.inf, 1e10])
def test_math_inf_waits_without_limit_sync_and_async(al_root, forever):
    c = al_root.spawn(Counter())
    assert c.ask_sync(Add(1), timeout=forever) is None
    assert asyncio.run(c.ask(Get(), timeout=forever)) == 1

    class Asker(al.Actor):
        @al.handler
        async def go(self, msg: Get) -> int:
            return await c.ask(Get(), timeout=forever)

    assert al_root.spawn(Asker()).ask_sync(Get(), timeout=forever) == 1
    al.configure(ask_timeout=math.inf)
    assert c.ask_sync(Get()) == 1
    c.pause()  # control calls wait by the configured default too
    c.resume()
    c.stop(timeout=forever)
    assert c.is_closed()


def test_a_slow_reply_with_a_long_timeout_arrives(al_root):
    c = al_root.spawn(Counter())
    c.tell(Sleep(0.3))
    assert c.ask_sync(Get(), timeout=math.inf) == 0


def test_timeout_messages_name_the_argument_and_the_fix():
    with pytest.raises(ValueError, match=r"timeout must be a positive number of seconds, got -1. "
                       r"Fix: e.g. timeout=5, or timeout=math.inf to wait without limit"):
        timeouts.timeout(-1)
    with pytest.raises(TypeError, match=r"got '5' \(str\). Fix: pass a number, e.g. timeout=5"):
        timeouts.timeout("5")
    assert timeouts.timeout(2) == 2.0
    assert timeouts.timeout(math.inf) is None
    assert timeouts.timeout(threading.TIMEOUT_MAX * 2) is None
    assert timeouts.timeout(threading.TIMEOUT_MAX) == threading.TIMEOUT_MAX


class Ticker(al.Actor):
    @al.handler
    def start(self, msg: tuple) -> al.TimerHandle:
        kind, value = msg
        if kind == "after":
            return self.ctx.send_after(value, Get())
        return self.ctx.send_every(value, Get())

    @al.handler
    def get(self, msg: Get) -> None:
        pass


@pytest.mark.parametrize(
    "kind,value,error",
    [
        ("after", -1, ValueError),
        ("after", math.nan, ValueError),
        ("after", math.inf, ValueError),
        ("after", "1", TypeError),
        ("after", True, TypeError),
        ("every", 0, ValueError),
        ("every", -0.5, ValueError),
        ("every", math.inf, ValueError),
        ("every", None, TypeError),
    ],
)
def test_timer_arguments_are_checked(al_root, kind, value, error):
    t = al_root.spawn(Ticker(), name="ticker")
    with pytest.raises(al.HandlerError) as ei:
        t.ask_sync((kind, value))
    assert type(ei.value.__cause__) is error
    assert "timer of ticker:" in str(ei.value.__cause__)


def test_timer_handles_count_fires_and_report_cancellation(al_root):
    t = al_root.spawn(Ticker())
    once = t.ask_sync(("after", 0))
    wait_until(lambda: once.fired == 1)
    assert once.cancelled  # a one-shot timer is done once it fired
    every = t.ask_sync(("every", 0.01))
    wait_until(lambda: every.fired >= 2)
    assert not every.cancelled
    every.cancel()
    assert every.cancelled
    every.cancel()  # idempotent
    wait_idle()
    fired = every.fired
    t.ask_sync(Get())
    assert every.fired == fired
    assert "cancelled" in repr(every) and "every 0.01 s" in repr(every)
    assert "once" in repr(once)
    zero = t.ask_sync(("after", 0))
    wait_until(lambda: zero.fired == 1)


# -- 8. Wrong argument types ---------------------------------------------------------------------------
def test_wrong_argument_types_are_type_errors_at_the_call(al_root):
    c = al_root.spawn(Counter(), name="c")
    with pytest.raises(TypeError, match=r"forward\(msg, target\): target must be an al.ActorRef.*'not a ref' \(str\). Fix"):
        c.forward(Get(), "not a ref")
    with pytest.raises(TypeError, match=r"lookup\(name\): name must be a str .*got \[1\] \(list\). Fix"):
        al.lookup([1])
    with pytest.raises(TypeError, match=r"lookup\(actor_type=...\) must be an al.Actor subclass .*got 5. Fix"):
        al.lookup("c", actor_type=5)
    with pytest.raises(TypeError, match=r"bind\('x', ref\): ref must be an al.ActorRef, got 'str' \(str\). Fix"):
        al_root.bind("x", "str")
    with pytest.raises(TypeError, match=r"al.monitor\(ref, callback\): ref must be an al.ActorRef"):
        al.monitor("str", print)
    with pytest.raises(TypeError, match=r"callback must be callable"):
        al.monitor(c, "print")
    with pytest.raises(TypeError, match=r"an actor name must be a str, got 5 \(int\)"):
        al_root.spawn(Counter(), name=5)
    with pytest.raises(TypeError, match=r"free\(name\): name must be a str"):
        al_root.free(["c"])
    # nothing was half-done: c is still reachable and alone
    assert al.lookup("c") == c
    assert c.ask_sync(Get()) == 0
    assert [i.label for i in al.inspect()] == ["c"]


def test_forward_to_a_ref_still_works(al_root):
    probe = spawn_probe()
    c = al_root.spawn(Counter(4))
    c.forward(Get(), probe.ref)
    assert probe.expect(int) == [4]


# -- 9. A subclass's supervisor = ... and an inherited supervise() ------------------------------------
class Kid(al.Actor):
    @al.handler
    def boom(self, msg: Boom) -> None:
        raise RuntimeError(msg.text)

    @al.handler
    def get(self, msg: Get) -> str:
        return "alive"


class Base(al.Actor):
    def supervise(self, esc):
        return al.Signal.TERMINATE, None

    @al.handler
    def make(self, msg: str) -> al.ActorRef:
        return self.ctx.spawn(Kid(), name=msg)


class Restarting(Base):
    supervisor = al.OneForOne(max_restarts=5, within=60)


class BackToMethod(Restarting):
    def supervise(self, esc):
        return al.Signal.RESUME, None


def test_a_subclass_strategy_applies_over_an_inherited_supervise(al_root):
    sup = al_root.spawn(Restarting())
    kid = sup.ask_sync("kid")
    kid.tell(Boom())
    wait_until(lambda: kid.info().restarts == 1, what="the strategy to restart the child")
    assert kid.ask_sync(Get()) == "alive"
    assert sup.info().supervisor == "OneForOne(max_restarts=5, within=60)"


def test_the_most_derived_declaration_wins_both_ways(al_root):
    sup = al_root.spawn(BackToMethod())
    kid = sup.ask_sync("kid")
    kid.tell(Boom())
    wait_until(lambda: kid.info().failures == 1)
    assert kid.ask_sync(Get()) == "alive"
    assert kid.info().restarts == 0  # resumed by BackToMethod.supervise(), not restarted
    assert sup.info().supervisor == "BackToMethod.supervise()"
    base = al_root.spawn(Base())
    kid2 = base.ask_sync("kid2")
    kid2.tell(Boom())
    wait_until(kid2.is_closed)  # Base.supervise(): terminate
    assert base.info().supervisor == "Base.supervise()"


def test_one_class_with_both_is_still_refused():
    with pytest.raises(al.HandlerDefinitionError, match="defines both supervise"):

        class Both(al.Actor):
            supervisor = al.OneForOne()

            def supervise(self, esc):
                return al.Signal.RESUME, None


def test_the_restart_window_forgets_old_restarts():
    s = al.OneForOne(max_restarts=1, within=10)
    history: collections.deque = collections.deque()
    assert s.decide("a", ["a"], history, 100.0) == {"a": al.Signal.RESTART}
    assert s.decide("a", ["a"], history, 105.0) == {"a": al.Signal.ESCALATE}
    assert s.decide("a", ["a"], history, 110.5) == {"a": al.Signal.RESTART}
    assert list(history) == [110.5]


@pytest.mark.parametrize(
    "kwargs,error",
    [
        ({"max_restarts": -1}, "max_restarts must be an int >= 0"),
        ({"max_restarts": 1.5}, "max_restarts must be an int >= 0"),
        ({"within": 0}, "within must be a positive number"),
        ({"within": "5"}, "within must be a positive number"),
    ],
)
def test_strategy_arguments_are_checked(kwargs, error):
    with pytest.raises(ValueError, match=error):
        al.OneForOne(**kwargs)


def test_strategies_choose_whom_to_restart():
    kids = ["a", "b", "c"]
    assert al.OneForOne().restarted("b", kids) == ["b"]
    assert al.OneForAll().restarted("b", kids) == kids
    assert al.RestForOne().restarted("b", kids) == ["b", "c"]
    assert al.RestForOne().restarted("z", kids) == ["z"]
    assert repr(al.OneForAll(max_restarts=2, within=1.5)) == "OneForAll(max_restarts=2, within=1.5)"


# -- 10. The failing message is dropped, and says so ----------------------------------------------------
@dataclass
class Poison:
    dose: int


def test_the_failing_message_is_named_in_errors_and_the_escalation_and_dropped(al_root):
    seen = []

    class Sup(al.Actor):
        supervisor = None

        def supervise(self, esc):
            seen.append(esc)
            return al.Signal.RESUME, None

        @al.handler
        def make(self, msg: str) -> al.ActorRef:
            return self.ctx.spawn(Eater(), name=msg)

    class Eater(al.Actor):
        def __init__(self) -> None:
            self.eaten: list = []

        @al.handler
        def eat(self, msg: Poison) -> None:
            if msg.dose > 1:
                raise ValueError("too much")
            self.eaten.append(msg.dose)

        @al.handler
        def get(self, msg: Get) -> list:
            return self.eaten

    kid = al_root.spawn(Sup()).ask_sync("eater")
    for dose in (1, 5, 1):
        kid.tell(Poison(dose))
    assert kid.ask_sync(Get()) == [1, 1]  # Poison(5) was dropped: not retried after RESUME
    err = kid.info().errors[-1]
    assert (err.msg_type, err.msg_repr) == ("Poison", "Poison(dose=5)")
    assert seen[0].message == Poison(5)
    assert al.dead_letters() == []  # dropped, not a dead letter


def test_a_long_failing_message_is_shortened_in_errors(al_root):
    c = al_root.spawn(Counter(), name="c")
    c.tell(Boom("x" * 500))
    wait_until(c.is_closed)
    err = c.info().errors[-1]
    assert err.msg_type == "Boom" and len(err.msg_repr) == 80 and err.msg_repr.endswith("…")


def test_failures_outside_a_handler_name_no_message(al_root):
    c = al_root.spawn(Counter())
    c.inject_fault()
    wait_until(c.is_closed)
    err = c.info().errors[-1]
    assert (err.kind, err.msg_type, err.msg_repr) == ("injected", None, None)





@pytest.mark.parametrize("bad,error", BAD_TIMEOUTS, ids=repr)
def test_configured_default_timeouts_are_checked_too(bad, error):
    with pytest.raises(error, match=r"al.configure\(\): ask_timeout must be a"):
        al.configure(ask_timeout=bad)
    with pytest.raises(error, match=r"al.configure\(\): shutdown_timeout must be a"):
        al.configure(shutdown_timeout=bad)
    assert al.settings().ask_timeout == 5.0


def test_save_snapshot_argument_types_are_checked_at_the_call(al_root):
    class Snap(al.Actor, snapshot=True):
        def __init__(self) -> None:
            self.n = 0

        @al.handler
        def save(self, msg: Get) -> str:
            try:
                self.ctx.save_snapshot_sync(al.MemoryStorage)
            except TypeError as exc:
                return str(exc)
            return "saved"

    ref = al_root.spawn(Snap(), name="snap")
    with pytest.raises(TypeError, match=r"save_snapshot_sync\(ref, storage\): storage must be a storage "
                       r"instance, got the class FileStorage itself. Fix: pass an instance"):
        al_root.save_snapshot_sync(ref, al.FileStorage)
    with pytest.raises(TypeError, match=r"'snaps' is not a snapshot storage .*Fix: pass al.FileStorage"):
        al_root.save_snapshot_sync(ref, "snaps")
    with pytest.raises(TypeError, match=r"save_snapshot_sync\(ref, storage\): ref must be an al.ActorRef, got 'snap'"):
        al_root.save_snapshot_sync("snap", al.MemoryStorage())
    with pytest.raises(TypeError, match=r"save_snapshot\(ref, storage\): storage must be a storage instance"):
        asyncio.run(al_root.save_snapshot(ref, al.SQLiteStorage))
    assert "got the class MemoryStorage itself" in ref.ask_sync(Get())
    assert al_root.save_snapshot_sync(ref, al.MemoryStorage()) is not None
