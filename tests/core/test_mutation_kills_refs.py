"""Tests that kill mutants of ``ref`` (``make mutation``): what a forward carries (sender,
origin, time), pickled and unresolved refs, weak refs, control signals sent from inside an actor,
the texts of control and ask timeouts, and the trace records of sends."""

from __future__ import annotations

import asyncio
import contextlib
import pickle
import threading
import time
from dataclasses import dataclass

import pytest

import actorlab as al
from actorlab import runtime as rt_mod
from actorlab import transport as transport_mod
from actorlab.ref import ActorRef
from actorlab.runtime import current_actor, get_runtime
from actorlab.testing import spawn_probe, wait_idle, wait_until

from .actors import Counter, Get


@dataclass
class Block:
    started: threading.Event
    release: threading.Event


class Forwarder(al.Actor):
    """Forwards ``Get()`` to ``b`` (the reply goes to ``target``), here or from a worker thread."""

    def __init__(self, b: al.ActorRef, target: al.ActorRef) -> None:
        self.b = b
        self.target = target

    @al.handler
    async def go(self, how: str) -> str:
        if how == "here":
            self.b.forward(Get(), self.target)
        elif how == "thread":
            await asyncio.to_thread(self.b.forward, Get(), self.target)
        elif how == "fault":
            self.b.inject_fault(ValueError("sent from an actor"))
        elif how == "stop":
            try:
                self.b.stop()
            except al.WrongThread as exc:
                return str(exc)
        elif how == "tell":
            self.b.tell(Get())
        return "done"


class Blocker(al.Actor):
    @al.handler
    def block(self, msg: Block) -> None:
        msg.started.set()
        msg.release.wait(10)  # holds the runtime thread until the test lets go


@pytest.fixture
def origins(monkeypatch):
    """Fake notebook-cell origins: each send from outside captures a new token, and the tokens
    handlers run under are recorded per actor."""
    tokens = iter(f"cell-{i}" for i in range(1, 100))
    entered: list[tuple[al.ActorId | None, object]] = []

    @contextlib.contextmanager
    def enter(token):
        entered.append((current_actor(), token))
        yield

    monkeypatch.setattr(rt_mod, "_origin_capture", lambda: next(tokens))
    monkeypatch.setattr(rt_mod, "_origin_enter", enter)
    return entered


# -- forward ---------------------------------------------------------------------------------------
def test_a_forward_carries_its_sender_origin_and_time(al_root, origins):
    probe = spawn_probe()
    b = al_root.spawn(Counter())
    a = al_root.spawn(Forwarder(b, probe.ref))
    b.pause()
    t0 = time.time()
    b.forward(Get(), probe.ref)  # from here: origin cell-1, no sender
    assert a.ask_sync("here") == "done"  # the ask captures cell-2; a forwards inside it
    assert a.ask_sync("thread") == "done"  # cell-3; a worker thread of a's handler forwards
    t1 = time.time()
    queued = b.info().mailbox_preview
    assert [(m.msg_type, m.sender) for m in queued] == [
        ("Get", None),
        ("Get", a.label),
        ("Get", a.label),
    ]
    assert all(t0 <= m.enqueued_at <= t1 for m in queued)
    b.resume()
    assert probe.expect(int, count=3) == [0, 0, 0]
    wait_idle()
    assert [tok for who, tok in origins if who == b.id] == ["cell-1", "cell-2", "cell-3"]


def test_a_forward_whose_target_stopped_is_a_dead_letter(al_root):
    b = al_root.spawn(Counter(5))
    gone = al_root.spawn(Counter())
    gone.stop()
    b.forward(Get(), gone)
    wait_until(lambda: al.dead_letters(), what="the dead letter")
    [letter] = al.dead_letters()
    assert letter.message == 5 and letter.actor == gone.id
    assert letter.reason.startswith(f"forward from {b.label} failed: ")
    assert "has stopped" in letter.reason


def test_forward_to_a_non_ref_shows_it_cut_to_60_characters(al_root):
    junk = "z" * 100
    with pytest.raises(TypeError) as err:
        al_root.spawn(Counter()).forward(Get(), junk)  # type: ignore[arg-type]
    assert f"got {repr(junk)[:59]}… (str). Fix" in str(err.value)


