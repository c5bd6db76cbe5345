from __future__ import annotations

import asyncio
import gc
import os
import threading

import pytest

import actorlab as al
from actorlab.testing import spawn_probe, wait_until

from .actors import Add, Boom, Counter, Get, Sleep


def test_thousand_concurrent_tells_from_threads_lose_nothing(al_root):
    c = al_root.spawn(Counter(), name="c")
    start = threading.Barrier(4)

    def sender():
        start.wait()
        for _ in range(250):
            c.tell(Add(1))

    threads = [threading.Thread(target=sender) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert c.ask_sync(Get()) == 1000


def test_thousand_concurrent_tells_from_actors(al_root):
    class Sender(al.Actor):
        def __init__(self, target: al.ActorRef) -> None:
            self.target = target

        @al.handler
        async def go(self, n: int) -> None:
            for _ in range(n):
                self.target.tell(Add(1))
                await asyncio.sleep(0)

    c = al_root.spawn(Counter())
    senders = [al_root.spawn(_SenderArgs().setup(c, Sender)) for _ in range(10)]
    for s in senders:
        s.tell(100)
    wait_until(lambda: c.ask_sync(Get()) == 1000, what="1000 adds")


class _SenderArgs(al.ActorArgs):
    actor_type = al.Actor

    def setup(self, target, cls):
        self.target, self.cls = target, cls
        type(self).actor_type = cls
        return self

    def initialize(self, ctx):
        return self.cls(self.target)


def test_await_ask_from_async_code(al_root):
    c = al_root.spawn(Counter(3))
    assert asyncio.run(c.ask(Get())) == 3


def test_ask_default_timeout_is_configurable_and_stuck_ask_times_out(al_root):
    c = al_root.spawn(Counter(), name="slow")
    al.configure(ask_timeout=0.2)
    c.tell(Sleep(1.0))
    with pytest.raises(al.AskTimeout, match=r"no reply from slow to Get within 0.2 s \(it is busy in sleep\(Sleep\).*Fix"):
        c.ask_sync(Get())
    with pytest.raises(al.AskTimeout):
        asyncio.run(c.ask(Get(), timeout=0.05))


def test_handler_error_reaches_asker_and_is_escalated(al_root, caplog):
    c = al_root.spawn(Counter(), name="c")
    with pytest.raises(al.HandlerError, match=r"actor c raised ValueError: bad while handling Boom") as ei:
        c.ask_sync(Boom("bad"))
    assert isinstance(ei.value.__cause__, ValueError)
    # escalated to the root, which logs and terminates a failing top-level actor
    wait_until(c.is_closed, what="c stopped by the root")
    assert "top-level actor c failed" in caplog.text


def test_tell_to_stopped_actor_raises(al_root):
    c = al_root.spawn(Counter(), name="c")
    c.stop()
    assert c.is_closed()
    with pytest.raises(al.ActorClosed, match=r"actor c has stopped.*Fix"):
        c.tell(Add(1))
    with pytest.raises(al.ActorClosed):
        c.ask_sync(Get())


def test_ask_queued_when_actor_terminates_fails_instead_of_hanging(al_root):
    c = al_root.spawn(Counter(), name="c")
    c.tell(Sleep(0.3))  # keeps the actor busy
    results = []

    def asker():
        try:
            c.ask_sync(Get(), timeout=30)
        except Exception as exc:  # noqa: BLE001
            results.append(exc)

    t = threading.Thread(target=asker)
    t.start()
    wait_until(lambda: len(c.info().mailbox_preview) == 1, what="ask queued")
    c.tell(Add(1))  # an unprocessed tell becomes a dead letter
    c.stop()
    t.join(5)
    assert not t.is_alive()
    assert isinstance(results[0], al.ActorClosed)
    assert "stopped before answering Get" in str(results[0])
    letters = al.dead_letters()
    assert [type(d.message) for d in letters] == [Add]
    assert letters[0].actor_label == "c"


def test_ask_sync_inside_handler_raises_wrong_thread(al_root):
    class Bad(al.Actor):
        def __init__(self, other: al.ActorRef | None = None) -> None:
            self.other = other

        @al.handler
        def go(self, msg: al.ActorRef) -> str:
            try:
                msg.ask_sync(Get())
            except al.WrongThread as exc:
                return str(exc)
            return "no error"

    c = al_root.spawn(Counter(), name="c")
    b = al_root.spawn(Bad(), name="b")
    text = b.ask_sync(c)
    assert "ask_sync(Get) was called in actor b's code" in text
    assert "await ref.ask(...)" in text


def test_asking_yourself_is_refused_as_deadlock(al_root):
    class Selfish(al.Actor):
        @al.handler
        async def go(self, msg: str) -> str:
            try:
                await self.ctx.this.ask(1)
            except al.Deadlock as exc:
                return str(exc)
            return "no"

        @al.handler
        def num(self, msg: int) -> int:
            return msg

    s = al_root.spawn(Selfish(), name="s")
    assert "asked itself" in s.ask_sync("x")


def test_actor_to_actor_ask_and_forward(al_root):
    class Doubler(al.Actor):
        @al.handler
        def double(self, msg: int) -> int:
            return msg * 2

    class Asker(al.Actor):
        def __init__(self, target: al.ActorRef) -> None:
            self.target = target

        @al.handler
        async def go(self, msg: str) -> int:
            return await self.target.ask(21)

    d = al_root.spawn(Doubler())
    asker_args = _SenderArgs().setup(d, Asker)
    a = al_root.spawn(asker_args)
    assert a.ask_sync("go") == 42
    probe = spawn_probe()
    d.forward(5, probe.ref)
    assert probe.expect(int) == [10]


def test_ids_names_equality_weak_refs(al_root):
    c = al_root.spawn(Counter(), name="c")
    again = al.lookup("c")
    assert again == c and hash(again) == hash(c) and again is not None
    assert c.name == "c" and c.actor_type is Counter and c.path == "/c"
    assert isinstance(c.id, al.ActorId)
    other = al_root.spawn(Counter())
    assert other != c and other.name is None
    assert len({c, again, other}) == 2
    weak = c.downgrade()
    assert weak.upgrade() == c
    c.stop()
    assert weak.upgrade() is None
    assert c.is_closed() and not other.is_closed()


def test_actor_id_from_name_is_stable():
    a = al.ActorId.from_name("counter")
    assert a == al.ActorId.from_name("counter")
    assert a != al.ActorId.from_name("other")
    assert al.ActorId(str(a)) == a
    with pytest.raises(ValueError, match="from_name"):
        al.ActorId("counter")


def test_refs_do_not_keep_actors_alive_or_stop_them(al_root):
    c = al_root.spawn(Counter(7))
    aid = c.id
    del c
    gc.collect()
    # lifetime is explicit: the actor is still there
    assert al.lookup(aid).ask_sync(Get()) == 7


def test_fresh_ids_are_random_v4_uuids_that_users_seeding_random_cannot_repeat():
    import random
    import uuid

    random.seed(0)
    a = al.ActorId.new()
    random.seed(0)
    b = al.ActorId.new()
    assert a != b and hash(a) != hash(b)
    assert a.uuid.version == 4 and a.uuid.variant == uuid.RFC_4122
    assert uuid.UUID(str(a)) == a.uuid
    again = al.ActorId(str(a))
    assert again == a and hash(again) == hash(a) and {a: 1}[again] == 1


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_does_not_repeat_its_parents_ids():
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # child
        os.write(write, str(al.ActorId.new()).encode())
        os._exit(0)
    os.close(write)
    mine = str(al.ActorId.new())
    os.waitpid(pid, 0)
    theirs = os.read(read, 100).decode()
    os.close(read)
    assert len(theirs) == 36 and theirs != mine
