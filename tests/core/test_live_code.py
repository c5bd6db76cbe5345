"""Live code (API.md section 8): re-running a cell upgrades the live actors it defines.

Each test runs "cells" with ``exec`` in a module of its own (like a notebook's ``__main__``), so
a class defined again has the same ``__module__`` and ``__qualname__``, as after a re-run.
"""


import asyncio
import itertools
import sys
import textwrap
import threading
import types
from collections.abc import Iterator
from typing import Any

import pytest

import actorlab as al
from actorlab.upgrade import LiveCodeWarning

_names = itertools.count()


class Notebook:
    """A module whose namespace cells run in."""

    def __init__(self) -> None:
        self.name = f"live_nb_{next(_names)}"
        self.module = types.ModuleType(self.name)
        sys.modules[self.name] = self.module
        self.ns = self.module.__dict__

    def run(self, source: str) -> None:
        exec(compile(textwrap.dedent(source), f"<{self.name}>", "exec"), self.ns)

    def __getattr__(self, name: str) -> Any:
        return self.ns[name]


@pytest.fixture
def nb() -> Iterator[Notebook]:
    book = Notebook()
    book.run(MESSAGES)
    yield book
    sys.modules.pop(book.name, None)


MESSAGES = """
from dataclasses import dataclass
import actorlab as al

@dataclass
class Add:
    n: int

@dataclass
class Get:
    pass
"""

COUNTER = """
class Counter(al.Actor):
    def __init__(self, start=0):
        self.n = start

    @al.handler
    def add(self, msg: Add) -> None:
        self.n += msg.n

    @al.handler
    def get(self, msg: Get) -> int:
        return self.n
"""

COUNTER_V2 = """
@dataclass
class Reset:
    pass

class Counter(al.Actor):
    def __init__(self, start=0):
        self.n = start
        self.initial = start  # new field: filled from the original args

    @al.handler
    def add(self, msg: Add) -> None:
        self.n += 10 * msg.n  # changed behaviour

    @al.handler
    def get(self, msg: Get) -> tuple:
        return ("v2", self.n, self.initial)

    @al.handler
    def reset(self, msg: Reset) -> None:  # a new handler for a new message type
        self.n = self.initial
"""


def test_rerun_message_cell_live_actor_still_accepts_it(al_root, nb):
    nb.run(COUNTER)
    c = al_root.spawn(nb.Counter(1))
    OldAdd = nb.Add
    c.pause()
    c.tell(OldAdd(1))  # an old instance, queued across the redefinition
    nb.run("@dataclass\nclass Add:\n    n: int\n")
    assert nb.Add is not OldAdd
    c.tell(nb.Add(2))  # a new instance to the handler registered for the old class
    c.resume()
    assert c.ask_sync(nb.Get()) == 4
    # Resolved once per new class: the send path finds it in the cache from then on.
    assert nb.Counter._al_cache[nb.Add].name == "add"


def test_handler_of_a_new_message_class_accepts_old_instances(al_root, nb):
    nb.run(COUNTER)
    OldAdd = nb.Add
    nb.run("@dataclass\nclass Add:\n    n: int\n")
    nb.run(COUNTER)  # the actor class is defined after the new Add: its handler names it
    c = al_root.spawn(nb.Counter())
    c.tell(OldAdd(3))  # an instance made before the re-run, e.g. kept in a variable
    assert c.ask_sync(nb.Get()) == 3


def test_rerun_actor_cell_upgrades_in_place(al_root, nb):
    nb.run(COUNTER)
    c = al_root.spawn(nb.Counter(start=5), name="counter")
    c.tell(nb.Add(3))
    assert c.ask_sync(nb.Get()) == 8
    before = c.info()
    nb.run(COUNTER_V2)
    c.tell(nb.Reset())  # same cell as the redefinition: a new message type is accepted at once
    assert c.ask_sync(nb.Get()) == ("v2", 5, 5)
    c.tell(nb.Add(1))
    assert c.ask_sync(nb.Get()) == ("v2", 15, 5)  # new behaviour
    after = c.info()
    assert after.id == before.id and c.name == "counter" and al.lookup("counter") == c
    assert after.upgrades == 1 and after.last_upgrade_at is not None
    assert before.upgrades == 0 and before.last_upgrade_at is None
    assert type(c._live().actor) is nb.Counter and c.actor_type is nb.Counter


