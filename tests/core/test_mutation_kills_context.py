"""Tests that kill mutants of ``context.py`` (``make mutation``): every argument the persistence
methods of a context pass on (``name``, ``autosave``, ``actor_type``, ``placement``, the runtime
and default args, the storage of a save), for the async and the ``_sync`` forms alike, and the
root's texts (a shut-down root, its repr)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

import actorlab as al
from actorlab.errors import ActorlabError
from actorlab.testing import wait_until

STORE_ID = al.ActorId.from_name("kept")
PLACEMENT = "somewhere-else"
OTHER_ID = al.ActorId.from_name("other")


@pytest.fixture(autouse=True)
def snapshot_data_dir(tmp_path_factory, monkeypatch):
    """The snapshot signing key lives in a fresh data dir, never in the real home."""
    monkeypatch.setenv("ACTORLAB_DATA_DIR", str(tmp_path_factory.mktemp("actorlab-data")))
    monkeypatch.delenv("ACTORLAB_SNAPSHOT_KEY", raising=False)
    monkeypatch.setattr(al.settings(), "snapshot_key", None)


@dataclass
class Bump:
    pass


@dataclass
class Get:
    pass


class Keeper(al.PersistentActor):
    """Its runtime args end up in ``extra`` (not saved)."""

    __snapshot_exclude__ = ("extra",)

    def __init__(self, n: int = 0) -> None:
        self.n = n
        self.extra = None

    @classmethod
    def persistent_args(cls, snapshot, runtime_args):
        snapshot.extra = runtime_args
        return snapshot

    @al.handler
    def bump(self, msg: Bump) -> int:
        self.n += 1
        return self.n

    @al.handler
    def get(self, msg: Get) -> tuple:
        return self.n, self.extra


class Stranger(al.Actor, snapshot=True):
    @al.handler
    def get(self, msg: Get) -> int:
        return 0


def _saved(store, aid=STORE_ID) -> int:
    return al.load_snapshot(store, aid).state.n


def _stored(n: int = 5) -> al.MemoryStorage:
    store = al.MemoryStorage()
    from actorlab.persistence import codec

    store.write(
        STORE_ID,
        codec.dump_snapshot(Keeper, Keeper(n), actor_id=STORE_ID, actor_path=None, label="k"),
    )
    return store


def _forms(root):
    """The ``_sync`` form and the async form (awaited on the runtime loop) of a root method."""
    return {
        "sync": lambda method, *a, **kw: getattr(root, method + "_sync")(*a, **kw),
        "async": lambda method, *a, **kw: root.runtime.call(
            lambda: getattr(root, method)(*a, **kw)
        ),
    }


@pytest.fixture(params=["sync", "async"])
def call(request, al_root):
    return _forms(al_root)[request.param]


def test_spawn_persistent_passes_name_and_autosave(al_root, call):
    store = al.MemoryStorage()
    ref = call(
        "spawn_persistent", store, STORE_ID, Keeper(1), name="kp", autosave=al.Every(messages=1)
    )
    assert al_root.lookup("kp") == ref and ref.id == STORE_ID
    assert ref.ask_sync(Bump()) == 2
    ref.stop()
    assert _saved(store) == 2


def test_spawn_persistent_passes_the_placement(call):
    with pytest.raises(ActorlabError, match=f"with placement='{PLACEMENT}' needs"):
        call("spawn_persistent", al.MemoryStorage(), STORE_ID, Keeper(1), placement=PLACEMENT)


def test_respawn_passes_runtime_args_name_and_autosave(al_root, call):
    store = _stored(5)
    ref = call("respawn", store, STORE_ID, "conn", name="rs", autosave=al.Every(messages=1))
    assert al_root.lookup("rs") == ref
    assert ref.ask_sync(Get()) == (5, "conn")
    assert ref.ask_sync(Bump()) == 6
    ref.stop()
    assert _saved(store) == 6


def test_respawn_passes_actor_type_and_placement(call):
    store = _stored()
    with pytest.raises(al.SnapshotError, match="Stranger"):
        call("respawn", store, STORE_ID, actor_type=Stranger)
    with pytest.raises(ActorlabError, match=f"placement='{PLACEMENT}'"):
        call("respawn", store, STORE_ID, placement=PLACEMENT)


def test_respawn_or_from_the_snapshot_passes_everything(al_root, call):
    store = _stored(5)
    ref = call(
        "respawn_or",
        store,
        STORE_ID,
        "conn",
        Keeper(0),
        name="ro",
        autosave=al.Every(messages=1),
        actor_type=Keeper,
    )
    assert al_root.lookup("ro") == ref
    assert ref.ask_sync(Get()) == (5, "conn")
    assert ref.ask_sync(Bump()) == 6
    ref.stop()
    assert _saved(store) == 6


def test_respawn_or_falls_back_to_the_default_args(al_root, call):
    store = al.MemoryStorage()
    ref = call("respawn_or", store, STORE_ID, None, Keeper(7), name="dflt")
    assert al_root.lookup("dflt") == ref and ref.ask_sync(Get()) == (7, None)


def test_respawn_or_passes_actor_type_and_placement(call):
    store = _stored(5)
    calls = []

    def default():
        calls.append(1)
        return Keeper(0)

    ref = call("respawn_or", store, STORE_ID, None, default, actor_type=Keeper)
    assert ref.ask_sync(Get()) == (5, None) and calls == []  # actor_type=: not called
    ref.stop()
    with pytest.raises(ActorlabError, match=f"placement='{PLACEMENT}'"):
        call("respawn_or", store, STORE_ID, None, Keeper(0), placement=PLACEMENT)


def test_spawn_passes_name_and_placement(al_root):
    ref = al_root.spawn(Stranger(), name="plain")
    assert al_root.lookup("plain") == ref
    with pytest.raises(ActorlabError) as info:
        al_root.spawn(Stranger(), placement=PLACEMENT)
    assert str(info.value) == (
        f"spawn(placement='{PLACEMENT}') needs a cluster, and none is connected. "
        'Fix: call al.cluster.connect() first (pip install "actorlab[ray]")'
    )


def test_bind_free_and_lookup_by_type(al_root):
    ref = al_root.spawn(Stranger())
    al_root.bind("b", ref)
    assert al_root.lookup("b", Stranger) == ref
    with pytest.raises(al.TypeMismatch):
        al_root.lookup("b", Keeper)
    assert al_root.free("b") == ref and al_root.free("b") is None


def test_root_save_snapshot_to_the_storage_given(al_root, call):
    ref = al_root.spawn_persistent_sync(al.MemoryStorage(), STORE_ID, Keeper(3))
    other = al.MemoryStorage()
    header = call("save_snapshot", ref, other)
    assert header.actor_id == str(STORE_ID) and _saved(other) == 3


class Saver(al.PersistentActor):
    def __init__(self, store) -> None:
        self.n = 4
        self.store = store

    __snapshot_exclude__ = ("store",)

    @al.handler
    async def save(self, msg: Bump) -> str:
        return (await self.ctx.save_snapshot(self.store)).actor_id

    @al.handler
    def save_sync(self, msg: Get) -> str:
        return self.ctx.save_snapshot_sync(self.store).actor_id


def test_an_actor_saves_to_the_storage_given(al_root):
    store, other = al.MemoryStorage(), al.MemoryStorage()
    ref = al_root.spawn_persistent_sync(al.MemoryStorage(), STORE_ID, Saver(store))
    assert ref.ask_sync(Bump()) == str(STORE_ID) and _saved(store) == 4
    ref.ask_sync(Get())
    assert store.ids() == [STORE_ID]
    ref2 = al_root.spawn_persistent_sync(al.MemoryStorage(), OTHER_ID, Saver(other))
    ref2.ask_sync(Get())
    assert other.ids() == [OTHER_ID]


def test_a_shut_down_root_says_so_and_what_to_do(al_root):
    assert repr(al_root) == "<RootContext 0 actors>"
    al_root.spawn(Stranger())
    assert repr(al_root) == "<RootContext 1 actors>"
    al.shutdown()
    assert repr(al_root) == "<RootContext shut down>"
    with pytest.raises(ActorlabError) as info:
        al_root.spawn(Stranger())
    assert str(info.value) == (
        "this root belongs to an actorlab runtime that was shut down (al.shutdown() or "
        "al.reset()). Fix: use root = al.root() to get the current one"
    )


# -- an actor's own context: timers, terminate --------------------------------------------------


@dataclass
class Arm:
    delay: float | None
    period: float | None = None


@dataclass
class Beat:
    tag: str


class Timed(al.Actor):
    def __init__(self) -> None:
        self.beats = 0

    @al.handler
    def arm(self, msg: Arm) -> None:
        if msg.period is None:
            self.ctx.send_after(msg.delay, Beat("after"))
        else:
            self.ctx.send_every(msg.period, Beat("every"), delay=msg.delay)

    @al.handler
    def beat(self, msg: Beat) -> None:
        self.beats += 1

    @al.handler
    def get(self, msg: Get) -> int:
        return self.beats


def test_send_after_and_send_every_with_and_without_a_first_delay(al_clock):
    after, every, delayed = (al.root().spawn(Timed()) for _ in range(3))
    after.ask_sync(Arm(2.0))
    every.ask_sync(Arm(None, period=3.0))
    delayed.ask_sync(Arm(0.5, period=3.0))
    seen = []
    for now in (0.5, 2.0, 3.0, 3.5, 6.0, 6.5):
        al_clock.advance(now - al_clock.now())
        seen.append((now, after.ask_sync(Get()), every.ask_sync(Get()), delayed.ask_sync(Get())))
    assert seen == [
        (0.5, 0, 0, 1),
        (2.0, 1, 0, 1),
        (3.0, 1, 1, 1),
        (3.5, 1, 1, 2),
        (6.0, 1, 2, 2),
        (6.5, 1, 2, 3),
    ]


class Quitter(al.Actor):
    def __init__(self) -> None:
        self.seen: list[str] = []

    @al.handler
    def quit(self, msg: Beat) -> str:
        self.ctx.terminate()  # in its own handler: it stops after this message
        self.seen.append(msg.tag)
        return msg.tag


def test_terminate_in_a_handler_finishes_the_message_then_stops(al_root):
    ref = al_root.spawn(Quitter())
    assert ref.ask_sync(Beat("last")) == "last"
    wait_until(lambda: ref.status is al.Status.STOPPED, what="the actor to stop by itself")


def test_terminate_from_outside_a_handler_stops_the_actor(al_root):
    ref = al_root.spawn(Quitter())
    ctx = al_root.runtime.call(lambda: ref._live().context)
    ctx.terminate()  # from this thread: a signal handed to the runtime
    wait_until(lambda: ref.status is al.Status.STOPPED, what="the actor to stop")
    assert repr(ctx) == f"<Context of {ref.label}>"


class _FakeTransport:
    """A cluster stand-in: records what a placed spawn hands it."""

    home = None

    def __init__(self) -> None:
        self.spawns: list[tuple] = []

    def spawn(self, parent, args, name, placement):
        self.spawns.append((parent, args, name, placement))
        return "the remote ref"

    def shutdown(self, timeout) -> None:
        pass


def test_a_placed_spawn_hands_everything_to_the_transport(al_root):
    from actorlab.transport import set_transport

    fake, args = _FakeTransport(), Stranger()
    set_transport(fake)
    try:
        assert al_root.spawn(args, name="far", placement=PLACEMENT) == "the remote ref"
    finally:
        set_transport(None)
    assert fake.spawns == [(al_root.runtime.root_cell, args, "far", PLACEMENT)]


def test_root_shutdown_passes_its_timeout_on(al_root):
    with pytest.raises(ValueError, match="timeout must be a positive number of seconds"):
        al_root.shutdown(timeout=-1)  # refused before anything stops
    assert not al_root.runtime.closed
    al_root.shutdown(timeout=5)
    assert al_root.runtime.closed
    al_root.shutdown()  # shut down already: nothing to do
