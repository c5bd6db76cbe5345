"""Tests that kill mutants of ``cell`` (``make mutation``): the statistics, status and output
scope of async handlers, traced handler failures, the asker's error text, and dead letters'
reasons."""

from __future__ import annotations

import asyncio
import contextvars
import logging
import threading
import time
from dataclasses import dataclass

import pytest

import actorlab as al
from actorlab.runtime import get_runtime
from actorlab.testing import wait_idle, wait_until

from .actors import Boom, Get


@dataclass
class Work:
    seconds: float = 0.0


@dataclass
class Long:
    text: str


class Worker(al.Actor):
    """Async handlers that report what the actor looks like while they run."""

    def __init__(self) -> None:
        self.seen: list = []

    @al.handler
    async def work(self, msg: Work) -> str:
        self.seen.append((self.ctx.this.status, get_runtime().version))
        await asyncio.sleep(msg.seconds)
        return "done"

    @al.handler
    async def boom(self, msg: Boom) -> None:
        await asyncio.sleep(0)
        raise ValueError(msg.text)

    @al.handler
    async def long(self, msg: Long) -> None:
        raise ValueError("too long")

    @al.handler
    def get(self, msg: Get) -> list:
        return self.seen


class SyncFails(al.Actor):
    @al.handler
    def boom(self, msg: Boom) -> None:
        raise ValueError(msg.text)


# -- async handlers: statistics, status, version, output scope ---------------------------------------
def test_async_handler_time_adds_up_over_messages(al_root):
    w = al_root.spawn(Worker())
    assert w.ask_sync(Work()) == "done"
    assert w.ask_sync(Work()) == "done"
    info = w.info()
    assert info.processed == 2
    # total = first + second > the longer of the two; total = only the last would not be
    assert info.handler_time_total > info.handler_time_max > 0
    assert info.handler_time_max < 5.0  # a duration, not a clock reading


def test_the_last_message_time_of_an_async_handler_is_when_it_ended(al_root):
    w = al_root.spawn(Worker())
    sent = time.time()
    assert w.ask_sync(Work(0.05)) == "done"
    at = w.info().last_message_at
    assert at is not None and sent + 0.05 <= at <= time.time()


def test_an_async_handler_runs_as_processing_and_moves_the_version_per_message(al_root):
    w = al_root.spawn(Worker())
    w.pause()
    for _ in range(3):
        w.tell(Work())
    wait_until(lambda: w.info().mailbox == 3, what="the messages to queue")
    w.resume()
    seen = w.ask_sync(Get())
    assert [status for status, _ in seen] == [al.Status.PROCESSING] * 3
    versions = [v for _, v in seen]
    assert len(set(versions)) == 3  # a view watching the version redraws after each message


def test_an_async_handler_runs_in_the_scope_of_the_cell_that_sent_it(al_root, origins):
    class Scoped(al.Actor):
        @al.handler
        async def where(self, msg: str) -> object:
            await asyncio.sleep(0)
            return origins["in"]

    s = al_root.spawn(Scoped())
    origins["next"] = "cell-9"
    assert s.ask_sync("where") == "cell-9"


# -- handler failures: the asker's error, traces -------------------------------------------------------
def test_the_askers_error_shows_the_message_cut_to_80_characters(al_root):
    w = al_root.spawn(Worker())
    msg = Long("x" * 200)
    with pytest.raises(al.HandlerError) as err:
        w.ask_sync(msg)
    shown = repr(msg)[:79] + "…"
    assert f"while handling {shown}; the failure was escalated" in str(err.value)


@pytest.mark.parametrize("kind", ["sync", "async"])
def test_a_traced_handler_failure_is_recorded_as_handled_with_its_error(al_root, kind):
    a = al_root.spawn(SyncFails() if kind == "sync" else Worker(), name="a")
    with al.trace(a, settle=0) as t:
        with pytest.raises(al.HandlerError):
            a.ask_sync(Boom("kaput"))
        wait_idle()
    [ev] = [e for e in t.events if e.kind == "handled"]
    assert (ev.src, ev.dst, ev.msg_type, ev.msg_repr) == (None, a.id, "Boom", "Boom(text='kaput')")
    assert ev.detail == "error ValueError: kaput" and ev.ask_id is not None


