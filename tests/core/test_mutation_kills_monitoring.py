"""Tests that kill mutants of ``monitoring`` (``make mutation``): every field of ``info()``,
the supervisor text, ``view()`` errors and views that cannot be compared, monitor callbacks that
raise, and the fields of the per-message "handled" and "reply" events."""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from dataclasses import dataclass

import pytest

import actorlab as al
from actorlab.runtime import get_runtime
from actorlab.testing import wait_idle, wait_until

from .actors import Add, Counter, Get


@dataclass
class Hold:
    pass


class Gate(al.Actor):
    """An async handler that holds its message until the test lets it go."""

    def __init__(self) -> None:
        self.gate = None
        self.notes = {"a": 1, "b": "x" * 300}

    @al.handler
    async def hold(self, msg: Hold) -> str:
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(None, _GATE.wait, 5)
        return "released"

    @al.handler
    def get(self, msg: Get) -> int:
        return 0

    @al.handler
    def add(self, msg: Add) -> int:
        return msg.amount


_GATE = threading.Event()


@pytest.fixture
def gate():
    _GATE.clear()
    yield _GATE
    _GATE.set()


def test_info_while_a_handler_runs_and_messages_wait(al_root, gate):
    g = al_root.spawn(Gate(), name="gate")
    assert g.ask_sync(Get()) == 0
    before = time.time()
    g.tell(Hold())
    wait_until(lambda: g.info().current_handler is not None, what="the handler to start")
    for n in range(25):
        g.tell(Add(n))
    wait_until(lambda: g.info().mailbox == 25, what="the messages to queue")
    info = g.info()
    assert info.current_handler == "hold(Hold)"
    assert 0 < info.in_handler_for < 5
    assert info.status is al.Status.PROCESSING
    assert (info.mailbox, info.mailbox_hwm) == (25, 25)
    assert len(info.mailbox_preview) == 20  # the first 20 of 25
    first, last = info.mailbox_preview[0], info.mailbox_preview[-1]
    assert (first.seq, first.kind, first.msg_type, first.msg_repr, first.sender) == (
        0,
        "tell",
        "Add",
        "Add(amount=0)",
        None,
    )
    assert (last.seq, last.msg_repr) == (19, "Add(amount=19)")
    assert before - 1 < first.enqueued_at <= time.time()
    assert set(info.state_preview) == {"gate", "notes"} and info.state_preview["gate"] == "None"
    notes = info.state_preview["notes"]  # abbreviated, not the whole 300 characters
    assert notes.startswith("{'a': 1, 'b': 'xxx") and "..." in notes and len(notes) < 250
    assert before - 5 < info.last_message_at <= time.time() + 1
    gate.set()
    wait_idle()
    done = g.info()
    assert (done.current_handler, done.in_handler_for) == (None, None)
    assert done.processed == 27 and done.mailbox == 0 and done.mailbox_hwm == 25


def test_info_of_a_fresh_actor(al_root):
    c = al_root.spawn(Counter(3), name="fresh")
    assert c.ask_sync(Get()) == 3
    now = time.time()
    info = c.info()
    assert (info.id, info.name, info.actor_type, info.module, info.path) == (
        c.id,
        "fresh",
        "Counter",
        Counter.__module__,
        "/fresh",
    )
    assert (info.parent, info.children, info.status) == (None, (), al.Status.IDLE)
    assert (info.processed, info.failures, info.restarts) == (1, 0, 0)
    assert (info.last_error, info.errors) == (None, ())
    assert info.persistent is False and info.last_snapshot_at is None
    assert info.supervisor == "terminate failing child (default)"
    assert info.mailbox_preview == () and info.state_preview == {"value": "3"}
    assert info.view is None and info.shared_fields == ()
    assert (info.upgrades, info.last_upgrade_at) == (0, None)
    assert now - 5 < info.started_at <= now and 0 <= info.age < 5
    assert abs((info.started_at + info.age) - now) < 1
    assert info.handler_time_max <= info.handler_time_total < 1
    assert now - 5 < info.last_message_at <= now + 0.5


def test_info_of_a_parent_lists_its_children_and_its_strategy(al_root):
    class Parent(al.Actor):
        supervisor = al.OneForOne(max_restarts=2, within=3)

        def on_start(self) -> None:
            self.kids = [self.ctx.spawn(Counter(), name=f"k{i}") for i in range(2)]

        @al.handler
        def get(self, msg: Get) -> list:
            return self.kids

    p = al_root.spawn(Parent(), name="p")
    kids = p.ask_sync(Get())
    info = p.info()
    assert info.children == tuple(k.id for k in kids)
    assert info.supervisor == "OneForOne(max_restarts=2, within=3)"
    assert kids[0].info().parent == p.id and kids[0].info().path == "/p/k0"


