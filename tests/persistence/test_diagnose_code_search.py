"""Regressions: what notebook code carries along is located even where the search did not look.
A global that a class's ``__init__`` (or another dunder method) uses, and a handler's default
value, were not searched, and the text fell back to "cannot snapshot C: C (TypeError: cannot
pickle 'socket' object) ... keep it out of the saved state", which points at the state, where
nothing is wrong."""

from __future__ import annotations

import socket

import pytest

import actorlab as al
from actorlab.persistence import codec

AID = al.ActorId.from_name("dunder")


@pytest.fixture
def sock():
    s = socket.socket()
    yield s
    s.close()


def _main_class(monkeypatch, name, namespace, body):
    import __main__

    exec(body, namespace)
    cls = namespace[name]
    cls.__module__ = "__main__"
    monkeypatch.setattr(__main__, name, cls, raising=False)
    return cls


@pytest.mark.parametrize(
    ("method", "body"),
    [
        ("__init__", "    def __init__(self):\n        self.n = CONN.fileno()\n"),
        ("__call__", "    def __call__(self):\n        return CONN.fileno()\n"),
    ],
)
def test_a_global_used_by_a_dunder_method_is_named(monkeypatch, sock, method, body):
    cls = _main_class(monkeypatch, "Dunder", {"CONN": sock}, "class Dunder:\n" + body)
    state = object.__new__(cls)
    with pytest.raises(al.NotPicklable) as info:
        codec.dump(state, actor_id=AID)
    text = str(info.value)
    assert f"and the global 'CONN' that Dunder.{method} uses is a socket" in text
    assert "reach it through its module (import mod, then mod.CONN)" in text


def test_the_class_machinery_is_still_not_searched(monkeypatch, sock):
    """``__dict__``, ``__module__``, ``__doc__``... are not the culprit of a class attribute."""
    cls = _main_class(
        monkeypatch, "Doc", {"CONN": sock}, 'class Doc:\n    "doc"\n    pool = CONN\n'
    )
    with pytest.raises(al.NotPicklable, match=r"its class attribute Doc\.pool is a socket"):
        codec.dump(cls(), actor_id=AID)


@pytest.mark.parametrize(
    ("signature", "param"),
    [("self, n=1, conn=CONN", "conn"), ("self, *, conn=CONN", "conn")],
)
def test_an_unpicklable_default_value_of_a_handler_is_named(monkeypatch, sock, signature, param):
    """Regression: a default value is saved with the (by-value) function, like its globals."""
    ns = {"CONN": sock}
    cls = _main_class(
        monkeypatch, "Defaults", ns, f"class Defaults:\n    def h({signature}):\n        return 1\n"
    )
    with pytest.raises(al.NotPicklable) as info:
        codec.dump(cls(), actor_id=AID)
    assert str(info.value) == (
        f"cannot snapshot Defaults in actor Defaults (id {AID}): Defaults is defined in a "
        "notebook cell (__main__), so it is saved by value with the globals its code uses, and "
        f"the default value of the parameter '{param}' of Defaults.h is a socket (TypeError: "
        f"cannot pickle 'socket' object). Fix: default {param} to None and make the value where "
        "it is used, or pass it in (as an attribute created in on_start, or RuntimeArgs: see "
        "PersistentActor.persistent_args)."
    )


def test_a_default_that_is_notebook_code_is_searched_in_turn(monkeypatch, sock):
    import __main__

    ns = {"CONN": sock}
    exec("def helper():\n    return CONN.fileno()\n", ns)
    ns["helper"].__module__ = "__main__"
    monkeypatch.setattr(__main__, "helper", ns["helper"], raising=False)
    cls = _main_class(
        monkeypatch, "Calls", ns, "class Calls:\n    def h(self, f=helper):\n        return f()\n"
    )
    with pytest.raises(al.NotPicklable, match=r"the global 'CONN' that helper uses is a socket"):
        codec.dump(cls(), actor_id=AID)


def test_the_members_after_a_property_are_searched(monkeypatch, sock):
    cls = _main_class(
        monkeypatch,
        "Later",
        {"CONN": sock},
        "class Later:\n    @property\n    def p(self):\n        return 1\n    pool = CONN\n",
    )
    with pytest.raises(al.NotPicklable, match=r"its class attribute Later\.pool is a socket"):
        codec.dump(cls(), actor_id=AID)
