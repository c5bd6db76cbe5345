"""Tests that kill mutants of ``messages`` (``make mutation``): what ``@al.handler`` accepts and the
error texts of a wrong handler, which annotations select which messages, how a subclass's
table is built, and how messages of a redefined class still find their handler by name."""

import typing
from dataclasses import dataclass
from typing import Any, Optional, Union

import pytest

import actorlab as al
from actorlab import messages

from .actors import Add, Get


@dataclass
class Ping:
    n: int = 0


def _error(make) -> str:
    with pytest.raises(al.HandlerDefinitionError) as info:
        make()
    return str(info.value)


# -- @al.handler and the handler's signature ------------------------------------------------------
def test_handler_refuses_what_is_not_callable():
    assert _error(lambda: al.handler(42)) == "@al.handler decorates a method, got 42"


def test_handler_marks_the_function_and_returns_it():
    def h(self, msg: int) -> None: ...

    assert al.handler(h) is h
    assert messages.is_handler(h) is True
    assert messages.is_handler(lambda self, msg: None) is False  # not marked
    marked_true_ish = lambda self, msg: None  # noqa: E731
    marked_true_ish.__actorlab_handler__ = 1  # truthy, but not the mark
    assert messages.is_handler(marked_true_ish) is False


def test_a_non_callable_carrying_the_mark_is_no_handler():
    class Marked:
        __actorlab_handler__ = True

    assert messages.is_handler(Marked()) is False  # (an instance without __call__)


def test_a_handler_taking_one_parameter_is_refused_with_its_parameters_listed():
    def define():
        class One(al.Actor):
            @al.handler
            def h(self) -> None: ...

    text = _error(define)
    assert text.startswith("handler ") and "One.h must take exactly (self, msg), got (self)" in text


def test_a_handler_taking_three_parameters_is_refused_with_its_parameters_listed():
    def define():
        class Three(al.Actor):
            @al.handler
            def h(self, msg: int, extra: int) -> None: ...

    assert _error(define).endswith("Three.h must take exactly (self, msg), got (self, msg, extra)")


def test_a_missing_annotation_names_the_parameter_and_shows_the_fix():
    def define():
        class Bare(al.Actor):
            @al.handler
            def on_thing(self, thing): ...

    text = _error(define)
    assert text.endswith(
        "Bare.on_thing has no type annotation on 'thing', so actorlab cannot tell which messages "
        "it handles. Fix: annotate it, e.g. def on_thing(self, thing: Add)"
    )
    assert text.startswith("handler ")


def test_an_unresolvable_string_annotation_says_why_and_how_to_fix():
    def define():
        class Early(al.Actor):
            @al.handler
            def h(self, msg: "NotDefinedAnywhere") -> None: ...  # noqa: F821

    text = _error(define)
    assert text.startswith("cannot resolve the annotation 'NotDefinedAnywhere' of handler ")
    assert (
        "Early.h (name 'NotDefinedAnywhere' is not defined). Fix: define the message class " in text
    )
    assert text.endswith("before the actor, at module (cell) level, or drop string annotations")


def test_a_string_annotation_may_name_the_actor_class_itself():
    class Node(al.Actor):  # defined in a function: only the class's own name resolves it
        @al.handler
        def h(self, msg: "Node") -> str:
            return "node"

    assert Node.accepted_types() == [Node]


def test_a_string_annotation_is_resolved_to_its_class(al_root):
    class Stringly(al.Actor):
        @al.handler
        def h(self, msg: "Ping") -> int:
            return msg.n

    assert Stringly.accepted_types() == [Ping]
    assert al_root.spawn(Stringly()).ask_sync(Ping(3)) == 3


# -- which annotations select which messages -------------------------------------------------------
def test_none_any_and_generic_annotations(al_root):
    class Nothing(al.Actor):
        @al.handler
        def h(self, msg: None) -> str:
            return "none"

    class Anything(al.Actor):
        @al.handler
        def h(self, msg: Any) -> str:
            return f"any {msg!r}"

    class Lists(al.Actor):
        @al.handler
        def h(self, msg: list[int]) -> int:
            return len(msg)

    assert Nothing.accepted_types() == [type(None)]
    assert Anything.accepted_types() == [object]
    assert Lists.accepted_types() == [list]
    assert al_root.spawn(Nothing()).ask_sync(None) == "none"
    assert al_root.spawn(Anything()).ask_sync(b"x") == "any b'x'"
    assert al_root.spawn(Lists()).ask_sync([1, 2, 3]) == 3


