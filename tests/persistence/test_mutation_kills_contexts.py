"""Tests that kill mutants of ``persistence.contexts`` (``make mutation``): what the persistence
methods of the contexts pass on (storage, name, autosave, actor_type, runtime_args, placement) in
their async and ``_sync`` forms, saves of an actor living in another process, and the errors a
user reads (a storage class for an instance, a failed read, no default_args)."""

from __future__ import annotations

import asyncio
import concurrent.futures
import logging
from dataclasses import dataclass
from typing import Any

import pytest

import actorlab as al
from actorlab import transport as transport_mod

from .actors import Connect, Connection, Counter, Db, GetCount, Increment, Other, Tally

LOG = "actorlab.persistence"
PLACED: Any = object()  # the ref the fake cluster hands back for an actor it started
HEADER: Any = object()  # the header the fake cluster hands back for a save it ran


class FakeCluster:
    """A transport that records what it is asked to start or save elsewhere."""

    home = None

    def __init__(self, saves_elsewhere: bool = False) -> None:
        self.spawned: list[dict[str, Any]] = []
        self.saves: list[tuple[Any, Any]] = []
        self.saves_elsewhere = saves_elsewhere

    def spawn_persistent(self, parent, args, name, placement, actor_id, storage, autosave):
        self.spawned.append(
            {
                "parent": parent,
                "args": args,
                "name": name,
                "placement": placement,
                "actor_id": actor_id,
                "storage": storage,
                "autosave": autosave,
            }
        )
        return PLACED

    def save_snapshot(self, ref, storage):
        self.saves.append((ref, storage))
        if not self.saves_elsewhere:
            return None
        fut: concurrent.futures.Future[Any] = concurrent.futures.Future()
        fut.set_result(HEADER)
        return fut

    def spawn(self, parent, args, name, placement):
        raise AssertionError("a persistent actor is started with spawn_persistent")

    def resolve(self, actor_id, home, class_key):
        return None

    def lookup(self, name):
        return None

    def infos(self):
        return []

    def shutdown(self, timeout):
        pass


@pytest.fixture
def cluster(monkeypatch):
    fake = FakeCluster()
    monkeypatch.setattr(transport_mod, "_transport", fake)
    return fake


class Broken:
    """A storage whose reads and writes fail (permissions)."""

    async def try_read(self, actor_id):
        raise OSError(13, "Permission denied")

    async def try_write(self, actor_id, data):
        raise OSError(13, "Permission denied")

    def __repr__(self) -> str:
        return "Broken()"


FORMS = ["respawn", "respawn_sync", "respawn_or", "respawn_or_sync"]


def respawn(root, form: str, store, aid, runtime_args=None, default_args=None, **kw):
    """``root.<form>(...)``; the async forms awaited in a loop of their own (a notebook cell)."""
    if form.startswith("respawn_or"):
        args: tuple[Any, ...] = (store, aid, runtime_args, default_args)
    else:
        args = (store, aid, runtime_args)
    if form.endswith("_sync"):
        return getattr(root, form)(*args, **kw)

    async def cell():
        return await getattr(root, form)(*args, **kw)

    return asyncio.run(cell())


def saved_db(root, store, aid, rows=None):
    db = root.spawn_persistent_sync(store, aid, Db(rows or {"a": 1}, Connection("first")))
    root.save_snapshot_sync(db)
    db.stop()


def saved_tally(root, store, aid, count):
    ref = root.spawn_persistent_sync(store, aid, Tally(count))
    root.save_snapshot_sync(ref)
    ref.stop()


# --- spawning and respawning on a cluster (placement=) ---------------------------------------


@pytest.mark.parametrize("form", ["spawn_persistent", "spawn_persistent_sync"])
def test_spawn_persistent_with_placement_hands_every_argument_to_the_cluster(
    al_root, cluster, form
):
    store, aid, policy = al.MemoryStorage(), al.ActorId.from_name("placed"), al.OnStop()
    call = getattr(al_root, form)
    kw = {"name": "placed", "autosave": policy, "placement": "gpu"}
    if form.endswith("_sync"):
        ref = call(store, aid, Counter(3), **kw)
    else:
        ref = asyncio.run(call(store, aid, Counter(3), **kw))
    assert ref is PLACED and al.inspect() == []  # started there, not here
    [got] = cluster.spawned
    args = got.pop("args")
    assert type(args) is Counter and args.count == 3
    assert got == {
        "parent": al_root._parent_cell(),
        "name": "placed",
        "placement": "gpu",
        "actor_id": aid,
        "storage": store,
        "autosave": policy,
    }


