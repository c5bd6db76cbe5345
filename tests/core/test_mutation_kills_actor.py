"""Tests that kill mutants of ``actor.py`` (``make mutation``): the exact texts a user reads (a
message no handler takes, in each of its forms; args that cannot tell their actor class; an
``initialize`` left out; ``supervise()`` beside ``supervisor``), how ``ActorArgs`` finds its
class, the ``snapshot=`` flag through subclasses, pickling an actor that never ran, and the
pristine copy a restart starts from (slots, shared handles)."""

from __future__ import annotations

import pickle
from dataclasses import dataclass
from typing import TypeVar

import pytest

import actorlab as al
from actorlab.errors import HandlerDefinitionError


@dataclass
class Ping:
    pass


@dataclass
class Pong:
    pass


@dataclass
class Stray:
    text: str = ""


@dataclass
class Get:
    pass


@dataclass
class Grow:
    pass


class Two(al.Actor):
    @al.handler
    def pong(self, msg: Pong) -> None:
        pass

    @al.handler
    def ping(self, msg: Ping) -> None:
        pass


class Bare(al.Actor):
    pass


def _refusal(ref, msg) -> str:
    with pytest.raises(al.UnhandledMessage) as info:
        ref.tell(msg)
    return str(info.value)


def test_a_message_no_handler_takes_the_whole_text(al_root):
    text = _refusal(al_root.spawn(Two()), Stray("x" * 100))
    assert text == (
        f"Two has no handler for Stray ({Stray('x' * 100)!r:.80}). It accepts: Ping, Pong. "
        "Fix: send one of those, or add @al.handler def on_stray(self, msg: Stray)"
    )
    assert Two.accepted_types() == [Pong, Ping]


def test_an_actor_without_handlers_says_it_accepts_nothing(al_root):
    assert _refusal(al_root.spawn(Bare()), Ping()) == (
        "Bare has no handler for Ping (Ping()). It accepts: nothing (no @al.handler). "
        "Fix: send one of those, or add @al.handler def on_ping(self, msg: Ping)"
    )


def _local_message():
    @dataclass
    class Local:
        pass

    return Local


def test_a_twin_class_made_by_a_function_is_explained(al_root):
    first, second = _local_message(), _local_message()

    def local(self, msg) -> None:
        pass

    local.__annotations__ = {"msg": first, "return": None}  # (a class, not a string)
    Takes = type("Takes", (al.Actor,), {"local": al.handler(local), "__module__": __name__})

    refused = second.__qualname__
    assert _refusal(al_root.spawn(Takes()), second()) == (
        f"{Takes.__qualname__} has no handler for {refused} ({second()!r}). It accepts: nothing "
        f"else. Its handler is for a different class also named {refused}; this one is defined "
        "in a function (each call makes a new class), and only module-level classes match by "
        "name. Fix: define Local once at module (cell) level and use that class for both the "
        "handler and the message"
    )


def test_a_twin_class_of_another_module_is_explained(al_root):
    twin = type("Ping", (), {"__module__": "elsewhere", "__repr__": lambda self: "P"})
    assert _refusal(al_root.spawn(Two()), twin()) == (
        "Two has no handler for Ping (P). It accepts: Pong. Its handler is for a different "
        "class also named Ping; this one is from module 'elsewhere', not the one the handler "
        "names, and only module-level classes match by name. Fix: define Ping once at module "
        "(cell) level and use that class for both the handler and the message"
    )


# -- ActorArgs ----------------------------------------------------------------------------------


class Built(al.Actor):
    def __init__(self, n: int = 0) -> None:
        self.n = n

    @al.handler
    def get(self, msg: Get) -> int:
        return self.n


class ByAttribute(al.ActorArgs):
    actor_type = Built

    def initialize(self, ctx):
        return Built(1)


class ByGeneric(al.ActorArgs[Built]):
    def initialize(self, ctx):
        return Built(2)


class ByAnnotation(al.ActorArgs):
    def initialize(self, ctx) -> Built:
        return Built(3)


T = TypeVar("T", bound=al.Actor)


class ByTypeVar(al.ActorArgs[T]):
    """Generic over a type variable: that says nothing; the annotation does."""

    def initialize(self, ctx) -> Built:
        return Built(4)


class Undeclared(al.ActorArgs):
    def initialize(self, ctx):
        return Built(5)


