"""Tests that kill mutants of ``persistence/codec.py`` (``make mutation``): what ``dump`` and
``dump_snapshot`` write in the header (the class name, the actor path), the cause a
``NotPicklable`` names, the actor class searched for an unpicklable global, the arguments
``load_snapshot`` passes on (expected id, source), the payload shape it accepts, and the exact
texts of the three load failures a user reads."""

from __future__ import annotations

import platform
import socket
import sys

import pytest

import actorlab as al
from actorlab.persistence import codec, format

AID = al.ActorId.from_name("codec")
OTHER = al.ActorId.from_name("someone-else")


@pytest.fixture
def sock():
    s = socket.socket()
    yield s
    s.close()


class Plain:
    def __init__(self, v: int = 1) -> None:
        self.v = v


class Gone:
    """Removed from this module before loading (a renamed or deleted class)."""


class FailsOnce:
    """Pickling fails the first time only (a value that changes while it is being saved), so
    the located search finds nothing and the error can only name the original cause."""

    calls = 0

    def __reduce__(self):
        type(self).calls += 1
        if type(self).calls == 1:
            raise RuntimeError("the connection moved")
        return (Plain, (2,))


def test_class_name_is_module_and_qualname_of_the_class():
    assert codec.class_name(Plain()) == f"{__name__}.Plain"
    assert codec.class_name(3) == "builtins.int"


def test_dump_records_the_state_class_and_the_actor_path():
    header, state = codec.load(codec.dump(Plain(5), actor_id=AID, actor_path="/user/codec"))
    assert header.actor_class == f"{__name__}.Plain"
    assert header.raw["actor"]["path"] == "/user/codec"
    assert state.v == 5
    header, _ = codec.load(codec.dump(Plain(), actor_id=AID, actor_class="x.Y"))
    assert header.actor_class == "x.Y" and header.raw["actor"]["path"] is None


def test_dump_snapshot_records_the_actor_path():
    data = codec.dump_snapshot(Plain, {"v": 1}, actor_id=AID, actor_path="/user/p", label="p")
    header, cls, snapshot = codec.load_snapshot(data)
    assert header.raw["actor"]["path"] == "/user/p"
    assert header.actor_class == f"{__name__}.Plain"
    assert (cls, snapshot) == (Plain, {"v": 1})


def test_a_not_picklable_error_names_the_original_cause(monkeypatch):
    monkeypatch.setattr(FailsOnce, "calls", 0)
    with pytest.raises(al.NotPicklable) as info:
        codec.dump(FailsOnce(), actor_id=AID)
    assert "(RuntimeError: the connection moved)" in str(info.value)
    assert f"in actor FailsOnce (id {AID})" in str(info.value)


def test_a_not_picklable_snapshot_error_names_the_original_cause(monkeypatch):
    monkeypatch.setattr(FailsOnce, "calls", 0)
    with pytest.raises(al.NotPicklable) as info:
        codec.dump_snapshot(Plain, FailsOnce(), actor_id=AID, actor_path=None, label="snap")
    assert "(RuntimeError: the connection moved)" in str(info.value)
    assert f"in actor snap (id {AID})" in str(info.value)


def test_dump_snapshot_searches_the_actor_class_for_the_unpicklable_global(monkeypatch, sock):
    """The snapshot pickles on its own; the actor class, defined "in a notebook cell", reads a
    global socket: the error names that global, found by searching the class saved beside it."""
    import __main__

    namespace = {"CONN": sock}
    exec("class Locked:\n    def run(self):\n        return CONN\n", namespace)
    cls = namespace["Locked"]
    cls.__module__ = cls.run.__module__ = "__main__"
    monkeypatch.setattr(__main__, "Locked", cls, raising=False)
    with pytest.raises(al.NotPicklable) as info:
        codec.dump_snapshot(cls, {"n": 1}, actor_id=AID, actor_path=None, label="locked")
    message = str(info.value)
    assert "the global 'CONN' that Locked.run uses" in message
    assert f"in actor locked (id {AID})" in message


def test_load_snapshot_passes_on_the_expected_id_and_the_source():
    data = codec.dump_snapshot(Plain, 1, actor_id=AID, actor_path=None, label="p")
    with pytest.raises(al.SnapshotError, match=f"stored under actor id {OTHER}"):
        codec.load_snapshot(data, expected_id=OTHER)
    with pytest.raises(al.SnapshotError, match=r"snaps/p\.snap: the payload is truncated"):
        codec.load_snapshot(data[:-1], expected_id=AID, source="snaps/p.snap")


@pytest.mark.parametrize(
    ("payload", "shown"),
    [({"v": 1}, "dict"), ((1, 2), "tuple"), ((Plain, 1, 2), "tuple"), ((Plain,), "tuple")],
)
def test_load_snapshot_refuses_what_save_snapshot_did_not_write(payload, shown):
    data = codec.dump(payload, actor_id=AID, actor_class="x.State")
    with pytest.raises(al.SnapshotError) as info:
        codec.load_snapshot(data)
    assert str(info.value) == (
        f"snapshot of x.State (actor id {AID}): the payload is a {shown}, not an actor snapshot "
        "(it was not written by save_snapshot). Fix: save it with ctx.save_snapshot(), or read "
        "it with actorlab.persistence.codec.load()"
    )


def test_an_unpickling_failure_says_what_to_define_again(monkeypatch):
    data = codec.dump({"g": Gone()}, actor_id=AID, actor_class="x.State")
    monkeypatch.delattr(sys.modules[__name__], "Gone")
    with pytest.raises(al.SnapshotError) as info:
        codec.load(data)
    message = str(info.value)
    assert message.startswith(f"snapshot of x.State (actor id {AID}): unpickling failed (")
    assert "AttributeError: " in message and "'Gone'" in message
    assert message.endswith(
        "). Fix: define what it names again (re-run the notebook cell that defines it, or "
        "restore a renamed/removed module or a missing package), or delete the snapshot to "
        "start from default args."
    )
    assert isinstance(info.value.__cause__, AttributeError)


def test_by_value_code_written_by_other_pythons_is_refused_when_its_name_is_taken(monkeypatch):
    """Written by another Python (the header's tag differs), every named class resolves, so
    nothing is refused before unpickling; but ``__main__.Widget`` is no longer a class, and
    its by-value copy is bytecode of that other Python: refused, with the fix."""
    main = sys.modules["__main__"]

    class Widget:
        def size(self):
            return 4

    Widget.__module__, Widget.__qualname__ = "__main__", "Widget"
    monkeypatch.setattr(main, "Widget", Widget, raising=False)
    data = codec.dump({"w": Widget()}, actor_id=AID, actor_class="x.State")
    assert format.read_header(data).code == ("__main__:Widget",)
    monkeypatch.setattr(main, "Widget", "a string now")
    monkeypatch.setattr(format, "python_tag", lambda: "cp39")
    with pytest.raises(al.SnapshotError) as info:
        codec.load(data)
    python = platform.python_version()
    assert str(info.value) == (
        f"snapshot of x.State (actor id {AID}): it was written by Python {python} and needs "
        "the by-value copy of class __main__.Widget, which is bytecode of that version; it was "
        "not loaded. Fix: define it again in this process (re-run its cell), or load the "
        f"snapshot with Python {python}."
    )
    assert info.value.__cause__ is None