def test_state_kept_and_new_field_from_positional_and_keyword_args(al_root, nb):
    nb.run(COUNTER)
    a = al_root.spawn(nb.Counter(7))
    b = al_root.spawn(nb.Counter(start=9))
    d = al_root.spawn(nb.Counter())
    for r in (a, b, d):
        r.tell(nb.Add(100))
        r.ask_sync(nb.Get())  # handled by the old code
    nb.run(COUNTER_V2)
    assert a.ask_sync(nb.Get()) == ("v2", 107, 7)
    assert b.ask_sync(nb.Get()) == ("v2", 109, 9)
    assert d.ask_sync(nb.Get()) == ("v2", 100, 0)


def test_messages_queued_while_paused_are_handled_by_the_new_code(al_root, nb):
    nb.run(COUNTER)
    c = al_root.spawn(nb.Counter())
    c.pause()
    c.tell(nb.Add(1))
    c.tell(nb.Add(2))
    OldAdd = nb.Add
    nb.run("@dataclass\nclass Add:\n    n: int\n" + COUNTER_V2)
    assert c.step() == OldAdd(1)  # the upgrade (a signal) came first, then this message
    assert c.info().upgrades == 1 and c.status is al.Status.PAUSED
    c.tell(OldAdd(3))
    assert len(c.info().mailbox_preview) == 2
    c.resume()
    assert c.ask_sync(nb.Get()) == ("v2", 60, 0)


def test_on_upgrade_migrates_state_sync_and_async(al_root, nb):
    nb.run(COUNTER)
    c = al_root.spawn(nb.Counter(2))
    nb.run(
        """
        class Counter(al.Actor):
            def __init__(self, start=0):
                self.total = {"n": start}

            def on_upgrade(self, old_class):
                assert old_class is not Counter and old_class.__qualname__ == "Counter"
                self.total = {"n": self.n}
                del self.n

            @al.handler
            def get(self, msg: Get) -> dict:
                return self.total
        """
    )
    assert c.ask_sync(nb.Get()) == {"n": 2}
    nb.run(
        """
        import asyncio

        class Counter(al.Actor):
            async def on_upgrade(self, old_class):
                await asyncio.sleep(0)
                self.total["async"] = True

            @al.handler
            def get(self, msg: Get) -> dict:
                return self.total
        """
    )
    assert c.ask_sync(nb.Get()) == {"n": 2, "async": True}
    assert c.info().upgrades == 2


FAILING = """
class Counter(al.Actor):
    def __init__(self, start=0):
        self.n = start

    def on_upgrade(self, old_class):
        self.n = -1          # set, then undone
        self.scratch = "x"   # added, then removed
        raise ValueError("cannot migrate")

    @al.handler
    def get(self, msg: Get) -> str:
        return "new code"
"""


def test_failing_on_upgrade_keeps_the_old_code_and_reports(al_root, nb, capsys):
    nb.run(COUNTER)
    c = al_root.spawn(nb.Counter(4), name="kept")
    c.tell(nb.Add(1))
    OldCounter = nb.Counter
    nb.run(FAILING)
    assert c.ask_sync(nb.Get()) == 5  # the old handler, the old state
    actor = c._live().actor
    assert type(actor) is OldCounter and c.actor_type is OldCounter
    assert "scratch" not in actor.__dict__
    info = c.info()
    assert info.upgrades == 0 and info.last_error is not None
    assert info.last_error.kind == "upgrade" and info.last_error.type == "ValueError"
    err = capsys.readouterr().err
    assert "kept keeps its old code: Counter.on_upgrade() raised ValueError: cannot migrate" in err
    assert "Fix on_upgrade" in err
    ups = [e for e in al.events() if e.kind == "upgrade"]
    assert ups[-1].dst == c.id and ups[-1].detail.startswith("failed")
    c.restart()  # the args were put back too
    assert c.ask_sync(nb.Get()) == 4