class Unresolvable(al.ActorArgs):
    def initialize(self, ctx) -> NoSuchName:  # noqa: F821  (get_type_hints fails)
        return Built(6)


class NotAnActor(al.ActorArgs[int]):
    def initialize(self, ctx) -> int:
        return 7


class Unwritten(al.ActorArgs[Built]):
    pass


@pytest.mark.parametrize(
    ("args", "n"), [(ByAttribute(), 1), (ByGeneric(), 2), (ByAnnotation(), 3), (ByTypeVar(), 4)]
)
def test_actor_args_find_their_class(al_root, args, n):
    assert type(args).resolve_actor_type() is Built
    assert al_root.spawn(args).ask_sync(Get()) == n


@pytest.mark.parametrize("cls", [Undeclared, Unresolvable, NotAnActor])
def test_args_that_cannot_tell_their_class_say_how_to_declare_it(cls):
    with pytest.raises(HandlerDefinitionError) as info:
        cls.resolve_actor_type()
    assert str(info.value) == (
        f"cannot tell which actor {cls.__qualname__} builds. Fix: write class "
        f"{cls.__name__}(al.ActorArgs[MyActor]), or set actor_type = MyActor"
    )


def test_an_unwritten_initialize_says_what_to_implement():
    with pytest.raises(NotImplementedError) as info:
        Unwritten().initialize(None)
    assert str(info.value) == "Unwritten must implement initialize(self, ctx) -> Actor"


# -- class definition ---------------------------------------------------------------------------


def test_supervise_beside_supervisor_is_refused_with_the_whole_text():
    with pytest.raises(HandlerDefinitionError) as info:

        class Both(al.Actor):
            supervisor = al.OneForOne()

            def supervise(self, esc):
                return super().supervise(esc)

    assert str(info.value) == (
        "test_supervise_beside_supervisor_is_refused_with_the_whole_text.<locals>.Both defines "
        "both supervise() and supervisor = ...; keep one"
    )


def test_supervise_or_supervisor_alone_or_inherited_is_fine():
    class Declared(al.Actor):
        supervisor = al.OneForOne()

    class Inherits(Declared):  # the base's supervisor, no supervise(): fine
        pass

    class Decides(Declared):  # supervise() overrides the inherited supervisor: fine
        def supervise(self, esc):
            return super().supervise(esc)

    class NoneSet(al.Actor):
        supervisor = None

        def supervise(self, esc):
            return super().supervise(esc)

    assert Inherits.supervisor is Declared.supervisor and Decides.supervisor is not None
    assert NoneSet.supervisor is None


class Saved(al.Actor, snapshot=True):
    def __init__(self, n: int = 0) -> None:
        self.n = n


class SavedToo(Saved):
    pass


def test_the_snapshot_flag_is_inherited_and_off_by_default(al_root):
    store = al.MemoryStorage()
    ref = al_root.spawn_persistent_sync(store, al.ActorId.from_name("sub"), SavedToo(4))
    al_root.save_snapshot_sync(ref)
    assert al.load_snapshot(store, ref.id).state.n == 4
    with pytest.raises(TypeError, match="Built is not persistent"):
        al_root.spawn_persistent_sync(store, al.ActorId.from_name("plain"), Built(1))


def test_an_actor_that_never_ran_pickles_without_its_arguments():
    actor = Built(3)  # constructed with arguments: kept for live code, not in the state
    copy = pickle.loads(pickle.dumps(actor))
    assert type(copy) is Built and copy.__dict__ == {"n": 3}


# -- the pristine copy --------------------------------------------------------------------------


class Slotted(al.Actor):
    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[int] = []

    @al.handler
    def grow(self, msg: Grow) -> list[int]:
        self.items.append(len(self.items))
        return list(self.items)

    @al.handler
    def get(self, msg: Get) -> list[int]:
        return list(self.items)


class Handles(al.Actor):
    def __init__(self, aid: al.ActorId) -> None:
        self.aid = aid
        self.items: list[int] = []

    @al.handler
    def grow(self, msg: Grow) -> list[int]:
        self.items.append(1)
        return list(self.items)

    @al.handler
    def get(self, msg: Get) -> tuple:
        return self.aid, list(self.items)


def _restarted(ref) -> None:
    before = ref.info().restarts
    ref.restart()
    ref.ask_sync(Get())
    assert ref.info().restarts == before + 1


