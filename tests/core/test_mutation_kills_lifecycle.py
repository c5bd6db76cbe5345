"""Tests that kill mutants of ``lifecycle`` (``make mutation``): what a restart resets and
announces, the order of a stop (children, then ``on_exit`` with its code), the hooks' errors,
and what closing an actor settles, refuses and frees."""

from __future__ import annotations

import asyncio
import logging
import threading
from dataclasses import dataclass

import pytest

import actorlab as al
from actorlab.runtime import get_runtime
from actorlab.testing import wait_idle, wait_until

from .actors import Boom, Counter, Get

_LOG: list = []  # what the hooks saw (they run on the runtime thread; tests read it after)


@dataclass
class Spawn:
    name: str


@dataclass
class Later:
    seconds: float


@dataclass
class Quit:
    then_raise: bool = False


class Hooks(al.Actor):
    """Logs its hooks, spawns children, sets timers, stops itself."""

    def __init__(self, tag: str = "h") -> None:
        self.tag = tag
        self.n = 0

    def on_restart(self) -> None:
        _LOG.append(("on_restart", self.tag, self.n, [c.is_closed() for c in self.ctx.children]))

    def on_exit(self, code) -> None:
        _LOG.append(("on_exit", self.tag, code, [c.is_closed() for c in self.ctx.children]))

    @al.handler
    def spawn(self, msg: Spawn) -> al.ActorRef:
        return self.ctx.spawn(Counter(), name=msg.name)

    @al.handler
    def later(self, msg: Later) -> None:
        self.ctx.send_after(msg.seconds, Get())

    @al.handler
    def get(self, msg: Get) -> int:
        self.n += 1
        _LOG.append(("get", self.tag, self.n))
        return self.n

    @al.handler
    def quit(self, msg: Quit) -> None:
        self.ctx.terminate()
        if msg.then_raise:
            raise ValueError("after terminate")

    @al.handler
    def boom(self, msg: Boom) -> None:
        raise ValueError(msg.text)


class Sup(al.Actor):
    supervisor = al.OneForOne(max_restarts=10, within=60.0)

    def __init__(self, child=None) -> None:
        self.child = child

    def on_start(self) -> None:
        self.kid = self.ctx.spawn(self.child or Hooks("kid"), name="kid")

    @al.handler
    def get(self, msg: Get) -> al.ActorRef:
        return self.kid


@pytest.fixture(autouse=True)
def _log():
    _LOG.clear()
    yield _LOG


def _restart(ref) -> None:
    before = ref.info().restarts
    ref.restart()
    wait_until(lambda: ref.info().restarts == before + 1, what="restart")


# -- restart -------------------------------------------------------------------------------------------
def test_a_restart_stops_the_children_runs_on_restart_and_announces_itself(al_root):
    sup = al_root.spawn(Sup(), name="sup")
    kid = sup.ask_sync(Get())
    grandchild = kid.ask_sync(Spawn("gc"))
    assert kid.ask_sync(Get()) == 1
    statuses = []
    al.monitor(kid, lambda u: statuses.append(u.status))
    _restart(kid)
    assert grandchild.is_closed()  # terminated: a restart does not keep the children
    assert grandchild.info().status is al.Status.STOPPED
    assert ("on_restart", "kid", 1, []) in _LOG  # the old instance, its children stopped first
    assert kid.ask_sync(Get()) == 1  # rebuilt from the pristine args
    info = kid.info()
    assert info.restarts == 1 and info.errors == ()  # on_restart ran without an error
    assert al.Status.RESTARTING in statuses
    (event,) = [e for e in al.events() if e.kind == "restart"]
    assert (event.src, event.dst, event.msg_type) == (sup.id, kid.id, "Hooks")


def test_each_restart_counts_and_a_stale_escalation_is_ignored(al_root):
    sup = al_root.spawn(Sup(), name="sup")
    kid = sup.ask_sync(Get())
    for n in range(1, 4):
        kid.tell(Boom())
        wait_until(lambda n=n: kid.info().restarts == n, what=f"restart {n}")
    assert (kid.info().restarts, kid.info().failures) == (3, 3)
    assert kid.ask_sync(Get()) == 1


def test_a_restart_cancels_the_actors_timers(al_clock):
    root = al.root()
    h = root.spawn(Hooks("t"))
    h.ask_sync(Later(10.0))
    _restart(h)
    _LOG.clear()
    al_clock.advance(20.0)
    assert _LOG == []  # the timer of the old instance never fired