def test_failing_fresh_instance_keeps_the_old_code(al_root, nb, capsys):
    nb.run(COUNTER)
    c = al_root.spawn(nb.Counter(start=3), name="strict")
    nb.run(
        """
        class Counter(al.Actor):
            def __init__(self, start, step):  # a new required parameter
                self.n, self.step = start, step

            @al.handler
            def get(self, msg: Get) -> str:
                return "new code"
        """
    )
    with pytest.raises(al.UpgradeError, match=r"strict keeps its old code: .*Counter\(start=3\)"):
        al.upgrade(nb.Counter)
    assert c.ask_sync(nb.Get()) == 3
    err = capsys.readouterr().err  # the automatic upgrade reported it too
    assert "strict keeps its old code" in err and "missing 1 required positional" in err


def test_upgrade_error_lists_the_upgraded_and_the_failed(al_root, nb):
    al.configure(live_upgrade=False)
    try:
        nb.run(COUNTER)
        ok = al_root.spawn(nb.Counter(1))
        bad = al_root.spawn(nb.Counter(-1))
        nb.run(
            """
            class Counter(al.Actor):
                def on_upgrade(self, old_class):
                    if self.n < 0:
                        raise ValueError("negative")

                @al.handler
                def get(self, msg: Get) -> str:
                    return "new"
            """
        )
        with pytest.raises(al.UpgradeError) as info:
            al.upgrade(nb.Counter)
        assert info.value.upgraded == [ok] and [r for r, _ in info.value.failed] == [bad]
        assert ok.ask_sync(nb.Get()) == "new" and bad.ask_sync(nb.Get()) == -1
    finally:
        al.configure(live_upgrade=True)


def test_live_upgrade_false_then_explicit_upgrade(al_root, nb):
    nb.run(COUNTER)
    c = al_root.spawn(nb.Counter(1))
    al.configure(live_upgrade=False)
    try:
        nb.run(COUNTER_V2)
        assert c.ask_sync(nb.Get()) == 1  # old code: nothing happened
        with pytest.raises(al.UnhandledMessage):
            c.tell(nb.Reset())
        assert al.upgrade(nb.Counter) == [c]
        assert c.ask_sync(nb.Get()) == ("v2", 1, 1)
        assert al.upgrade(nb.Counter) == []  # nothing older left
    finally:
        al.configure(live_upgrade=True)
    with pytest.raises(ValueError, match="True or False"):
        al.configure(live_upgrade="yes")


def test_local_classes_are_never_matched(al_root):
    def make(label: str) -> tuple[type, type]:
        class Ping:
            pass

        class Echo(al.Actor):
            @al.handler
            def ping(self, msg: Ping) -> str:
                return label

        return Ping, Echo

    Ping1, Echo1 = make("one")
    e = al_root.spawn(Echo1())
    Ping2, Echo2 = make("two")  # same qualname, but local: no upgrade
    assert Echo1.__qualname__ == Echo2.__qualname__
    assert e.ask_sync(Ping1()) == "one" and type(e._live().actor) is Echo1
    with pytest.raises(al.UnhandledMessage) as info:
        e.tell(Ping2())
    text = str(info.value)
    accepted = text.split("It accepts: ")[1].split(".")[0]
    assert "Ping" not in accepted  # the refused type's own name is never listed as accepted
    assert "defined in a function" in text and "module-level" in text
    with pytest.raises(ValueError, match="inside a function"):
        al.upgrade(Echo2)


def test_unhandled_same_name_from_another_module(al_root, nb):
    nb.run(COUNTER)
    other = Notebook()
    other.run(MESSAGES)
    c = al_root.spawn(nb.Counter())
    with pytest.raises(al.UnhandledMessage) as info:
        c.tell(other.Add(1))
    text = str(info.value)
    assert "It accepts: Get." in text and other.name in text
    with pytest.raises(al.UnhandledMessage, match="It accepts: Add, Get. Fix"):
        c.tell(b"x")


