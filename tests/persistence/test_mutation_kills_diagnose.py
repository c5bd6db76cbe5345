"""Tests that kill mutants of ``persistence/diagnose.py`` (``make mutation``): where the walk goes
(dict keys, sets, string and unset slots, excluded attributes, cycles, the depth and node bounds),
what notebook code is searched (bases, helpers it calls, static/class methods, properties,
``functools`` wrappers, a lambda under another name), the exact texts a user reads (the failure,
both fixes, every warning), and the report's items, field by field."""

from __future__ import annotations

import asyncio
import functools
import io
import queue
import socket
import threading

import pytest

import actorlab as al
from actorlab.persistence import codec, diagnose
from actorlab.persistence.diagnose import PicklabilityItem, picklability_report

AID = al.ActorId.from_name("diag")
ACTOR = rf"in actor (\S+) \(id {AID}\)"
SOCKET_ERROR = "TypeError: cannot pickle 'socket' object"
SOCKET_HINT = "a socket cannot be snapshotted: reconnect in on_start or RuntimeArgs"
RUNTIME_ARGS_FIX = "Fix: pass it as RuntimeArgs (see PersistentActor.persistent_args), "
GLOBAL_FIX = (
    "reach it through its module (import mod, then mod.CONN), which is saved by name, or make "
    "it an attribute created in on_start or passed as RuntimeArgs (see "
    "PersistentActor.persistent_args) and listed in __snapshot_exclude__."
)


@pytest.fixture
def sock():
    s = socket.socket()
    yield s
    s.close()


def _message(state, **kw) -> str:
    with pytest.raises(al.NotPicklable) as info:
        codec.dump(state, actor_id=AID, **kw)
    return str(info.value)


class Box:
    def __init__(self, **fields):
        self.__dict__.update(fields)


class Key:
    """A hashable dict key / set member that holds an unpicklable value."""

    def __init__(self, conn):
        self.conn = conn

    def __repr__(self):
        return "K"


class StrSlot:
    __slots__ = "conn"

    def __init__(self, conn):
        self.conn = conn


class TwoSlots:
    __slots__ = ("unset", "conn")

    def __init__(self, conn):
        self.conn = conn


class SlotsAndDict:
    __slots__ = ("conn", "__dict__", "__weakref__")

    def __init__(self, conn):
        self.conn = conn


class Excluding:
    __snapshot_exclude__ = ("cache",)

    def __init__(self, conn):
        self.cache = conn  # excluded: blanked on save, so never the culprit
        self.other = conn


class ExcludingSlot:
    __slots__ = ("cache", "other")
    __snapshot_exclude__ = "cache"

    def __init__(self, conn):
        self.cache = conn
        self.other = conn


# -- the located path ------------------------------------------------------------------------


def test_the_whole_text_with_an_attribute_to_exclude(sock):
    text = _message(Box(value=1, conn=sock), label="box")
    assert text == (
        f"cannot snapshot box.conn: socket ({SOCKET_ERROR}) in actor box (id {AID}). "
        + RUNTIME_ARGS_FIX
        + "or list 'conn' in Box.__snapshot_exclude__ (it is then restored as None)."
    )


def test_a_dict_key_that_cannot_be_pickled_is_named_as_a_key(sock):
    text = _message(Box(d={Key(sock): 1}), label="s")
    assert text.startswith(f"cannot snapshot s.d.keys()[K].conn: socket ({SOCKET_ERROR})")
    assert "or list 'conn' in Key.__snapshot_exclude__" in text


def test_a_set_member_is_named_in_braces(sock):
    text = _message(Box(tags={Key(sock)}), label="s")
    assert text.startswith(f"cannot snapshot s.tags{{K}}.conn: socket ({SOCKET_ERROR})")


def test_a_string_slot_and_an_unset_slot_before_the_culprit(sock):
    assert _message(Box(h=StrSlot(sock)), label="s").startswith("cannot snapshot s.h.conn: socket")
    text = _message(Box(h=TwoSlots(sock)), label="s")
    assert text.startswith("cannot snapshot s.h.conn: socket")
    assert "or list 'conn' in TwoSlots.__snapshot_exclude__" in text