def test_the_supervisor_text_of_a_class_with_its_own_supervise(al_root):
    class Custom(al.Actor):
        def supervise(self, esc):
            return (al.Signal.RESTART, None)

        @al.handler
        def get(self, msg: Get) -> int:
            return 0

    c = al_root.spawn(Custom())
    c.ask_sync(Get())
    assert c.info().supervisor == (
        "test_the_supervisor_text_of_a_class_with_its_own_supervise.<locals>.Custom.supervise()"
    )


def test_a_view_that_raises_shows_as_text(al_root):
    class Broken(Counter):
        def view(self):
            raise KeyError("no view")

    b = al_root.spawn(Broken())
    b.ask_sync(Get())
    assert b.info().view == "<view() raised KeyError: 'no view'>"
    updates = []
    al.monitor(b, updates.append)
    wait_until(lambda: updates, what="the first update")
    assert updates[0].view == "<view() raised KeyError: 'no view'>"
    assert updates[0].kind == "status" and updates[0].status is al.Status.IDLE
    assert updates[0].actor == b.id


class _Incomparable:
    def __init__(self, n: int) -> None:
        self.n = n

    def __eq__(self, other):
        raise TypeError("cannot compare")

    __hash__ = None


def test_a_view_that_cannot_be_compared_counts_as_changed(al_root):
    class Odd(Counter):
        def view(self):
            return _Incomparable(self.value)

    o = al_root.spawn(Odd())
    o.ask_sync(Get())
    updates = []
    al.monitor(o, updates.append)
    o.tell(Add(1))
    o.tell(Add(1))
    o.ask_sync(Get())
    wait_idle()
    views = [u.view.n for u in updates if u.kind == "view"]
    assert views == [1, 2, 2]  # after each message: "changed", as its == raised


def test_a_view_update_carries_the_status_and_the_actor(al_root):
    class Viewed(Counter):
        def view(self):
            return self.value

    v = al_root.spawn(Viewed())
    v.ask_sync(Get())
    updates = []
    al.monitor(v, updates.append)
    v.ask_sync(Add(5))
    wait_idle()
    (view,) = [u for u in updates if u.kind == "view"]
    assert (view.actor, view.view) == (v.id, 5)
    assert view.status in (al.Status.PROCESSING, al.Status.IDLE)


def test_a_monitor_that_raises_is_logged_and_removed_the_others_kept(al_root, caplog):
    class Viewed(Counter):
        def view(self):
            return self.value

    v = al_root.spawn(Viewed(), name="watched")
    v.ask_sync(Get())
    calls, good = [], []

    def bad(update):
        calls.append(update)
        if len(calls) > 1:
            raise SystemExit("bad monitor")

    with caplog.at_level(logging.ERROR, logger="actorlab"):
        al.monitor(v, bad)
        al.monitor(v, good.append)
        v.ask_sync(Add(1))
        v.ask_sync(Add(1))
        wait_idle()
    assert len(calls) == 2  # the first update, then the one that raised; none after
    assert [u.view for u in good if u.kind == "view"] == [1, 2]
    (record,) = [r for r in caplog.records if "monitor callback" in r.getMessage()]
    assert record.getMessage() == "a monitor callback of actor watched raised; it was removed"
    assert record.exc_info is not None


def test_a_new_monitor_gets_the_first_update_alone(al_root):
    v = al_root.spawn(Counter())
    v.ask_sync(Get())
    first, second = [], []
    al.monitor(v, first.append)
    wait_until(lambda: first, what="first")
    al.monitor(v, second.append)
    wait_until(lambda: second, what="second")
    wait_idle()
    assert len(first) == 1 and len(second) == 1  # the second monitor's first update is its own