def test_a_restart_starts_from_pristine_slots(al_root):
    ref = al_root.spawn(Slotted())
    assert ref.ask_sync(Grow()) == [0] and ref.ask_sync(Grow()) == [0, 1]
    _restarted(ref)
    assert ref.ask_sync(Get()) == []


def test_a_restart_starts_from_pristine_fields_and_shares_handles(al_root):
    aid = al.ActorId.from_name("handle")
    ref = al_root.spawn(Handles(aid))
    assert ref.ask_sync(Grow()) == [1]
    _restarted(ref)
    got_aid, items = ref.ask_sync(Get())
    assert items == [] and got_aid == aid


# -- dispatch by name, redefinitions --------------------------------------------------------------


@dataclass
class OnlyNew:
    pass


class Before(al.Actor):
    @al.handler
    def ping(self, msg: Ping) -> str:
        return "old"


class After(al.Actor):
    @al.handler
    def only_new(self, msg: OnlyNew) -> str:
        return "new"


def test_a_redefined_message_class_is_still_handled_by_name(al_root):
    """Re-running the cell that defines ``Ping`` makes a new class of the same module and
    qualname: the handler written for the old one takes it."""
    again = type("Ping", (), {"__module__": Ping.__module__, "__qualname__": "Ping"})
    assert again is not Ping
    ref = al_root.spawn(Before())
    assert ref.ask_sync(again()) == "old"


def test_while_an_upgrade_is_on_its_way_the_new_class_s_messages_are_accepted(al_root, monkeypatch):
    """Between a redefinition and the upgrade reaching the actor, its old class names the new
    one as its successor (``_al_successor``, what ``al.upgrade`` sets first): a message only the
    new class handles is accepted, not refused."""
    ref = al_root.spawn(Before())
    with pytest.raises(al.UnhandledMessage):
        ref.tell(OnlyNew())
    monkeypatch.setattr(Before, "_al_successor", After)
    assert ref.ask_sync(OnlyNew()) == "new"
    redefined = type("OnlyNew", (), {"__module__": __name__, "__qualname__": "OnlyNew"})
    assert ref.ask_sync(redefined()) == "new"  # by name, as for its own class
    assert ref.ask_sync(Ping()) == "old"
    with pytest.raises(al.UnhandledMessage, match="Before has no handler for Stray"):
        ref.tell(Stray())


def test_redefining_a_base_class_warns_about_live_actors_of_its_subclasses(al_root):
    from actorlab.upgrade import LiveCodeWarning

    ns = {"al": al, "__name__": __name__}
    exec("class Redefined(al.Actor):\n    pass\n", ns)

    class Sub(ns["Redefined"]):
        pass

    al_root.spawn(Sub())
    with pytest.warns(LiveCodeWarning, match=r"1 live actor\(s\) of .*Sub \(subclasses of Redef"):
        exec("class Redefined(al.Actor):\n    pass\n", ns)


class Pairs(al.Actor):
    def __init__(self) -> None:
        self.pair = ([], "x")  # a tuple is copied as a whole unless all it holds is immutable

    @al.handler
    def grow(self, msg: Grow) -> list:
        self.pair[0].append(1)
        return list(self.pair[0])

    @al.handler
    def get(self, msg: Get) -> list:
        return list(self.pair[0])


def test_a_restart_starts_from_a_pristine_tuple_holding_a_list(al_root):
    ref = al_root.spawn(Pairs())
    assert ref.ask_sync(Grow()) == [1]
    _restarted(ref)
    assert ref.ask_sync(Get()) == []


class Tag:
    """Hashable by identity, and mutable."""

    def __init__(self) -> None:
        self.hits = 0


class Tags(al.Actor):
    def __init__(self) -> None:
        self.tags = frozenset({Tag()})

    @al.handler
    def grow(self, msg: Grow) -> int:
        (tag,) = self.tags
        tag.hits += 1
        return tag.hits

    @al.handler
    def get(self, msg: Get) -> int:
        (tag,) = self.tags
        return tag.hits


def test_a_restart_starts_from_a_pristine_frozenset_member(al_root):
    ref = al_root.spawn(Tags())
    assert ref.ask_sync(Grow()) == 1 and ref.ask_sync(Grow()) == 2
    _restarted(ref)
    assert ref.ask_sync(Get()) == 0
