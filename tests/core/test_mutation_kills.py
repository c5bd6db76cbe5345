"""Tests that would notice: each kills mutants that survived the suite before (``make mutation``).

Some are white-box on purpose: they pin a behaviour that only shows in a race (a timer firing
while another thread cancels it) by running that interleaving directly on the runtime thread.
"""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from dataclasses import dataclass

import pytest

import actorlab as al
from actorlab.signals import Kind, Sig
from actorlab.supervision import Escalation, EscalationKind
from actorlab.testing import spawn_probe, wait_until

from .actors import Boom, Counter, Get, Sleep


@dataclass
class Tick:
    n: int


class Ticker(al.Actor):
    def __init__(self) -> None:
        self.got: list = []

    @al.handler
    def start(self, msg: tuple) -> al.TimerHandle:
        kind, value = msg
        if kind == "after":
            return self.ctx.send_after(value, Tick(1))
        return self.ctx.send_every(value, Tick(2))

    @al.handler
    def tick(self, msg: Tick) -> None:
        self.got.append(msg.n)

    @al.handler
    def get(self, msg: Get) -> list:
        return self.got


# -- timers ---------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "msg,text",
    [
        (("after", -1), "timer of ticker: delay must be a number of seconds >= 0"),
        (("every", 0), "timer of ticker: period must be a positive number of seconds"),
        (("every", "x"), "timer of ticker: period must be a number of seconds, got 'x'"),
        (("after", "x"), "timer of ticker: delay must be a number of seconds, got 'x'"),
    ],
)
def test_timer_errors_name_the_argument(al_root, msg, text):
    t = al_root.spawn(Ticker(), name="ticker")
    with pytest.raises(al.HandlerError) as ei:
        t.ask_sync(msg)
    assert str(ei.value.__cause__).startswith(text)


def test_a_timer_delivers_its_message_and_reports_its_state(al_root):
    t = al_root.spawn(Ticker(), name="ticker")
    h = t.ask_sync(("after", 0))
    wait_until(lambda: t.ask_sync(Get()) == [1])
    assert h.fired == 1 and h.cancelled is True  # a one-shot timer is done once it fired
    assert repr(h) == "<TimerHandle Tick -> ticker once, cancelled>"
    every = t.ask_sync(("every", 30))
    assert every.cancelled is False and every.fired == 0
    assert repr(every) == "<TimerHandle Tick -> ticker every 30 s, active>"
    every.cancel()
    assert repr(every) == "<TimerHandle Tick -> ticker every 30 s, cancelled>"


def test_a_paused_actors_timer_message_comes_from_itself(al_root):
    t = al_root.spawn(Ticker(), name="ticker")
    h = t.ask_sync(("every", 0.01))
    t.pause()
    wait_until(lambda: t.info().mailbox >= 1)
    preview = t.info().mailbox_preview[0]
    assert (preview.msg_type, preview.sender) == ("Tick", "ticker")
    assert preview.msg_repr == "Tick(n=2)"
    h.cancel()
    t.resume()


def test_a_fire_that_races_a_cancel_delivers_nothing(al_root):
    t = al_root.spawn(Ticker(), name="ticker")
    h = t.ask_sync(("every", 30))
    rt = al_root.runtime
    h._cancelled = True  # what cancel() from another thread sets before its hand-off runs
    rt.call(h._fire)
    assert h.fired == 0
    h._cancelled = False
    h.cancel()  # from this thread: its hand-off cancels the loop's timer too
    wait_until(lambda: h._handle.cancelled())
    assert t.ask_sync(Get()) == []


def test_a_timer_of_a_stopped_actor_is_never_armed_nor_fired(al_root):
    t = al_root.spawn(Ticker(), name="ticker")
    cell = al_root.runtime.cells[t.id]
    h = t.ask_sync(("every", 30))
    t.stop()
    rt = al_root.runtime
    late = rt.call(lambda: cell.context.send_after(0, Tick(9)))
    assert late._handle is None  # _arm saw the closed cell
    rt.call(h._fire)
    assert h.fired == 0


def test_cancel_before_the_timer_is_armed_is_clean(al_root, caplog):
    t = al_root.spawn(Ticker(), name="ticker")
    cell = al_root.runtime.cells[t.id]
    h = cell.context.send_after(5, Tick(4))  # from this thread: armed by a hand-off
    h.cancel()  # cancelled before (or after) that hand-off ran
    t.ask_sync(Get())
    assert h._handle is None or h._handle.cancelled()
    assert "raised" not in caplog.text


def test_a_periodic_timer_keeps_its_schedule_and_skips_when_late(al_root):
    t = al_root.spawn(Ticker(), name="ticker")
    h = t.ask_sync(("every", 10))
    rt = al_root.runtime

    def on_time():
        before = h._next
        h._fire()
        return before, h._next

    before, after = rt.call(on_time)
    assert after == before + 10  # no drift

    def late():
        h._next = rt.loop.time() - 100  # a long handler held the loop
        h._fire()
        return rt.loop.time(), h._next

    now, nxt = rt.call(late)
    assert now + 9 < nxt <= now + 10.5  # skipped ahead one period, no burst
    h.cancel()