def test_an_excluded_attribute_is_never_the_culprit(sock):
    text = _message(Box(inner=Excluding(sock)), label="s")
    assert text.startswith("cannot snapshot s.inner.other: socket")
    assert "list 'other' in Excluding.__snapshot_exclude__" in text
    text = _message(Box(inner=ExcludingSlot(sock)), label="s")
    assert text.startswith("cannot snapshot s.inner.other: socket")


def test_a_part_seen_already_is_skipped_not_the_end_of_the_walk(sock):
    state = Box()
    state.me = state  # a cycle first: pickle copes with it, the walk must go on
    state.conn = sock
    assert _message(state, label="s").startswith("cannot snapshot s.conn: socket")


def test_the_walk_descends_at_most_64_levels(sock):
    inner = [sock]
    for _ in range(70):
        inner = [inner]
    text = _message(Box(deep=inner), label="s")
    path = text.split(":")[0]
    assert path == "cannot snapshot s.deep" + "[0]" * 63
    assert text.startswith(path + ": list (")


def test_not_picklable_without_an_actor_says_no_in_actor(sock):
    err = diagnose.not_picklable(Box(conn=sock), "s", TypeError("boom"))
    assert str(err).startswith(f"cannot snapshot s.conn: socket ({SOCKET_ERROR}). Fix: pass it")


# -- notebook code -----------------------------------------------------------------------------


def _main_class(monkeypatch, name, namespace, body):
    """A class defined "in a notebook cell": its module is __main__, where it is found."""
    import __main__

    exec(body, namespace)
    cls = namespace[name]
    cls.__module__ = "__main__"
    for value in vars(cls).values():  # (not functions of other modules it refers to)
        inner = getattr(value, "__func__", value)
        if callable(inner) and getattr(inner, "__qualname__", "").startswith(name + "."):
            inner.__module__ = "__main__"
    monkeypatch.setattr(__main__, name, cls, raising=False)
    return cls


def _main_function(monkeypatch, name, namespace, body):
    import __main__

    exec(body, namespace)
    fn = namespace[name]
    fn.__module__ = "__main__"
    monkeypatch.setattr(__main__, name, fn, raising=False)
    return fn


def _global_text(owner: str, where: str, actor: str) -> str:
    return (
        f"cannot snapshot {owner} in actor {actor} (id {AID}): {owner} is defined in a notebook "
        "cell (__main__), so it is saved by value with the globals its code uses, and the global "
        f"'CONN' that {where} uses is a socket ({SOCKET_ERROR}). Fix: " + GLOBAL_FIX
    )


def test_a_global_of_a_handler_the_whole_text(monkeypatch, sock):
    cls = _main_class(
        monkeypatch,
        "Handler",
        {"LIMIT": 3, "CONN": sock},  # LIMIT pickles: never named
        "class Handler:\n    def add(self, n):\n        return LIMIT + CONN.fileno() + n\n",
    )
    assert _message(cls()) == _global_text("Handler", "Handler.add", "Handler")


def test_a_class_attribute_the_whole_text(monkeypatch, sock):
    cls = _main_class(monkeypatch, "Pooled", {"CONN": sock}, "class Pooled:\n    pool = CONN\n")
    assert _message(cls()) == (
        f"cannot snapshot Pooled in actor Pooled (id {AID}): Pooled is defined in a notebook cell "
        "(__main__), so it is saved by value with the globals its code uses, and its class "
        f"attribute Pooled.pool is a socket ({SOCKET_ERROR}). Fix: set it per actor (in __init__ "
        "or on_start) instead of on the class Pooled."
    )


def test_a_helper_function_the_handler_calls_is_searched_too(monkeypatch, sock):
    ns = {"CONN": sock}
    _main_function(monkeypatch, "helper", ns, "def helper():\n    return CONN.fileno()\n")
    cls = _main_class(
        monkeypatch, "Calls", ns, "class Calls:\n    def h(self):\n        return helper()\n"
    )
    assert _message(cls()) == _global_text("helper", "helper", "Calls")