def test_a_terminate_asked_for_before_a_failure_is_forgotten_by_the_restart(al_root):
    sup = al_root.spawn(Sup(), name="sup")
    kid = sup.ask_sync(Get())
    kid.tell(Quit(then_raise=True))  # terminate() asked, then the handler raised: a restart
    wait_until(lambda: kid.info().restarts == 1, what="restart")
    assert kid.ask_sync(Get()) == 1  # the restarted actor does not stop on the old request
    assert not kid.is_closed()


def test_after_a_restart_a_monitor_sees_the_view_again(al_root):
    sup = al_root.spawn(Sup(), name="sup")
    kid = sup.ask_sync(Get())
    kid.ask_sync(Get())
    updates = []
    al.monitor(kid, updates.append)
    kid.ask_sync(Get())
    wait_idle()
    assert [u.kind for u in updates if u.kind == "view"] == []  # view() is None, unchanged
    _restart(kid)
    kid.ask_sync(Get())
    wait_idle()
    views = [u for u in updates if u.kind == "view"]
    assert len(views) == 1 and views[0].view is None  # a new instance: its view is news


# -- stop ----------------------------------------------------------------------------------------------
def test_a_stop_stops_the_children_then_runs_on_exit_with_terminated(al_root):
    h = al_root.spawn(Hooks("p"), name="p")
    child = h.ask_sync(Spawn("c"))
    statuses = []
    al.monitor(h, lambda u: statuses.append(u.status))
    h.stop()
    assert child.is_closed()
    assert _LOG[-1] == ("on_exit", "p", al.ExitCode.TERMINATED, [])  # the child stopped first
    assert statuses[-2:] == [al.Status.STOPPING, al.Status.STOPPED]


def test_a_stopping_actor_refuses_new_messages_while_on_exit_runs(al_root):
    entered, release = threading.Event(), threading.Event()

    class Slow(al.Actor):
        async def on_exit(self, code) -> None:
            entered.set()
            await asyncio.get_running_loop().run_in_executor(None, release.wait, 5)

        @al.handler
        def get(self, msg: Get) -> int:
            return 1

    s = al_root.spawn(Slow(), name="slow")
    assert s.ask_sync(Get()) == 1
    stopper = threading.Thread(target=s.stop)
    stopper.start()
    try:
        assert entered.wait(5)
        with pytest.raises(al.ActorClosed):
            s.ask_sync(Get())
    finally:
        release.set()
        stopper.join(5)
    assert s.is_closed()


def test_ctx_terminate_stops_after_the_message_and_runs_on_exit(al_root):
    h = al_root.spawn(Hooks("q"), name="q")
    h.ask_sync(Quit())
    wait_until(h.is_closed, what="stop")
    assert _LOG[-1] == ("on_exit", "q", al.ExitCode.TERMINATED, [])


class Plain(al.Actor):
    """No hooks, no on_start: it starts (and can stop) without a task."""

    @al.handler
    def quit(self, msg: Quit) -> None:
        self.ctx.terminate()

    @al.handler
    def get(self, msg: Get) -> int:
        return 0


def test_a_taskless_actor_that_terminates_itself_stops_and_a_monitor_sees_stopping(al_root):
    p = al_root.spawn(Plain(), name="plain")
    statuses = []
    al.monitor(p, lambda u: statuses.append(u.status))
    p.tell(Quit())
    wait_until(p.is_closed, what="stop")
    wait_until(lambda: statuses and statuses[-1] is al.Status.STOPPED, what="stopped update")
    assert statuses[-2:] == [al.Status.STOPPING, al.Status.STOPPED]
    (stop,) = [e for e in al.events() if e.kind == "stop"]
    assert (stop.src, stop.dst, stop.msg_type, stop.detail) == (
        None,
        p.id,
        "Plain",
        "the actor stopped",
    )


def test_a_taskless_actor_stopped_twice_at_once_stops_once(al_root):
    p = al_root.spawn(Plain(), name="plain")
    rt = get_runtime()
    acks = []

    def twice() -> None:
        from actorlab.signals import Kind, Sig

        cell = p._live()
        for _ in range(2):
            fut = rt.loop.create_future()
            cell.signal(Sig(Kind.TERMINATE, fut))
            acks.append(fut)

    rt.call(twice)
    wait_until(lambda: all(f.done() for f in acks), what="both stop acks")
    assert [f.exception() for f in acks] == [None, None]
    assert p.is_closed()
    assert [e.kind for e in al.events()].count("stop") == 1