# -- supervision ---------------------------------------------------------------------------------------
class Kid(al.Actor):
    @al.handler
    def boom(self, msg: Boom) -> None:
        raise RuntimeError(msg.text)

    @al.handler
    def get(self, msg: Get) -> str:
        return "alive"


class Parent(al.Actor):
    def __init__(self, decision=al.Signal.TERMINATE) -> None:
        self.decision = decision

    def supervise(self, esc):
        return self.decision, None

    @al.handler
    def make(self, msg: str) -> al.ActorRef:
        return self.ctx.spawn(Kid(), name=msg)


def test_a_stale_escalation_from_before_a_restart_is_ignored(al_root):
    p = al_root.spawn(Parent())
    kid = p.ask_sync("kid")
    rt = al_root.runtime
    pcell, kcell = rt.cells[p.id], rt.cells[kid.id]
    old = kcell.incarnation
    kid.restart()
    assert kcell.incarnation == old + 1
    esc = Escalation(kid, EscalationKind.HANDLER, RuntimeError("old"), None)
    rt.call(lambda: pcell.signal(Sig(Kind.ESCALATION, payload=(kcell, esc, old, None))))
    assert p.ask_sync("other").ask_sync(Get()) == "alive"  # the parent handled the signal
    assert kid.ask_sync(Get()) == "alive"  # not terminated for its previous life's failure


def test_a_resumed_supervisor_stops_the_child_it_escalated_for(al_root):
    class Escalates(Parent):
        def supervise(self, esc):
            return al.Signal.ESCALATE, None

    class Grand(al.Actor):
        def supervise(self, esc):
            return al.Signal.RESUME, None

        @al.handler
        def make(self, msg: str) -> al.ActorRef:
            return self.ctx.spawn(Escalates(), name=msg)

    g = al_root.spawn(Grand())
    p = g.ask_sync("p")
    kid = p.ask_sync("kid")
    kid.tell(Boom())
    wait_until(kid.is_closed, what="the child the resumed parent escalated for to stop")
    assert p.ask_sync("kid2").ask_sync(Get()) == "alive"  # the parent itself goes on


def test_signals_held_while_failed_are_settled_when_it_stops(al_root):
    gate = threading.Event()

    class Slow(Parent):
        async def supervise(self, esc):
            while not gate.is_set():
                await asyncio.sleep(0.005)
            return al.Signal.TERMINATE, None

    al.configure(ask_timeout=3)
    p = al_root.spawn(Slow())
    kid = p.ask_sync("kid")
    kid.pause()
    kid.tell(Get())
    kid.tell(Boom())
    kid.step()  # handles Get
    result = []
    stepper = threading.Thread(target=lambda: result.append(_try(kid.step)))
    stepper.start()  # handles Boom: the kid fails and waits for its supervisor
    wait_until(lambda: kid.status is al.Status.FAILED)
    late = threading.Thread(target=lambda: result.append(_try(kid.step)))
    late.start()  # held while failed
    wait_until(lambda: len(kid._live(allow_closed=True).signals) == 0 and len(result) >= 1)
    gate.set()
    stepper.join(5)
    late.join(5)
    assert len(result) == 2 and not any(isinstance(r, TimeoutError) for r in result), result
    assert kid.is_closed()


def _try(fn):
    try:
        return fn()
    except Exception as exc:
        return exc


# -- refs ----------------------------------------------------------------------------------------------
def test_ref_status_of_live_stopped_and_unresolved_refs(al_root):
    c = al_root.spawn(Counter())
    c.ask_sync(Get())
    assert c.status is al.Status.IDLE
    c.stop()
    assert c.status is al.Status.STOPPED
    assert al.ActorRef(None, al.ActorId.new()).status is al.Status.STOPPED


def test_stop_raises_when_the_actor_does_not_stop_in_time(al_root):
    c = al_root.spawn(Counter(), name="slow")
    c.tell(Sleep(2))
    wait_until(lambda: c.info().current_handler is not None)
    with pytest.raises(TimeoutError, match=r"slow did not stop within 0.2 s: it is still running sleep\(Sleep\)"):
        c.stop(timeout=0.2)


def test_stop_async_in_the_actors_own_handler_stops_it_after_the_message(al_root):
    class SelfStop(al.Actor):
        @al.handler
        async def go(self, msg: Get) -> str:
            await self.ctx.this.stop_async()
            return "finished the message"

    s = al_root.spawn(SelfStop())
    assert s.ask_sync(Get()) == "finished the message"
    wait_until(s.is_closed)


# -- SQLite storage ------------------------------------------------------------------------------------
def test_a_failed_sqlite_write_is_raised_not_swallowed(tmp_path):
    store = al.SQLiteStorage(tmp_path / "s.db")
    aid = al.ActorId.from_name("x")
    store.write(aid, b"one")
    con = sqlite3.connect(tmp_path / "s.db")
    con.execute(
        "CREATE TRIGGER full BEFORE INSERT ON snapshots BEGIN SELECT RAISE(ABORT, 'disk full'); END"
    )
    con.commit()
    con.close()
    with pytest.raises(al.SnapshotError, match="disk full"):
        store.write(aid, b"two")
    assert store.read(aid) == b"one"