@pytest.mark.parametrize("form", FORMS)
def test_respawn_with_placement_ships_the_loaded_actor_with_every_argument(al_root, cluster, form):
    """The snapshot is read and decoded here (with this run's runtime args), then started on
    the cluster with the name, id, storage and autosave policy of the call."""
    store, aid, policy = al.MemoryStorage(), al.ActorId.from_name("shipped"), al.OnStop()
    saved_db(al_root, store, aid)
    ref = respawn(
        al_root,
        form,
        store,
        aid,
        Connection("second"),
        Db({}, Connection("default")),
        name="shipped",
        autosave=policy,
        actor_type=Db,
        placement="gpu",
    )
    assert ref is PLACED and al.inspect() == []
    [got] = cluster.spawned
    args = got.pop("args")
    assert type(args) is Db and args.rows == {"a": 1} and args.conn.dsn == "second"
    assert got == {
        "parent": al_root._parent_cell(),
        "name": "shipped",
        "placement": "gpu",
        "actor_id": aid,
        "storage": store,
        "autosave": policy,
    }


@pytest.mark.parametrize("form", ["respawn_or", "respawn_or_sync"])
def test_respawn_or_with_placement_and_no_snapshot_ships_the_default(al_root, cluster, form):
    store, aid = al.MemoryStorage(), al.ActorId.from_name("shipped-default")
    default = Db({"d": 4}, Connection("default"))
    ref = respawn(al_root, form, store, aid, None, default, name="d", placement="gpu")
    assert ref is PLACED
    [got] = cluster.spawned
    assert got["args"] is default and got["name"] == "d" and got["placement"] == "gpu"


@pytest.mark.parametrize("form", ["respawn", "respawn_sync"])
def test_respawn_with_placement_checks_actor_type_before_shipping(al_root, cluster, form):
    store, aid = al.MemoryStorage(), al.ActorId.from_name("shipped-typed")
    saved_db(al_root, store, aid)
    with pytest.raises(al.SnapshotError, match="holds a persistence.actors.Db, not Other"):
        respawn(al_root, form, store, aid, Connection("x"), actor_type=Other, placement="gpu")
    assert cluster.spawned == []


@pytest.mark.parametrize("form", ["respawn_or", "respawn_or_sync"])
def test_respawn_or_with_placement_and_another_actor_type_ships_the_default(
    al_root, cluster, form, caplog
):
    store, aid = al.MemoryStorage(), al.ActorId.from_name("shipped-other")
    saved_db(al_root, store, aid)
    default = Db({"d": 4}, Connection("default"))
    respawn(al_root, form, store, aid, Connection("x"), default, actor_type=Other, placement="g")
    [got] = cluster.spawned
    assert got["args"] is default
    assert "holds a persistence.actors.Db, not Other" in caplog.text


@pytest.mark.parametrize("form", ["spawn_persistent_sync", *FORMS])
def test_placement_without_a_cluster_says_to_connect_one(al_root, form):
    store, aid = al.MemoryStorage(), al.ActorId.from_name("nowhere")
    saved_tally(al_root, store, aid, 1)
    with pytest.raises(al.ActorlabError) as caught:
        if form == "spawn_persistent_sync":
            al_root.spawn_persistent_sync(store, aid, Tally(1), placement="gpu")
        else:
            respawn(al_root, form, store, aid, None, Tally(0), placement="gpu")
    assert str(caught.value) == (
        f"starting Tally ({aid}) with placement='gpu' needs a cluster, and none is connected. "
        'Fix: call al.cluster.connect() first (pip install "actorlab[ray]"), or drop '
        "placement= to start it here"
    )
    assert al.inspect() == []


# --- what a local respawn passes on ----------------------------------------------------------


@pytest.mark.parametrize("form", FORMS)
def test_a_respawn_here_gets_its_name_and_autosave_policy(al_root, form):
    store, aid = al.MemoryStorage(), al.ActorId.from_name("named")
    saved_tally(al_root, store, aid, 5)
    ref = respawn(al_root, form, store, aid, None, Tally(0), name="again", autosave=al.OnStop())
    assert ref.name == "again" and al.lookup("again") == ref
    assert ref.ask_sync(Increment(2)) == 7  # from the snapshot, not the default
    ref.stop()  # OnStop saves the change
    assert al.load_snapshot(store, aid).state.count == 7