# -- dead letters ---------------------------------------------------------------------------------
class Quits(al.Actor):
    @al.handler
    def quit(self, msg: str) -> None:
        self.ctx.terminate()


def test_a_tell_left_queued_when_the_actor_stops_is_a_dead_letter_with_the_reason(al_root):
    q = al_root.spawn(Quits())
    q.pause()
    q.tell("quit")
    q.tell("left behind")
    wait_until(lambda: q.info().mailbox == 2, what="both to queue")
    q.resume()
    wait_until(q.is_closed, what="the actor to stop")
    [letter] = al.dead_letters()
    assert (letter.message, letter.reason) == ("left behind", "the actor stopped")


def test_a_traced_async_handler_records_the_message_it_handled(al_root):
    w = al_root.spawn(Worker(), name="w")
    with al.trace(w, settle=0) as t:
        assert w.ask_sync(Work()) == "done"
        wait_idle()
    [ev] = [e for e in t.events if e.kind == "handled"]
    assert ev.msg_repr == "Work(seconds=0.0)" and ev.detail.startswith("ok ")


class Hangs(al.Actor):
    @al.handler
    async def hang(self, msg: Get) -> None:
        await asyncio.Event().wait()  # until cancelled

    @al.handler
    def other(self, msg: str) -> str:
        return msg

    @al.handler
    async def boom(self, msg: Boom) -> None:
        raise ValueError(msg.text)


def test_an_ask_queued_at_shutdown_is_told_the_runtime_shut_down(al_root):
    h = al_root.spawn(Hangs(), name="h")
    h.tell(Get())
    errors: list = []

    def ask() -> None:
        try:
            h.ask_sync("queued", timeout=30)
        except al.ActorClosed as exc:
            errors.append(str(exc))

    t = threading.Thread(target=ask)
    t.start()
    wait_until(lambda: h.info().mailbox == 1, what="the ask to queue")
    al.shutdown(timeout=0.1)
    t.join(10)
    assert errors == [
        "actor h stopped before answering str (the runtime shut down). "
        "Fix: check ref.is_closed(), or respawn the actor"
    ]


class Unbuildable(al.ActorArgs[Hangs]):
    def initialize(self, ctx):
        raise ValueError("no way")


def test_an_actor_that_cannot_be_built_stops_without_an_internal_error(al_root, caplog):
    caplog.set_level(logging.ERROR, logger="actorlab")
    u = al_root.spawn(Unbuildable(), name="u")
    wait_until(u.is_closed, what="the root to stop it")
    wait_until(lambda: "top-level actor u failed" in caplog.text, what="the report")
    assert "internal actorlab error" not in caplog.text
    assert u.info().status is al.Status.STOPPED


def test_an_internal_error_stops_only_that_actor_and_says_so(al_root, caplog, monkeypatch):
    caplog.set_level(logging.ERROR, logger="actorlab")
    from actorlab import supervising

    def bug(*args):
        raise RuntimeError("a bug")

    c = al_root.spawn(Hangs(), name="c")
    c.pause()
    c.tell(Boom())  # its failure goes to the supervisor: there, the bug
    errors: list = []

    def ask() -> None:
        try:
            c.ask_sync("queued", timeout=30)
        except al.ActorClosed as exc:
            errors.append(str(exc))

    t = threading.Thread(target=ask)
    t.start()
    wait_until(lambda: c.info().mailbox == 2, what="the ask to queue")
    monkeypatch.setattr(supervising, "fail", bug)
    c.resume()
    t.join(10)
    [record] = [r for r in caplog.records if "internal" in r.getMessage()]
    assert record.getMessage() == "actor c stopped on an internal actorlab error"
    assert record.exc_info is not None and "a bug" in str(record.exc_info[1])
    assert errors == [
        "actor c stopped before answering str (internal error RuntimeError: a bug). "
        "Fix: check ref.is_closed(), or respawn the actor"
    ]
    assert al_root.spawn(Hangs()).ask_sync("still here") == "still here"


class Looks(al.Actor):
    @al.handler
    def look(self, msg: str) -> object:
        return self.ctx.this.status


def test_a_sync_handler_runs_as_processing_and_its_traced_reply_shows_the_result(al_root):
    s = al_root.spawn(Looks(), name="s")
    with al.trace(s, settle=0) as t:
        assert s.ask_sync("look") is al.Status.PROCESSING
        wait_idle()
    [reply] = [e for e in t.events if e.kind == "reply"]
    assert (reply.src, reply.msg_type) == (s.id, "Status")
    assert reply.msg_repr == repr(al.Status.PROCESSING)