def test_a_notebook_base_class_is_searched(monkeypatch, sock):
    ns = {"CONN": sock}
    ns["Base"] = _main_class(monkeypatch, "Base", ns, "class Base:\n    pool = CONN\n")
    cls = _main_class(
        monkeypatch, "Sub", ns, "class Sub(Base):\n    def h(self):\n        return 1\n"
    )
    text = _message(cls())
    assert f"and its class attribute Base.pool is a socket ({SOCKET_ERROR})" in text
    assert text.startswith(f"cannot snapshot Base in actor Sub (id {AID}): Base is defined")
    assert text.endswith("instead of on the class Base.")


def test_each_part_of_code_is_searched_once_and_the_search_goes_on(monkeypatch, sock):
    """Two handlers share a recursive helper (searched once), and the culprit is on the base."""
    ns = {"CONN": sock}
    _main_function(
        monkeypatch, "countdown", ns, "def countdown(n):\n    return n and countdown(n - 1)\n"
    )
    ns["Base"] = _main_class(monkeypatch, "Base", ns, "class Base:\n    pool = CONN\n")
    cls = _main_class(
        monkeypatch,
        "Shares",
        ns,
        "class Shares(Base):\n"
        "    def a(self):\n"
        "        return countdown(1)\n"
        "    def b(self):\n"
        "        return countdown(2)\n",
    )
    assert "and its class attribute Base.pool is a socket" in _message(cls())


class ImportedBase:
    """A base class imported from a module: saved by name, its class attributes are not saved."""

    lock = threading.Lock()


def test_an_imported_base_class_is_not_searched(monkeypatch, sock):
    act = _main_class(
        monkeypatch,
        "Act",
        {"ImportedBase": ImportedBase},
        "class Act(ImportedBase):\n    def h(self):\n        return 1\n",
    )
    snap = _main_class(monkeypatch, "Snap", {"CONN": sock}, "class Snap:\n    pool = CONN\n")
    with pytest.raises(al.NotPicklable) as info:
        codec.dump_snapshot(act, snap(), actor_id=AID, actor_path=None, label="a")
    assert "and its class attribute Snap.pool is a socket" in str(info.value)


def test_a_notebook_class_held_by_a_class_attribute_is_searched(monkeypatch, sock):
    ns = {"CONN": sock}
    ns["Inner"] = _main_class(monkeypatch, "Inner", ns, "class Inner:\n    pool = CONN\n")
    cls = _main_class(monkeypatch, "Outer", ns, "class Outer:\n    kind = Inner\n")
    assert "and its class attribute Inner.pool is a socket" in _message(cls())


def test_a_class_attribute_whose_name_ends_in_underscores_is_searched(monkeypatch, sock):
    cls = _main_class(monkeypatch, "Trail", {"CONN": sock}, "class Trail:\n    conn__ = CONN\n")
    assert "and its class attribute Trail.conn__ is a socket" in _message(cls())


@pytest.mark.parametrize(
    "decorator", ["staticmethod", "classmethod", "property", "functools.cache"]
)
def test_a_global_of_a_wrapped_method_is_named_with_the_method(monkeypatch, sock, decorator):
    args = "" if decorator == "staticmethod" else "self"
    cls = _main_class(
        monkeypatch,
        "Wrapped",
        {"CONN": sock, "functools": functools},
        f"class Wrapped:\n    @{decorator}\n    def h({args}):\n        return CONN.fileno()\n",
    )
    assert _message(cls()) == _global_text("Wrapped", "Wrapped.h", "Wrapped")


def test_a_property_setter_is_searched(monkeypatch, sock):
    cls = _main_class(
        monkeypatch,
        "Prop",
        {"CONN": sock},
        "class Prop:\n"
        "    @property\n"
        "    def h(self):\n"
        "        return 1\n"
        "    @h.setter\n"
        "    def h(self, v):\n"
        "        CONN.send(v)\n",
    )
    assert _message(cls()) == _global_text("Prop", "Prop.h", "Prop")