@pytest.mark.parametrize("form", FORMS)
def test_a_respawn_here_passes_the_runtime_args_on(al_root, form):
    store, aid = al.MemoryStorage(), al.ActorId.from_name("runtime-args")
    saved_db(al_root, store, aid)
    ref = respawn(al_root, form, store, aid, Connection("second"), Db({}, None))
    assert ref.ask_sync(GetCount()) == ({"a": 1}, "second")


@pytest.mark.parametrize("form", ["respawn", "respawn_sync"])
def test_a_strict_respawn_here_checks_actor_type(al_root, form):
    store, aid = al.MemoryStorage(), al.ActorId.from_name("strict-typed")
    saved_tally(al_root, store, aid, 5)
    with pytest.raises(al.SnapshotError, match="holds a persistence.actors.Tally, not Other"):
        respawn(al_root, form, store, aid, actor_type=Other)
    assert al.inspect() == []


@pytest.mark.parametrize("form", ["respawn_or", "respawn_or_sync"])
def test_respawn_or_here_with_another_actor_type_starts_the_default(al_root, form, caplog):
    """``actor_type`` wins over the class of the default args: a Tally snapshot is not loaded
    for ``actor_type=Other`` although the default is a Tally."""
    store, aid = al.MemoryStorage(), al.ActorId.from_name("or-typed")
    saved_tally(al_root, store, aid, 5)
    ref = respawn(al_root, form, store, aid, None, Tally(100), actor_type=Other)
    assert ref.ask_sync(GetCount()) == 100
    assert "holds a persistence.actors.Tally, not Other" in caplog.text


@pytest.mark.parametrize("form", ["respawn_or", "respawn_or_sync"])
def test_respawn_or_without_a_snapshot_starts_the_default_and_logs_at_debug(al_root, form, caplog):
    caplog.set_level(logging.DEBUG, logger=LOG)
    aid = al.ActorId.from_name("or-missing")
    ref = respawn(al_root, form, al.MemoryStorage(), aid, None, lambda: Tally(100))
    assert ref.ask_sync(GetCount()) == 100
    [rec] = [r for r in caplog.records if r.name == LOG]
    assert rec.levelno == logging.DEBUG and f"no snapshot for actor id {aid}" in rec.getMessage()


@pytest.mark.parametrize("form", ["respawn_or", "respawn_or_sync"])
def test_respawn_or_from_a_failing_storage_warns_with_the_cause(al_root, form, caplog):
    caplog.set_level(logging.DEBUG, logger=LOG)
    aid = al.ActorId.from_name("or-broken")
    ref = respawn(al_root, form, Broken(), aid, None, Tally(100))
    assert ref.ask_sync(GetCount()) == 100
    [rec] = [r for r in caplog.records if r.name == LOG]
    assert rec.levelno == logging.WARNING
    assert rec.getMessage() == (
        f"respawn_or: failed to read the snapshot of Tally({aid}) from Broken() "
        "([Errno 13] Permission denied); starting it from default_args"
    )


@pytest.mark.parametrize("form", ["respawn", "respawn_sync"])
def test_a_strict_respawn_from_a_failing_storage_names_the_id_storage_and_cause(al_root, form):
    aid = al.ActorId.from_name("strict-broken")
    with pytest.raises(al.SnapshotError) as caught:
        respawn(al_root, form, Broken(), aid)
    assert str(caught.value) == (
        f"cannot read the snapshot of actor id {aid} from Broken(): PermissionError: [Errno 13] "
        "Permission denied. Fix: check the storage (path, permissions, connection)"
    )
    assert isinstance(caught.value.__cause__, OSError)


@pytest.mark.parametrize("form", ["respawn_or", "respawn_or_sync"])
def test_respawn_or_without_default_args_says_what_to_pass(al_root, form):
    with pytest.raises(TypeError) as caught:
        respawn(al_root, form, al.MemoryStorage(), al.ActorId.from_name("no-default"))
    text = str(caught.value)
    assert text.startswith(
        "respawn_or() needs default_args: what to start from when there is no usable snapshot. "
    )
    assert text.endswith("); or use respawn() to require the snapshot")
    assert (
        "Fix: respawn_or(store, actor_id, runtime_args=None, default_args=lambda: Counter(0)); "
        in text
    )


