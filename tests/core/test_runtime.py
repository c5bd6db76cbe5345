from __future__ import annotations

import asyncio
import gc
import os
import subprocess
import sys
import textwrap
import threading

import pytest

import actorlab as al
from actorlab.runtime import get_runtime, peek_runtime

from .actors import Add, Counter, Get, Sleep

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def run_script(code: str, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": ROOT}
    return subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)], capture_output=True, text=True, timeout=timeout, env=env
    )


def test_root_is_lazy_and_idempotent():
    assert peek_runtime() is None
    r1 = al.root()
    r2 = al.root()
    assert r1 is r2 is al.RootContext.init_local()
    threads = [t for t in threading.enumerate() if t.name == "actorlab-runtime"]
    assert len(threads) == 1 and threads[0].daemon


def test_shutdown_leaves_no_thread_task_or_future():
    root = al.root()
    rt = get_runtime()
    c = root.spawn(Counter())
    c.tell(Sleep(0.05))
    c.tell(Add(1))
    pending = root.spawn(Counter())
    al.shutdown(timeout=2.0)
    assert not rt.thread.is_alive()
    assert rt.loop.is_closed()
    assert [t for t in threading.enumerate() if t.name == "actorlab-runtime"] == []
    assert rt.cells == {} and rt.names == {}
    assert c.is_closed() and pending.is_closed()
    gc.collect()
    leftovers = [
        o for o in gc.get_objects() if isinstance(o, asyncio.Task) and o.get_loop() is rt.loop and not o.done()
    ]
    assert leftovers == []


def test_shutdown_runs_on_exit_and_cancels_stuck_actors(caplog):
    exited = []

    class Polite(al.Actor):
        def on_exit(self, code):
            exited.append(code)

        @al.handler
        def get(self, msg: Get) -> int:
            return 0

    root = al.root()
    p = root.spawn(Polite())
    stuck = root.spawn(Counter(), name="stuck")
    stuck.tell(Sleep(60))
    p.ask_sync(Get())
    al.shutdown(timeout=0.3)
    assert exited == [al.ExitCode.TERMINATED]
    assert "actors still running after 0.3 s were cancelled: stuck" in caplog.text


def test_reset_gives_a_fresh_root_and_old_root_says_so():
    old = al.root()
    c = old.spawn(Counter(), name="c")
    new = al.reset()
    assert new is al.root() and new is not old
    assert c.is_closed()
    new.spawn(Counter(), name="c")  # the name is free again
    with pytest.raises(al.ActorlabError, match=r"shut down.*Fix: use root = al.root\(\)"):
        old.spawn(Counter())


def test_names_bind_lookup_free_with_type_check(al_root):
    c = al_root.spawn(Counter())
    al_root.bind("counter", c)
    assert al.lookup("counter") == c
    assert al.lookup("counter", Counter) == c
    assert c.name == "counter"

    class Other(al.Actor):
        @al.handler
        def get(self, msg: Get) -> int:
            return 1

    with pytest.raises(al.TypeMismatch, match=r"'counter' is a Counter, not a .*Other. Fix"):
        al.lookup("counter", Other)
    o = al_root.spawn(Other())
    with pytest.raises(al.NameTaken, match=r"the name 'counter' is taken by the live actor counter \(Counter, .*Fix"):
        al_root.bind("counter", o)
    with pytest.raises(al.NameTaken):
        al_root.spawn(Other(), name="counter")
    assert al_root.free("counter") == c
    with pytest.raises(al.ActorNotFound, match=r"no live actor is bound to 'counter'.*Fix"):
        al.lookup("counter")
    al_root.bind("counter", o)
    assert al.lookup("counter") == o
    assert al.lookup(str(o.id)) == o  # ids work too


def test_name_of_a_stopped_actor_is_released(al_root):
    c = al_root.spawn(Counter(), name="c")
    c.stop()
    assert al_root.spawn(Counter(), name="c") != c