# -- pickled, unresolved and weak refs -------------------------------------------------------------
def test_a_pickled_ref_finds_its_live_actor_and_a_stopped_ones_is_unresolved(al_root):
    c = al_root.spawn(Counter(3))
    again = pickle.loads(pickle.dumps(c))
    assert again == c and again.ask_sync(Get()) == 3
    c.stop()
    lost = pickle.loads(pickle.dumps(c))
    assert lost == c and hash(lost) == hash(c)
    assert repr(lost) == f"<ActorRef actor#{c.id.short} (unresolved)>"
    assert lost.label == f"actor#{c.id.short}" and lost.status is al.Status.STOPPED
    assert lost.is_closed() and c.is_closed()
    lost.stop()  # nothing to stop: returns at once
    asyncio.run(lost.stop_async())


class FakeTransport:
    def __init__(self, home: str, found: ActorRef | None = None) -> None:
        self.home = home
        self.found = found
        self.resolved: list[tuple] = []

    def resolve(self, actor_id, home, class_key):
        self.resolved.append((actor_id, home, class_key))
        return self.found

    def lookup(self, name):
        return None

    def infos(self):
        return []


def test_a_ref_pickled_in_a_cluster_carries_its_home_and_class(al_root, monkeypatch):
    c = al_root.spawn(Counter())
    stand_in = al_root.spawn(Counter(9))
    monkeypatch.setattr(transport_mod, "_transport", FakeTransport("node-a"))
    data = pickle.dumps(c)
    assert pickle.loads(data) == c  # live here
    c.stop()
    assert pickle.loads(data)._cell is None  # pickled at home, unpickled at home: unresolved
    there = FakeTransport("node-b", stand_in)
    monkeypatch.setattr(transport_mod, "_transport", there)
    assert pickle.loads(data) is stand_in  # elsewhere: resolved through the transport
    assert there.resolved == [(c.id, "node-a", (Counter.__module__, Counter.__qualname__))]


def test_refs_hash_by_id_so_they_spread_in_dicts(al_root):
    refs = [al_root.spawn(Counter()) for _ in range(8)]
    assert {hash(r) for r in refs} == {hash(r.id) for r in refs}
    assert len({hash(r) for r in refs}) == 8


def test_weak_refs_of_stopped_actors_compare_by_id_and_never_upgrade(al_root):
    c = al_root.spawn(Counter())
    d = al_root.spawn(Counter())
    live = c.downgrade()
    assert live.upgrade() == c and live.id == c.id
    c.stop()
    w1, w2 = c.downgrade(), c.downgrade()  # a stopped actor's ref still downgrades
    assert w1.id == c.id and w1 == w2 and w1 == live and hash(w1) == hash(w2) == hash(c.id)
    assert w1 != d.downgrade() and w1 != c
    assert w1.upgrade() is None and live.upgrade() is None
    assert repr(w1) == f"<WeakActorRef actor#{c.id.short}>"


# -- control ---------------------------------------------------------------------------------------
def test_a_fault_injected_from_inside_an_actor_carries_its_error(al_root):
    b = al_root.spawn(Counter())
    a = al_root.spawn(Forwarder(b, b))
    assert a.ask_sync("fault") == "done"
    wait_until(lambda: b.info().errors, what="b's failure")
    err = b.info().errors[-1]
    assert (err.type, err.message) == ("ValueError", "sent from an actor")
    c = al_root.spawn(Counter())
    c.inject_fault()
    wait_until(lambda: c.info().errors, what="c's failure")
    assert c.info().errors[-1].message == f"fault injected into {c.label}"


def test_stop_inside_an_actor_says_to_await_stop_async(al_root):
    b = al_root.spawn(Counter())
    a = al_root.spawn(Forwarder(b, b))
    assert a.ask_sync("stop") == (
        f"{b.label}.stop() waits for the actor to stop, and it was called inside an actor. "
        "Fix: `await ref.stop_async()` there, or self.ctx.terminate() to stop yourself"
    )