def test_restart_after_upgrade_runs_the_new_code(al_root, nb):
    nb.run(
        COUNTER
        + """
class CounterArgs(al.ActorArgs[Counter]):
    def __init__(self, start):
        self.start = start

    def initialize(self, ctx):
        return Counter(self.start)
"""
    )
    own = al_root.spawn(nb.Counter(2))
    built = al_root.spawn(nb.CounterArgs(3))
    for r in (own, built):
        r.tell(nb.Add(1))
        r.ask_sync(nb.Get())
    nb.run(COUNTER_V2)
    assert own.ask_sync(nb.Get()) == ("v2", 3, 2)
    assert built.ask_sync(nb.Get()) == ("v2", 4, 3)
    for r in (own, built):
        r.restart()
    assert own.ask_sync(nb.Get()) == ("v2", 2, 2)  # fresh from the upgraded pristine args
    assert built.ask_sync(nb.Get()) == ("v2", 3, 3)  # initialize() builds the new Counter
    assert type(own._live().actor) is nb.Counter and type(built._live().actor) is nb.Counter


def test_a_removed_handler_refuses_its_queued_messages(al_root, nb):
    nb.run(COUNTER)
    c = al_root.spawn(nb.Counter())
    c.pause()
    c.tell(nb.Add(1))
    rt = c._live().runtime
    fut = rt.submit(c.ask(nb.Add(2)))
    nb.run(
        """
        class Counter(al.Actor):
            @al.handler
            def get(self, msg: Get) -> int:
                return self.n
        """
    )
    assert al.upgrade(nb.Counter) == [c]
    with pytest.raises(al.UnhandledMessage, match="has no handler for Add"):
        fut.result(5)
    letters = [d for d in al.dead_letters() if d.actor == c.id]
    assert letters and "was upgraded" in letters[-1].reason
    c.resume()
    assert c.ask_sync(nb.Get()) == 0


def test_timers_children_and_monitors_survive(al_root, nb):
    nb.run(
        COUNTER
        + """
import threading
ticked = threading.Event()

@dataclass
class Tick:
    pass

class Parent(al.Actor):
    def __init__(self):
        self.child = None
        self.timer = None

    def on_start(self):
        self.child = self.ctx.spawn(Counter(1), name="kid")
        self.timer = self.ctx.send_every(3600, Tick())

    @al.handler
    def tick(self, msg: Tick) -> str:
        return "old tick"

    @al.handler
    def get(self, msg: Get):
        return self.child
"""
    )
    p = al_root.spawn(nb.Parent())
    kid = p.ask_sync(nb.Get())
    seen: list[Any] = []
    al.monitor(p, seen.append)
    nb.run(
        """
class Parent(al.Actor):
    @al.handler
    def tick(self, msg: Tick) -> str:
        ticked.set()
        return "new tick"

    @al.handler
    def get(self, msg: Get):
        return self.child
"""
    )
    assert p.ask_sync(nb.Get()) == kid and p.info().children == (kid.id,)
    assert kid.ask_sync(nb.Get()) == 1 and kid.info().upgrades == 0  # the child's class is unchanged
    cell = p._live()
    (timer,) = cell.timers
    assert not timer.cancelled
    rt = cell.runtime
    rt.call(timer._fire)  # fire it now (the period is an hour): the new handler runs
    assert nb.ticked.wait(5)
    assert seen  # the monitor is still attached
    timer.cancel()


def test_subclass_actors_keep_the_old_base_and_are_named(al_root, nb):
    nb.run(
        COUNTER
        + """
class Loud(Counter):
    @al.handler
    def get(self, msg: Get) -> str:
        return f"LOUD {self.n}"
"""
    )
    loud = al_root.spawn(nb.Loud(1))
    with pytest.warns(LiveCodeWarning, match=r"Loud .*keep the old Counter code.*run the cell"):
        nb.run(COUNTER_V2)
    assert loud.ask_sync(nb.Get()) == "LOUD 1"
    assert loud.info().upgrades == 0


