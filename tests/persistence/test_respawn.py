"""spawn_persistent / respawn / respawn_or / save_snapshot on a live runtime (theta's tests and
the fallback paths), DuplicateActorId, PersistentActor with RuntimeArgs, snapshot=T."""

from __future__ import annotations

import asyncio
import logging

import pytest

import actorlab as al
from actorlab.persistence import codec, format

from .actors import (
    Connection,
    Counter,
    Db,
    GetCount,
    GetCounter,
    Increment,
    Manager,
    ManagerArgs,
    Other,
    Plain,
    Save,
    SaveSync,
)

LOG = "actorlab.persistence"


@pytest.fixture(params=["file", "memory", "sqlite"])
def store(request, tmp_path):
    return {
        "file": lambda: al.FileStorage(tmp_path / "snaps"),
        "memory": al.MemoryStorage,
        "sqlite": lambda: al.SQLiteStorage(tmp_path / "snaps.db"),
    }[request.param]()


def test_simple_persistent_actor(al_root, store):
    """theta test_simple_persistent_actor: the saved count comes back after a respawn."""
    aid = al.ActorId.from_name("simple")
    c = al_root.spawn_persistent_sync(store, aid, Counter(5))
    assert c.id == aid and c.ask_sync(GetCount()) == 5
    assert c.ask_sync(Increment(10)) == 15
    c.stop()
    again = al_root.respawn_sync(store, aid)
    assert again.id == aid and again.actor_type is Counter
    assert again.ask_sync(GetCount()) == 15


def test_async_forms_from_a_foreign_event_loop(al_root, store):
    """As in a notebook cell with top-level await: the cell's loop is not the runtime's."""
    aid = al.ActorId.from_name("async")

    async def cell():
        c = await al_root.spawn_persistent(store, aid, Counter(1))
        assert await c.ask(Increment(1)) == 2
        await c.stop_async()
        again = await al_root.respawn(store, aid)
        assert await again.ask(GetCount()) == 2
        await al_root.save_snapshot(again)
        await again.stop_async()
        third = await al_root.respawn_or(store, aid, None, lambda: Counter(100))
        return await third.ask(GetCount())

    assert asyncio.run(cell()) == 2


def test_respawn_or_without_snapshot_uses_default_args_and_logs_at_debug(al_root, store, caplog):
    """theta test_respawn_or_fallback."""
    caplog.set_level(logging.DEBUG, logger=LOG)
    aid = al.ActorId.from_name("fallback")
    called = []
    ref = al_root.respawn_or_sync(
        store, aid, runtime_args=lambda: called.append("runtime"), default_args=lambda: Counter(100)
    )
    assert ref.ask_sync(GetCount()) == 100 and ref.id == aid
    assert called == []  # runtime_args is not called on the fallback path
    [rec] = [r for r in caplog.records if r.name == LOG]
    assert rec.levelno == logging.DEBUG
    assert rec.getMessage().startswith(
        f"respawn_or: failed to read the snapshot of Counter({aid}) from {store!r} "
        f"(no snapshot for actor id {aid}"
    )
    assert rec.getMessage().endswith("; starting it from default_args")


def test_respawn_or_with_a_snapshot_does_not_call_default_args(al_root, store):
    aid = al.ActorId.from_name("loaded")
    al_root.spawn_persistent_sync(store, aid, Counter(7)).ask_sync(Save())
    al.shutdown()
    root = al.root()

    def default() -> Counter:  # the annotation tells the expected class without a call
        raise AssertionError("default_args must not be called")

    ref = root.respawn_or_sync(store, aid, runtime_args=lambda: None, default_args=default)
    assert ref.ask_sync(GetCount()) == 7


def _saved(root, store, aid, actor) -> bytes:
    ref = root.spawn_persistent_sync(store, aid, actor)
    root.save_snapshot_sync(ref)
    ref.stop()
    return store.read(aid)


def _decode_fallback(root, store, aid, caplog, default=lambda: Counter(100)):
    caplog.set_level(logging.DEBUG, logger=LOG)
    caplog.clear()
    ref = root.respawn_or_sync(store, aid, None, default)
    assert ref.ask_sync(GetCount()) == 100
    [rec] = [r for r in caplog.records if r.name == LOG]
    assert rec.levelno == logging.WARNING
    return rec.getMessage()