def test_a_control_signal_that_is_not_taken_in_time_says_what_the_actor_is_doing(al_root):
    al.configure(ask_timeout=0.2)
    blocker = al_root.spawn(Blocker())
    idle = al_root.spawn(Counter())
    started, release = threading.Event(), threading.Event()
    safety = threading.Timer(10, release.set)  # a control that never times out returns then
    safety.start()
    try:
        blocker.tell(Block(started, release))
        assert started.wait(10)
        with pytest.raises(TimeoutError) as busy:
            blocker.pause()
        with pytest.raises(TimeoutError) as waiting:
            idle.step()
    finally:
        release.set()
        safety.cancel()
    assert str(busy.value) == (
        f"{blocker.label} did not pause within 0.2 s: it is still running block(Block) "
        "(handlers cannot be pre-empted)"
    )
    assert str(waiting.value) == f"{idle.label} did not step within 0.2 s: it is idle"


def test_an_ask_to_a_paused_actor_times_out_saying_it_is_paused(al_root):
    b = al_root.spawn(Counter())
    b.pause()
    with pytest.raises(al.AskTimeout) as err:
        b.ask_sync(Get(), timeout=0.2)
    assert str(err.value) == (
        f"no reply from {b.label} to Get within 0.2 s (it is paused with 1 queued; the message "
        "stays queued). Fix: pass a longer timeout=..., or al.configure(ask_timeout=...); if it "
        "is stuck, look for an ask cycle (A waits on B while B waits on A)"
    )


# -- trace records ---------------------------------------------------------------------------------
def test_a_traced_tell_names_sender_type_and_repr_and_continues_the_conversation(al_root):
    b = al_root.spawn(Counter())
    a = al_root.spawn(Forwarder(b, b))
    events: list = []
    unsubscribe = get_runtime().events.subscribe(events.append)
    try:
        assert a.ask_sync("tell") == "done"
        wait_idle()
    finally:
        unsubscribe()
    [ask] = [e for e in events if e.kind == "ask" and e.dst == a.id]
    [tell] = [e for e in events if e.kind == "tell" and e.dst == b.id]
    assert (tell.src, tell.msg_type, tell.msg_repr) == (a.id, "Get", "Get()")
    assert ask.corr_id is not None and tell.corr_id == ask.corr_id  # one conversation


# -- asks between actors ---------------------------------------------------------------------------
class Asker(al.Actor):
    def __init__(self, b: al.ActorRef) -> None:
        self.b = b

    @al.handler
    async def go(self, how: str) -> object:
        if how == "ask":
            return await self.b.ask(Get())
        if how == "self":
            try:
                await self.ctx.this.ask(Get())
            except al.Deadlock as exc:
                return str(exc)
        if how == "info":
            return self.b.info().state_preview
        return None

    @al.handler
    def get(self, msg: Get) -> int:
        return -1


def test_an_ask_from_an_actor_carries_its_sender_origin_and_time(al_root, origins):
    b = al_root.spawn(Counter(4))
    a = al_root.spawn(Asker(b))
    b.pause()
    t0 = time.time()
    a.tell("ask")  # captures cell-1; a asks b inside it
    wait_until(lambda: b.info().mailbox == 1, what="a's ask to reach b")
    [queued] = b.info().mailbox_preview
    assert (queued.kind, queued.msg_type, queued.sender) == ("ask", "Get", a.label)
    assert t0 <= queued.enqueued_at <= time.time()
    b.resume()
    wait_idle()
    assert [tok for who, tok in origins if who == b.id] == ["cell-1"]


def test_traced_asks_keep_their_ask_id_and_conversation_through_the_reply(al_root):
    b = al_root.spawn(Counter(4))
    a = al_root.spawn(Asker(b))
    events: list = []
    unsubscribe = get_runtime().events.subscribe(events.append)
    try:
        assert a.ask_sync("ask") == 4
        assert asyncio.run(b.ask(Get())) == 4  # from another event loop
        wait_idle()
    finally:
        unsubscribe()
    outer, inner, foreign = [e for e in events if e.kind == "ask"]
    assert (inner.src, inner.dst, inner.msg_type, inner.msg_repr) == (a.id, b.id, "Get", "Get()")
    assert inner.corr_id == outer.corr_id is not None  # one conversation
    assert None not in (outer.ask_id, inner.ask_id, foreign.ask_id)
    assert len({outer.ask_id, inner.ask_id, foreign.ask_id}) == 3
    handled = {(e.dst, e.ask_id): e for e in events if e.kind == "handled"}
    replies = {(e.src, e.ask_id): e for e in events if e.kind == "reply"}
    for ask in (inner, foreign):
        assert handled[(b.id, ask.ask_id)].corr_id == ask.corr_id
        assert replies[(b.id, ask.ask_id)].corr_id == ask.corr_id
    assert replies[(b.id, inner.ask_id)].dst == a.id