def test_a_lambda_class_attribute_is_named_by_its_attribute(monkeypatch, sock):
    cls = _main_class(
        monkeypatch, "Keyed", {"CONN": sock}, "class Keyed:\n    key = lambda self: CONN.fileno()\n"
    )
    assert _message(cls()) == _global_text("Keyed", "Keyed.key", "Keyed")


def _reads_module_conn():
    return _MODULE_CONN.fileno()  # noqa: F821  (set by the test that needs it)


def test_an_imported_function_on_the_class_is_not_searched(monkeypatch, sock):
    """A function of an imported module is saved by name: what its module holds is not copied."""
    monkeypatch.setitem(globals(), "_MODULE_CONN", sock)
    cls = _main_class(
        monkeypatch,
        "Imports",
        {"CONN": sock, "reads": _reads_module_conn},
        "class Imports:\n    helper = reads\n    pool = CONN\n",
    )
    assert "its class attribute Imports.pool is a socket" in _message(cls())


def test_a_module_global_is_never_the_culprit(monkeypatch, sock):
    cls = _main_class(
        monkeypatch,
        "UsesMod",
        {"CONN": sock, "socket": socket},
        "class UsesMod:\n    def h(self):\n        return socket.socket, CONN\n",
    )
    assert _message(cls()) == _global_text("UsesMod", "UsesMod.h", "UsesMod")


def test_unlocated_code_falls_back_to_the_generic_fix(monkeypatch, sock):
    """A dunder class attribute is not searched: the text names the state and the generic fix."""
    cls = _main_class(monkeypatch, "Dunder", {"CONN": sock}, "class Dunder:\n    __conn__ = CONN\n")
    generic = RUNTIME_ARGS_FIX + "or keep it out of the saved state (__snapshot_exclude__)."
    assert _message(cls()) == (
        f"cannot snapshot Dunder: Dunder ({SOCKET_ERROR}) in actor Dunder (id {AID}). " + generic
    )
    # the saved state pickles on its own: the class saved beside it is what failed
    with pytest.raises(al.NotPicklable) as info:
        codec.dump_snapshot(cls, {"n": 1}, actor_id=AID, actor_path=None, label="b")
    assert str(info.value) == (
        f"cannot snapshot Dunder: dict ({SOCKET_ERROR}) in actor b (id {AID}). " + generic
    )


def test_the_actor_class_saved_beside_the_snapshot_is_searched(monkeypatch, sock):
    cls = _main_class(monkeypatch, "Beside", {"CONN": sock}, "class Beside:\n    pool = CONN\n")
    with pytest.raises(al.NotPicklable, match=r"its class attribute Beside\.pool is a socket"):
        codec.dump_snapshot(cls, {"n": 1}, actor_id=AID, actor_path=None, label="b")


# -- the report --------------------------------------------------------------------------------


def test_report_items_field_by_field(sock):
    report = picklability_report(Box(value=3, conn=sock, cache={"conn": sock}))
    assert report == [
        PicklabilityItem("Box.value", "int", True, None),
        PicklabilityItem("Box.conn", "socket", False, f"{SOCKET_ERROR} ({SOCKET_HINT})"),
        PicklabilityItem("Box.cache", "dict", False, SOCKET_ERROR),
        PicklabilityItem("Box.cache['conn']", "socket", False, f"{SOCKET_ERROR} ({SOCKET_HINT})"),
    ]
    assert not any(item.warning for item in report)


def test_report_of_a_dict_lists_its_values_not_its_plain_keys():
    assert picklability_report({"a": 1, 2: None}, "d") == [
        PicklabilityItem("d['a']", "int", True, None),
        PicklabilityItem("d[2]", "NoneType", True, None),
    ]


def test_report_of_slots_leaves_out_dict_and_weakref(sock):
    obj = SlotsAndDict(sock)
    obj.extra = 1
    assert [item.path for item in picklability_report(obj, "o")] == ["o.extra", "o.conn"]


def test_report_leaves_out_excluded_attributes(sock):
    assert [item.path for item in picklability_report(Excluding(sock), "e")] == ["e.other"]