def test_spawn_rejects_bad_args_clearly(al_root):
    with pytest.raises(TypeError, match=r"got the class Counter itself. Fix: pass an instance"):
        al_root.spawn(Counter)
    with pytest.raises(TypeError, match=r"needs an al.Actor instance"):
        al_root.spawn(42)

    class Locky(al.Actor):
        def __init__(self):
            self.sock = __import__("socket").socket()

        @al.handler
        def get(self, msg: Get) -> int:
            return 0

    # An attribute that cannot be copied is shared, not refused (tests/core/test_mistakes.py).
    assert al_root.spawn(Locky()).info().shared_fields == ("sock",)


def test_actor_args_initialize_with_context(al_root):
    class Holder(al.Actor):
        def __init__(self, conn, child):
            self.conn, self.child = conn, child

        @al.handler
        def get(self, msg: Get):
            return self.conn, self.child.ask_sync if False else self.child.name

    class HolderArgs(al.ActorArgs[Holder]):
        async def initialize(self, ctx):
            child = ctx.spawn(Counter(), name="kid")
            return Holder(object(), child)

    h = al_root.spawn(HolderArgs(), name="h")
    conn, child_name = h.ask_sync(Get())
    assert child_name == "kid"
    assert al.lookup("kid").path == "/h/kid"
    assert [i.path for i in al.inspect()] == ["/h", "/h/kid"]


def test_hooks_run_for_a_subclass_built_by_actor_args_and_skip_for_classes_without(al_root):
    # Whether a class defines a hook is decided once per class; the class that counts is the
    # built actor's own (initialize may return a subclass of the declared type).
    calls = []

    class Base(al.Actor):
        @al.handler
        def get(self, msg: Get):
            return "base"

    class Hooked(Base):
        def on_start(self):
            calls.append("start")

        def on_exit(self, code):
            calls.append(f"exit {code.name}")

    class BaseArgs(al.ActorArgs[Base]):
        def initialize(self, ctx):
            return Hooked()

    plain = al_root.spawn(Base())
    hooked = al_root.spawn(BaseArgs())
    assert plain.ask_sync(Get()) == hooked.ask_sync(Get()) == "base"
    plain.stop()
    hooked.stop()
    assert calls == ["start", "exit TERMINATED"]
    assert Base._al_hooks == {"on_start": False, "on_exit": False}
    assert Hooked._al_hooks == {"on_start": True, "on_exit": True}


def test_context_surface(al_root):
    class Probe(al.Actor):
        @al.handler
        def get(self, msg: Get):
            ctx = self.ctx
            kid = ctx.spawn(Counter())
            return ctx.id, ctx.this, ctx.parent, [c.id for c in ctx.children], kid.id

    class Top(al.Actor):
        @al.handler
        def make(self, msg: str):
            return self.ctx.spawn(Probe(), name=msg)

    top = al_root.spawn(Top(), name="top")
    p = top.ask_sync("p")
    pid, this, parent, children, kid = p.ask_sync(Get())
    assert pid == p.id and this == p and parent == top and children == [kid]
    assert al_root.children == [top]


def test_ctx_outside_running_actor_is_a_clear_error():
    with pytest.raises(AttributeError, match=r"Counter.ctx is only available once the actor runs"):
        Counter().ctx


def test_pause_step_resume(al_root):
    c = al_root.spawn(Counter(), name="c")
    c.pause()
    for i in range(3):
        c.tell(Add(i + 1))
    info = c.info()
    assert info.status is al.Status.PAUSED and info.mailbox == 3
    assert [p.msg_repr for p in info.mailbox_preview] == ["Add(amount=1)", "Add(amount=2)", "Add(amount=3)"]
    assert c.step() == Add(1)
    assert c.info().state_preview == {"value": "1"} and c.info().mailbox == 2
    assert c.step() == Add(2)
    c.resume()
    assert c.ask_sync(Get()) == 6
    with pytest.raises(al.ActorlabError, match=r"c is not paused. Fix: call ref.pause\(\) first"):
        c.step()
    c.pause()
    assert c.step() is None  # empty mailbox