def test_a_self_ask_names_the_message_type(al_root):
    a = al_root.spawn(Asker(None))  # type: ignore[arg-type]
    assert a.ask_sync("self") == (
        f"actor {a.label} asked itself for Get inside its own handler; it handles one message at "
        "a time, so the ask could never be answered. Fix: call the method directly, or "
        "self.ctx.this.tell(...)"
    )


# -- info and stopped refs -------------------------------------------------------------------------
def test_info_inside_an_actor_has_the_details(al_root):
    b = al_root.spawn(Counter(6))
    a = al_root.spawn(Asker(b))
    assert a.ask_sync("info") == {"value": "6"}


def test_info_while_the_runtime_thread_is_held_reads_the_fields_directly(al_root):
    blocker = al_root.spawn(Blocker())
    idle = al_root.spawn(Counter(7))
    started, release = threading.Event(), threading.Event()
    safety = threading.Timer(10, release.set)
    safety.start()
    try:
        blocker.tell(Block(started, release))
        assert started.wait(10)
        info = idle.info()
        assert not release.is_set()  # answered while the loop was still held
    finally:
        release.set()
        safety.cancel()
    assert info.state_preview == {"value": "7"}


def test_a_stopped_ref_keeps_its_type_and_path_and_refuses_messages(al_root):
    c = al_root.spawn(Counter(), name="kept")
    path = c.path
    c.stop()
    assert c.actor_type is Counter and c.path == path
    lost = pickle.loads(pickle.dumps(c))
    with pytest.raises(al.ActorClosed, match=f"{c.id}.* has stopped; it accepts no more messages"):
        lost.tell(Get())


# -- third round: what the first two left ----------------------------------------------------------
def test_a_live_refs_repr_and_a_fresh_unpickled_one_show_the_actor(al_root):
    c = al_root.spawn(Counter(), name="shown")
    wait_idle()
    assert repr(c) == f"<ActorRef {c.label} Counter idle>"
    again = pickle.loads(pickle.dumps(c))
    assert again.name == "shown" and repr(again) == repr(c)  # bound at once, not on first use


def test_an_unresolved_ref_pickles_without_a_class_and_refuses_its_type(al_root, monkeypatch):
    c = al_root.spawn(Counter())
    c.stop()
    lost = pickle.loads(pickle.dumps(c))
    with pytest.raises(al.ActorClosed):
        lost.actor_type  # noqa: B018
    monkeypatch.setattr(transport_mod, "_transport", FakeTransport("node-a"))
    assert lost.__reduce__()[1] == (str(c.id), "node-a", None)


def test_a_ref_pickled_outside_a_cluster_is_not_resolved_through_one(al_root, monkeypatch):
    c = al_root.spawn(Counter())
    data = pickle.dumps(c)  # no transport: no home
    c.stop()
    there = FakeTransport("node-b", al_root.spawn(Counter()))
    monkeypatch.setattr(transport_mod, "_transport", there)
    assert pickle.loads(data)._cell is None and there.resolved == []


def test_traced_tells_carry_sender_origin_time_and_conversation(al_root, origins):
    b = al_root.spawn(Counter())
    a = al_root.spawn(Forwarder(b, b))
    b.pause()
    events: list = []
    unsubscribe = get_runtime().events.subscribe(events.append)
    try:
        t0 = time.time()
        b.tell(Get())  # from here: cell-1
        assert a.ask_sync("tell") == "done"  # cell-2; a tells b inside it
        queued = b.info().mailbox_preview
        assert [(m.msg_type, m.sender) for m in queued] == [("Get", None), ("Get", a.label)]
        assert all(t0 <= m.enqueued_at <= time.time() for m in queued)
        b.resume()
        wait_idle()
    finally:
        unsubscribe()
    tells = [e for e in events if e.kind == "tell" and e.dst == b.id]
    handled = [e for e in events if e.kind == "handled" and e.dst == b.id]
    assert [(e.src, e.msg_type) for e in tells] == [(None, "Get"), (a.id, "Get")]
    assert [(e.src, e.msg_type, e.corr_id) for e in handled] == [
        (e.src, e.msg_type, e.corr_id) for e in tells
    ]
    assert None not in [e.corr_id for e in tells]
    assert [tok for who, tok in origins if who == b.id] == ["cell-1", "cell-2"]


