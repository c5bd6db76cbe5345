"""Issue 10, items 1-5: no mistake in user code kills the runtime, freezes delivery, hides a
failure or keeps a message alive. Each test fails without its fix."""

from __future__ import annotations

import asyncio
import collections
import gc
import logging
import sys
import types
import weakref
from dataclasses import dataclass

import pytest

import actorlab as al
from actorlab import runtime as runtime_mod
from actorlab import supervising
from actorlab.runtime import Runtime, get_runtime
from actorlab.testing import spawn_probe, wait_idle, wait_until

from .actors import Add, Counter, Get


@dataclass
class Raise:
    error: BaseException


@dataclass
class RaiseAsync:
    error: BaseException


class Fragile(al.Actor):
    def __init__(self) -> None:
        self.value = 0

    @al.handler
    def raise_(self, msg: Raise) -> None:
        raise msg.error

    @al.handler
    async def raise_async(self, msg: RaiseAsync) -> None:
        await asyncio.sleep(0)
        raise msg.error

    @al.handler
    def add(self, msg: Add) -> int:
        self.value += msg.amount
        return self.value

    @al.handler
    def get(self, msg: Get) -> int:
        return self.value


BASE_EXCEPTIONS = [
    SystemExit(2),  # what argparse raises on a bad argument
    KeyboardInterrupt(),
    GeneratorExit(),
    asyncio.CancelledError(),  # raised by hand in a handler: not a cancellation of the actor
]


# -- 1. BaseException out of user code ----------------------------------------------------------
@pytest.mark.parametrize("make", [Raise, RaiseAsync], ids=["sync", "async"])
@pytest.mark.parametrize("error", BASE_EXCEPTIONS, ids=lambda e: type(e).__name__)
def test_base_exception_in_a_handler_is_a_failure_of_that_actor(al_root, caplog, make, error):
    c = al_root.spawn(Fragile(), name="fragile")
    with pytest.raises(al.HandlerError, match=f"actor fragile raised {type(error).__name__}") as ei:
        c.ask_sync(make(error))
    assert type(ei.value.__cause__) is type(error)
    # The root stopped the failing top-level actor and logged it, naming it.
    wait_until(c.is_closed, what="the failed actor to stop")
    assert "top-level actor fragile failed" in caplog.text
    # The runtime lives on: a new actor works, and inspect() does not list the dead one.
    other = al_root.spawn(Counter())
    assert other.ask_sync(Get()) == 0
    assert [i.label for i in al.inspect()] == [other.info().label]


def test_system_exit_of_a_supervised_child_reaches_its_supervisor(al_root):
    class Sup(al.Actor):
        supervisor = al.OneForOne(max_restarts=3, within=60)

        @al.handler
        def make(self, msg: str) -> al.ActorRef:
            return self.ctx.spawn(Fragile(), name=msg)

    sup = al_root.spawn(Sup())
    child = sup.ask_sync("kid")
    child.ask_sync(Add(5))
    with pytest.raises(al.HandlerError):
        child.ask_sync(Raise(SystemExit("bad flag")))
    assert child.ask_sync(Get()) == 0  # restarted from its original args
    info = child.info()
    assert info.restarts == 1
    assert (info.errors[-1].type, info.errors[-1].message) == ("SystemExit", "bad flag")