_ORDER: list = []  # module-level: an actor's own args are deep-copied at spawn


class Busy(al.Actor):
    def __init__(self, tag: str, peer: al.ActorRef | None = None) -> None:
        self.tag, self.peer = tag, peer

    @al.handler
    async def note(self, msg: int) -> None:
        _ORDER.append(self.tag)
        if self.peer is not None and msg == 0:
            self.peer.tell(0)  # the peer is ready now, while this actor has 599 more to go


def test_a_busy_actor_lets_the_others_run_after_a_batch(al_root):
    _ORDER.clear()
    b = al_root.spawn(Busy("b"), name="b")
    a = al_root.spawn(Busy("a", b), name="a")
    a.pause()
    for n in range(600):  # more than two batches (256 messages each)
        a.tell(n)
    wait_until(lambda: a.info().mailbox == 600, what="the messages to queue")
    a.resume()
    wait_until(lambda: len(_ORDER) == 601, what="all messages")
    assert _ORDER.index("b") < 600  # b was not kept waiting until a had handled everything


class NeverBuilt(al.ActorArgs[Hangs]):
    async def initialize(self, ctx):
        await asyncio.Event().wait()  # still being built when the runtime shuts down


def test_an_actor_still_being_built_at_shutdown_is_stopped_without_a_failure(caplog):
    caplog.set_level(logging.ERROR, logger="actorlab")
    n = al.root().spawn(NeverBuilt(), name="n")
    wait_until(lambda: n.info().status is al.Status.STARTING, what="the actor to be building")
    al.shutdown(timeout=0.1)
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


class Parent(al.Actor):
    """Spawns an unbuildable child and terminates it when it fails (its default)."""

    @al.handler
    def make(self, msg: str) -> al.ActorRef:
        return self.ctx.spawn(Unbuildable(), name=msg)

    @al.handler
    def get(self, msg: Get) -> str:
        return "still answering"


def test_a_child_that_cannot_be_built_is_terminated_and_its_parent_goes_on(al_root, caplog):
    caplog.set_level(logging.ERROR, logger="actorlab")
    p = al_root.spawn(Parent(), name="p")
    child = p.ask_sync("child")
    wait_until(child.is_closed, what="the child to stop")
    assert p.ask_sync(Get(), timeout=2) == "still answering"
    assert p.info().status is al.Status.IDLE
    assert "internal actorlab error" not in caplog.text


class Resumer(Parent):
    def supervise(self, esc: al.Escalation):
        return al.Signal.RESUME, None


def test_a_child_that_cannot_be_built_stops_when_resumed_with_nothing_to_resume(al_root, caplog):
    caplog.set_level(logging.ERROR, logger="actorlab")
    p = al_root.spawn(Resumer(), name="p")
    child = p.ask_sync("child")
    wait_until(child.is_closed, what="the child to stop")
    assert p.ask_sync(Get(), timeout=2) == "still answering"
    assert "internal actorlab error" not in caplog.text


def test_the_last_message_time_of_a_sync_handler_is_kept(al_root):
    s = al_root.spawn(Looks())
    sent = time.time()
    assert s.ask_sync("look") is al.Status.PROCESSING
    at = s.info().last_message_at
    assert at is not None and sent <= at <= time.time()


_STARTED, _GO = threading.Event(), threading.Event()


class QuitsLater(al.Actor):
    @al.handler
    def quit(self, msg: str) -> None:
        _STARTED.set()
        _GO.wait(10)  # holds the runtime thread: what is sent now waits in the runtime's inbox
        self.ctx.terminate()


def test_a_message_that_arrives_after_the_actor_stopped_is_a_dead_letter_saying_so(al_root):
    _STARTED.clear()
    _GO.clear()
    q = al_root.spawn(QuitsLater())
    q.tell("quit")
    assert _STARTED.wait(5)
    q.tell("too late")  # accepted (the actor is running), delivered after it stopped
    _GO.set()
    wait_until(lambda: al.dead_letters(), what="the dead letter")
    [letter] = al.dead_letters()
    assert (letter.message, letter.reason) == (
        "too late",
        "the actor had stopped when the message arrived",
    )