def test_upgrade_event_and_trace(al_root, nb):
    nb.run(COUNTER)
    c = al_root.spawn(nb.Counter())
    with al.trace(settle=0) as t:
        nb.run(COUNTER_V2)
        c.ask_sync(nb.Get())
    ups = [e for e in al.events() if e.kind == "upgrade"]
    assert len(ups) == 1 and ups[0].dst == c.id and ups[0].msg_type == "Counter"
    assert ups[0].detail.startswith("ok")
    assert any(e.kind == "upgrade" for e in t.events)


def test_persistent_actor_upgrades_and_its_snapshot_rebinds(al_root, nb):
    store = al.MemoryStorage()
    nb.run(
        MESSAGES
        + """
class Account(al.Actor, snapshot=True):
    def __init__(self, balance=0):
        self.balance = balance

    @al.handler
    def add(self, msg: Add) -> None:
        self.balance += msg.n

    @al.handler
    def get(self, msg: Get):
        return self.balance
"""
    )
    acct = al_root.spawn_persistent_sync(store, al.ActorId.from_name("acct-1"), nb.Account(10))
    acct.tell(nb.Add(5))
    nb.run(
        """
class Account(al.Actor, snapshot=True):
    def __init__(self, balance=0):
        self.balance = balance
        self.currency = "EUR"

    @al.handler
    def add(self, msg: Add) -> None:
        self.balance += msg.n

    @al.handler
    def get(self, msg: Get):
        return (self.balance, self.currency)
"""
    )
    assert acct.ask_sync(nb.Get()) == (15, "EUR")
    al_root.save_snapshot_sync(acct)
    acct.stop()
    again = al_root.respawn_sync(store, al.ActorId.from_name("acct-1"))
    assert again.ask_sync(nb.Get()) == (15, "EUR") and type(again._live().actor) is nb.Account


def test_upgrade_refuses_bad_input(al_root):
    with pytest.raises(TypeError, match="al.Actor subclass"):
        al.upgrade(int)  # type: ignore[arg-type]


def test_constructor_args_checked_and_not_part_of_state(al_root, nb):
    nb.run("class Plain(al.Actor):\n    pass\n")
    with pytest.raises(TypeError, match="takes no arguments"):
        nb.Plain(1)
    nb.run(COUNTER)
    c = nb.Counter(5)
    assert c.__getstate__() == {"n": 5}
    r = al_root.spawn(c)
    assert "_al_init" not in r.info().state_preview


def test_upgrade_from_inside_an_actor_is_refused(al_root, nb):
    nb.run(COUNTER)

    class Caller(al.Actor):
        @al.handler
        async def go(self, msg: str) -> str:
            try:
                al.upgrade(nb.Counter)
            except al.WrongThread as exc:
                return str(exc)
            return "no error"

    r = al_root.spawn(Caller())
    assert "inside an actor" in r.ask_sync("x")


def test_redefinition_from_another_thread_during_traffic(al_root, nb):
    """Redefining while another thread keeps sending: no message is lost or refused."""
    nb.run(COUNTER)
    c = al_root.spawn(nb.Counter())
    stop = threading.Event()
    sent = [0]

    def flood() -> None:
        while not stop.is_set():
            c.tell(nb.ns["Add"](1))
            sent[0] += 1

    t = threading.Thread(target=flood)
    t.start()
    try:
        nb.run(COUNTER_V2)
    finally:
        stop.set()
        t.join()
    n = c.ask_sync(nb.Get())[1]
    assert sent[0] <= n <= 10 * sent[0]  # each Add counted once, by the old code or the new


def test_asyncio_not_left_running(al_root):
    # The async on_upgrade above ran on the runtime loop, not here.
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()