def test_base_exceptions_in_hooks_initialize_and_supervise_are_caught(al_root, caplog):
    class Hooky(al.Actor):
        def on_start(self):
            raise SystemExit("from on_start")

        def on_exit(self, code):
            raise KeyboardInterrupt("from on_exit")

        @al.handler
        def get(self, msg: Get) -> int:
            return 1

    h = al_root.spawn(Hooky(), name="hooky")
    assert h.ask_sync(Get()) == 1  # on_start's SystemExit was logged, the actor runs
    assert "on_start() of actor hooky raised" in caplog.text
    h.stop()
    assert "on_exit() of actor hooky raised" in caplog.text
    assert [e.kind for e in h.info().errors] == ["hook:on_start", "hook:on_exit"]

    class Exits(al.ActorArgs[Counter]):
        def initialize(self, ctx):
            raise SystemExit("from initialize")

    bad = al_root.spawn(Exits(), name="exits")
    wait_until(bad.is_closed, what="the failed actor to stop")
    assert bad.info().errors[-1].kind == "initialize"

    class BadSup(al.Actor):
        def supervise(self, esc):
            raise KeyboardInterrupt("from supervise")

        @al.handler
        def make(self, msg: str) -> al.ActorRef:
            return self.ctx.spawn(Fragile(), name=msg)

    sup = al_root.spawn(BadSup(), name="badsup")
    kid = sup.ask_sync("kid2")
    kid.tell(Raise(ValueError("x")))
    wait_until(sup.is_closed, what="the supervisor whose supervise() raised to stop")
    assert sup.info().errors[-1].kind == "supervise"
    assert sup.info().errors[-1].type == "KeyboardInterrupt"
    assert al_root.spawn(Counter()).ask_sync(Get()) == 0


def test_monitor_and_view_raising_system_exit_do_not_stop_the_actor(al_root, caplog):
    class Viewed(Counter):
        def view(self):
            raise SystemExit("from view")

    c = al_root.spawn(Viewed())
    calls = []

    def cb(update):
        calls.append(update)
        raise SystemExit("from a monitor")

    al.monitor(c, cb)
    c.tell(Add(1))
    assert c.ask_sync(Get()) == 1
    assert len(calls) == 1  # removed after raising, once
    assert "a monitor callback of actor" in caplog.text
    assert "view() raised SystemExit" in c.info().view


class Rogue(al.Actor):
    """Starts code that runs outside its handlers, on the runtime thread."""

    @al.handler
    def go(self, msg: str) -> None:
        loop = asyncio.get_running_loop()
        if msg == "callback":
            loop.call_soon(sys.exit, 3)
        elif msg == "task":

            async def interrupt():
                raise KeyboardInterrupt

            asyncio.ensure_future(interrupt())
        elif msg == "stop-loop":
            loop.stop()

    @al.handler
    def get(self, msg: Get) -> int:
        return 7


@pytest.mark.parametrize("how", ["callback", "task", "stop-loop"])
def test_code_outside_handlers_cannot_end_the_runtime_loop(al_root, caplog, how):
    r = al_root.spawn(Rogue())
    r.tell(how)
    wait_until(lambda: "ignored, the runtime goes on" in caplog.text, what="the log")
    assert r.ask_sync(Get()) == 7
    assert get_runtime() is al_root.runtime
    assert al_root.runtime.thread.is_alive()


@pytest.mark.filterwarnings("ignore::pytest.PytestUnhandledThreadExceptionWarning")
def test_a_dead_runtime_thread_says_so_and_root_starts_a_fresh_one(monkeypatch, caplog):
    root = al.root()
    c = root.spawn(Counter(), name="c")
    assert c.ask_sync(Get()) == 0
    rt = root.runtime

    class Breaking:  # the runtime's own safety net fails: the thread really dies
        def error(self, msg, *args, **kwargs):
            if "ignored" in msg:
                raise SystemExit("the safety net broke")
            logging.getLogger("actorlab").error(msg, *args, **kwargs)

    monkeypatch.setattr(runtime_mod, "log", Breaking())
    rt.loop.call_soon_threadsafe(sys.exit, 4)
    rt.thread.join(5)
    assert not rt.thread.is_alive()
    assert "runtime thread died (SystemExit: the safety net broke)" in caplog.text
    with pytest.raises(al.ActorlabError, match=r"runtime thread died .*Fix: al.root\(\) starts a fresh"):
        c.tell(Add(1))
    assert al.inspect() == []  # no longer listed as idle
    fresh = al.root()
    assert fresh.runtime is not rt
    assert fresh.spawn(Counter(), name="c").ask_sync(Get()) == 0