def test_respawn_or_corrupt_snapshot_warns_and_uses_default_args(al_root, store, caplog):
    aid = al.ActorId.from_name("corrupt")
    data = bytearray(_saved(al_root, store, aid, Counter(3)))
    data[-3] ^= 0xFF
    store.write(aid, bytes(data))
    text = _decode_fallback(al_root, store, aid, caplog)
    assert text.startswith(f"respawn_or: failed to decode the snapshot of Counter({aid}): ")
    assert "corrupt payload (SHA-256 mismatch)" in text
    assert text.endswith("-- starting it from default_args instead")


def test_respawn_or_truncated_snapshot_warns(al_root, store, caplog):
    aid = al.ActorId.from_name("truncated")
    store.write(aid, _saved(al_root, store, aid, Counter(3))[:-20])
    assert "the payload is truncated" in _decode_fallback(al_root, store, aid, caplog)


def test_respawn_or_snapshot_of_another_class_warns(al_root, store, caplog):
    aid = al.ActorId.from_name("other-class")
    _saved(al_root, store, aid, Other())
    # a default given as a value (not a callable) tells respawn_or which class to expect
    text = _decode_fallback(al_root, store, aid, caplog, default=Counter(100))
    assert f"failed to decode the snapshot of Counter({aid})" in text
    assert "it holds a persistence.actors.Other, not Counter" in text


@pytest.mark.parametrize("form", ["lambda", "partial", "annotated", "args_lambda"])
def test_respawn_or_callable_default_checks_the_class(al_root, store, caplog, form):
    """The form API.md shows (``default_args=lambda: Counter(0)``) checks the snapshot's class
    like the value form, without calling the callable first."""
    import functools

    aid = al.ActorId.from_name("other-class-callable")
    _saved(al_root, store, aid, Other())
    calls = []

    def annotated() -> Counter:
        calls.append(1)
        return Counter(100)

    class CounterArgs(al.ActorArgs[Counter]):
        def initialize(self, ctx: al.Context) -> Counter:
            return Counter(100)

    default = {
        "lambda": lambda: calls.append(1) or Counter(100),
        "partial": functools.partial(Counter, 100),
        "annotated": annotated,
        "args_lambda": lambda: calls.append(1) or CounterArgs(),
    }[form]
    text = _decode_fallback(al_root, store, aid, caplog, default=default)
    assert f"failed to decode the snapshot of Counter({aid})" in text
    assert "it holds a persistence.actors.Other, not Counter" in text
    assert len(calls) == (0 if form == "partial" else 1)  # called once, for the fallback


def test_respawn_or_callable_default_of_the_right_class_is_not_called(al_root, store):
    aid = al.ActorId.from_name("lazy")
    al_root.spawn_persistent_sync(store, aid, Counter(7)).ask_sync(Save())
    al.shutdown()
    root = al.root()

    def never():
        raise AssertionError("default_args must not be called")

    ref = root.respawn_or_sync(store, aid, None, lambda: never() or Counter(0))
    assert ref.ask_sync(GetCount()) == 7


def test_respawn_or_opaque_callable_is_called_once_to_learn_the_class(al_root, store, caplog):
    """A factory whose class cannot be told from its code is called first (once), and its
    result is the fallback: still checked, never built twice."""
    aid = al.ActorId.from_name("opaque")
    _saved(al_root, store, aid, Other())
    built = []

    def make():
        built.append(1)
        return Counter(100)

    text = _decode_fallback(al_root, store, aid, caplog, default=lambda: make())
    assert "it holds a persistence.actors.Other, not Counter" in text
    assert built == [1]


def test_respawn_or_async_callable_default_checks_the_class(al_root, store):
    aid = al.ActorId.from_name("other-class-async")
    _saved(al_root, store, aid, Other())

    async def cell():
        return await al_root.respawn_or(store, aid, None, lambda: Counter(100))

    ref = asyncio.run(cell())
    assert ref.actor_type is Counter and ref.ask_sync(GetCount()) == 100


def test_respawn_or_snapshot_whose_class_is_gone_warns(al_root, store, caplog, monkeypatch):
    from . import actors

    aid = al.ActorId.from_name("gone")
    _saved(al_root, store, aid, Other())
    monkeypatch.delattr(actors, "Other")
    text = _decode_fallback(al_root, store, aid, caplog)
    assert "unpickling failed (AttributeError" in text and "Other" in text


def test_respawn_or_hmac_mismatch_warns(al_root, store, caplog, monkeypatch):
    aid = al.ActorId.from_name("signed")
    monkeypatch.setenv("ACTORLAB_SNAPSHOT_KEY", "one")
    _saved(al_root, store, aid, Counter(3))
    monkeypatch.setenv("ACTORLAB_SNAPSHOT_KEY", "two")
    assert "HMAC mismatch" in _decode_fallback(al_root, store, aid, caplog)


