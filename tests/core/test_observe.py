from __future__ import annotations

import asyncio

import actorlab as al
from actorlab.runtime import get_runtime
from actorlab.testing import wait_until

from .actors import Add, Boom, Counter, Get


class Viewed(Counter):
    def view(self):
        return self.value // 10


def test_info_and_inspect(al_root):
    c = al_root.spawn(Counter(), name="c")
    c.tell(Add(2))
    assert c.ask_sync(Get()) == 2
    info = c.info()
    assert info.name == "c" and info.actor_type == "Counter" and info.path == "/c"
    assert info.processed == 2 and info.restarts == 0 and info.mailbox == 0
    assert info.status is al.Status.IDLE and info.parent is None
    assert info.state_preview == {"value": "2"}
    assert info.label == "c" and info.handler_time_total >= 0
    assert [i.id for i in al.inspect()] == [c.id]


def test_monitor_sees_status_and_view_changes(al_root):
    updates = []
    v = al_root.spawn(Viewed(), name="v")
    v.ask_sync(Get())  # started
    unsubscribe = al.monitor(v, updates.append)
    for _ in range(25):
        v.tell(Add(1))
    v.ask_sync(Get())
    views = [u.view for u in updates if u.kind == "view"]
    assert views == [1, 2]
    assert updates[0].kind == "status"
    unsubscribe()
    v.tell(Add(10))
    v.ask_sync(Get())
    assert [u.view for u in updates if u.kind == "view"] == [1, 2]


def test_watch_async_iterates_until_stopped(al_root):
    v = al_root.spawn(Viewed(), name="v")

    async def main():
        seen = []
        async for update in al.watch(v):
            seen.append((update.kind, update.status, update.view))
            if len(seen) == 1:
                for _ in range(10):
                    v.tell(Add(1))
            if update.kind == "view" and update.view == 1:
                await v.stop_async()
        return seen

    seen = asyncio.run(asyncio.wait_for(main(), 10))
    assert ("view", al.Status.PROCESSING, 1) in seen
    assert seen[-1][1] is al.Status.STOPPED


def test_event_ring_lifecycle_always_messages_only_when_enabled(al_root):
    c = al_root.spawn(Counter(), name="c")
    c.ask_sync(Get())
    kinds = [e.kind for e in al.events()]
    assert "spawn" in kinds and "tell" not in kinds and "handled" not in kinds
    rt = get_runtime()
    seen = []
    unsubscribe = rt.events.subscribe(seen.append)
    c.tell(Add(1))
    c.ask_sync(Get())
    unsubscribe()
    kinds = [e.kind for e in seen]
    assert sorted(kinds) == ["ask", "handled", "handled", "reply", "tell"]
    assert kinds.index("tell") < kinds.index("ask") < kinds.index("reply")
    (ask,) = [e for e in seen if e.kind == "ask"]
    (reply,) = [e for e in seen if e.kind == "reply"]
    assert ask.ask_id is not None and reply.ask_id == ask.ask_id and ask.dst == c.id and ask.src is None
    c.ask_sync(Get())
    assert rt.events.message_events == 0
    assert len(seen) == 5


def test_failure_events_and_last_error(al_root):
    class Sup(al.Actor):
        supervisor = al.OneForOne()

        @al.handler
        def make(self, msg: str):
            return self.ctx.spawn(Counter(), name=msg)

    s = al_root.spawn(Sup(), name="s")
    k = s.ask_sync("k")
    k.tell(Boom("oops"))
    wait_until(lambda: k.info().restarts == 1, what="restart")
    info = k.info()
    assert info.failures == 1 and info.last_error.type == "ValueError" and info.last_error.message == "oops"
    assert info.last_error.msg_type == "Boom"
    kinds = [e.kind for e in al.events()]
    assert {"fail", "escalate", "restart"} <= set(kinds)
    assert al.inspect()[1].path == "/s/k"


def test_version_changes_on_activity(al_root):
    rt = get_runtime()
    c = al_root.spawn(Counter())
    c.ask_sync(Get())
    v0 = rt.version
    c.ask_sync(Get())
    assert rt.version > v0


def test_failures_count_every_recorded_error_injected_faults_included(al_root):
    # One crash and three injected faults: four failures, four errors, four restarts (issue 13:
    # the Info tab said "failures / restarts 1 / 4" while listing 4 errors).
    kid = al_root.spawn(_Patient()).ask_sync("kid")
    kid.tell(Boom())
    wait_until(lambda: kid.info().restarts == 1)
    for n in range(3):
        kid.inject_fault()
        wait_until(lambda n=n: kid.info().restarts == n + 2)
    info = kid.info()
    assert (info.failures, len(info.errors), info.restarts) == (4, 4, 4)


class _Patient(al.Actor):
    supervisor = al.OneForOne(max_restarts=10, within=60.0)

    def on_start(self) -> None:
        self.kid = self.ctx.spawn(Counter())

    @al.handler
    def kid_ref(self, msg: str) -> al.ActorRef:
        return self.kid


def test_inspect_shows_an_actor_the_moment_spawn_returns(al_root):
    """Spawned from a cell while the runtime thread is busy: the actor has not started yet, and
    inspect() (and a remote node's infos) must still list it, under its parent."""
    import threading

    gate = threading.Event()
    started = threading.Event()

    class Blocker(al.Actor):
        @al.handler
        def on_get(self, msg: Get) -> None:
            started.set()
            gate.wait(10)  # holds the runtime thread: nothing else can start

    b = al_root.spawn(Blocker())
    b.tell(Get())
    assert started.wait(10)
    try:
        late = al_root.spawn(Counter(), name="late")
        labels = [i.label for i in al.inspect()]
        assert labels == [b.label, "late"], labels
        assert al_root.children == [b, late]
    finally:
        gate.set()
    assert late.ask_sync(Get()) == 0
