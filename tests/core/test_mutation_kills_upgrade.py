"""Kill tests for actorlab/upgrade.py (tests/MUTATION.md): the ActorArgs class an upgrade
takes on, the failure texts and report, al.upgrade's timeout and outcomes, warnings, timers.

Cells run as in tests/core/test_live_code.py (``nb``: a module of its own, like ``__main__``).
"""

import contextlib
import io
import sys
import threading
import warnings
from collections.abc import Iterator
from typing import Any

import pytest

import actorlab as al
from actorlab.upgrade import LiveCodeWarning
from tests.core.test_live_code import COUNTER, COUNTER_V2, FAILING, MESSAGES, Notebook


@pytest.fixture
def nb() -> Iterator[Notebook]:
    book = Notebook()
    book.run(MESSAGES)
    yield book
    sys.modules.pop(book.name, None)


@pytest.fixture
def manual():
    al.configure(live_upgrade=False)
    yield
    al.configure(live_upgrade=True)


ARGS = """
class CounterArgs(al.ActorArgs[Counter]):
    def __init__(self, start):
        self.start = start

    def initialize(self, ctx):
        return Counter(self.start)
"""

ARGS_V2 = """
class CounterArgs(al.ActorArgs[Counter]):
    def __init__(self, start):
        self.start = start

    def initialize(self, ctx):
        return Counter(self.start + 100)
"""


# -- the ActorArgs class a restart runs -------------------------------------------------------------
def test_upgrade_takes_on_the_new_args_class(al_root, nb, manual):
    nb.run(COUNTER + ARGS)
    built = al_root.spawn(nb.CounterArgs(3))
    assert built.ask_sync(nb.Get()) == 3  # initialize() ran
    nb.run(COUNTER_V2 + ARGS_V2)
    assert al.upgrade(nb.Counter) == [built]
    assert built.ask_sync(nb.Get()) == ("v2", 3, 3)
    built.restart()
    assert built.ask_sync(nb.Get()) == ("v2", 103, 103)  # the new initialize()


def test_upgrade_takes_on_a_nested_args_class(al_root, nb, manual):
    nested = "class Outer:\n" + "\n".join("    " + ln for ln in ARGS.splitlines())
    nb.run(COUNTER + nested)
    built = al_root.spawn(nb.Outer.CounterArgs(3))
    assert built.ask_sync(nb.Get()) == 3
    nb.run(COUNTER_V2 + "class Outer:\n" + "\n".join("    " + ln for ln in ARGS_V2.splitlines()))
    assert al.upgrade(nb.Counter) == [built]
    built.restart()
    assert built.ask_sync(nb.Get()) == ("v2", 103, 103)


@pytest.mark.parametrize(
    "rebind",
    [
        "class OtherArgs(al.ActorArgs[Counter]):\n"
        "    def initialize(self, ctx):\n        return Counter(-5)\n"
        "CounterArgs = OtherArgs\n",  # the name is bound to another class: not a definition
        "del CounterArgs\n",  # the name is gone
        "class CounterArgs:\n    pass\n",  # redefined as a class that is no ActorArgs
        "CounterArgs = 7\n",
    ],
)
def test_args_class_kept_unless_redefined_as_actor_args(al_root, nb, manual, rebind):
    nb.run(COUNTER + ARGS)
    built = al_root.spawn(nb.CounterArgs(3))
    assert built.ask_sync(nb.Get()) == 3  # initialize() ran
    nb.run(COUNTER_V2 + rebind)
    assert al.upgrade(nb.Counter) == [built]
    built.restart()
    assert built.ask_sync(nb.Get()) == ("v2", 3, 3)  # the old initialize(), the new Counter


def test_args_class_defined_in_a_function(al_root, nb, manual):
    nb.run(COUNTER)
    counter = nb.Counter

    class LocalArgs(al.ActorArgs[counter]):  # type: ignore[valid-type]
        def initialize(self, ctx):
            return nb.ns["Counter"](4)

    built = al_root.spawn(LocalArgs())
    assert built.ask_sync(nb.Get()) == 4
    nb.run(COUNTER_V2)
    assert al.upgrade(nb.Counter) == [built]
    built.restart()
    assert built.ask_sync(nb.Get()) == ("v2", 4, 4)


# -- ActorArgs.initialize() returning another definition ---------------------------------------------
def test_initialize_may_return_another_definition_of_the_class(al_root, nb, manual):
    nb.run(COUNTER + ARGS)
    nb.run(COUNTER_V2)  # no upgrade: CounterArgs still names the first Counter
    built = al_root.spawn(nb.CounterArgs(2))  # initialize() builds the new one: accepted
    assert built.ask_sync(nb.Get()) == 2  # (dispatched by the class the args name)
    assert type(built._live().actor) is nb.Counter