# -- hooks ---------------------------------------------------------------------------------------------
def test_a_hook_that_raises_is_logged_and_recorded_and_the_stop_goes_on(al_root, caplog):
    class Bad(al.Actor):
        def on_exit(self, code) -> None:
            raise SystemExit("from on_exit")

        @al.handler
        def get(self, msg: Get) -> int:
            return 0

    b = al_root.spawn(Bad(), name="bad")
    b.ask_sync(Get())
    with caplog.at_level(logging.ERROR, logger="actorlab"):
        b.stop()
    assert b.is_closed()
    (record,) = [r for r in caplog.records if "on_exit" in r.getMessage()]
    assert record.levelno == logging.ERROR
    assert record.getMessage().startswith("on_exit() of actor bad raised:\nTraceback")
    assert "SystemExit: from on_exit" in record.getMessage()
    (error,) = b.info().errors
    assert (error.kind, error.type, error.message, error.msg_type) == (
        "hook:on_exit",
        "SystemExit",
        "from on_exit",
        None,
    )
    assert b.info().failures == 1


def test_an_on_restart_that_raises_does_not_stop_the_restart(al_root, caplog):
    class BadRestart(Hooks):
        def on_restart(self) -> None:
            raise ValueError("no restart hook")

    sup = al_root.spawn(Sup(BadRestart("br")), name="sup")
    kid = sup.ask_sync(Get())
    with caplog.at_level(logging.ERROR, logger="actorlab"):
        _restart(kid)
    assert kid.ask_sync(Get()) == 1
    assert [e.kind for e in kid.info().errors] == ["hook:on_restart"]
    assert "on_restart() of actor kid raised:" in caplog.text


# -- close: what is refused, freed and settled --------------------------------------------------------------
def test_closing_refuses_the_queued_messages_and_frees_the_names(al_root):
    gate, entered = threading.Event(), threading.Event()

    class Busy(al.Actor):
        @al.handler
        async def hold(self, msg: Later) -> None:
            entered.set()
            await asyncio.get_running_loop().run_in_executor(None, gate.wait, 5)

        @al.handler
        def get(self, msg: Get) -> int:
            return 0

    b = al_root.spawn(Busy(), name="busy")
    other = al_root.spawn(Counter(), name="other")
    al_root.bind("alias", b)
    al_root.bind("kept", other)
    b.tell(Later(0))
    assert entered.wait(5)
    b.tell(Get())  # queued behind the busy handler: a dead letter
    asker = concurrent_ask(b)
    stopper = threading.Thread(target=b.stop)
    stopper.start()
    gate.set()
    stopper.join(5)
    with pytest.raises(al.ActorClosed) as info:
        asker.result(5)
    assert str(info.value) == (
        "actor busy stopped before answering Get (the actor stopped). "
        "Fix: check ref.is_closed(), or respawn the actor"
    )
    letters = [(d.message, d.reason) for d in al.dead_letters()]
    assert letters == [(Get(), "the actor stopped")]
    for name in ("busy", "alias"):
        with pytest.raises(al.ActorNotFound):
            al.lookup(name)
    assert al.lookup("kept") == other and al.lookup("other") == other
    assert al_root.children == [other]
    again = al_root.spawn(Counter(), name="busy")  # the name is free again
    assert again.ask_sync(Get()) == 0


def concurrent_ask(ref):
    import concurrent.futures

    out: concurrent.futures.Future = concurrent.futures.Future()

    def run() -> None:
        try:
            out.set_result(ref.ask_sync(Get()))
        except BaseException as exc:
            out.set_exception(exc)

    threading.Thread(target=run, daemon=True).start()
    wait_until(lambda: ref.info().mailbox >= 2, what="the ask to queue")
    return out


def test_a_stopped_actor_settles_pending_steps_and_stop_requests(al_root):
    h = al_root.spawn(Hooks("s"), name="s")
    h.ask_sync(Get())
    h.pause()
    h.tell(Get())
    assert h.step() == Get()  # one message of the paused actor
    h.tell(Get())
    h.tell(Get())
    h.stop()
    assert h.is_closed()
    assert [(d.message, d.reason) for d in al.dead_letters()] == [
        (Get(), "the actor stopped"),
        (Get(), "the actor stopped"),
    ]
    h.stop()  # stopping a stopped actor returns at once


def test_shutdown_rejects_the_message_being_handled_with_its_reason(caplog):
    entered = threading.Event()

    class Stuck(al.Actor):
        @al.handler
        async def get(self, msg: Get) -> int:
            entered.set()
            await asyncio.sleep(30)
            return 0

    s = al.root().spawn(Stuck(), name="stuck")
    asker = concurrent_ask_now(s)
    assert entered.wait(5)
    al.shutdown(timeout=0.2)
    with pytest.raises(al.ActorClosed) as info:
        asker.result(5)
    assert "actor stuck stopped before answering Get (the runtime shut down)" in str(info.value)


