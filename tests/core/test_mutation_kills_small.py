"""Tests that kill mutants of the small core modules (``make mutation``): ``ids`` (the text,
order, copies and pickling of an actor id), ``reprs`` (cut and failing reprs), ``display``
(objects shown with and without a renderer) and ``events`` (the ring, its listeners and its
message-event counter)."""

from __future__ import annotations

import copy
import pickle
import uuid

import pytest

import actorlab as al
from actorlab import display, reprs
from actorlab.events import EventRing
from actorlab.ids import ActorId

from .actors import Counter, Get


# -- ids ---------------------------------------------------------------------------------------------
def test_from_name_refuses_what_is_no_name():
    for bad in ("", None, 3):
        with pytest.raises(ValueError) as info:
            ActorId.from_name(bad)
        assert str(info.value) == f"ActorId.from_name needs a non-empty string, got {bad!r}"


def test_from_name_is_a_uuid5_in_actorlabs_namespace():
    aid = ActorId.from_name("db")
    namespace = uuid.UUID("6f1d3c1e-8a4b-5c2d-9e0f-a1b2c3d4e5f6")
    assert aid.uuid == uuid.uuid5(namespace, "db") and aid.uuid.version == 5
    assert str(aid) == str(uuid.uuid5(namespace, "db"))


def test_an_id_from_a_bad_string_says_how_to_derive_one():
    with pytest.raises(ValueError) as info:
        ActorId("db")
    assert str(info.value) == (
        "'db' is not an actor id (a UUID string); "
        "use ActorId.from_name('db') for a stable id derived from a name"
    )
    assert info.value.__cause__ is None and info.value.__suppress_context__


def test_an_id_from_an_id_a_uuid_or_its_text_is_the_same_id():
    a = ActorId.new()
    for again in (ActorId(a), ActorId(a.uuid), ActorId(str(a)), ActorId(str(a).upper())):
        assert again == a and hash(again) == hash(a) and again.uuid == a.uuid


def test_new_ids_are_random_version_4_uuids():
    ids = [ActorId.new() for _ in range(50)]
    assert len(set(ids)) == 50
    for aid in ids:
        u = aid.uuid
        assert u.version == 4 and u.variant == uuid.RFC_4122
        assert str(aid) == str(u) and aid == ActorId(u) and hash(aid) == hash(ActorId(u))


def test_the_text_of_an_id():
    u = uuid.UUID("0123abcd-4567-89ef-0123-456789abcdef")
    aid = ActorId(u)
    assert str(aid) == "0123abcd-4567-89ef-0123-456789abcdef"
    assert repr(aid) == "ActorId('0123abcd-4567-89ef-0123-456789abcdef')"
    assert aid.short == "0123abcd"
    small = ActorId(uuid.UUID(int=5))  # leading zeros kept
    assert str(small) == "00000000-0000-0000-0000-000000000005" and small.short == "00000000"
    assert ActorId._of_int(u.int) == aid and str(ActorId._of_int(u.int)) == str(aid)
    assert ActorId._of_int(u.int).uuid == u and hash(ActorId._of_int(u.int)) == hash(aid)


def test_ids_are_equal_by_value_only_and_ordered_by_number():
    a, b = ActorId(uuid.UUID(int=1)), ActorId(uuid.UUID(int=2))
    assert a < b and not b < a and not a < ActorId(uuid.UUID(int=1))
    assert sorted([b, a]) == [a, b]
    assert a == ActorId(uuid.UUID(int=1)) and a != b
    assert a != uuid.UUID(int=1) and a != 1  # another type is never equal


def test_an_id_copies_to_itself_and_pickles_by_its_text():
    a = ActorId.new()
    assert copy.copy(a) is a and copy.deepcopy(a) is a
    assert copy.deepcopy({"id": a})["id"] is a
    assert pickle.loads(pickle.dumps(a)) == a
    assert a.__reduce__() == (ActorId, (str(a),))


# -- reprs -------------------------------------------------------------------------------------------
class _BadRepr:
    def __repr__(self):
        raise RuntimeError("no repr")


class _BadStr(Exception):
    def __str__(self):
        raise RuntimeError("no str")


def test_short_repr_cuts_at_the_limit_with_an_ellipsis():
    assert reprs.short_repr("x" * 118) == repr("x" * 118)  # 120 characters: whole
    cut = reprs.short_repr("x" * 119)  # 121: cut to 120
    assert len(cut) == 120 and cut == repr("x" * 119)[:119] + "…"
    assert reprs.short_repr(12345, limit=5) == "12345"
    assert reprs.short_repr(123456, limit=5) == "1234…"


def test_short_repr_of_an_unrepresentable_object():
    assert reprs.short_repr(_BadRepr()) == "<unrepresentable _BadRepr: no repr>"
    assert reprs.short_repr(_BadRepr(), limit=10) == "<unrepres…"


def test_error_text_of_an_exception_whose_str_raises():
    assert reprs.error_text(ValueError("plain")) == "plain"
    assert reprs.error_text(_BadStr()) == "<str() of _BadStr raised RuntimeError>"


def test_preview_repr_abbreviates_and_never_raises():
    assert reprs.preview_repr(list(range(20))) == repr(list(range(10)))[:-1] + ", ...]"
    fake_dict = type("dict", (), {})()  # reprlib takes it for a dict by its name: len() fails
    assert reprs.preview_repr(fake_dict) == "<repr failed: TypeError>"