# -- mailbox runs ----------------------------------------------------------------------------------------
class Relay(al.Actor):
    """Sends to ``b`` from inside a handler: actor-to-actor tells use the mailbox's runs."""

    def __init__(self, b: al.ActorRef, probe: al.ActorRef) -> None:
        self.b, self.probe = b, probe

    @al.handler
    def go(self, msg: str) -> None:
        if msg == "forward-then-tell":
            self.b.forward(Get(), self.probe)
            self.b.tell(Get())  # same sender, origin and handler: must not join the forward's run
        elif msg == "envelope":
            from actorlab.envelope import tell_envelope

            self.b.tell("first")
            self.b.tell(tell_envelope("inner", None, None, None, 0.0))  # an Envelope as a message
        elif msg == "two":
            self.b.tell("first")
            self.b.tell("second")


def test_a_tell_never_joins_a_forwards_run(al_root):
    probe = spawn_probe()
    b = al_root.spawn(Counter(7))
    a = al_root.spawn(Relay(b, probe.ref))
    a.tell("forward-then-tell")
    assert probe.expect(int) == [7]
    b.ask_sync(Get())
    assert probe.messages == [7]  # one reply: the tell's result was not forwarded too


def test_an_envelope_sent_as_a_message_arrives_as_itself(al_root):
    from actorlab.envelope import Envelope

    probe = spawn_probe()
    a = al_root.spawn(Relay(probe.ref, probe.ref))
    a.tell("envelope")
    got = probe.expect(count=2)
    assert got[0] == "first" and type(got[1]) is Envelope and got[1].msg == "inner"


def test_actor_to_actor_tells_keep_their_origin_and_time(al_root, monkeypatch):
    from actorlab import runtime as rt_mod

    entered = []

    class Scope:
        def __init__(self, token):
            self.token = token

        def __enter__(self):
            entered.append(self.token)

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(rt_mod, "_origin_capture", lambda: "cell-7")
    monkeypatch.setattr(rt_mod, "_origin_enter", Scope)
    probe = spawn_probe()
    a = al_root.spawn(Relay(probe.ref, probe.ref))
    probe.ref.pause()
    a.tell("two")
    wait_until(lambda: probe.ref.info().mailbox == 2)
    previews = probe.ref.info().mailbox_preview
    assert all(isinstance(p.enqueued_at, float) and p.enqueued_at > 0 for p in previews)
    probe.ref.resume()
    probe.expect(count=2)
    assert entered.count("cell-7") >= 3  # a's handler, then both of the probe's messages


# -- small public pieces ----------------------------------------------------------------------------------
def test_escalation_text_with_and_without_a_message(al_root):
    c = al_root.spawn(Counter(), name="c")
    e = Escalation(c, EscalationKind.INJECTED, ValueError("v"))
    assert str(e) == "c failed in injected: ValueError: v"
    e2 = Escalation(c, EscalationKind.HANDLER, ValueError("v"), Get())
    assert str(e2) == "c failed in handler while handling Get: ValueError: v"


def test_strategy_defaults_bounds_and_window_edge():
    import collections

    assert repr(al.OneForOne()) == "OneForOne(max_restarts=3, within=5)"
    assert al.OneForOne(max_restarts=0).max_restarts == 0  # escalate at the first failure
    assert al.OneForOne(within=0.5).within == 0.5
    s = al.OneForOne(max_restarts=1, within=10)
    history: collections.deque = collections.deque([100.0])
    assert s.decide("a", ["a"], history, 110.0) == {"a": al.Signal.ESCALATE}  # exactly 10 s: kept
    old: collections.deque = collections.deque([time.monotonic() - 100])
    assert s.decide("a", ["a"], old) == {"a": al.Signal.RESTART}  # no clock given: real time
    assert len(old) == 1 and old[0] > time.monotonic() - 50  # the old restart was forgotten


def test_timeouts_delay_defaults():
    from actorlab import timeouts

    with pytest.raises(ValueError, match=r"^delay must be a number of seconds >= 0"):
        timeouts.delay(-1)
    assert timeouts.delay(0) == 0.0


def test_signal_kinds_are_checked_and_timeouts_unprefixed():
    from actorlab import timeouts

    with pytest.raises(TypeError, match=r"^unknown signal kind 'stop'; the kinds are RESTART, TERMINATE, RESUME, "):
        Sig("stop")
    with pytest.raises(ValueError, match=r"^timeout must be a positive number of seconds, got 0"):
        timeouts.timeout(0)


def test_a_fresh_mailbox_has_seen_no_message(al_root):
    c = al_root.spawn(Counter())
    info = c.info()
    assert (info.mailbox, info.mailbox_hwm) == (0, 0)