def test_a_spawn_is_an_event_naming_the_parent_the_child_and_its_class(al_root):
    p = al_root.spawn(Parent(), name="p")
    child = p.ask_sync("child")
    wait_until(child.is_closed, what="the child to stop")
    spawns = [(e.src, e.dst, e.msg_type) for e in al.events() if e.kind == "spawn"]
    assert spawns == [(None, p.id, "Parent"), (p.id, child.id, "Hangs")]


# -- signals that reach an actor already stopped (third round) ---------------------------------------
@dataclass
class Hold:
    """Holds the runtime thread in a sync handler until ``go``: what is sent meanwhile waits
    in the runtime's inbox, in order."""

    entered: threading.Event
    go: threading.Event


class Holder(al.Actor):
    @al.handler
    def hold(self, msg: Hold) -> None:
        msg.entered.set()
        msg.go.wait(10)


class Plain(al.Actor):
    """Spawned from an instance, without on_start/on_exit: it has no task, and a terminate
    signal stops it at once, inside the signal."""

    @al.handler
    def get(self, msg: Get) -> str:
        return "ok"


def test_signals_that_reach_an_actor_already_stopped_are_settled_by_kind(al_root, monkeypatch):
    # Two stops and a pause are sent while the actor still runs, and reach it in this order
    # once it has stopped (the first stop stops it at once): a stop succeeds, anything else
    # fails with ActorClosed naming the actor.
    a = al_root.spawn(Plain(), name="plain")
    assert a.ask_sync(Get()) == "ok"
    rt = get_runtime()
    h = al_root.spawn(Holder())
    entered, go = threading.Event(), threading.Event()
    h.tell(Hold(entered, go))
    assert entered.wait(5)
    loop = asyncio.new_event_loop()
    try:
        first = loop.create_task(a.stop_async())
        second = loop.create_task(a.stop_async())
        loop.run_until_complete(asyncio.sleep(0))  # both have posted their stop
        posted = threading.Event()
        post = rt.post

        def post_then_say(target, item):
            post(target, item)
            posted.set()

        monkeypatch.setattr(rt, "post", post_then_say)
        outcome: list = []

        def pause() -> None:
            try:
                outcome.append(a.pause())
            except BaseException as exc:
                outcome.append(exc)

        t = threading.Thread(target=pause)
        t.start()
        assert posted.wait(5)  # the pause is in the inbox, behind the two stops
        go.set()
        t.join(10)
        assert loop.run_until_complete(asyncio.wait_for(asyncio.gather(first, second), 10)) == [
            None,
            None,
        ]
    finally:
        go.set()
        loop.close()
    [err] = outcome
    assert isinstance(err, al.ActorClosed)
    assert str(err) == "actor plain has stopped"


# -- what a monitor is told of a status change ------------------------------------------------------------
class Viewed(al.Actor):
    def __init__(self) -> None:
        self.n = 1

    @al.handler
    def get(self, msg: Get) -> str:
        return "ok"

    def view(self) -> str:
        return "the view"


def test_a_monitor_is_told_each_status_change_with_the_actor_and_its_view(al_root):
    v = al_root.spawn(Viewed())
    assert v.ask_sync(Get()) == "ok"
    seen: list = []
    al.monitor(v, seen.append)
    v.stop()  # (the monitor is told STOPPED before the stop returns)
    changes = [u for u in seen if u.status in (al.Status.STOPPING, al.Status.STOPPED)]
    assert [(u.actor, u.status, u.view, u.kind) for u in changes] == [
        (v.id, al.Status.STOPPING, "the view", "status"),
        (v.id, al.Status.STOPPED, "the view", "status"),
    ]


# -- an actor that stops itself from a sync handler (no task: it stops in the ready queue) ---------------
class StopsItself(al.Actor):
    @al.handler
    def get(self, msg: Get) -> str:
        self.ctx.terminate()
        return "bye"


def test_an_actor_that_stops_itself_without_a_task_stops_cleanly(al_root, caplog):
    s = al_root.spawn(StopsItself())
    other = al_root.spawn(Plain())
    with caplog.at_level(logging.WARNING):
        assert s.ask_sync(Get()) == "bye"
        assert other.ask_sync(Get()) == "ok"  # handled after the stop, in a later loop step
    assert s.is_closed()
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


