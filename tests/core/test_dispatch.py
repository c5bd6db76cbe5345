from __future__ import annotations

from dataclasses import dataclass

import pytest

import actorlab as al

from .actors import Add, Counter, Get


@dataclass
class Animal:
    name: str


@dataclass
class Dog(Animal):
    pass


@dataclass
class Cat(Animal):
    pass


class Zoo(al.Actor):
    @al.handler
    def animal(self, msg: Animal) -> str:
        return f"animal {msg.name}"

    @al.handler
    def dog(self, msg: Dog) -> str:
        return f"dog {msg.name}"

    @al.handler
    def number(self, msg: int | float) -> str:
        return f"number {msg}"

    @al.handler
    async def text(self, msg: str) -> str:
        return f"text {msg}"


def test_exact_type_then_mro_then_union(al_root):
    z = al_root.spawn(Zoo())
    assert z.ask_sync(Dog("rex")) == "dog rex"
    assert z.ask_sync(Cat("tom")) == "animal tom"  # via the MRO
    assert z.ask_sync(3) == "number 3"
    assert z.ask_sync(2.5) == "number 2.5"  # union member
    assert z.ask_sync("hi") == "text hi"  # async handler
    assert z.ask_sync(True) == "number True"  # bool is an int


def test_unhandled_message_refused_at_send_time(al_root):
    c = al_root.spawn(Counter(), name="c")
    with pytest.raises(al.UnhandledMessage, match=r"Counter has no handler for bytes .*It accepts: .*Add.*Get.*Fix"):
        c.tell(b"x")
    with pytest.raises(al.UnhandledMessage):
        c.ask_sync(b"x")
    assert c.ask_sync(Get()) == 0  # nothing was delivered


def test_two_handlers_for_one_type_is_a_class_definition_error():
    with pytest.raises(al.HandlerDefinitionError, match=r"Twice has two handlers for Add: a\(\) and b\(\)"):

        class Twice(al.Actor):
            @al.handler
            def a(self, msg: Add) -> None: ...

            @al.handler
            def b(self, msg: Add | Get) -> None: ...


def test_missing_annotation_is_a_clear_error():
    with pytest.raises(al.HandlerDefinitionError, match=r"Bad.h has no type annotation on 'msg'.*Fix"):

        class Bad(al.Actor):
            @al.handler
            def h(self, msg): ...


def test_subclass_inherits_and_overrides(al_root):
    class Base(al.Actor):
        @al.handler
        def get(self, msg: Get) -> str:
            return "base"

        @al.handler
        def add(self, msg: Add) -> str:
            return "base add"

    class Child(Base):
        def get(self, msg: Get) -> str:  # overrides without re-decorating
            return "child"

    c = al_root.spawn(Child())
    assert c.ask_sync(Get()) == "child"
    assert c.ask_sync(Add(1)) == "base add"


def test_plain_values_as_messages_like_theta(al_root):
    class Acc(al.Actor):
        def __init__(self) -> None:
            self.total = 0

        @al.handler
        def add(self, amount: int) -> int:
            self.total += amount
            return self.total

    a = al_root.spawn(Acc())
    a.tell(5)
    assert a.ask_sync(1) == 6


def test_one_message_at_a_time_even_with_awaits(al_root):
    c = al_root.spawn(Counter())
    for _ in range(500):
        c.tell(Add(1))
    assert c.ask_sync(Get()) == 500