def test_root_notices_a_thread_that_died_without_a_word():
    rt = get_runtime()
    rt._stopping = True  # as if shut down, without closing: the thread ends silently
    rt.loop.call_soon_threadsafe(rt.loop.stop)
    rt.thread.join(5)
    assert get_runtime() is not rt
    assert "thread is gone" in rt.gone_text()


# -- 2. Ctrl-C at any step of a send ---------------------------------------------------------------
class _Interrupt:
    """Raises KeyboardInterrupt once, at one chosen step of the send path."""

    def __init__(self) -> None:
        self.armed = False

    def fire(self) -> None:
        if self.armed:
            self.armed = False
            raise KeyboardInterrupt


class _Inbox(collections.deque):
    def __init__(self, trap, when):
        super().__init__()
        self.trap, self.when = trap, when

    def append(self, item):
        if self.when == "before":
            self.trap.fire()
        super().append(item)
        if self.when == "after":
            self.trap.fire()


#: Where the interrupt lands, and whether the interrupted tell still arrives.
SEND_STEPS = {
    "capture_origin": False,
    "before_append": False,
    "after_append": True,
    "after_flag_set": True,  # the bug: the flag said "drain scheduled", nothing was
    "before_call_soon": True,
    "inside_call_soon": True,  # queued on the loop, but the loop was not woken
    "after_call_soon": True,
}


def _install(monkeypatch, rt: Runtime, step: str, trap: _Interrupt) -> None:
    if step == "capture_origin":
        real_capture = rt.capture_origin

        def capture():
            trap.fire()
            return real_capture()

        monkeypatch.setattr(rt, "capture_origin", capture)
    elif step in ("before_append", "after_append"):
        monkeypatch.setattr(rt, "_inbox", _Inbox(trap, step.split("_")[0]))
    elif step == "after_flag_set":
        # A data descriptor on the class wins over the instance attribute.
        def get(self):
            return self.__dict__["_scheduled"]

        def set_(self, value):
            self.__dict__["_scheduled"] = value
            if value and self is rt:
                trap.fire()

        monkeypatch.setattr(Runtime, "_scheduled", property(get, set_), raising=False)
    elif step in ("before_call_soon", "after_call_soon"):
        real = rt.loop.call_soon_threadsafe

        def call_soon_threadsafe(*args, **kwargs):
            if step == "before_call_soon":
                trap.fire()
            handle = real(*args, **kwargs)
            if step == "after_call_soon":
                trap.fire()
            return handle

        monkeypatch.setattr(rt.loop, "call_soon_threadsafe", call_soon_threadsafe)
    elif step == "inside_call_soon":
        real_write = rt.loop._write_to_self

        def write_to_self():
            trap.fire()
            real_write()

        monkeypatch.setattr(rt.loop, "_write_to_self", write_to_self)


@pytest.mark.parametrize("step", list(SEND_STEPS))
def test_ctrl_c_at_any_step_of_a_tell_never_freezes_delivery(al_root, monkeypatch, step):
    c = al_root.spawn(Counter())
    rt = al_root.runtime
    wait_idle()
    trap = _Interrupt()
    _install(monkeypatch, rt, step, trap)
    c.tell(Add(1))  # the path works when nothing interrupts it
    assert c.ask_sync(Get()) == 1
    wait_until(lambda: not rt._inbox and not rt._scheduled, what="the inbox to drain")
    trap.armed = True
    try:
        with pytest.raises(KeyboardInterrupt):
            c.tell(Add(10))  # Ctrl-C lands here
    finally:
        assert not trap.armed, "the interrupt was not injected"
        trap.armed = False
    # Delivery goes on: later tells and asks arrive, and the interrupted tell arrived or not,
    # as the step decides: never stranded, never twice.
    for _ in range(3):
        c.tell(Add(100))
    expected = 301 + (10 if SEND_STEPS[step] else 0)
    assert c.ask_sync(Get(), timeout=3) == expected
    wait_idle()
    assert not rt._inbox and not rt._scheduled