def test_typing_unions_and_optional(al_root):
    class Either(al.Actor):
        @al.handler
        def h(self, msg: Union[Add, Get]) -> str:  # noqa: UP007
            return type(msg).__name__

        @al.handler
        def maybe(self, msg: Optional[Ping]) -> str:  # noqa: UP045
            return "maybe"

        @al.handler
        def nested(self, msg: Union[int, Union[str, bytes]]) -> str:  # noqa: UP007
            return "nested"

    assert Either.accepted_types() == [Add, Get, Ping, type(None), int, str, bytes]
    e = al_root.spawn(Either())
    assert e.ask_sync(Get()) == "Get"
    assert e.ask_sync(None) == "maybe"
    assert e.ask_sync(b"b") == "nested"


def test_pipe_unions_unpack_to_their_members():
    class Piped(al.Actor):
        @al.handler
        def h(self, msg: Add | Get | None) -> None: ...

    assert Piped.accepted_types() == [Add, Get, type(None)]


def test_annotations_that_are_not_classes_are_refused():
    def literal():
        class Lit(al.Actor):
            @al.handler
            def h(self, msg: typing.Literal["a"]) -> None: ...

    assert _error(literal) == (
        "handler test_annotations_that_are_not_classes_are_refused.<locals>.literal.<locals>.Lit.h"
        " is annotated with typing.Literal['a'], which is not a class; annotate the message with"
        " a class (or a union of classes)"
    )

    def number():
        class Num(al.Actor):
            @al.handler
            def h(self, msg: 3) -> None: ...

    assert _error(number).endswith(
        "Num.h is annotated with 3, which is not a class; "
        "annotate the message with a class (or a union of classes)"
    )


def test_a_union_member_that_is_not_a_class_names_the_handler():
    def define():
        class Mixed(al.Actor):
            @al.handler
            def h(self, msg: int | typing.Literal["a"]) -> None: ...

    text = _error(define)
    assert text.startswith("handler test_a_union_member_that_is_not_a_class_names_the_handler.")
    assert "Mixed.h is annotated with typing.Literal['a'], which is not a class" in text


# -- a class's dispatch table ----------------------------------------------------------------------
def test_two_handlers_for_a_type_of_a_union_name_both_and_the_fix():
    def define():
        class Twice(al.Actor):
            @al.handler
            def first(self, msg: Get | Add) -> None: ...

            @al.handler
            def second(self, msg: Ping | Add) -> None: ...

    assert _error(define) == (
        "test_two_handlers_for_a_type_of_a_union_name_both_and_the_fix.<locals>.define.<locals>."
        "Twice has two handlers for Add: first() and second(). Fix: keep one handler per message type"
    )


def test_a_grandchild_inherits_from_every_ancestor(al_root):
    class Base(al.Actor):
        @al.handler
        def get(self, msg: Get) -> str:
            return "base get"

    class Middle(Base):
        @al.handler
        def ping(self, msg: Ping) -> str:
            return "middle ping"

    class Leaf(Middle):
        @al.handler
        def add(self, msg: Add) -> str:
            return "leaf add"

    assert set(Leaf.accepted_types()) == {Get, Ping, Add}
    leaf = al_root.spawn(Leaf())
    assert leaf.ask_sync(Get()) == "base get"
    assert leaf.ask_sync(Ping()) == "middle ping"
    assert leaf.ask_sync(Add(1)) == "leaf add"


def test_an_own_handler_for_a_type_replaces_the_inherited_one(al_root):
    class Base(al.Actor):
        @al.handler
        def get(self, msg: Get) -> str:
            return "base"

    class Child(Base):
        @al.handler
        def other(self, msg: Get) -> str:  # another name, the same message type
            return "child"

    assert al_root.spawn(Child()).ask_sync(Get()) == "child"
    assert al_root.spawn(Base()).ask_sync(Get()) == "base"


def test_an_undecorated_override_keeps_the_types_and_may_turn_async(al_root):
    class Base(al.Actor):
        @al.handler
        def get(self, msg: Get | Ping) -> str:
            return "base"

    class Child(Base):
        async def get(self, msg: Get | Ping) -> str:  # overrides, async now, no @al.handler
            return "child async"

    class Data(Base):
        get = "not a method"  # an attribute of the same name that cannot be called

    assert Child.accepted_types() == [Get, Ping]
    c = al_root.spawn(Child())
    assert c.ask_sync(Get()) == "child async"  # awaited: the reply is no coroutine
    assert c.ask_sync(Ping()) == "child async"
    assert al_root.spawn(Data()).ask_sync(Get()) == "base"


# -- messages of a redefined class find their handler by module and qualname ---------------------------
def _twin(qualname: str, module: str = __name__) -> type:
    return type(qualname.rsplit(".", 1)[-1], (), {"__qualname__": qualname, "__module__": module})


