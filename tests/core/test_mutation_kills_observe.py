"""Tests that kill mutants of ``observe`` (``make mutation``): ``al.inspect`` order and what a
cluster transport adds, ``al.events``/``al.dead_letters`` without a runtime, ``al.monitor``'s
argument checks, a monitor of a stopped actor, unsubscribing, and ``al.watch``."""

from __future__ import annotations

import asyncio
import dataclasses

import pytest

import actorlab as al
from actorlab import transport
from actorlab.testing import wait_idle, wait_until

from .actors import Add, Counter, Get


class Family(al.Actor):
    def on_start(self) -> None:
        self.kids = [self.ctx.spawn(Counter(), name=f"{self.ctx.name}-{i}") for i in range(2)]

    @al.handler
    def get(self, msg: Get) -> list:
        return self.kids


def test_inspect_lists_parents_before_their_children_depth_first(al_root):
    a = al_root.spawn(Family(), name="a")
    a_kids = a.ask_sync(Get())
    b = al_root.spawn(Family(), name="b")
    b_kids = b.ask_sync(Get())
    labels = [i.label for i in al.inspect()]
    assert labels == ["a", "a-0", "a-1", "b", "b-0", "b-1"]
    assert [i.id for i in al.inspect()] == [
        a.id,
        *(k.id for k in a_kids),
        b.id,
        *(k.id for k in b_kids),
    ]
    assert all(i.mailbox_preview == () for i in al.inspect())  # no previews: cheap
    assert all(i.state_preview == {} and i.view is None for i in al.inspect())


class Late(al.Actor):
    @al.handler
    def spawn(self, msg: str) -> al.ActorRef:
        return self.ctx.spawn(Counter(), name=msg)


def test_a_child_spawned_after_its_uncles_is_still_listed_under_its_parent(al_root):
    a = al_root.spawn(Late(), name="a")
    b = al_root.spawn(Counter(), name="b")
    b.ask_sync(Get())
    a.ask_sync("a-late")
    assert [i.label for i in al.inspect()] == ["a", "a-late", "b"]


def test_inspect_shows_no_view_and_info_does(al_root):
    class Viewed(Counter):
        def view(self):
            return "seen"

    v = al_root.spawn(Viewed(), name="viewed")
    v.ask_sync(Get())
    (cheap,) = al.inspect()
    assert cheap.view is None and v.info().view == "seen"


def test_without_a_runtime_the_observers_return_nothing():
    al.shutdown(timeout=2.0)
    assert al.inspect() == [] and al.events() == [] and al.dead_letters() == []


def test_dead_letters_newest_last_as_a_copy(al_root):
    from actorlab.runtime import get_runtime

    c = al_root.spawn(Counter(), name="gone")
    c.ask_sync(Get())
    rt = get_runtime()
    cell = c._live()
    for n in range(3):
        rt.call(lambda n=n: rt.add_dead_letter(cell, f"m{n}", "why"))
    letters = al.dead_letters()
    assert [(d.actor_label, d.message, d.reason) for d in letters] == [
        ("gone", "m0", "why"),
        ("gone", "m1", "why"),
        ("gone", "m2", "why"),
    ]
    letters.clear()
    assert len(al.dead_letters()) == 3


class _FakeTransport:
    home = "here"

    def __init__(self, infos) -> None:
        self._infos = infos

    def infos(self):
        return list(self._infos)


@pytest.fixture
def fake_transport():
    installed = []

    def install(infos):
        t = _FakeTransport(infos)
        transport.set_transport(t)
        installed.append(t)
        return t

    yield install
    transport.set_transport(None)


