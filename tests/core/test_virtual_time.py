"""Virtual time: every timer of the runtime follows a clock the test advances."""

from __future__ import annotations

import asyncio
import threading
import time
from dataclasses import dataclass

import pytest

import actorlab as al
from actorlab.runtime import get_runtime
from actorlab.testing import VirtualTimeStuck, virtual_time, wait_until
from actorlab.testing.virtual_time import VirtualLoop


@dataclass
class Tick: ...


@dataclass
class Count: ...


class Ticker(al.Actor):
    def __init__(self) -> None:
        self.ticks = 0

    def on_start(self) -> None:
        self.ctx.send_every(1.0, Tick())

    @al.handler
    def tick(self, msg: Tick) -> None:
        self.ticks += 1

    @al.handler
    def count(self, msg: Count) -> int:
        return self.ticks


def test_an_hour_of_send_every_runs_without_waiting_for_it(al_clock):
    # A clock that waited in real time would take the hour; 3600 ticks of work take well
    # under a second on a quiet machine, and the bound leaves room for a loaded one.
    t = al.root().spawn(Ticker())
    started = time.perf_counter()
    al_clock.advance(3600)
    elapsed = time.perf_counter() - started
    assert t.ask_sync(Count()) == 3600
    assert al_clock.now() == 3600
    assert elapsed < 60, f"an hour of virtual time took {elapsed:.2f} s of real time"


def test_send_after_fires_exactly_at_its_deadline(al_clock):
    t = al.root().spawn(Ticker())
    al_clock.advance(0.999)
    assert t.ask_sync(Count()) == 0
    al_clock.advance(0.001)
    assert t.ask_sync(Count()) == 1


@dataclass
class Slow:
    seconds: float


@dataclass
class Go:
    target: al.ActorRef
    timeout: float


@dataclass
class Outcome: ...


class Sleeper(al.Actor):
    @al.handler
    async def slow(self, msg: Slow) -> str:
        await asyncio.sleep(msg.seconds)  # virtual seconds
        return "done"


class Asker(al.Actor):
    def __init__(self) -> None:
        self.result: str | None = None

    @al.handler
    async def go(self, msg: Go) -> None:
        try:
            self.result = await msg.target.ask(Slow(10), timeout=msg.timeout)
        except al.AskTimeout:
            self.result = f"timed out at t={asyncio.get_running_loop().time():g}"

    @al.handler
    def outcome(self, msg: Outcome) -> str | None:
        return self.result


def result_of(asker: al.ActorRef) -> str:
    """The asker's result as its state shows it (it is busy in its handler: no asks)."""
    return asker.info().state_preview["result"]


def test_an_actor_to_actor_ask_times_out_exactly_when_the_clock_passes_its_deadline(al_clock):
    sleeper = al.root().spawn(Sleeper())
    asker = al.root().spawn(Asker())
    asker.tell(Go(sleeper, timeout=5.0))
    al_clock.advance(4.999)
    assert result_of(asker) == "None"  # not yet
    al_clock.advance(0.001)
    assert result_of(asker) == "'timed out at t=5'"


def test_asyncio_sleep_in_a_handler_follows_the_clock(al_clock):
    sleeper = al.root().spawn(Sleeper())
    asker = al.root().spawn(Asker())
    asker.tell(Go(sleeper, timeout=60.0))
    al_clock.advance(9.5)
    assert result_of(asker) == "None"
    al_clock.advance(0.5)
    assert asker.ask_sync(Outcome()) == "done"


def test_a_cell_ask_timeout_follows_the_clock(al_clock):
    sleeper = al.root().spawn(Sleeper())
    result: list[object] = []

    def ask() -> None:  # another thread waits; this one moves the clock
        try:
            result.append(sleeper.ask_sync(Slow(10), timeout=5.0))
        except al.AskTimeout as exc:
            result.append(exc)

    th = threading.Thread(target=ask)
    th.start()
    wait_until(lambda: sleeper.info().current_handler == "slow(Slow)", what="the ask to arrive")
    al_clock.advance(4.99)  # (the ask armed its deadline before it was posted)
    assert result == []
    al_clock.advance(0.01)
    th.join(5)
    assert len(result) == 1 and isinstance(result[0], al.AskTimeout)


@dataclass
class WhenDue: ...


class DueProbe(al.Actor):
    @al.handler
    def when_due(self, msg: WhenDue) -> float | None:
        return get_runtime().loop.next_due()  # type: ignore[attr-defined, no-any-return]


