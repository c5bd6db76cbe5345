"""Tests that kill mutants of ``persistence/trust.py`` and ``persistence/dill_compat.py``
(``make mutation``): ``al.trust_snapshot`` on an async-only storage (signed and written through
the runtime; refused inside an actor with its own fix, a regression test), the id and source it
checks and names; ``nestedglobals`` names the globals only."""

from __future__ import annotations

import pytest

import actorlab as al
from actorlab.persistence import codec, dill_compat, format

from .helpers import AsyncOnly

AID = al.ActorId.from_name("trusted")


def _unsigned(actor_id=AID) -> bytes:
    return codec.dump({"n": 1}, actor_id=actor_id, actor_class="x.State")


def _strip_signature(data: bytes) -> bytes:
    """The same snapshot signed with another key: not signed with this user's."""
    return format.sign(data, key=b"someone else")


def test_trust_snapshot_signs_and_writes_through_an_async_only_storage(al_root):
    store = AsyncOnly()
    store.memory.write(AID, _strip_signature(_unsigned()))
    with pytest.raises(al.SnapshotError, match="HMAC mismatch"):
        codec.load(store.memory.read(AID))
    header = al.trust_snapshot(store, AID)
    assert header.signed and header.actor_id == str(AID)
    _, state = codec.load(store.memory.read(AID))  # signed with this user's key now
    assert state == {"n": 1}


class Truster(al.Actor):
    @al.handler
    def trust(self, store: AsyncOnly) -> str:
        try:
            al.trust_snapshot(store, AID)
        except al.WrongThread as exc:
            return str(exc)
        return "trusted"


def test_trust_snapshot_inside_an_actor_says_to_call_it_from_a_cell(al_root):
    """Regression: the refusal named the async form of a ``_sync`` call, which trust_snapshot
    does not have (the read refused before trust_snapshot's own text was reached)."""
    store = AsyncOnly()
    store.memory.write(AID, _strip_signature(_unsigned()))
    text = al_root.spawn(Truster()).ask_sync(store)
    assert text == (
        "AsyncOnly() only has async methods, which trust_snapshot() cannot wait for inside an "
        "actor. Fix: call it from a notebook cell or script"
    )


def test_trust_snapshot_checks_the_id_and_names_the_storage(al_root):
    store = al.MemoryStorage()
    store.write(AID, _unsigned(al.ActorId.from_name("someone")))
    with pytest.raises(al.SnapshotError) as info:
        al.trust_snapshot(store, AID)
    assert f"{store!r}: the data stored under actor id {AID} is the snapshot of" in str(info.value)
    damaged = bytearray(_unsigned())
    damaged[-2] ^= 0xFF
    store.write(AID, bytes(damaged))
    with pytest.raises(al.SnapshotError, match="corrupt payload") as info:
        al.trust_snapshot(store, AID)
    assert f", {store!r}: corrupt payload" in str(info.value)
    assert store.read(AID) == bytes(damaged)


SCALE = 2


def test_nestedglobals_names_only_globals():
    def uses(x):
        local = "SCALE as text"
        return SCALE * x.real, local, (lambda: pytest)()

    assert sorted(dill_compat.nestedglobals(uses)) == ["SCALE", "pytest"]
    assert dill_compat.nestedglobals(3) == []