def test_warnings_field_by_field():
    state = Box(ready=asyncio.Event(), none=None, aid=AID, buf=io.BytesIO())
    assert [item for item in picklability_report(state, "s") if item.warning] == [
        PicklabilityItem(
            "s.ready",
            "Event",
            True,
            "warning: an asyncio primitive is recreated empty: waiters and queued items are lost",
        ),
        PicklabilityItem(
            "s.buf",
            "BytesIO",
            True,
            "warning: an open file or stream cannot move to another process: reopen it",
        ),
    ]


@pytest.mark.parametrize(
    ("make", "hint"),
    [
        (threading.Lock, "a lock is process-local: a restored lock is a new, unlocked one"),
        (threading.RLock, "a lock is process-local: a restored lock is a new, unlocked one"),
        (threading.Condition, "a lock is process-local: a restored lock is a new, unlocked one"),
        (
            threading.Event,
            "a threading primitive is process-local: it is recreated empty, waiters are lost",
        ),
        (
            queue.Queue,
            "a threading primitive is process-local: it is recreated empty, waiters are lost",
        ),
        (lambda: (i for i in ()), "a generator/coroutine is suspended code: it cannot be saved"),
        (socket.socket, SOCKET_HINT),
    ],
)
def test_a_failing_field_carries_its_hint(make, hint):
    value = make()
    try:
        item = picklability_report(Box(v=value), "s")[0]  # (then its innermost culprit)
    finally:
        if isinstance(value, socket.socket):
            value.close()
    assert item.path == "s.v" and not item.ok and item.error.endswith(f" ({hint})")
    assert item.error.startswith("TypeError: cannot pickle")


@pytest.mark.filterwarnings("ignore::dill.PicklingWarning")
def test_an_event_loop_and_a_future_carry_their_hints():
    loop = asyncio.new_event_loop()
    try:
        item = picklability_report(Box(loop=loop), "s")[0]
        assert not item.ok and item.error.endswith(" (an event loop belongs to this process)")
        item = picklability_report(Box(fut=loop.create_future()), "s")[0]
        assert not item.ok
        assert item.error.endswith(" (a task/future is running work: it cannot be saved)")
    finally:
        loop.close()


class Idle(al.Actor):
    pass


def test_an_actor_ref_is_warned_about(al_root):
    ref = al_root.spawn(Idle())
    state = Box(ref=ref, weak=al.WeakActorRef(ref), aid=ref.id)
    report = picklability_report(state, "s")
    ref_text = (
        "an actor ref points at a live actor of this process; after a restart it may point "
        "nowhere: save the ActorId and respawn/lookup instead"
    )
    assert [item for item in report if item.warning] == [
        PicklabilityItem("s.ref", "ActorRef", True, "warning: " + ref_text)
    ]
    [weak] = [item for item in report if item.path == "s.weak"]
    assert not weak.ok and weak.error.endswith(f" ({ref_text})")


def test_a_shared_value_is_warned_about_once_and_the_walk_goes_on():
    ev, other = asyncio.Event(), asyncio.Lock()
    state = Box(a=[ev, ev, other])
    state.me = state
    warned = [item.path for item in picklability_report(state, "s") if item.warning]
    assert warned == ["s.a[0]", "s.a[2]"]


def _nested(depth: int, leaf):
    value = leaf
    for _ in range(depth):
        value = [value]
    return value


def test_warnings_reach_exactly_64_levels_down():
    ev = asyncio.Event()
    at_64 = [i.path for i in picklability_report(Box(x=_nested(63, ev)), "s") if i.warning]
    assert at_64 == ["s.x" + "[0]" * 63]  # s is level 0, s.x level 1
    at_65 = [i.path for i in picklability_report(Box(x=_nested(64, ev)), "s") if i.warning]
    assert at_65 == []


def test_warnings_stop_after_20000_parts():
    plain = [object() for _ in range(19_997)]  # with s and s.x: 19_999 parts before the events
    state = Box(x=[*plain, asyncio.Event(), asyncio.Event()])
    warned = [item.path for item in picklability_report(state, "s") if item.warning]
    assert warned == ["s.x[19997]"]