def test_an_instance_of_a_redefined_module_level_class_matches_by_name(al_root):
    old, new = _twin("Ticket"), _twin("Ticket")

    class Desk(al.Actor):
        @al.handler
        def h(self, msg: old) -> str:
            return "handled"

    d = al_root.spawn(Desk())
    assert d.ask_sync(old()) == "handled"
    assert d.ask_sync(new()) == "handled"  # another class object, the same name

    class NewTicket(new):  # a subclass of the redefined class: matched through its MRO
        pass

    assert d.ask_sync(NewTicket()) == "handled"


def test_classes_of_the_same_qualname_in_another_module_or_a_function_do_not_match(al_root):
    old = _twin("Ticket")

    class Desk(al.Actor):
        @al.handler
        def h(self, msg: old) -> str:
            return "handled"

    d = al_root.spawn(Desk())
    with pytest.raises(al.UnhandledMessage):
        d.ask_sync(_twin("Ticket", module="elsewhere")())
    local = _twin("f.<locals>.Ticket")

    class LocalDesk(al.Actor):
        @al.handler
        def h(self, msg: local) -> str:
            return "handled"

    ld = al_root.spawn(LocalDesk())
    assert ld.ask_sync(local()) == "handled"
    with pytest.raises(al.UnhandledMessage):
        ld.ask_sync(_twin("f.<locals>.Ticket")())  # each call of f makes a new class


def test_name_key():
    assert messages.name_key(Ping) == (__name__, "Ping")
    assert messages.name_key(_twin("f.<locals>.X")) is None
    odd = _twin("Odd")
    odd.__module__ = None  # (what a class made by some code generators has)
    assert messages.name_key(odd) is None
    assert messages.name_key(42) is None  # no __module__/__qualname__ at all


def test_names_of_keeps_the_first_handler_of_a_name():
    a, b = _twin("Same"), _twin("Same")
    first = messages.HandlerSpec("first", lambda s, m: None, False, (a,))
    second = messages.HandlerSpec("second", lambda s, m: None, False, (b,))
    local = messages.HandlerSpec("local", lambda s, m: None, False, (int,))
    out = messages.names_of({a: first, b: second, _twin("f.<locals>.L"): local})
    assert out == {(__name__, "Same"): first}


def test_resolve_walks_the_mro_then_names_and_caches_the_answer():
    base, twin = _twin("Base"), _twin("Base")
    spec = messages.HandlerSpec("h", lambda s, m: None, False, (base,))
    table = {base: spec}
    names = messages.names_of(table)
    Sub = type("Sub", (twin,), {"__qualname__": "f.<locals>.Sub"})
    cache: dict = {}
    assert messages.resolve(table, cache, Sub, names) is spec
    assert cache == {Sub: spec}
    assert messages.resolve(table, cache, Sub) is spec  # from the cache now: no names needed
    assert messages.resolve(table, {}, Sub) is None  # without names, the twin is unknown
    cache = {}
    assert messages.resolve(table, cache, int, names) is None
    assert cache == {int: None}
    cache[int] = spec  # a cached answer is the answer
    assert messages.resolve(table, cache, int, names) is spec


def test_resolve_prefers_the_nearest_class_of_the_mro():
    class A:
        pass

    class B(A):
        pass

    class C(B):
        pass

    sa = messages.HandlerSpec("a", lambda s, m: None, False, (A,))
    sb = messages.HandlerSpec("b", lambda s, m: None, False, (B,))
    table = {A: sa, B: sb}
    assert messages.resolve(table, {}, C, messages.names_of(table)) is sb
    assert messages.resolve(table, {}, A, messages.names_of(table)) is sa


def test_a_decorated_method_of_the_same_name_handles_its_own_types_only(al_root):
    class Base(al.Actor):
        @al.handler
        def h(self, msg: Get) -> str:
            return "base get"

    class Child(Base):
        @al.handler
        def h(self, msg: Ping) -> str:  # the same name, another message type
            return "child ping"

    c = al_root.spawn(Child())
    assert c.ask_sync(Ping()) == "child ping"
    assert c.ask_sync(Get()) == "base get"  # still the inherited handler


def test_an_undecorated_override_keeps_the_handlers_name(al_root):
    import asyncio
    import threading

    from actorlab.testing import wait_until

    gate = threading.Event()

    class Base(al.Actor):
        @al.handler
        def work(self, msg: Get) -> str:
            return "base"

    class Child(Base):
        async def work(self, msg: Get) -> str:
            await asyncio.get_running_loop().run_in_executor(None, gate.wait, 5)
            return "child"

    c = al_root.spawn(Child(), name="named")
    c.tell(Get())
    try:
        wait_until(lambda: c.info().current_handler is not None, what="the handler")
        assert c.info().current_handler == "work(Get)"
    finally:
        gate.set()