def test_timers_send_after_send_every_and_cancel(al_root):
    class Ticker(al.Actor):
        def __init__(self):
            self.ticks = 0
            self.done = 0
            self.timer = None

        @al.handler
        def start(self, msg: str) -> None:
            self.timer = self.ctx.send_every(0.01, Add(1))
            self.ctx.send_after(0.02, Get())

        @al.handler
        def tick(self, msg: Add) -> None:
            self.ticks += 1
            if self.ticks == 5:
                self.timer.cancel()

        @al.handler
        def once(self, msg: Get) -> int:
            self.done += 1
            return self.done

        @al.handler
        def arm(self, msg: float) -> None:
            self.ctx.send_every(msg, Add(1))
            self.ctx.send_after(msg, Get())

        @al.handler
        def read(self, msg: int) -> tuple:
            return self.ticks, self.done, len(self.ctx._cell.timers or ())

    from actorlab.testing import wait_until

    t = al_root.spawn(Ticker())
    t.tell("go")
    wait_until(lambda: t.ask_sync(0)[:2] == (5, 1), what="5 ticks and one send_after")
    assert t.ask_sync(0) == (5, 1, 0)
    # timers are cancelled on restart and stop (armed for an hour: no tick can be on its way
    # to the mailbox when the restart comes, where it would survive the restart)
    t.tell(3600.0)
    assert t.ask_sync(0) == (5, 1, 2)
    t.restart()
    assert t.ask_sync(0) == (0, 0, 0)


def test_unhandled_timer_message_is_refused(al_root):
    class T(al.Actor):
        @al.handler
        def go(self, msg: str):
            try:
                self.ctx.send_after(0.1, 3.5)
            except al.UnhandledMessage as exc:
                return str(exc)

    assert "T has no handler for float" in al_root.spawn(T()).ask_sync("x")


def test_works_after_user_applies_nest_asyncio():
    pytest.importorskip("nest_asyncio")
    out = run_script(
        """
        import asyncio, nest_asyncio
        nest_asyncio.apply()
        import actorlab as al
        class C(al.Actor):
            def __init__(self): self.n = 0
            @al.handler
            async def add(self, m: int) -> int:
                await asyncio.sleep(0)
                self.n += m
                return self.n
        c = al.root().spawn(C())
        for _ in range(100): c.tell(1)
        print(c.ask_sync(0))
        loop = asyncio.get_event_loop()
        print(loop.run_until_complete(c.ask(1)))
        async def nested():
            return asyncio.get_event_loop().run_until_complete(c.ask(1))
        print(asyncio.run(nested()))
        al.shutdown()
        print("ok")
        """
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["100", "101", "102", "ok"]


def test_plain_script_needs_no_asyncio_code():
    out = run_script(
        """
        import actorlab as al
        class Greeter(al.Actor):
            @al.handler
            def greet(self, name: str) -> str:
                print("handling", name, flush=True)
                return "hello " + name
        g = al.root().spawn(Greeter())
        print(g.ask_sync("ada"))
        """
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines() == ["handling ada", "hello ada"]


def test_import_loads_no_notebook_libraries():
    out = run_script(
        """
        import sys
        import actorlab as al
        al.root().spawn
        import actorlab.testing  # noqa
        bad = sorted(m for m in ("IPython", "ipykernel", "rich", "ipywidgets", "traitlets") if m in sys.modules)
        print(bad)
        """
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"


def test_configure_validates():
    with pytest.raises(TypeError, match=r"unknown setting 'ask_timout'; the settings are: ask_timeout"):
        al.configure(ask_timout=1)
    with pytest.raises(ValueError, match="positive"):
        al.configure(ask_timeout=0)
    assert al.configure(ask_timeout=2).ask_timeout == 2.0
