"""A failed snapshot names the attribute path, its type, the cause and the fix."""

from __future__ import annotations

import asyncio
import socket
import threading

import pytest

import actorlab as al
from actorlab.persistence import codec
from actorlab.persistence.diagnose import picklability_report

AID = al.ActorId.from_name("counter")


class Counter:
    def __init__(self, conn):
        self.value = 3
        self.cache = {"hits": 1, "conn": conn}


class Holder:
    __slots__ = ("inner",)

    def __init__(self, inner):
        self.inner = inner


@pytest.fixture
def sock():
    s = socket.socket()
    yield s
    s.close()


def test_not_picklable_names_the_path_type_cause_and_fix(sock):
    with pytest.raises(
        al.NotPicklable,
        match=(
            r"^cannot snapshot Counter\.cache\['conn'\]: socket \(TypeError: cannot pickle "
            r"'socket' object\) in actor Counter \(id " + str(AID) + r"\)\. "
            r"Fix: pass it as RuntimeArgs \(see PersistentActor\.persistent_args\), "
            r"or list 'cache' in Counter\.__snapshot_exclude__"
        ),
    ):
        codec.dump(Counter(sock), actor_id=AID)


def test_path_goes_through_lists_tuples_slots_and_nested_objects(sock):
    state = Counter([1, (2, Holder({"deep": sock}))])
    with pytest.raises(al.NotPicklable) as info:
        codec.dump(state, actor_id=AID, label="counter")
    assert str(info.value).startswith(
        "cannot snapshot counter.cache['conn'][1][1].inner['deep']: socket"
    )
    assert "list 'inner' in Holder.__snapshot_exclude__" in str(info.value)


def test_not_picklable_is_a_snapshot_error_and_a_type_error(sock):
    with pytest.raises(al.SnapshotError):
        codec.dump(Counter(sock), actor_id=AID)
    with pytest.raises(TypeError):
        codec.dump(Counter(sock), actor_id=AID)


def test_excluded_attribute_makes_the_state_picklable(sock):
    class Excluding(Counter):
        __snapshot_exclude__ = ("cache",)

    data = codec.dump(Excluding(sock), actor_id=AID)
    assert codec.load(data)[1].cache is None


def test_picklability_report_lists_every_field_and_the_culprit(sock):
    report = picklability_report(Counter(sock))
    by_path = {item.path: item for item in report}
    assert by_path["Counter.value"] == ("Counter.value", "int", True, None)
    assert by_path["Counter.cache"].ok is False
    culprit = by_path["Counter.cache['conn']"]
    assert culprit.ok is False and culprit.type == "socket"
    assert "cannot pickle 'socket' object" in culprit.error and "reconnect" in culprit.error


def test_picklability_report_warns_on_values_that_pickle_but_lie():
    class State:
        def __init__(self):
            self.ready = asyncio.Event()
            self.jobs = [asyncio.Queue()]
            self.lock = threading.Lock()

    report = picklability_report(State(), "s")
    warnings = {item.path: item for item in report if item.warning}
    assert set(warnings) == {"s.ready", "s.jobs[0]"}
    assert "recreated empty" in warnings["s.ready"].error
    lock = next(item for item in report if item.path == "s.lock")
    assert not lock.ok and "lock is process-local" in lock.error


def _main_class(monkeypatch, name, namespace, body):
    """A class defined "in a notebook cell": its module is __main__, where it is found."""
    import __main__

    exec(body, namespace)
    cls = namespace[name]
    cls.__module__ = "__main__"
    for value in vars(cls).values():
        if hasattr(value, "__module__") and callable(value):
            value.__module__ = "__main__"
    monkeypatch.setattr(__main__, name, cls, raising=False)
    return cls


def test_a_global_used_by_notebook_code_is_named_with_the_right_fix(monkeypatch, sock):
    """Every field pickles; the class (copied by value) drags in a global socket: the error
    names the global and the handler, and says how to fix *that*."""
    ns = {"al": al, "CONN": sock}
    cls = _main_class(
        monkeypatch,
        "Notebook",
        ns,
        "class Notebook:\n"
        "    def __init__(self):\n"
        "        self.value = 1\n"
        "    def add(self, n):\n"
        "        return al.ActorId.from_name(str(CONN.fileno() + n))\n",
    )
    with pytest.raises(al.NotPicklable) as info:
        codec.dump(cls(), actor_id=AID)
    text = str(info.value)
    assert "the global 'CONN' that Notebook.add uses is a socket" in text
    assert "reach it through its module (import mod, then mod.CONN)" in text
    assert "__snapshot_exclude__" in text and "Notebook.__snapshot_exclude__" not in text


def test_a_class_attribute_of_notebook_code_is_named(monkeypatch, sock):
    ns = {"CONN": sock}
    cls = _main_class(monkeypatch, "Shared", ns, "class Shared:\n    pool = CONN\n")
    with pytest.raises(al.NotPicklable, match=r"its class attribute Shared\.pool is a socket"):
        codec.dump(cls(), actor_id=AID)


def test_actorlab_itself_is_pickled_by_name_from_notebook_code(monkeypatch):
    """The module a handler mentions (``al``) is saved by name, not copied with its globals."""
    from actorlab.persistence import pickling

    cls = _main_class(
        monkeypatch, "UsesAl", {"al": al},
        "class UsesAl:\n    def id(self):\n        return al.ActorId.from_name('x')\n",
    )
    p = pickling.dumps(cls())
    assert len(p.data) < 5000 and b"ContextVar" not in p.data
    assert pickling.loads(p.data).id() == al.ActorId.from_name("x")