def test_respawn_or_storage_failure_warns(al_root, caplog):
    class Broken:
        async def try_read(self, actor_id):
            raise OSError(13, "Permission denied")

        async def try_write(self, actor_id, data):
            raise OSError(13, "Permission denied")

        def __repr__(self):
            return "Broken()"

    caplog.set_level(logging.DEBUG, logger=LOG)
    aid = al.ActorId.from_name("broken")
    ref = al_root.respawn_or_sync(Broken(), aid, None, Counter(100))
    assert ref.ask_sync(GetCount()) == 100
    [rec] = [r for r in caplog.records if r.name == LOG]
    assert rec.levelno == logging.WARNING
    assert rec.getMessage() == (
        f"respawn_or: failed to read the snapshot of Counter({aid}) from Broken() "
        "([Errno 13] Permission denied); starting it from default_args"
    )


def test_respawn_is_strict(al_root, store):
    aid = al.ActorId.from_name("strict")
    with pytest.raises(al.SnapshotNotFound, match=f"no snapshot for actor id {aid}"):
        al_root.respawn_sync(store, aid)
    store.write(aid, b"garbage")
    with pytest.raises(al.SnapshotError, match="not an actorlab snapshot"):
        al_root.respawn_sync(store, aid)
    assert al.inspect() == []


def test_respawn_checks_actor_type(al_root, store):
    aid = al.ActorId.from_name("typed")
    _saved(al_root, store, aid, Other())
    with pytest.raises(al.SnapshotError, match="holds a persistence.actors.Other, not Counter"):
        al_root.respawn_sync(store, aid, actor_type=Counter)


def test_duplicate_live_id_is_refused(al_root, store):
    aid = al.ActorId.from_name("dup")
    first = al_root.spawn_persistent_sync(store, aid, Counter(1))
    first.ask_sync(Save())
    with pytest.raises(al.DuplicateActorId, match=f"actor id {aid} is already used by the live"):
        al_root.spawn_persistent_sync(store, aid, Counter(2))
    with pytest.raises(al.DuplicateActorId):
        al_root.respawn_sync(store, aid)
    with pytest.raises(al.DuplicateActorId):
        al_root.respawn_or_sync(store, aid, None, Counter(0))
    first.stop()
    assert al_root.respawn_sync(store, aid).ask_sync(GetCount()) == 1


def test_non_persistent_actor_is_refused_with_the_fix(al_root, store):
    with pytest.raises(TypeError, match=r"Plain is not persistent.*snapshot=True"):
        al_root.spawn_persistent_sync(store, al.ActorId.from_name("p"), Plain())


def test_manager_with_persistent_children(al_root, tmp_path, monkeypatch):
    """theta test_manager_with_persistent_children, with the default storage."""
    monkeypatch.chdir(tmp_path)
    ids = {"c1": al.ActorId.from_name("c1"), "c2": al.ActorId.from_name("c2")}
    for key, value in (("c1", 10), ("c2", 20)):
        c = al_root.spawn_persistent_sync(None, ids[key], Counter(value))
        c.ask_sync(Save())
        c.stop()
    mid = al.ActorId.from_name("manager")
    m = al_root.spawn_persistent_sync(None, mid, ManagerArgs("cfg", ids))
    c1, c2 = m.ask_sync(GetCounter("c1")), m.ask_sync(GetCounter("c2"))
    assert (c1.id, c2.id) == (ids["c1"], ids["c2"])
    assert (c1.ask_sync(GetCount()), c2.ask_sync(GetCount())) == (10, 20)
    assert al_root.children == [m] and set(m.info().children) == set(ids.values())
    # the Manager's snapshot is ManagerArgs (snapshot=T): ids, not refs
    header = al_root.save_snapshot_sync(m)
    assert header.actor_class == "persistence.actors.Manager"
    m.stop()
    loaded = al.load_snapshot(None, mid)
    assert loaded.actor_type is Manager and loaded.state == ManagerArgs("cfg", ids)
    again = al_root.respawn_sync(None, mid)
    assert again.ask_sync(GetCounter("c2")).ask_sync(GetCount()) == 20


def test_persistent_actor_with_runtime_args(al_root, store):
    aid = al.ActorId.from_name("db")
    db = al_root.spawn_persistent_sync(store, aid, Db({"a": 1}, Connection("first")))
    al_root.save_snapshot_sync(db)
    db.stop()
    assert al.load_snapshot(store, aid).fields() == {"rows": {"a": 1}, "conn": None}
    again = al_root.respawn_sync(store, aid, runtime_args=Connection("second"))
    assert again.ask_sync(GetCount()) == ({"a": 1}, "second")