# --- saving ----------------------------------------------------------------------------------


@dataclass
class SaveTo:
    storage: Any


@dataclass
class SaveToSync:
    storage: Any


class Keeper(al.Actor, snapshot=True):
    """Saves to the storage a message names; returns the error text if the call refuses it."""

    def __init__(self, n: int = 0) -> None:
        self.n = n

    @al.handler
    async def save_to(self, msg: SaveTo) -> str:
        try:
            header = await self.ctx.save_snapshot(msg.storage)
        except TypeError as exc:
            return str(exc)
        return header.actor_id

    @al.handler
    def save_to_sync(self, msg: SaveToSync) -> str:
        try:
            header = self.ctx.save_snapshot_sync(msg.storage)
        except TypeError as exc:
            return str(exc)
        return header.actor_id


@pytest.mark.parametrize("msg", [SaveTo, SaveToSync])
def test_a_handler_saves_to_the_storage_it_names(al_root, msg):
    own, named = al.MemoryStorage(), al.MemoryStorage()
    aid = al.ActorId.from_name("keeper")
    ref = al_root.spawn_persistent_sync(own, aid, Keeper(3))
    assert ref.ask_sync(msg(named)) == str(aid)
    assert named.ids() == [aid] and own.ids() == []
    assert al.load_snapshot(named, aid).state.n == 3


@pytest.mark.parametrize(
    ("msg", "call"), [(SaveTo, "save_snapshot"), (SaveToSync, "save_snapshot_sync")]
)
def test_a_handler_passing_a_storage_class_is_told_to_pass_an_instance(al_root, msg, call):
    ref = al_root.spawn_persistent_sync(
        al.MemoryStorage(), al.ActorId.from_name("keeper-class"), Keeper()
    )
    assert ref.ask_sync(msg(al.MemoryStorage)) == (
        f"{call}(storage): storage must be a storage instance, got the class MemoryStorage "
        'itself. Fix: pass an instance, e.g. al.FileStorage("snapshots")'
    )


@pytest.mark.parametrize("form", ["save_snapshot", "save_snapshot_sync"])
def test_the_root_saves_an_actor_to_the_storage_it_names(al_root, form):
    own, named = al.MemoryStorage(), al.MemoryStorage()
    aid = al.ActorId.from_name("root-saved")
    ref = al_root.spawn_persistent_sync(own, aid, Keeper(4))
    if form == "save_snapshot":
        header = asyncio.run(al_root.save_snapshot(ref, named))
    else:
        header = al_root.save_snapshot_sync(ref, named)
    assert header.actor_id == str(aid)
    assert named.ids() == [aid] and own.ids() == []


def test_an_async_root_save_of_unpicklable_state_raises_not_picklable(al_root):
    ref = al_root.spawn_persistent_sync(
        al.MemoryStorage(), al.ActorId.from_name("unpicklable"), Tally(1)
    )
    ref.ask_sync(Connect())  # now it holds a socket
    with pytest.raises(al.NotPicklable, match="sock"):
        asyncio.run(al_root.save_snapshot(ref))


def test_an_async_root_save_whose_write_fails_raises_the_storage_error(al_root):
    ref = al_root.spawn_persistent_sync(
        al.MemoryStorage(), al.ActorId.from_name("write-fails"), Tally(1)
    )
    with pytest.raises(OSError, match="Permission denied"):
        asyncio.run(al_root.save_snapshot(ref, Broken()))


@pytest.mark.parametrize("form", ["save_snapshot", "save_snapshot_sync"])
def test_the_root_saves_an_actor_of_another_process_where_it_lives(al_root, cluster, form):
    store = al.MemoryStorage()
    ref = al_root.spawn_persistent_sync(
        al.MemoryStorage(), al.ActorId.from_name("elsewhere"), Keeper(1)
    )
    cluster.saves_elsewhere = True  # the cluster says the actor lives in another process
    if form == "save_snapshot":
        header = asyncio.run(al_root.save_snapshot(ref, store))
    else:
        header = al_root.save_snapshot_sync(ref, store)
    assert header is HEADER  # the cluster's answer
    assert cluster.saves == [(ref, store)] and store.ids() == []
