"""Regression: a global that a notebook class's ``__init__`` (or another dunder method) uses is
named, like one a handler uses. Before, dunder names were skipped altogether, and the text fell
back to "cannot snapshot C: C (TypeError: cannot pickle 'socket' object) ... keep it out of the
saved state", which points at the state, where nothing is wrong."""

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