def test_initialize_returning_another_class_is_refused(al_root, nb, caplog):
    nb.run(
        COUNTER
        + """
class Other(al.Actor):
    @al.handler
    def get(self, msg: Get) -> str:
        return "other"

class WrongArgs(al.ActorArgs[Counter]):
    def initialize(self, ctx):
        return Other()
"""
    )
    with pytest.raises(al.ActorClosed):
        al_root.spawn(nb.WrongArgs()).ask_sync(nb.Get())
    assert "TypeError: WrongArgs.initialize() returned <" in caplog.text
    assert "Other object at" in caplog.text and ">, not a Counter" in caplog.text


# -- the failure texts ---------------------------------------------------------------------------
def test_build_failure_names_the_call_from_the_args_built_actor(al_root, nb, manual):
    nb.run(COUNTER + ARGS)
    built = al_root.spawn(nb.CounterArgs(3), name="built")
    assert built.ask_sync(nb.Get()) == 3
    nb.run(COUNTER.replace("def __init__(self, start=0):", "def __init__(self, start, step):"))
    with pytest.raises(al.UpgradeError) as info:
        al.upgrade(nb.Counter)
    assert "built keeps its old code: upgrading it needs a fresh Counter(3) for" in str(info.value)


def test_build_failure_text_shows_the_arguments_cut(al_root, nb, manual):
    nb.run(
        """
class Wide(al.Actor):
    def __init__(self, a, b, c=None):
        self.a = a

    @al.handler
    def get(self, msg: Get):
        return "old"
"""
    )
    w = al_root.spawn(nb.Wide("a" * 100, 2, c="c" * 100), name="wide")
    nb.run(
        """
class Wide(al.Actor):
    def __init__(self, a, b, c, d):
        self.a = a

    @al.handler
    def get(self, msg: Get):
        return "new"
"""
    )
    with pytest.raises(al.UpgradeError) as info:
        al.upgrade(nb.Wide)
    a40 = "'" + "a" * 38 + "…"
    c40 = "'" + "c" * 38 + "…"
    assert f"a fresh Wide({a40}, 2, c={c40}) for the attributes" in str(info.value)
    assert w.ask_sync(nb.Get()) == "old"


def test_class_change_failure_text(al_root, nb, manual):
    nb.run(COUNTER)
    c = al_root.spawn(nb.Counter(1), name="slotted")
    nb.run(
        COUNTER_V2.replace(
            "class Counter(al.Actor):", "class Counter(al.Actor):\n    __slots__ = ('x',)"
        )
    )
    with pytest.raises(al.UpgradeError) as info:
        al.upgrade(nb.Counter)
    text = str(info.value)
    assert text.startswith(
        "1 actor(s) kept their old code: slotted keeps its old code: it cannot become"
    )
    assert "the new Counter (TypeError: " in text
    assert (
        "Fix: keep the same __slots__ and bases as before, or stop the actor and spawn it again"
        in text
    )
    assert c.ask_sync(nb.Get()) == 1


def test_upgrade_error_joins_every_failure(al_root, nb, manual):
    nb.run(COUNTER)
    al_root.spawn(nb.Counter(1), name="one")
    al_root.spawn(nb.Counter(2), name="two")
    nb.run(FAILING)
    with pytest.raises(al.UpgradeError) as info:
        al.upgrade(nb.Counter)
    one = "one keeps its old code: Counter.on_upgrade() raised ValueError: cannot migrate."
    assert str(info.value).startswith(f"2 actor(s) kept their old code: {one}")
    assert "call al.upgrade(Counter)); two keeps its old code" in str(info.value)
    assert len(info.value.failed) == 2 and info.value.upgraded == []


def test_explicit_upgrade_raises_and_writes_nothing(al_root, nb, manual, capsys):
    nb.run(COUNTER)
    al_root.spawn(nb.Counter(1))
    nb.run(FAILING)
    capsys.readouterr()
    with pytest.raises(al.UpgradeError):
        al.upgrade(nb.Counter)
    assert capsys.readouterr().err == ""


