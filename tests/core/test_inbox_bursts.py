"""Bursts: plain tells from another thread join the runtime inbox's last entry.

``Runtime.send_tell`` appends a tell to the inbox's last entry when that is a ``Burst`` to the
same actor, handler and origin, else starts a burst; the drain delivers a burst in one step.
Each test holds the runtime thread inside a handler (``Hold``) so the inbox fills, then lets go.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any

import actorlab as al
from actorlab.envelope import Burst
from actorlab.runtime import get_runtime
from actorlab.testing import wait_until


@dataclass
class Hold:
    entered: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


@dataclass
class Note:
    n: Any


@dataclass
class Other:
    n: Any


@dataclass
class Seen:
    pass


class Blocker(al.Actor):
    @al.handler
    def hold(self, msg: Hold) -> None:
        msg.entered.set()
        assert msg.release.wait(10), "the test never let the runtime thread go"


class Recorder(al.Actor):
    def __init__(self) -> None:
        self.seen: list[Any] = []

    @al.handler
    def note(self, msg: Note) -> None:
        self.seen.append(msg.n)

    @al.handler
    def other(self, msg: Other) -> None:
        self.seen.append(("other", msg.n))

    @al.handler
    def get(self, msg: Seen) -> list[Any]:
        return list(self.seen)


def hold_the_loop(root: al.RootContext) -> Hold:
    hold = Hold()
    root.spawn(Blocker()).tell(hold)
    assert hold.entered.wait(10)
    return hold


def inbox() -> list[Any]:
    return list(get_runtime()._inbox)


def burst_of(entry: Any) -> tuple[Any, list[Any]]:
    """(the target cell, the messages) of a burst entry."""
    assert type(entry) is Burst, entry
    return entry.env.to, [entry.env.msg, *entry.more]


def test_a_flood_from_the_script_is_one_inbox_entry_handled_in_order(al_root):
    r = al_root.spawn(Recorder())
    hold = hold_the_loop(al_root)
    for n in range(50):
        r.tell(Note(n))
    entries = inbox()
    assert len(entries) == 1
    cell, msgs = burst_of(entries[0])
    assert cell is get_runtime().cells[r.id] and msgs == [Note(n) for n in range(50)]
    hold.release.set()
    assert r.ask_sync(Seen()) == list(range(50))
    assert r.info().mailbox_hwm >= 50  # (the ask may have joined it in the mailbox)


def test_a_burst_ends_at_another_actor_handler_origin_or_entry(al_root, origins):
    r, s = al_root.spawn(Recorder()), al_root.spawn(Recorder())
    hold = hold_the_loop(al_root)
    r.tell(Note(1))
    r.tell(Note(2))
    s.tell(Note("s"))  # another actor
    r.tell(Note(3))
    r.tell(Other(4))  # another handler
    r.tell(Note(5))  # (had it joined the first burst, 5 would come before 4)
    origins["next"] = "cell-2"
    r.tell(Note(6))  # another notebook cell
    late = al_root.spawn(Recorder())  # another kind of entry: a spawn
    r.tell(Note(7))
    rc, sc = get_runtime().cells[r.id], get_runtime().cells[s.id]
    entries = inbox()
    bursts = [burst_of(e) for e in entries if type(e) is Burst]
    assert bursts == [
        (rc, [Note(1), Note(2)]),
        (sc, [Note("s")]),
        (rc, [Note(3)]),
        (rc, [Other(4)]),
        (rc, [Note(5)]),
        (rc, [Note(6)]),
        (rc, [Note(7)]),
    ]
    assert type(entries[-2]) is not Burst  # the spawn, between 6 and 7
    assert [e.env.origin for e in entries if type(e) is Burst][-2:] == ["cell-2", "cell-2"]
    hold.release.set()
    assert r.ask_sync(Seen()) == [1, 2, 3, ("other", 4), 5, 6, 7]
    assert s.ask_sync(Seen()) == ["s"] and late.ask_sync(Seen()) == []


def test_several_sending_threads_each_keep_their_order(al_root):
    r = al_root.spawn(Recorder())
    threads, per_thread = 4, 2000
    start = threading.Barrier(threads)

    def send(t: int) -> None:
        start.wait()
        for i in range(per_thread):
            r.tell(Note((t, i)))

    workers = [threading.Thread(target=send, args=(t,)) for t in range(threads)]
    for w in workers:
        w.start()
    for w in workers:
        w.join()
    seen = r.ask_sync(Seen(), timeout=30)
    assert len(seen) == threads * per_thread
    for t in range(threads):
        assert [i for (u, i) in seen if u == t] == list(range(per_thread))


def test_a_burst_to_an_actor_stopped_ahead_of_it_is_dead_letters(al_root):
    r = al_root.spawn(Recorder())
    hold = hold_the_loop(al_root)
    stopper = threading.Thread(target=r.stop)  # its terminate signal goes in the inbox first
    stopper.start()
    wait_until(lambda: len(inbox()) == 1, what="the stop to reach the inbox")
    r.tell(Note(1))  # (the ref still sees the actor open: the stop has not run)
    r.tell(Note(2))
    assert type(inbox()[-1]) is Burst
    hold.release.set()
    stopper.join(10)
    wait_until(lambda: len(al.dead_letters()) == 2, what="the burst's dead letters")
    assert [d.message for d in al.dead_letters()] == [Note(1), Note(2)]
