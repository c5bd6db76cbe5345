"""Mailbox runs: a burst of tells from one actor shares one envelope, invisibly.

``ActorRef.tell`` on the runtime thread queues a tell that continues the run of the envelope
queued last (same sender, origin and handler, while the mailbox is not empty) as the bare
message (see ``actorlab.mailbox``).
Everything that reads a mailbox must still see every message whole: in order, with its sender,
in previews, dead letters, errors, traces and ``info().current_handler``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

import actorlab as al
from actorlab.envelope import Envelope
from actorlab.runtime import get_runtime
from actorlab.testing import wait_idle, wait_until


@dataclass
class Note:
    n: int


@dataclass
class Other:
    n: int


@dataclass
class Burst:
    first: int
    count: int


@dataclass
class Seen:
    pass


class Recorder(al.Actor):
    def __init__(self) -> None:
        self.seen: list[int] = []
        self.handlers: list[str | None] = []

    @al.handler
    def note(self, msg: Note | Other) -> None:
        if msg.n == 13:
            raise ValueError("unlucky")
        self.seen.append(msg.n)
        self.handlers.append(self.ctx.this.info().current_handler)

    @al.handler
    def get(self, msg: Seen) -> list[int]:
        return list(self.seen)


class Sender(al.Actor):
    def __init__(self, target: al.ActorRef[Recorder]) -> None:
        self.target = target

    @al.handler
    def burst(self, msg: Burst) -> None:
        for n in range(msg.first, msg.first + msg.count):
            self.target.tell(Other(n) if n % 2 else Note(n))


def queued(ref: al.ActorRef[Recorder]) -> list[object]:
    return list(get_runtime().cells[ref.id].mailbox._items)


def envelopes_in(ref: al.ActorRef[Recorder]) -> int:
    return sum(type(item) is Envelope for item in queued(ref))


@pytest.fixture
def paused(al_root):
    target = al_root.spawn(Recorder(), name="target")
    sender = al_root.spawn(Sender(target), name="sender")
    target.pause()
    wait_idle()
    return target, sender


def fill(target, sender) -> None:
    """Queue 0..4 from the sender, 100 from the script, 5..6 from the sender (paused target)."""
    sender.tell(Burst(0, 5))
    wait_until(lambda: target.info().mailbox == 5, what="the first burst to queue")
    target.tell(Note(100))
    wait_until(lambda: target.info().mailbox == 6, what="the script's tell to queue")
    sender.tell(Burst(5, 2))
    wait_until(lambda: target.info().mailbox == 8, what="the second burst to queue")


def test_a_burst_shares_one_envelope_and_is_handled_in_order(paused):
    target, sender = paused
    fill(target, sender)
    assert envelopes_in(target) == 3  # a run of 5, the script's tell, a run of 2
    target.resume()
    assert target.ask_sync(Seen()) == [0, 1, 2, 3, 4, 100, 5, 6]


def test_previews_show_every_member_with_its_sender(paused):
    target, sender = paused
    fill(target, sender)
    preview = target.info().mailbox_preview
    assert [p.msg_repr for p in preview] == [
        "Note(n=0)",
        "Other(n=1)",
        "Note(n=2)",
        "Other(n=3)",
        "Note(n=4)",
        "Note(n=100)",
        "Other(n=5)",
        "Note(n=6)",
    ]
    assert [p.sender for p in preview] == ["sender"] * 5 + [None] + ["sender"] * 2
    assert [p.kind for p in preview] == ["tell"] * 8


def test_stopping_turns_every_member_into_a_dead_letter(paused):
    target, sender = paused
    fill(target, sender)
    target.stop()
    letters = [d.message for d in al.dead_letters() if d.actor == target.id]
    assert [m.n for m in letters] == [0, 1, 2, 3, 4, 100, 5, 6]


def test_a_member_that_fails_is_the_one_named(paused):
    target, sender = paused
    sender.tell(Burst(11, 4))  # Other(11), Note(12), Other(13): raises, Note(14)
    wait_until(lambda: target.info().mailbox == 4, what="the burst to queue")
    assert envelopes_in(target) == 1
    target.resume()
    wait_until(lambda: target.is_closed(), what="the root to stop the failed actor")
    error = target.info().errors[-1]
    assert error.msg_type == "Other" and error.message == "unlucky"
    letters = [d.message for d in al.dead_letters() if d.actor == target.id]
    assert letters == [Note(14)]


def test_current_handler_names_the_member_being_handled(paused):
    target, sender = paused
    sender.tell(Burst(0, 4))
    wait_until(lambda: target.info().mailbox == 4, what="the burst to queue")
    target.resume()
    target.ask_sync(Seen())
    cell = get_runtime().cells[target.id]
    assert cell.actor.handlers == ["note(Note)", "note(Other)", "note(Note)", "note(Other)"]


def test_a_trace_started_after_queueing_records_each_member(paused):
    target, sender = paused
    sender.tell(Burst(0, 3))
    wait_until(lambda: target.info().mailbox == 3, what="the burst to queue")
    with al.trace(target) as t:
        target.resume()
        target.ask_sync(Seen())
    handled = [e.msg_repr for e in t.events if e.kind == "handled" and e.dst == target.id]
    assert handled[:3] == ["Note(n=0)", "Other(n=1)", "Note(n=2)"]


def test_a_run_ends_when_the_mailbox_empties(al_root):
    # No clock is read per tell: a run lasts while messages wait. Once the actor has caught up,
    # the next tell starts a new envelope (with its own enqueue time for previews).
    target = al_root.spawn(Recorder(), name="target")
    sender = al_root.spawn(Sender(target), name="sender")
    sender.tell(Burst(0, 3))
    wait_until(lambda: target.info().processed == 3, what="the first burst to be handled")
    target.pause()
    sender.tell(Burst(3, 2))
    wait_until(lambda: target.info().mailbox == 2, what="the second burst to queue")
    first, second = queued(target)
    assert type(first) is Envelope and first.msg == Other(3)  # a new envelope, not the old run's
    assert second == Note(4)  # joined it


@dataclass
class Go:
    pass


class Parent(al.Actor):
    supervisor = al.OneForOne(max_restarts=3, within=60.0)

    def on_start(self) -> None:
        self.child = self.ctx.spawn(Recorder(), name="child")

    @al.handler
    def go(self, msg: Go) -> None:
        for n in (13, 1, 2, 3):  # the first fails; the rest stay queued over the restart
            self.child.tell(Note(n))

    @al.handler
    def child_ref(self, msg: Seen) -> al.ActorRef[Recorder]:
        return self.child


def test_a_restart_keeps_the_queued_run(al_root):
    parent = al_root.spawn(Parent(), name="parent")
    child = parent.ask_sync(Seen())
    parent.tell(Go())
    wait_until(lambda: child.info().restarts == 1, what="the child to restart")
    assert child.ask_sync(Seen()) == [1, 2, 3]


def test_stepping_through_a_run_returns_each_member(paused):
    target, sender = paused
    sender.tell(Burst(0, 3))
    wait_until(lambda: target.info().mailbox == 3, what="the burst to queue")
    assert [target.step(), target.step()] == [Note(0), Other(1)]
    assert target.info().mailbox == 1
    assert [p.msg_repr for p in target.info().mailbox_preview] == ["Note(n=2)"]


def test_tells_from_the_script_join_one_run_and_keep_their_order(paused):
    target, sender = paused
    for n in range(6):
        target.tell(Note(n))  # from this thread: through the runtime's inbox, one envelope each
    wait_until(lambda: target.info().mailbox == 6, what="the script's tells to queue")
    assert envelopes_in(target) == 1  # the loop side queues them as one run
    previews = target.info().mailbox_preview
    assert [p.sender for p in previews] == [None] * 6
    sender.tell(Burst(10, 1))  # another sender: a new run
    wait_until(lambda: target.info().mailbox == 7, what="the sender's tell to queue")
    target.tell(Note(7))  # and the script's again: another
    wait_until(lambda: target.info().mailbox == 8, what="the last tells to queue")
    assert envelopes_in(target) == 3
    target.resume()
    assert target.ask_sync(Seen()) == [0, 1, 2, 3, 4, 5, 10, 7]