class Stream(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.flushes = 0

    def flush(self) -> None:
        self.flushes += 1


class NoFlush:
    def __init__(self) -> None:
        self.parts: list[str] = []

    def write(self, s: str) -> int:
        self.parts.append(s)
        return len(s)


def test_failure_report_written_with_the_user_traceback(al_root, nb, monkeypatch):
    nb.run(COUNTER)
    c = al_root.spawn(nb.Counter(4), name="kept")
    stream = Stream()
    monkeypatch.setattr(sys, "stderr", stream)
    version = c._live().runtime.version
    nb.run(FAILING)
    assert c.ask_sync(nb.Get()) == 4
    monkeypatch.undo()
    text = stream.getvalue()
    head = (
        "actorlab: kept keeps its old code: Counter.on_upgrade() raised ValueError: cannot migrate."
    )
    assert text.startswith(head)
    tb = text.split("\n", 1)[1]
    assert tb.startswith('Traceback (most recent call last):\n  File "<' + nb.name + '>"')
    assert f'File "<{nb.name}>", line 9, in on_upgrade' in tb and "upgrade.py" not in tb
    assert text.endswith("ValueError: cannot migrate\n")
    assert stream.flushes >= 1
    ups = [e for e in al.events() if e.kind == "upgrade"]
    assert ups[-1].msg_type == "Counter" and ups[-1].msg_repr is None
    assert ups[-1].detail == "failed, kept the old code: ValueError: cannot migrate"
    assert c._live().runtime.version > version


def test_failure_report_to_a_stream_without_flush(al_root, nb, monkeypatch):
    nb.run(COUNTER)
    c = al_root.spawn(nb.Counter(4), name="kept")
    stream = NoFlush()
    monkeypatch.setattr(sys, "stderr", stream)
    nb.run(FAILING)
    assert c.ask_sync(nb.Get()) == 4
    monkeypatch.undo()
    assert "".join(stream.parts).startswith("actorlab: kept keeps its old code")


def test_upgrade_event_detail_and_version(al_root, nb, manual):
    nb.run(COUNTER)
    c = al_root.spawn(nb.Counter())
    nb.run(COUNTER_V2)
    rt = c._live().runtime
    before = rt.version
    al.upgrade(nb.Counter)
    ups = [e for e in al.events() if e.kind == "upgrade"]
    assert ups[-1].msg_repr is None and ups[-1].msg_type == "Counter"
    assert ups[-1].detail == f"ok: upgrade #1 to the new {nb.name}.Counter"
    assert rt.version > before


# -- al.upgrade(): the wrong thread, the timeout -------------------------------------------------------
def test_upgrade_inside_an_actor_text(al_root, nb):
    nb.run(COUNTER)

    class Caller(al.Actor):
        @al.handler
        async def go(self, msg: str) -> str:
            try:
                al.upgrade(nb.Counter)
            except al.WrongThread as exc:
                return str(exc)
            return "no error"

    assert al_root.spawn(Caller()).ask_sync("x") == (
        "al.upgrade() waits for actors to upgrade, and it was called inside an actor, where it "
        "would deadlock. Fix: call it from the notebook or script"
    )


BUSY = """
import asyncio
import threading

@dataclass
class Hold:
    pass

gate = asyncio.Event()
entered = []

class Counter(al.Actor):
    def __init__(self, start=0):
        self.n = start

    @al.handler
    async def hold(self, msg: Hold) -> None:
        entered[self.n].set()
        await gate.wait()

    @al.handler
    def get(self, msg: Get):
        return self.n
"""


def test_upgrade_timeout_names_the_busy_actors(al_root, nb, manual):
    nb.run(BUSY)
    nb.entered.extend(threading.Event() for _ in range(6))
    busy = [al_root.spawn(nb.Counter(i), name=f"busy{i}") for i in range(6)]
    idle = al_root.spawn(nb.Counter(9), name="idle")
    for r in busy:
        r.tell(nb.Hold())
    assert all(e.wait(5) for e in nb.entered)
    nb.run(COUNTER_V2)
    with pytest.raises(TimeoutError) as info:
        al.upgrade(nb.Counter, timeout=0.25)
    assert str(info.value) == (
        "al.upgrade(Counter): busy0, busy1, busy2, busy3, busy4 did not reach a message boundary "
        "within 0.25 s (a handler is still running); they upgrade when they do. "
        "Fix: pass a longer timeout=..."
    )
    assert idle.ask_sync(nb.Get()) == ("v2", 9, 9)
    rt = idle._live().runtime
    rt.call(nb.gate.set)
    assert [r.ask_sync(nb.Get()) for r in busy] == [("v2", i, i) for i in range(6)]
    assert [r.info().upgrades for r in busy] == [1] * 6  # one upgrade, the second request found it


def test_upgrade_again_while_an_upgrade_is_on_its_way(al_root, nb, manual):
    nb.run(BUSY)
    nb.entered.append(threading.Event())
    r = al_root.spawn(nb.Counter(0), name="held")
    r.tell(nb.Hold())
    assert nb.entered[0].wait(5)
    nb.run(
        COUNTER_V2.replace("self.initial = start", "self.initial = start\n        self.calls = 0")
        + "\n    def on_upgrade(self, old_class):\n        self.calls = getattr(self, 'calls', 0) + 1\n"
    )
    with pytest.raises(TimeoutError):
        al.upgrade(nb.Counter, timeout=0.1)
    rt = r._live().runtime
    result: list[Any] = []
    t = threading.Thread(target=lambda: result.append(al.upgrade(nb.Counter, timeout=10)))
    t.start()
    rt.call(nb.gate.set)
    t.join(20)
    # (the second call usually finds the actor still held; if the first upgrade ran before its
    # search, it finds nothing to do: either way one upgrade, one on_upgrade)
    assert result in ([[r]], [[]])
    assert r.info().upgrades == 1 and r._live().actor.calls == 1


# -- warnings -------------------------------------------------------------------------------------
def test_subclass_warning_names_each_kind(al_root, nb):
    nb.run(
        COUNTER
        + "class Loud(Counter):\n    pass\n\nclass Quiet(Counter):\n    pass\n"
        + "class Unrelated(al.Actor):\n    @al.handler\n    def get(self, msg: Get):\n        return 0\n"
    )
    al_root.spawn(nb.Loud(1))
    al_root.spawn(nb.Quiet(1))
    al_root.spawn(nb.Unrelated())
    with pytest.warns(LiveCodeWarning) as record:
        nb.run(COUNTER_V2)
    (w,) = record
    assert str(w.message) == (
        "2 live actor(s) of Loud, Quiet (subclasses of Counter) keep the old Counter code: only "
        "actors of the redefined class itself upgrade. Fix: run the cell(s) defining Loud, Quiet again"
    )


def test_no_warning_for_unrelated_actors(al_root, nb):
    nb.run(
        COUNTER
        + "class Unrelated(al.Actor):\n    @al.handler\n    def get(self, msg: Get):\n        return 0\n"
    )
    u = al_root.spawn(nb.Unrelated())
    c = al_root.spawn(nb.Counter())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        nb.run(COUNTER_V2)
    assert c.ask_sync(nb.Get()) == ("v2", 0, 0) and u.ask_sync(nb.Get()) == 0


# -- the new fields: the actor's own, the pristine args' copies ------------------------------------
SHARED = """
REGISTRY = {"shared": True}

class Counter(al.Actor):
    def __init__(self, start=0):
        self.n = start
        self.registry = REGISTRY
        self.items = {"list": []}

    @al.handler
    def add(self, msg: Add) -> None:
        self.items["list"].append(msg.n)

    @al.handler
    def get(self, msg: Get):
        return (self.registry is REGISTRY, list(self.items["list"]))
"""


def test_new_fields_are_the_fresh_values_and_restarts_start_afresh(al_root, nb):
    nb.run(COUNTER)
    c = al_root.spawn(nb.Counter(1))
    nb.run(SHARED)
    c.tell(nb.Add(5))
    assert c.ask_sync(nb.Get()) == (True, [5])  # the fresh instance's own objects
    c.restart()
    assert c.ask_sync(nb.Get())[1] == []  # the pristine args got copies of their own


# -- timers and messages re-resolved ---------------------------------------------------------------
def test_timer_without_a_handler_is_cancelled_with_a_dead_letter(al_root, nb):
    nb.run(
        COUNTER
        + """
@dataclass
class Tick:
    pass

class Ticker(al.Actor):
    def on_start(self):
        self.ctx.send_every(3600, Tick())

    @al.handler
    def tick(self, msg: Tick) -> None:
        pass

    @al.handler
    def get(self, msg: Get):
        return "old"
"""
    )
    t = al_root.spawn(nb.Ticker(), name="ticker")
    assert t.ask_sync(nb.Get()) == "old"
    (timer,) = t._live().timers
    nb.run(
        "class Ticker(al.Actor):\n    @al.handler\n    def get(self, msg: Get):\n        return 'new'\n"
    )
    assert t.ask_sync(nb.Get()) == "new"
    assert timer.cancelled
    (letter,) = [d for d in al.dead_letters() if d.actor == t.id]
    assert letter.message == nb.Tick()
    assert (
        letter.reason
        == "ticker was upgraded, and the new Ticker has no handler for it: its timer was cancelled"
    )


FAILING_RESET = (
    FAILING
    + """
    @al.handler
    def reset(self, msg: Reset) -> None:
        pass
"""
)


def test_failed_upgrade_refuses_the_new_messages_sent_before_it_ran(al_root, nb):
    nb.run(COUNTER + "@dataclass\nclass Reset:\n    pass\n")
    c = al_root.spawn(nb.Counter(4), name="kept")
    assert c.ask_sync(nb.Get()) == 4
    rt = c._live().runtime
    gate = threading.Event()
    rt.run_soon(lambda: gate.wait(10))  # the runtime thread waits: the request is not run yet
    try:
        stream = Stream()
        old_err, sys.stderr = sys.stderr, stream
        try:
            nb.run(FAILING_RESET)
        finally:
            sys.stderr = old_err
        c.tell(nb.Reset())  # accepted now: the new class handles it
    finally:
        gate.set()
    why = "the upgrade of kept to the new Counter failed has no handler for Reset"
    assert c.ask_sync(nb.Get()) == 4
    letters = [d for d in al.dead_letters() if d.actor == c.id]
    assert [(d.message, d.reason) for d in letters] == [(nb.Reset(), why)]
    with pytest.raises(al.UnhandledMessage):  # the old class accepts no Reset any more
        c.tell(nb.Reset())


def test_sends_before_the_request_runs_accept_the_new_messages(al_root, nb):
    nb.run(COUNTER)
    c = al_root.spawn(nb.Counter(4))
    assert c.ask_sync(nb.Get()) == 4
    rt = c._live().runtime
    gate = threading.Event()
    rt.run_soon(lambda: gate.wait(10))
    try:
        nb.run(COUNTER_V2)
        c.tell(nb.Add(1))
        c.tell(nb.Reset())  # only the new class handles it; the request has not run
    finally:
        gate.set()
    assert c.ask_sync(nb.Get()) == ("v2", 4, 4)


def test_an_actor_stopping_before_the_others_hides_none_of_them(al_root, nb, manual):
    nb.run(
        COUNTER
        + """
import asyncio
import threading

gate = asyncio.Event()
exiting = threading.Event()

class Stopper(al.Actor):
    async def on_exit(self, code):
        exiting.set()
        await gate.wait()
"""
    )
    s = al_root.spawn(nb.Stopper())  # first in the runtime's table
    c = al_root.spawn(nb.Counter(1))
    assert c.ask_sync(nb.Get()) == 1
    rt = c._live().runtime
    stopped = rt.submit(s.stop_async())
    assert nb.exiting.wait(5)  # s is stopping (closed), still in the table
    nb.run(COUNTER_V2)
    assert al.upgrade(nb.Counter) == [c]
    rt.call(nb.gate.set)
    stopped.result(5)
    assert c.ask_sync(nb.Get()) == ("v2", 1, 1)


# -- the notebook cell an upgrade's output and errors are shown in ------------------------------------
@pytest.fixture
def origins():
    """Origin hooks as a kernel installs them: the token of the cell running, and the cells
    (tokens) entered around code whose output is routed."""
    from actorlab import runtime

    entered: list[object] = []
    current = ["elsewhere"]

    @contextlib.contextmanager
    def enter(token: object) -> Iterator[None]:
        entered.append(token)
        yield

    runtime.set_origin_hooks(lambda: current[0], enter)
    yield entered, current
    runtime.set_origin_hooks(None, None)


def test_automatic_upgrade_runs_on_upgrade_and_reports_in_the_defining_cell(
    al_root, nb, origins, monkeypatch
):
    nb.run(COUNTER)
    c = al_root.spawn(nb.Counter(4))
    assert c.ask_sync(nb.Get()) == 4
    entered, current = origins
    monkeypatch.setattr(sys, "stderr", Stream())
    current[0] = "defining"
    nb.run(FAILING)
    current[0] = "asking"
    assert c.ask_sync(nb.Get()) == 4
    monkeypatch.undo()
    assert entered.count("defining") == 2  # on_upgrade, then the failure report


def test_explicit_upgrade_runs_on_upgrade_in_the_calling_cell(al_root, nb, manual, origins):
    nb.run(COUNTER)
    c = al_root.spawn(nb.Counter(4))
    assert c.ask_sync(nb.Get()) == 4
    nb.run(COUNTER_V2 + "\n    def on_upgrade(self, old_class):\n        pass\n")
    entered, current = origins
    current[0] = "upgrading"
    assert al.upgrade(nb.Counter) == [c]
    assert entered.count("upgrading") == 1  # on_upgrade