def test_snapshot_flag_refuses_runtime_args(al_root, store):
    aid = al.ActorId.from_name("noargs")
    _saved(al_root, store, aid, Counter(1))
    with pytest.raises(TypeError, match=r"Counter takes no runtime args .*persistent_args"):
        al_root.respawn_sync(store, aid, runtime_args="conn")


def test_save_snapshot_sync_in_a_sync_handler(al_root, store):
    aid = al.ActorId.from_name("sync-save")
    c = al_root.spawn_persistent_sync(store, aid, Counter(4))
    assert c.ask_sync(SaveSync()) == 4
    assert al.load_snapshot(store, aid).state.count == 4


def test_save_records_an_event_and_the_time(al_root, store):
    aid = al.ActorId.from_name("event")
    c = al_root.spawn_persistent_sync(store, aid, Counter(0))
    assert c.info().last_snapshot_at is None and c.info().persistent
    c.ask_sync(Increment(1))
    assert c.info().last_snapshot_at is not None
    [ev] = [e for e in al.events() if e.kind == "snapshot"]
    assert ev.dst == aid and ev.msg_type == "Counter" and str(store.__class__.__name__) in ev.detail


def test_saves_land_in_call_order(al_root, store):
    aid = al.ActorId.from_name("order")
    c = al_root.spawn_persistent_sync(store, aid, Counter(0))
    for _ in range(30):
        c.tell(Increment(1))
    assert c.ask_sync(GetCount()) == 30
    assert al.load_snapshot(store, aid).state.count == 30
    if isinstance(store, al.SQLiteStorage):
        counts = [al.load_snapshot(store, aid, version=v).state.count for v in store.versions(aid)]
        assert counts == list(range(1, 31))


def test_save_snapshot_of_unpicklable_state_names_the_attribute(al_root, store):
    import socket

    aid = al.ActorId.from_name("sock")
    c = al_root.spawn_persistent_sync(store, aid, Counter(0))
    sock = socket.socket()
    try:
        al.root().runtime.call(lambda: setattr(c._live().actor, "conn", {"s": sock}))
        with pytest.raises(
            al.NotPicklable,
            match=r"cannot snapshot Counter\.conn\['s'\]: socket .* in actor Counter#\w+ \(id ",
        ):
            al_root.save_snapshot_sync(c)
    finally:
        sock.close()


def test_save_uses_the_storage_the_actor_was_spawned_from(al_root, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    mem = al.MemoryStorage()
    aid = al.ActorId.from_name("where")
    al_root.spawn_persistent_sync(mem, aid, Counter(1)).ask_sync(Save())
    assert mem.ids() == [aid] and al.default_storage().ids() == []
    plain = al_root.spawn(Counter(2))  # not spawned persistently: the default storage
    plain.ask_sync(Save())
    assert al.default_storage().ids() == [plain.id]


def test_header_names_the_actor_path(al_root, store):
    aid = al.ActorId.from_name("path")
    c = al_root.spawn_persistent_sync(store, aid, Counter(1), name="counter")
    h = al_root.save_snapshot_sync(c)
    assert h.raw["actor"]["path"] == "/counter" and h.actor_id == str(aid)
    assert format.read_header(store.read(aid)).actor_class == "persistence.actors.Counter"


def test_sync_save_queues_behind_a_write_in_flight(al_root):
    """A sync handler's save while an earlier save of the same actor is still being written:
    the new one is queued behind it, so the newest state is what stays stored."""
    import threading

    from actorlab.testing import wait_until

    from .actors import Tally

    class Gated(al.MemoryStorage):
        def __init__(self):
            super().__init__()
            self.entered, self.gate, self.written = threading.Event(), threading.Event(), []

        async def try_write(self, actor_id, data):
            self.entered.set()
            await asyncio.to_thread(self.gate.wait)
            self.written.append(codec.load_snapshot(data)[2].count)
            self.write(actor_id, data)

    store = Gated()
    aid = al.ActorId.from_name("gated")
    ref = al_root.spawn_persistent_sync(store, aid, Tally(0))
    first = threading.Thread(target=al_root.save_snapshot_sync, args=(ref,))
    first.start()
    assert store.entered.wait(5)
    ref.ask_sync(Increment(5))
    assert ref.ask_sync(SaveSync()) == 5  # returns at once: its write is queued
    assert store.written == []
    store.gate.set()
    first.join(5)
    wait_until(lambda: len(store.written) == 2, what="both writes")
    assert store.written == [0, 5] and al.load_snapshot(store, aid).state.count == 5