def test_inspect_adds_the_actors_of_other_processes_and_prefers_them_to_local_stand_ins(
    al_root, fake_transport
):
    local = al_root.spawn(Counter(), name="local")
    stand_in = al_root.spawn(Counter(), name="stand-in")
    local.ask_sync(Get())
    stand_in.ask_sync(Get())
    mine = {i.id: i for i in al.inspect()}
    remote_twin = dataclasses.replace(mine[stand_in.id], name="remote-twin")
    elsewhere = dataclasses.replace(mine[local.id], id=al.ActorId.new(), name="elsewhere")
    assert transport.get_transport() is None
    fake_transport([remote_twin, elsewhere])
    assert transport.get_transport() is not None
    infos = al.inspect()
    assert [i.name for i in infos] == ["local", "remote-twin", "elsewhere"]
    assert infos[1] is remote_twin and infos[2] is elsewhere


def test_monitor_checks_its_arguments(al_root):
    c = al_root.spawn(Counter(), name="c")
    with pytest.raises(TypeError) as info:
        al.monitor("c", print)
    assert str(info.value).startswith(
        "al.monitor(ref, callback): ref must be an al.ActorRef, got 'c'"
    )
    with pytest.raises(TypeError) as info:
        al.monitor(c, 42)
    assert str(info.value) == (
        "al.monitor(ref, callback): callback must be callable, got 42. "
        "Fix: pass a function taking one al.StatusUpdate"
    )


def test_a_monitor_of_a_stopped_actor_hears_stopped_once(al_root):
    c = al_root.spawn(Counter(), name="c")
    c.ask_sync(Get())
    c.stop()
    updates = []
    unsubscribe = al.monitor(c, updates.append)
    wait_until(lambda: updates, what="the update")
    wait_idle()
    assert updates == [al.StatusUpdate(c.id, al.Status.STOPPED, None, "status")]
    unsubscribe()  # nothing to remove: no error
    assert len(updates) == 1


def test_unsubscribing_stops_the_updates_and_after_shutdown_does_nothing(al_root):
    class Viewed(Counter):
        def view(self):
            return self.value

    v = al_root.spawn(Viewed(), name="v")
    v.ask_sync(Get())
    updates = []
    unsubscribe = al.monitor(v, updates.append)
    v.ask_sync(Add(1))
    wait_idle()
    n = len(updates)
    assert n >= 2
    unsubscribe()
    wait_idle()
    v.ask_sync(Add(1))
    wait_idle()
    assert len(updates) == n
    unsubscribe()  # twice: the callback is gone already
    other = al.monitor(v, updates.append)
    al.shutdown(timeout=2.0)
    assert other() is None  # the runtime is gone: nothing to post to


def test_watch_yields_until_the_actor_stops(al_root):
    class Viewed(Counter):
        def view(self):
            return self.value

    v = al_root.spawn(Viewed(), name="w")
    v.ask_sync(Get())

    async def main():
        seen = []
        async for update in al.watch(v):
            seen.append((update.kind, update.status, update.view))
            if len(seen) == 1:
                v.tell(Add(1))
            elif update.kind == "view":
                await v.stop_async()
        return seen

    seen = asyncio.run(asyncio.wait_for(main(), 10))
    assert seen[0] == ("status", al.Status.IDLE, 0)
    assert ("view", al.Status.PROCESSING, 1) in seen or ("view", al.Status.IDLE, 1) in seen
    assert seen[-1][1] is al.Status.STOPPED
    assert al.inspect() == []


def test_watch_from_inside_an_actor_gets_updates_on_the_same_thread(al_root):
    class Viewed(Counter):
        def view(self):
            return self.value

    class Watcher(al.Actor):
        def __init__(self, target) -> None:
            self.target = target

        @al.handler
        async def go(self, msg: str) -> list:
            seen = []
            async for update in al.watch(self.target):
                seen.append((update.kind, update.view))
                if len(seen) == 1:
                    self.target.tell(Add(2))
                elif update.kind == "view":
                    await self.target.stop_async()
            return seen

    v = al_root.spawn(Viewed(), name="target")
    v.ask_sync(Get())
    w = al_root.spawn(Watcher(v), name="watcher")
    seen = w.ask_sync("go")
    assert seen[0] == ("status", 0) and ("view", 2) in seen
    assert v.is_closed()