class TimedAsker(al.Actor):
    def __init__(self, b: al.ActorRef) -> None:
        self.b = b

    @al.handler
    async def go(self, msg: str) -> str:
        try:
            await self.b.ask(Get(), timeout=0.2)
        except al.AskTimeout as exc:
            return str(exc)
        return "answered"


def test_ask_timeouts_from_another_loop_and_from_an_actor_name_the_message(al_root):
    b = al_root.spawn(Counter())
    b.pause()
    text = (
        f"no reply from {b.label} to Get within 0.2 s (it is paused with {{}} queued; the message "
        "stays queued)"
    )
    with pytest.raises(al.AskTimeout) as err:
        asyncio.run(b.ask(Get(), timeout=0.2))
    assert str(err.value).startswith(text.format(1))
    a = al_root.spawn(TimedAsker(b))
    assert a.ask_sync("go", timeout=5).startswith(text.format(2))


def test_ask_sync_in_a_runtime_callback_says_it_would_freeze_the_runtime(al_root):
    b = al_root.spawn(Counter())
    with pytest.raises(al.WrongThread) as err:
        get_runtime().call(lambda: b.ask_sync(Get()))
    assert str(err.value).startswith(
        f"{b.label}.ask_sync(Get) was called in the runtime thread, where blocking would freeze "
        "every actor (deadlock). Fix: "
    )


def test_an_ask_from_another_thread_is_stamped_and_traced_with_its_message(al_root):
    b = al_root.spawn(Counter(2))
    b.pause()
    events: list = []
    unsubscribe = get_runtime().events.subscribe(events.append)
    got: list = []
    t0 = time.time()
    asker = threading.Thread(target=lambda: got.append(b.ask_sync(Get())))
    asker.start()
    try:
        wait_until(lambda: b.info().mailbox == 1, what="the ask to arrive")
        [queued] = b.info().mailbox_preview
        assert queued.kind == "ask" and t0 <= queued.enqueued_at <= time.time()
    finally:
        b.resume()
        asker.join(10)
        unsubscribe()
    assert got == [2]
    [ask] = [e for e in events if e.kind == "ask"]
    assert (ask.msg_type, ask.msg_repr) == ("Get", "Get()")


class StartForwarder(al.Actor):
    def __init__(self, b: al.ActorRef, target: al.ActorRef) -> None:
        self.b = b
        self.target = target

    def on_start(self) -> None:
        self.b.forward(Get(), self.target)  # no message is being handled here

    @al.handler
    def get(self, msg: Get) -> int:
        return 0


def test_forward_from_a_hook_or_a_runtime_callback_still_delivers(al_root):
    probe = spawn_probe()
    b = al_root.spawn(Counter(8))
    al_root.spawn(StartForwarder(b, probe.ref))
    get_runtime().call(lambda: b.forward(Get(), probe.ref))
    assert probe.expect(int, count=2) == [8, 8]


class CatchAll(al.Actor):
    @al.handler
    def get(self, msg: Get) -> str:
        return "get"

    @al.handler
    def anything(self, msg: object) -> str:
        return "anything"


def test_a_message_goes_to_its_own_handler_after_others_were_dispatched(al_root):
    c = al_root.spawn(CatchAll())
    assert c.ask_sync(None) == "anything"  # None's handler is now cached
    assert c.ask_sync(Get()) == "get"
    assert c.ask_sync(3) == "anything" and c.ask_sync(Get()) == "get"


def test_a_ref_unpickled_with_no_runtime_running_is_unresolved(al_root):
    c = al_root.spawn(Counter())
    data = pickle.dumps(c)
    al.shutdown(timeout=2.0)
    lost = pickle.loads(data)
    assert lost == c and lost._cell is None