def test_state_fields_leave_out_the_runtimes_attributes():
    class Plain:
        pass

    p = Plain()
    assert reprs.state_fields(p) == {} and reprs.state_fields(3) == {}
    p.a, p._al_cell, p._private = 1, "cell", [1, 2]
    assert reprs.state_fields(p) == {"a": 1, "_private": [1, 2]}
    assert reprs.state_preview(p) == {"a": "1", "_private": "[1, 2]"}


# -- display -------------------------------------------------------------------------------------------
@pytest.fixture
def renderer():
    before = display._renderer
    yield display.set_renderer
    display.set_renderer(before)


def test_without_a_renderer_objects_show_their_repr(al_root, renderer):
    c = al_root.spawn(Counter(), name="shown")
    renderer(None)
    assert c._repr_mimebundle_() == {"text/plain": repr(c)}
    assert c._repr_mimebundle_(include={"text/html"}, exclude=None) == {"text/plain": repr(c)}
    assert c.__rich__() == repr(c)


def test_a_renderer_draws_objects_with_the_arguments_given(al_root, renderer):
    calls = []

    class Fake:
        def mimebundle(self, obj, include, exclude):
            calls.append(("mime", obj, include, exclude))
            return {"text/html": "<b>x</b>"}

        def rich(self, obj):
            calls.append(("rich", obj))
            return "rich!"

    c = al_root.spawn(Counter(), name="drawn")
    renderer(Fake())
    assert c._repr_mimebundle_({"a"}, {"b"}) == {"text/html": "<b>x</b>"}
    assert c._repr_mimebundle_() == {"text/html": "<b>x</b>"}
    assert c.__rich__() == "rich!"
    assert calls == [("mime", c, {"a"}, {"b"}), ("mime", c, None, None), ("rich", c)]


# -- events ------------------------------------------------------------------------------------------
def test_the_ring_keeps_the_newest_rows_numbered_from_one():
    ticks = iter(range(100, 200))
    ring = EventRing(capacity=3, clock=lambda: next(ticks))
    a, b = ActorId.new(), ActorId.new()
    for i in range(5):
        ring.emit("spawn", a, b, f"T{i}", f"r{i}", i, i + 10, f"d{i}")
    evs = ring.snapshot()
    assert [e.seq for e in evs] == [3, 4, 5]
    e = evs[0]
    assert (e.t, e.kind, e.src, e.dst, e.msg_type, e.msg_repr, e.corr_id, e.ask_id, e.detail) == (
        102,
        "spawn",
        a,
        b,
        "T2",
        "r2",
        2,
        12,
        "d2",
    )
    assert isinstance(e.src, ActorId) and str(e.src) == str(a) and hash(e.dst) == hash(b)
    ring.emit("stop", None, None)
    last = ring.snapshot()[-1]
    assert (
        last.src,
        last.dst,
        last.msg_type,
        last.msg_repr,
        last.corr_id,
        last.ask_id,
        last.detail,
    ) == (None, None, None, None, None, None, None)
    ring.clear()
    assert ring.snapshot() == []
    ring.emit("stop", a, None)
    assert [e.seq for e in ring.snapshot()] == [7]  # numbering goes on after a clear


def test_listeners_get_each_event_and_unsubscribe_once():
    ring = EventRing(clock=lambda: 1.5)
    a = ActorId.new()
    seen, lifecycle_only = [], []
    off = ring.subscribe(seen.append)
    off_quiet = ring.subscribe(lifecycle_only.append, messages=False)
    assert ring.message_events == 1  # only the listener that asked for message events
    ring.emit("tell", None, a, "Get", "Get()", 7, None, None)
    assert seen == lifecycle_only == ring.snapshot()
    ev = seen[0]
    assert (ev.seq, ev.t, ev.kind, ev.src, ev.dst, ev.msg_type, ev.msg_repr, ev.corr_id) == (
        1,
        1.5,
        "tell",
        None,
        a,
        "Get",
        "Get()",
        7,
    )
    assert ev.dst is a  # listeners get the ids as emitted
    off()
    off()  # a second call changes nothing
    assert ring.message_events == 0
    ring.emit("stop", a, None)
    assert len(seen) == 1 and len(lifecycle_only) == 2
    off_quiet()
    off_quiet()
    assert ring.message_events == 0
    ring.emit("stop", a, None)
    assert len(lifecycle_only) == 2


def test_the_runtimes_events_carry_actor_ids(al_root):
    c = al_root.spawn(Counter(), name="c")
    c.ask_sync(Get())
    (spawn,) = [e for e in al.events() if e.kind == "spawn"]
    assert spawn.dst == c.id and spawn.src is None and spawn.msg_type == "Counter"


def test_listeners_get_the_events_source_and_detail():
    ring = EventRing(clock=lambda: 2.0)
    a, b = ActorId.new(), ActorId.new()
    seen = []
    ring.subscribe(seen.append, messages=False)
    ring.emit("fail", a, b, "T", "r", 1, 2, "ValueError: x")
    (ev,) = seen
    assert (ev.src, ev.dst, ev.ask_id, ev.detail) == (a, b, 2, "ValueError: x")
    assert ev == ring.snapshot()[0]


def test_two_message_listeners_keep_message_events_on_until_both_leave():
    ring = EventRing()
    off_a = ring.subscribe(lambda e: None)
    off_b = ring.subscribe(lambda e: None)
    assert ring.message_events == 2
    off_a()
    assert ring.message_events == 1  # the other one still wants message events
    off_b()
    assert ring.message_events == 0
