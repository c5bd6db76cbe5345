"""Tests that kill mutants of ``spawning`` (``make mutation``): how an actor that is its own args
is copied (attributes that cannot be copied are shared, slots, self-references), what
``ActorArgs.initialize`` must return, and the errors of a spawn that cannot happen."""

from __future__ import annotations

import threading
from dataclasses import dataclass

import pytest

import actorlab as al
from actorlab.testing import wait_until

from .actors import Counter, Get


@dataclass
class Peek:
    what: str


class Holder(al.Actor):
    """State that cannot be deep-copied (a lock), next to state that can."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.items = [1, 2]
        self._al_private = threading.Lock()  # the runtime's prefix: shared, never listed

    @al.handler
    def peek(self, msg: Peek) -> object:
        if msg.what == "mutate":
            self.items.append(99)
            return None
        return getattr(self, msg.what)


def _restart(ref) -> None:
    before = ref.info().restarts
    ref.restart()
    wait_until(lambda: ref.info().restarts == before + 1, what="restart")


def test_an_uncopyable_attribute_is_shared_and_the_rest_copied(al_root):
    pristine = Holder()
    h = al_root.spawn(pristine)
    assert h.ask_sync(Peek("lock")) is pristine.lock
    assert h.ask_sync(Peek("_al_private")) is pristine._al_private
    items = h.ask_sync(Peek("items"))
    assert items == [1, 2] and items is not pristine.items
    assert h.info().shared_fields == ("lock",)
    h.tell(Peek("mutate"))
    _restart(h)
    again = h.ask_sync(Peek("items"))
    assert again == [1, 2] and again is not items  # a restart starts from the pristine args
    assert h.ask_sync(Peek("lock")) is pristine.lock
    assert pristine.items == [1, 2]
    _restart(h)  # a second restart copies with the shared names already known
    assert h.ask_sync(Peek("items")) == [1, 2] and h.ask_sync(Peek("lock")) is pristine.lock
    assert h.info().shared_fields == ("lock",)


class Aliased(al.Actor):
    """Two attributes holding one uncopyable container, and one holding the actor itself."""

    def __init__(self) -> None:
        self.first = [[1], threading.Lock()]
        self.second = self.first
        self.me = self

    @al.handler
    def peek(self, msg: Peek) -> object:
        value = getattr(self, msg.what)
        return value is self if msg.what == "me" else value


def test_a_failed_copy_of_one_attribute_leaves_no_half_made_copy_for_the_next(al_root):
    pristine = Aliased()
    a = al_root.spawn(pristine)
    assert a.ask_sync(Peek("first")) is pristine.first
    assert a.ask_sync(Peek("second")) is pristine.first  # shared too, not a half-made copy
    assert a.ask_sync(Peek("me")) is True  # the copy refers to itself, not to the pristine args
    assert a.info().shared_fields == ("first", "second")


class Slotted(al.Actor):
    __slots__ = ("numbers", "slot_lock", "unset")

    def __init__(self) -> None:
        self.lock = threading.Lock()  # (in __dict__: the whole-object copy fails)
        self.numbers = [1]
        self.slot_lock = threading.Lock()

    @al.handler
    def peek(self, msg: Peek) -> object:
        return getattr(self, msg.what, "<unset>")


class OneSlot(Slotted):
    __slots__ = "extra"  # a single slot, as a string

    def __init__(self) -> None:
        super().__init__()
        self.extra = [7]


def test_slots_are_copied_or_shared_like_instance_attributes(al_root):
    pristine = OneSlot()
    s = al_root.spawn(pristine)
    assert s.ask_sync(Peek("lock")) is pristine.lock
    assert s.ask_sync(Peek("slot_lock")) is pristine.slot_lock
    numbers = s.ask_sync(Peek("numbers"))
    assert numbers == [1] and numbers is not pristine.numbers
    extra = s.ask_sync(Peek("extra"))
    assert extra == [7] and extra is not pristine.extra
    assert s.ask_sync(Peek("unset")) == "<unset>"  # a slot never set stays unset
    assert s.info().shared_fields == ("lock", "slot_lock")
    _restart(s)
    assert s.ask_sync(Peek("extra")) == [7] and s.ask_sync(Peek("slot_lock")) is pristine.slot_lock
    assert s.ask_sync(Peek("numbers")) == [1]


class CopyableSlots(al.Actor):
    __slots__ = ("numbers",)

    def __init__(self) -> None:
        self.numbers = [1]

    @al.handler
    def peek(self, msg: Peek) -> object:
        return getattr(self, msg.what, "<unset>")


def test_slot_attributes_of_a_copyable_actor_survive_its_spawn(al_root):
    assert al_root.spawn(CopyableSlots()).ask_sync(Peek("numbers")) == [1]


# -- ActorArgs ---------------------------------------------------------------------------------------
class Wrong(al.ActorArgs[Counter]):
    def initialize(self, ctx):
        return "not an actor"


def test_initialize_returning_another_type_fails_the_actor_with_a_clear_error(al_root):
    w = al_root.spawn(Wrong())
    wait_until(lambda: w.is_closed(), what="the failed actor stops")
    (error,) = w.info().errors
    assert (error.kind, error.type) == ("initialize", "TypeError")
    assert error.message == "Wrong.initialize() returned 'not an actor', not a Counter"
    (stop,) = [e for e in al.events() if e.kind == "stop"]
    assert stop.detail == "the actor stopped"  # stopped by its supervisor, no internal error


class Right(al.ActorArgs[Counter]):
    async def initialize(self, ctx):
        return Counter(5)


def test_initialize_may_be_async(al_root):
    assert al_root.spawn(Right()).ask_sync(Get()) == 5


# -- spawns that cannot happen -------------------------------------------------------------------------
def test_spawning_a_class_instead_of_an_instance_shows_the_fix(al_root):
    with pytest.raises(TypeError) as info:
        al_root.spawn(Counter)
    assert str(info.value) == (
        "spawn() got the class Counter itself. Fix: pass an instance, e.g. spawn(Counter())"
    )
    with pytest.raises(TypeError) as info:
        al_root.spawn(42)
    assert str(info.value) == (
        "spawn() needs an al.Actor instance or al.ActorArgs, got 42. "
        "Fix: subclass al.Actor and pass an instance"
    )


def test_a_spawn_on_a_shut_down_runtime_is_refused(al_root):
    from actorlab.runtime import get_runtime
    from actorlab.spawning import spawn_cell

    rt = get_runtime()
    al.shutdown(timeout=2.0)
    with pytest.raises(al.ActorlabError) as info:
        spawn_cell(rt, rt.root_cell, Counter())
    assert str(info.value) == "this runtime has shut down. Fix: use al.root() for a fresh one"


_SEEN: list = []


class Leaving(al.Actor):
    def on_exit(self, code) -> None:
        try:
            self.ctx.spawn(Counter())
        except al.ActorClosed as exc:
            _SEEN.append(str(exc))

    @al.handler
    def get(self, msg: Get) -> None:
        return None


def test_a_stopping_actor_cannot_spawn_children(al_root):
    _SEEN.clear()
    p = al_root.spawn(Leaving(), name="leaving")
    p.ask_sync(Get())
    p.stop()
    assert _SEEN == ["actor leaving is stopping; it cannot spawn children any more"]
    assert al.inspect() == []


def test_a_duplicate_actor_id_names_the_live_actor_and_the_fix(al_root, tmp_path):
    from actorlab.runtime import get_runtime
    from actorlab.spawning import spawn_cell

    aid = al.ActorId.from_name("twice")
    rt = get_runtime()
    first = spawn_cell(rt, rt.root_cell, Counter(), name="one", actor_id=aid).ref
    assert first.ask_sync(Get()) == 0
    with pytest.raises(al.DuplicateActorId) as info:
        spawn_cell(rt, rt.root_cell, Counter(), actor_id=aid)
    assert str(info.value) == (
        f"actor id {aid} is already used by the live actor one (Counter). "
        f"Fix: stop it first (ref.stop()), or use another id"
    )
    with pytest.raises(al.NameTaken):
        al_root.spawn(Counter(), name="one")
    other = spawn_cell(
        rt, rt.root_cell, Counter(), name="two", actor_id=al.ActorId.from_name("x")
    ).ref
    assert other.id == al.ActorId.from_name("x") and al.lookup("two") == other
    assert al.lookup("one") == first


def test_a_taken_name_names_the_actor_holding_it_and_the_fixes(al_root):
    first = al_root.spawn(Counter(), name="held")
    first.ask_sync(Get())
    with pytest.raises(al.NameTaken) as info:
        al_root.spawn(Counter(), name="held")
    assert str(info.value) == (
        "the name 'held' is taken by the live actor held (Counter, idle). Fix: stop it first "
        "(al.lookup('held').stop()), free the name (al.root().free('held')), or pick another"
    )


class Versioned(al.Actor):
    @al.handler
    def get(self, msg: Get) -> str:
        return type(self).__name__


# Another definition of Versioned (the same module and qualname: what re-running a cell makes),
# made while no Versioned actor lives, so no live upgrade is under way.
_OLD_VERSIONED = Versioned
Versioned = type("Versioned", (al.Actor,), {"__module__": __name__, "__qualname__": "Versioned"})


class NewerDefinition(al.ActorArgs[_OLD_VERSIONED]):
    def initialize(self, ctx):
        return Versioned()  # the other definition: still "a Versioned"


def test_initialize_may_return_another_definition_of_the_actor_class(al_root):
    v = al_root.spawn(NewerDefinition())
    wait_until(lambda: v.info().status is not al.Status.STARTING, what="the start")
    assert v.info().errors == () and not v.is_closed()


class Started(al.Actor):
    def __init__(self) -> None:
        self.items = [1]

    def on_start(self) -> None:  # (a hook: the actor starts through its task)
        pass

    @al.handler
    def peek(self, msg: Peek) -> object:
        return getattr(self, msg.what)


def test_the_first_instance_is_the_copy_made_at_the_spawn(al_root):
    gate, entered = threading.Event(), threading.Event()

    class Blocker(al.Actor):
        @al.handler
        def get(self, msg: Get) -> None:
            entered.set()
            gate.wait(5)  # holds the runtime thread: nothing starts meanwhile

    b = al_root.spawn(Blocker())
    b.tell(Get())
    assert entered.wait(5)
    try:
        pristine = Started()
        s = al_root.spawn(pristine)
        pristine.items.append(2)  # after the spawn, before the actor starts
    finally:
        gate.set()
    assert s.ask_sync(Peek("items")) == [1]


def test_a_ctrl_c_mid_hand_off_still_starts_the_registered_actor(al_root, monkeypatch):
    from actorlab.runtime import get_runtime

    rt = get_runtime()
    real = rt.run_soon
    calls = []

    def interrupted(fn):
        calls.append(fn)
        if len(calls) == 1:
            raise KeyboardInterrupt  # the first hand-off: nothing scheduled
        real(fn)
        raise RuntimeError("the retry's own trouble is swallowed")

    monkeypatch.setattr(rt, "run_soon", interrupted)
    with pytest.raises(KeyboardInterrupt):
        al_root.spawn(Counter(4), name="interrupted")
    monkeypatch.setattr(rt, "run_soon", real)
    assert len(calls) == 2 and calls[0] == calls[1]
    assert al.lookup("interrupted").ask_sync(Get()) == 4