def concurrent_ask_now(ref):
    import concurrent.futures

    out: concurrent.futures.Future = concurrent.futures.Future()

    def run() -> None:
        try:
            out.set_result(ref.ask_sync(Get(), timeout=30))
        except BaseException as exc:
            out.set_exception(exc)

    threading.Thread(target=run, daemon=True).start()
    return out


_FAILS_LEFT: list = []


class FlakyArgs(al.ActorArgs[Hooks]):
    """Fails to build the actor while _FAILS_LEFT has items, then builds it."""

    def initialize(self, ctx):
        if _FAILS_LEFT:
            _FAILS_LEFT.pop()
            raise ConnectionError("not yet")
        return Hooks("flaky")


def test_a_failed_construction_restarts_without_on_restart_and_then_works(al_root):
    _FAILS_LEFT[:] = [1]
    sup = al_root.spawn(Sup(FlakyArgs()), name="sup")
    kid = sup.ask_sync(Get())
    wait_until(lambda: kid.info().restarts == 1, what="the restart after the failed build")
    assert kid.ask_sync(Get()) == 1
    assert [e.kind for e in kid.info().errors] == ["initialize"]
    assert not any(entry[0] == "on_restart" for entry in _LOG)  # no instance to run it on


_HOLD = threading.Event()


@dataclass
class Busy:
    pass


class Pair(al.Actor):
    """One-for-all over two children; a handler that keeps it busy while both fail."""

    supervisor = al.OneForAll(max_restarts=10, within=60.0)

    def on_start(self) -> None:
        self.kids = [self.ctx.spawn(Counter(), name=n) for n in ("left", "right")]

    @al.handler
    async def busy(self, msg: Busy) -> None:
        await asyncio.get_running_loop().run_in_executor(None, _HOLD.wait, 5)

    @al.handler
    def get(self, msg: Get) -> list:
        return self.kids


def test_an_escalation_from_before_a_restart_is_ignored_every_time(al_root):
    pair = al_root.spawn(Pair(), name="pair")
    left, right = pair.ask_sync(Get())
    for n in (1, 2):  # the second round: the restarted children's escalations are stale too
        _HOLD.clear()
        pair.tell(Busy())
        wait_until(lambda: pair.info().current_handler is not None, what="the busy handler")
        left.tell(Boom())
        right.tell(Boom())
        wait_until(
            lambda: left.info().failures == n and right.info().failures == n, what="both fail"
        )
        _HOLD.set()
        wait_until(
            lambda n=n: left.info().restarts == n and right.info().restarts == n, what="restarts"
        )
        wait_idle()
        # one decision restarted both; the other child's escalation was stale: no second restart
        assert (left.info().restarts, right.info().restarts) == (n, n)
    assert left.ask_sync(Get()) == 0 and right.ask_sync(Get()) == 0


def test_stopping_a_monitored_taskless_actor_answers_the_stop(al_root):
    p = al_root.spawn(Plain(), name="watched-plain")
    assert p.ask_sync(Get()) == 0
    statuses = []
    al.monitor(p, lambda u: statuses.append(u.status))
    wait_until(lambda: statuses, what="the first update")
    p.stop(timeout=3)  # the stop's ack is settled: no TimeoutError
    assert p.is_closed()
    wait_until(lambda: statuses[-1] is al.Status.STOPPED, what="the stopped update")
    assert al.Status.STOPPING in statuses


def test_a_stopped_actor_frees_its_own_names_only(al_root):
    plain = al_root.spawn(Counter(), name="plain")
    plain.ask_sync(Get())
    plain.stop()
    with pytest.raises(al.ActorNotFound):
        al.lookup("plain")
    assert al_root.spawn(Counter(2), name="plain").ask_sync(Get()) == 2  # the name is free
    moved = al_root.spawn(Counter(), name="moved")
    other = al_root.spawn(Counter(), name="other")
    other.ask_sync(Get())
    al_root.free("moved")  # its spawn name, now bound to another actor
    al_root.bind("moved", other)
    moved.stop()
    assert al.lookup("moved") == other  # not freed with the actor that first had it


def test_a_childs_stop_event_names_its_parent(al_root):
    sup = al_root.spawn(Sup(), name="sup")
    kid = sup.ask_sync(Get())
    kid.stop()
    (stop,) = [e for e in al.events() if e.kind == "stop"]
    assert (stop.src, stop.dst, stop.detail) == (sup.id, kid.id, "the actor stopped")