# -- per-message events ----------------------------------------------------------------------------------
def test_handled_and_reply_events_carry_the_message_and_the_conversation(al_root):
    class Asker(al.Actor):
        def __init__(self, target) -> None:
            self.target = target

        @al.handler
        async def go(self, msg: str) -> int:
            return await self.target.ask(Add(4))

    c = al_root.spawn(Gate(), name="target")
    a = al_root.spawn(Asker(c), name="asker")
    seen = []
    unsubscribe = get_runtime().events.subscribe(seen.append)
    try:
        assert a.ask_sync("go") == 4
        wait_idle()
    finally:
        unsubscribe()
    replies = [e for e in seen if e.kind == "reply"]
    inner = [e for e in replies if e.src == c.id]
    assert len(inner) == 1
    (r,) = inner
    assert (r.dst, r.msg_type, r.msg_repr) == (a.id, "int", "4")
    (ask,) = [e for e in seen if e.kind == "ask" and e.dst == c.id]
    assert (r.ask_id, r.corr_id) == (ask.ask_id, ask.corr_id) and r.ask_id is not None
    (handled,) = [e for e in seen if e.kind == "handled" and e.dst == c.id]
    assert (handled.src, handled.msg_type, handled.msg_repr) == (a.id, "Add", "Add(amount=4)")
    assert (handled.corr_id, handled.ask_id) == (ask.corr_id, ask.ask_id)
    assert handled.detail.startswith("ok ") and handled.detail.endswith(" ms")
    assert float(handled.detail[3:-3]) < 5000 and len(handled.detail.split(".")[1]) == 6
    outer = [e for e in replies if e.src == a.id]
    assert len(outer) == 1 and outer[0].dst is None


def test_a_tell_gets_a_handled_event_and_no_reply(al_root):
    c = al_root.spawn(Gate(), name="t")
    c.ask_sync(Get())
    seen = []
    unsubscribe = get_runtime().events.subscribe(seen.append)
    try:
        c.tell(Add(1))
        wait_idle()
    finally:
        unsubscribe()
    kinds = [e.kind for e in seen]
    assert kinds == ["tell", "handled"]
    assert seen[1].src is None and seen[1].dst == c.id


def test_a_forward_gets_no_reply_event(al_root):
    class Sink(al.Actor):
        def __init__(self) -> None:
            self.got = []

        @al.handler
        def number(self, msg: int) -> None:
            self.got.append(msg)

        @al.handler
        def get(self, msg: Get) -> list:
            return self.got

    c = al_root.spawn(Gate(), name="from")
    sink = al_root.spawn(Sink(), name="sink")
    seen = []
    unsubscribe = get_runtime().events.subscribe(seen.append)
    try:
        c.forward(Add(3), sink)
        wait_until(lambda: sink.ask_sync(Get()) == [3], what="the forwarded reply")
        wait_idle()
    finally:
        unsubscribe()
    assert [e for e in seen if e.kind == "reply" and e.src == c.id] == []


def test_a_monitor_that_raises_at_its_first_update_is_removed_at_once(al_root, caplog):
    class Viewed(Counter):
        def view(self):
            return self.value

    v = al_root.spawn(Viewed(), name="first-fails")
    v.ask_sync(Get())
    calls = []

    def bad(update):
        calls.append(update)
        raise ValueError("at once")

    with caplog.at_level(logging.ERROR, logger="actorlab"):
        al.monitor(v, bad)
        wait_until(lambda: calls, what="the first update")
        v.ask_sync(Add(1))
        wait_idle()
    assert len(calls) == 1  # removed after the first update it raised on
    messages = [r.getMessage() for r in caplog.records]
    assert "a monitor callback of actor first-fails raised; it was removed" in messages


def test_a_queued_message_from_an_actor_shows_its_sender(al_root, gate):
    class Sender(al.Actor):
        def __init__(self, to) -> None:
            self.to = to

        @al.handler
        def go(self, msg: str) -> None:
            self.to.tell(Add(1))

    g = al_root.spawn(Gate(), name="gate")
    g.tell(Hold())
    wait_until(lambda: g.info().current_handler is not None, what="the handler to start")
    s = al_root.spawn(Sender(g), name="sender")
    s.tell("go")
    wait_until(lambda: g.info().mailbox == 1, what="the message to queue")
    (preview,) = g.info().mailbox_preview
    assert (preview.sender, preview.msg_repr) == ("sender", "Add(amount=1)")
    gate.set()


class FromArgs(al.ActorArgs[Counter]):
    def initialize(self, ctx):
        return Counter(1)


def test_an_actor_built_from_args_shares_no_fields(al_root):
    c = al_root.spawn(FromArgs())
    assert c.ask_sync(Get()) == 1
    assert c.info().shared_fields == ()
    assert [i.shared_fields for i in al.inspect()] == [()]