def test_ctrl_c_while_spawning_never_leaves_a_cell_that_never_starts(al_root, monkeypatch):
    rt = al_root.runtime
    wait_idle()
    trap = _Interrupt()
    _install(monkeypatch, rt, "after_flag_set", trap)
    wait_until(lambda: not rt._inbox and not rt._scheduled, what="the inbox to drain")
    trap.armed = True
    with pytest.raises(KeyboardInterrupt):
        al_root.spawn(Counter(), name="half")
    ref = al.lookup("half")  # registered: it must be running
    assert ref.ask_sync(Get(), timeout=3) == 0
    # and never started twice (start is idempotent)
    assert [i.label for i in al.inspect()] == ["half"]


# -- 3. CancelledError out of a handler ------------------------------------------------------------
class Canceller(al.Actor):
    @al.handler
    async def go(self, msg: str) -> None:
        t = asyncio.ensure_future(asyncio.sleep(10))
        await asyncio.sleep(0)
        t.cancel()
        await t  # raises CancelledError into the handler

    @al.handler
    def get(self, msg: Get) -> int:
        return 1


def test_cancelled_error_from_a_handler_is_a_failure_like_any_other(al_root, caplog):
    seen = []

    class Sup(al.Actor):
        def supervise(self, esc):
            seen.append((esc.kind, type(esc.error).__name__, esc.message))
            return al.Signal.RESUME, None

        @al.handler
        def make(self, msg: Get) -> al.ActorRef:
            return self.ctx.spawn(Canceller(), name="canceller")

    sup = al_root.spawn(Sup())
    c = sup.ask_sync(Get())
    with pytest.raises(al.HandlerError, match="raised CancelledError") as ei:
        c.ask_sync("cancel it")
    assert isinstance(ei.value.__cause__, asyncio.CancelledError)
    assert c.ask_sync(Get()) == 1  # resumed, not silently stopped
    assert seen == [(al.EscalationKind.HANDLER, "CancelledError", "cancel it")]
    assert c.info().errors[-1].type == "CancelledError"


def test_shutdown_still_cancels_an_actor_stuck_in_an_await(caplog):
    root = al.root()
    stuck = root.spawn(Counter(), name="stuck")
    from .actors import Sleep

    stuck.tell(Sleep(60))
    wait_until(lambda: stuck.info().current_handler is not None)
    al.shutdown(timeout=0.2)
    assert stuck.status is al.Status.STOPPED
    assert stuck.info().errors == ()  # a shutdown, not a failure
    assert "failed" not in caplog.text


def test_stopped_by_cancel_without_task_cancelling_uses_the_runtime_flag():
    """The Python 3.10 path (Task.cancelling() is 3.11+): the shutdown's flag decides."""
    rt = types.SimpleNamespace(cancelling=False)
    cell = types.SimpleNamespace(task=object(), runtime=rt)
    assert not supervising.stopped_by_cancel(cell, asyncio.CancelledError())
    rt.cancelling = True
    assert supervising.stopped_by_cancel(cell, asyncio.CancelledError())
    assert not supervising.stopped_by_cancel(cell, ValueError())


def test_shutdown_sets_the_cancelling_flag_before_it_cancels(monkeypatch):
    seen = []
    real = supervising.stopped_by_cancel

    def spy(cell, exc):
        seen.append(cell.runtime.cancelling)
        return real(cell, exc)

    monkeypatch.setattr(supervising, "stopped_by_cancel", spy)
    root = al.root()
    from .actors import Sleep

    stuck = root.spawn(Counter())
    stuck.tell(Sleep(60))
    wait_until(lambda: stuck.info().current_handler is not None)
    al.shutdown(timeout=0.2)
    assert seen == [True]


