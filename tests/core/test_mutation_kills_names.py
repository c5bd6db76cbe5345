"""Tests that kill mutants of ``names`` (``make mutation``): the exact error texts, a second name
for an actor (released when it stops), ``free`` of an unbound name, and lookups through a
transport (names bound in another process)."""

from __future__ import annotations

import pytest

import actorlab as al
from actorlab import transport as transport_mod
from actorlab.runtime import get_runtime

from .actors import Counter, Get


class Other(al.Actor):
    @al.handler
    def get(self, msg: Get) -> int:
        return 1


def _text(excinfo: pytest.ExceptionInfo[BaseException]) -> str:
    return str(excinfo.value)


@pytest.mark.parametrize(
    "name, text",
    [
        ("  ", "an actor name must be a non-empty string, got '  '"),
        ("a/b", "an actor name cannot contain '/', got 'a/b' (paths use it)"),
    ],
)
def test_bad_names_are_refused_with_the_reason(al_root, name, text):
    c = al_root.spawn(Counter())
    with pytest.raises(ValueError) as err:
        al_root.bind(name, c)
    assert _text(err) == text


def test_binding_something_else_than_a_ref_shows_it_cut_to_60_characters(al_root):
    junk = "y" * 100
    with pytest.raises(TypeError) as err:
        al_root.bind("x", junk)  # type: ignore[arg-type]
    assert _text(err) == (
        f"bind('x', ref): ref must be an al.ActorRef, got {repr(junk)[:59]}… (str). "
        "Fix: pass the ref spawn() returned, or al.lookup(name)"
    )


def test_a_second_name_finds_the_actor_and_both_are_released_when_it_stops(al_root):
    c = al_root.spawn(Counter(), name="first")
    al_root.bind("second", c)
    al_root.bind("third", c)
    assert al.lookup("first") == c and al.lookup("second") == c and al.lookup("third") == c
    assert c.name == "first"
    c.stop()
    assert get_runtime().names == {}  # the name table keeps no stopped actor alive


def test_free_of_an_unbound_name_is_none_and_free_checks_the_type(al_root):
    assert al_root.free("nobody") is None
    with pytest.raises(TypeError) as err:
        al_root.free(42)  # type: ignore[arg-type]
    assert _text(err) == "free(name): name must be a str, got 42 (int)"


def test_lookup_with_a_non_actor_type_says_how_to_call_it(al_root):
    with pytest.raises(TypeError) as err:
        al.lookup("c", actor_type=int)
    assert _text(err) == (
        "lookup(actor_type=...) must be an al.Actor subclass (or None), got <class 'int'>. "
        "Fix: e.g. al.lookup('c', actor_type=Counter)"
    )


def test_not_found_lists_the_live_bound_names_sorted(al_root):
    with pytest.raises(al.ActorNotFound) as err:
        al.lookup("nobody")
    assert _text(err) == (
        "no live actor is bound to 'nobody' (bound names: none). "
        "Fix: spawn(..., name='nobody') or root.bind('nobody', ref)"
    )
    al_root.spawn(Counter(), name="b")
    al_root.spawn(Counter(), name="a")
    with pytest.raises(al.ActorNotFound) as err:
        al.lookup("nobody")
    assert "(bound names: a, b). " in _text(err)


class FakeTransport:
    """Names bound in 'another process' (here: local refs the transport hands out)."""

    home = None

    def __init__(self, remote: dict[str, al.ActorRef]) -> None:
        self.remote = remote
        self.asked: list[str] = []

    def lookup(self, name: str) -> al.ActorRef | None:
        self.asked.append(name)
        return self.remote.get(name)

    def infos(self) -> list:
        return []

    def resolve(self, actor_id, home, class_key):
        return None

    def spawn(self, parent, args, name, placement):
        raise AssertionError("not used")


@pytest.fixture
def transport(al_root, monkeypatch):
    far = al_root.spawn(Counter())
    impostor = al_root.spawn(Other())
    fake = FakeTransport({"far": far, "here": impostor})
    monkeypatch.setattr(transport_mod, "_transport", fake)
    return fake


def test_a_name_bound_in_another_process_is_found_through_the_transport(al_root, transport):
    far = transport.remote["far"]
    assert al.lookup("far") is far
    assert al.lookup("far", Counter) is far
    assert transport.asked == ["far", "far"]
    with pytest.raises(al.TypeMismatch) as err:
        al.lookup("far", Other)
    assert _text(err) == "'far' is a Counter, not a Other. Fix: look it up with the type it has"


def test_a_name_bound_here_wins_and_the_transport_is_not_asked(al_root, transport):
    here = al_root.spawn(Counter(), name="here")
    assert al.lookup("here") == here
    assert transport.asked == []
    with pytest.raises(al.ActorNotFound):
        al.lookup("nowhere")  # neither here nor there
    assert transport.asked == ["nowhere"]