def test_decorated_actor_class_upgrades_after_its_decorator(al_root, nb):
    """``@dataclass`` adds ``__init__`` after ``__init_subclass__``: the upgrade waits for it."""
    nb.run(
        """
@dataclass(eq=False)
class Tally(al.Actor):
    count: int = 0

    @al.handler
    def add(self, msg: Add) -> None:
        self.count += msg.n

    @al.handler
    def get(self, msg: Get):
        return self.count
"""
    )
    t = al_root.spawn(nb.Tally(count=2))
    t.tell(nb.Add(1))
    assert t.ask_sync(nb.Get()) == 3
    nb.run(
        """
@dataclass(eq=False)
class Tally(al.Actor):
    count: int = 0
    label: str = "tally"   # a new field: only the dataclass __init__ sets it

    @al.handler
    def add(self, msg: Add) -> None:
        self.count += msg.n

    @al.handler
    def get(self, msg: Get):
        return (self.label, self.count)
"""
    )
    assert t.ask_sync(nb.Get()) == ("tally", 3)


def test_importlib_reload_upgrades(al_root, tmp_path, monkeypatch):
    import importlib

    path = tmp_path / "live_reload_mod.py"
    source = MESSAGES + COUNTER
    path.write_text(source)
    monkeypatch.syspath_prepend(str(tmp_path))
    mod = importlib.import_module("live_reload_mod")
    try:
        c = al_root.spawn(mod.Counter(1))
        c.tell(mod.Add(1))
        assert c.ask_sync(mod.Get()) == 2
        path.write_text(MESSAGES + COUNTER_V2)
        importlib.invalidate_caches()
        mod = importlib.reload(mod)
        assert c.ask_sync(mod.Get()) == ("v2", 2, 1)
    finally:
        sys.modules.pop("live_reload_mod", None)


#: A decorator that lets the runtime thread run before it adds ``__init__``.
LATE_INIT = """
from actorlab.runtime import get_runtime

def late_init(cls):
    for _ in range(5):
        get_runtime().call(lambda: None, timeout=5)  # the runtime thread gets turns here
    def __init__(self, start=0):
        self.n = start
        self.doubled = 2 * start
    cls.__init__ = __init__
    return cls
"""


def test_upgrade_waits_for_the_class_statement_to_finish(al_root, nb):
    """A decorator that lets the runtime run before it adds ``__init__``: the upgrade still
    sees the finished class (and the name bound), never the half-made one."""
    nb.run(COUNTER)
    c = al_root.spawn(nb.Counter(4))
    nb.run(
        LATE_INIT
        + """
@late_init
class Counter(al.Actor):
    def on_upgrade(self, old_class):
        assert Counter is type(self), "the name was not bound yet"

    @al.handler
    def get(self, msg: Get):
        return (self.n, self.doubled)
"""
    )
    assert c.ask_sync(nb.Get()) == (4, 8)


def test_upgrade_finds_the_class_statement_through_wrapper_frames(al_root, nb):
    """Frames between the statement and ``__init_subclass__`` (a wrapped ``__init_subclass__``
    here; a metaclass, a decorator or a tool's trampoline elsewhere) do not hide the statement:
    the upgrade still waits for it to finish."""
    nb.run(
        """
def traced(f):
    def wrapper(*args, **kwargs):
        return f(*args, **kwargs)
    return wrapper

class Base(al.Actor):
    def _hook(cls, **kwargs):
        super(Base, cls).__init_subclass__(**kwargs)
    __init_subclass__ = classmethod(traced(_hook))
"""
        + LATE_INIT
        + COUNTER.replace("class Counter(al.Actor)", "class Counter(Base)")
    )
    c = al_root.spawn(nb.Counter(4))
    nb.run(
        """
@late_init
class Counter(Base):
    def on_upgrade(self, old_class):
        assert Counter is type(self), "the name was not bound yet"

    @al.handler
    def get(self, msg: Get):
        return (self.n, self.doubled)
"""
    )
    assert c.ask_sync(nb.Get()) == (4, 8)