# -- 4. Tasks started inside a handler are not "inside the handler" ------------------------------
class Spawner(al.Actor):
    def __init__(self, probe: al.ActorRef | None = None) -> None:
        self.probe = probe  # refs are shared by copies (state is deep-copied at spawn)
        self.value = 42

    @al.handler
    def go(self, msg: str) -> None:
        if msg == "terminate":
            asyncio.get_running_loop().call_soon(self.ctx.terminate)
        elif msg == "terminate-task":

            async def later():
                self.ctx.terminate()

            asyncio.ensure_future(later())
        elif msg == "stop_async":

            async def stop_me():
                await self.ctx.this.stop_async()
                self.probe.tell(("status", self.ctx.this.status))

            asyncio.ensure_future(stop_me())
        elif msg == "self-ask":

            async def ask_me():
                self.probe.tell(("asked", await self.ctx.this.ask(Get(), timeout=2)))

            asyncio.ensure_future(ask_me())

    @al.handler
    def get(self, msg: Get) -> int:
        return self.value


@pytest.mark.parametrize("how", ["terminate", "terminate-task"])
def test_terminate_from_a_task_or_callback_the_handler_started_stops_the_actor(al_root, how):
    a = al_root.spawn(Spawner())
    a.tell(how)
    wait_until(a.is_closed, timeout=3, what="the actor to stop (no further message sent)")


def test_stop_async_from_a_task_the_handler_started_waits_for_the_stop(al_root):
    probe = spawn_probe()
    a = al_root.spawn(Spawner(probe.ref))
    a.tell("stop_async")
    assert probe.expect(tuple, timeout=3) == [("status", al.Status.STOPPED)]


def test_self_ask_from_a_task_the_handler_started_is_answered(al_root):
    probe = spawn_probe()
    a = al_root.spawn(Spawner(probe.ref))
    a.tell("self-ask")
    assert probe.expect(tuple, timeout=3) == [("asked", 42)]


def test_terminate_and_self_ask_in_the_handler_itself_keep_their_meaning(al_root):
    class Self(al.Actor):
        @al.handler
        async def ask_me(self, msg: str) -> str:
            try:
                await self.ctx.this.ask(Get())
            except al.Deadlock:
                self.ctx.terminate()  # in its own handler: after this message
                return "deadlock"
            return "answered"

        @al.handler
        def get(self, msg: Get) -> int:
            return 0

    s = al_root.spawn(Self())
    assert s.ask_sync("ask") == "deadlock"
    wait_until(s.is_closed, what="the actor to stop after that message")


# -- 5. An idle actor keeps no message alive -------------------------------------------------------
class Big:
    def __init__(self) -> None:
        self.payload = bytearray(1 << 20)  # 1 MB


class Keeper(al.Actor):
    @al.handler
    def take(self, msg: Big) -> None:
        pass

    @al.handler
    async def take_async(self, msg: tuple) -> None:
        await asyncio.sleep(0)

    @al.handler
    def fail(self, msg: list) -> None:
        raise ValueError("poison")


@pytest.mark.parametrize("kind", ["sync tell", "async tell", "sync ask", "failed and resumed"])
def test_two_hundred_idle_actors_keep_none_of_their_last_messages(al_root, kind):
    class Sup(al.Actor):
        def supervise(self, esc):
            return al.Signal.RESUME, None

        @al.handler
        def make(self, n: int) -> list:
            return [self.ctx.spawn(Keeper()) for _ in range(n)]

    refs = al_root.spawn(Sup()).ask_sync(200)
    alive = []
    for r in refs:
        big = Big()
        alive.append(weakref.ref(big))
        if kind == "sync tell":
            r.tell(big)
        elif kind == "async tell":
            r.tell((big,))
        elif kind == "sync ask":
            r.ask_sync(big)
        else:
            r.tell([big])
        del big
    wait_idle()
    gc.collect()
    kept = sum(w() is not None for w in alive)
    assert kept == 0, f"{kept} of 200 handled 1 MB messages are still alive"
    assert all(r.info().status is al.Status.IDLE for r in refs[:5])