def test_a_cell_asks_deadline_exists_before_its_handler_runs(al_clock):
    probe = al.root().spawn(DueProbe())  # (its start may still be on its way: the ask follows)
    assert probe.ask_sync(WhenDue(), timeout=5.0) == 5.0
    al_clock.advance(1.0)
    assert probe.ask_sync(WhenDue(), timeout=2.0) == 3.0  # (before the first ask's, at 5 s)


def test_a_blocking_ask_that_needs_the_clock_to_move_says_so(al_clock):
    sleeper = al.root().spawn(Sleeper())
    with pytest.raises(VirtualTimeStuck, match=r"clock.advance"):
        sleeper.ask_sync(Slow(10), timeout=60)


def test_an_awaited_ask_that_needs_the_clock_to_move_says_so(al_clock):
    sleeper = al.root().spawn(Sleeper())

    async def cell() -> None:  # a notebook cell's `await`, on its own loop
        await sleeper.ask(Slow(10), timeout=60)

    with pytest.raises(VirtualTimeStuck):
        asyncio.run(cell())


@dataclass
class Crash: ...


class Fragile(al.Actor):
    @al.handler
    def crash(self, msg: Crash) -> None:
        raise RuntimeError("boom")


class Boss(al.Actor):
    supervisor = al.OneForOne(max_restarts=2, within=10.0)

    def on_start(self) -> None:
        self.child = self.ctx.spawn(Fragile(), name="fragile")

    @al.handler
    def child_ref(self, msg: Count) -> al.ActorRef:
        return self.child


def _crash(child: al.ActorRef, restarts: int) -> None:
    child.tell(Crash())
    wait_until(lambda: child.info().restarts == restarts, what=f"restart {restarts}")


def test_the_restart_window_slides_with_the_clock(al_clock):
    boss = al.root().spawn(Boss(), name="boss")
    child = boss.ask_sync(Count())
    _crash(child, 1)
    al_clock.advance(1)
    _crash(child, 2)
    al_clock.advance(10)  # both restarts are now older than the 10 s window
    _crash(child, 3)
    assert boss.info().status is not al.Status.STOPPED
    assert not boss.is_closed()


def test_without_time_passing_the_restart_limit_escalates(al_clock):
    boss = al.root().spawn(Boss(), name="boss")
    child = boss.ask_sync(Count())
    _crash(child, 1)
    _crash(child, 2)
    child.tell(Crash())  # a third within the window: the boss gives up (and the root stops it)
    wait_until(boss.is_closed, what="the boss to stop")


@dataclass
class Add:
    n: int


class Account(al.Actor, snapshot=True):
    def __init__(self) -> None:
        self.balance = 0

    @al.handler
    def add(self, msg: Add) -> int:
        self.balance += msg.n
        return self.balance


def test_autosave_by_interval_follows_the_clock(al_clock):
    store = al.MemoryStorage()
    aid = al.ActorId.from_name("vt-account")
    acct = al.root().spawn_persistent_sync(store, aid, Account(), autosave=al.Every(seconds=60))
    acct.ask_sync(Add(5))
    al_clock.advance(59)
    assert store.ids() == []
    al_clock.advance(1)
    assert store.ids() == [aid]


def test_real_time_is_restored_after_the_block():
    with virtual_time():
        assert isinstance(get_runtime().loop, VirtualLoop)
    assert not isinstance(get_runtime().loop, VirtualLoop)
    started = time.monotonic()
    get_runtime().call(lambda: None)
    assert time.monotonic() - started < 1.0


def test_real_time_is_restored_after_an_exception_inside_the_block():
    with pytest.raises(ZeroDivisionError), virtual_time():
        al.root().spawn(Ticker())
        1 / 0  # noqa: B018
    rt = get_runtime()
    assert not isinstance(rt.loop, VirtualLoop) and not rt.cells


def test_events_carry_virtual_time(al_clock):
    al.root().spawn(Ticker(), name="ticker")
    al_clock.advance(7)
    spawns = [e for e in al.events() if e.kind == "spawn"]
    assert spawns and spawns[0].t == 0.0
    assert al_clock.now() == 7.0


def test_advance_refuses_negative_time(al_clock):
    with pytest.raises(ValueError, match="seconds >= 0"):
        al_clock.advance(-1)


def test_autojump_never_reaches_a_cell_ask_s_deadline_before_the_ask_arrives():
    """The deadline and the ask travel in one inbox entry: with autojump, a deadline armed
    ahead of its ask was jumped to while the ask was still on its way (tutorial 13, CI)."""
    for _ in range(20):
        with virtual_time(autojump=True):
            sleeper = al.root().spawn(Sleeper())
            assert sleeper.ask_sync(Slow(10), timeout=60) == "done"
