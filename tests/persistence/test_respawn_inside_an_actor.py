"""A blocking respawn inside an actor from an async-only storage is refused with ``WrongThread``
(as documented in ``persistence.contexts``), not reported as a storage failure.

Before the fix, ``ctx.respawn_sync`` raised ``SnapshotError`` ("cannot read the snapshot ...
Fix: check the storage"), and ``ctx.respawn_or_sync`` took the refusal for a failed read: it
logged a warning and started the actor from ``default_args``, whose state the next save writes
over the snapshot it never read."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import actorlab as al

from .actors import Tally
from .helpers import AsyncOnly


@dataclass
class RespawnHere:
    form: str
    storage: Any
    actor_id: al.ActorId


class Respawner(al.Actor):
    """Respawns, blocking, from inside a handler; returns what happened."""

    @al.handler
    def respawn_here(self, msg: RespawnHere) -> str:
        try:
            if msg.form == "respawn_sync":
                self.ctx.respawn_sync(msg.storage, msg.actor_id)
            else:
                self.ctx.respawn_or_sync(msg.storage, msg.actor_id, None, Tally(0))
        except Exception as exc:
            return f"{type(exc).__name__}: {exc}"
        return "respawned"


def test_a_blocking_respawn_inside_an_actor_refuses_an_async_only_storage(al_root, caplog):
    store, aid = AsyncOnly(), al.ActorId.from_name("kept")
    ref = al_root.spawn_persistent_sync(store, aid, Tally(7))
    al_root.save_snapshot_sync(ref)
    ref.stop()
    respawner = al_root.spawn(Respawner())
    for form in ("respawn_sync", "respawn_or_sync"):
        text = respawner.ask_sync(RespawnHere(form, store, aid))
        assert text == (
            "WrongThread: AsyncOnly() only has async methods, and a _sync call inside an actor "
            "cannot wait for them without blocking the runtime. Fix: use the async form with await"
        ), form
    assert [i.id for i in al.inspect()] == [respawner.id]  # none started from the default args
    assert not [r for r in caplog.records if r.name == "actorlab.persistence"]
    assert al.load_snapshot(store, aid).state.count == 7