def test_inspect_lists_actors_without_previews_and_info_with_them(al_root):
    v = al_root.spawn(Viewed())
    assert v.ask_sync(Get()) == "ok"
    [listed] = [i for i in al.inspect() if i.id == v.id]
    assert (listed.view, listed.state_preview, listed.mailbox_preview) == (None, {}, ())
    detailed = v.info()
    assert (detailed.view, detailed.state_preview) == ("the view", {"n": "1"})


def test_a_new_actor_shows_no_upgrade_yet(al_root):
    info = al_root.spawn(Plain()).info()
    assert (info.upgrades, info.last_upgrade_at) == (0, None)


class CountingScheduler:
    """The runtime's scheduler hook, granting every turn at once and counting them."""

    def __init__(self) -> None:
        self.turns: list[str] = []

    async def turn(self, cell) -> None:
        self.turns.append(cell.label)


def test_with_a_scheduler_every_message_waits_for_its_own_turn():
    from actorlab.testing.virtual_time import start_virtual_runtime

    sched = CountingScheduler()
    clock = start_virtual_runtime(sched)
    try:
        p = al.root().spawn(Plain(), name="p")
        for _ in range(3):
            p.tell(Get())
        assert p.ask_sync(Get()) == "ok"
        assert sched.turns.count("p") == 4
    finally:
        clock.close()


def test_a_busy_actor_lets_the_others_run_without_waiting_for_time(al_clock):
    # On virtual time nothing moves the clock here: the pause after each batch takes no time.
    _ORDER.clear()
    c = al.root().spawn(Busy("c"))
    c.pause()
    for n in range(300):  # more than a batch (256 messages)
        c.tell(n)
    wait_until(lambda: c.info().mailbox == 300, what="the messages to queue")
    c.resume()
    al_clock.run_until_quiet()
    assert len(_ORDER) == 300


# -- a spawn interrupted (Ctrl-C) after its hand-off re-posts the start: the actor starts once -------------
_STARTS: list = []


class Starts(al.Actor):
    def on_start(self) -> None:
        _STARTS.append(self)

    @al.handler
    def get(self, msg: Get) -> int:
        return len(_STARTS)


@pytest.mark.parametrize("actor", [Starts, Plain], ids=["with a task", "without a task"])
def test_a_spawn_interrupted_after_its_hand_off_starts_the_actor_once(al_root, monkeypatch, actor):
    _STARTS.clear()
    rt = get_runtime()
    run_soon = rt.run_soon

    def interrupted(fn):  # the hand-off is posted, then Ctrl-C lands (once)
        run_soon(fn)
        monkeypatch.setattr(rt, "run_soon", run_soon)
        raise KeyboardInterrupt

    monkeypatch.setattr(rt, "run_soon", interrupted)
    with pytest.raises(KeyboardInterrupt):
        al_root.spawn(actor(), name="s")
    s = al.lookup("s")
    assert s.ask_sync(Get()) == (1 if actor is Starts else "ok")
    assert [e.dst for e in al.events() if e.kind == "spawn"] == [s.id]


# -- the contextvars context an actor's code runs in -----------------------------------------------------
_VAR: contextvars.ContextVar[str] = contextvars.ContextVar("kill_test_var", default="unset")


@dataclass
class SetVar:
    value: str


@dataclass
class ReadVar:
    pass


@dataclass
class SpawnChild:
    pass


class Holds(al.Actor):
    @al.handler
    def set_var(self, msg: SetVar) -> None:
        _VAR.set(msg.value)

    @al.handler
    def read_var(self, msg: ReadVar) -> str:
        return _VAR.get()

    @al.handler
    def spawn_child(self, msg: SpawnChild) -> al.ActorRef:
        return self.ctx.spawn(Holds())


def test_a_context_variable_a_handler_sets_stays_with_the_actor_and_its_children_inherit_it(al_root):
    p = al_root.spawn(Holds())
    p.ask_sync(SetVar("p"))
    assert p.ask_sync(ReadVar()) == "p"  # a later message (another run of the ready queue)
    child = p.ask_sync(SpawnChild())
    assert child.ask_sync(ReadVar()) == "p"  # a copy of the parent's context
    child.ask_sync(SetVar("c"))
    assert (child.ask_sync(ReadVar()), p.ask_sync(ReadVar()), _VAR.get()) == ("c", "p", "unset")
