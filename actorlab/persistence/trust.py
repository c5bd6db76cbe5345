"""``al.trust_snapshot``: sign a snapshot this user did not write, after deciding to trust it.

Snapshots are loaded only when signed with the key in force (``keys``), because unpickling runs
code. One written by another user, another machine or an older actorlab is refused; like
``jupyter trust notebook.ipynb``, this signs it with your key, without unpickling it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from actorlab.clock import wait_future
from actorlab.errors import WrongThread
from actorlab.ids import ActorId
from actorlab.persistence import format
from actorlab.persistence.spawning import read_blocking, storage_or_default
from actorlab.persistence.storage import BaseStorage
from actorlab.runtime import get_runtime

if TYPE_CHECKING:
    from actorlab.persistence.storage import PersistentStorage


def trust_snapshot(
    storage: PersistentStorage | None, actor_id: ActorId | str
) -> format.SnapshotHeader:
    """Sign the snapshot of ``actor_id`` in ``storage`` with your key, so it loads; its header.

    Only for a snapshot whose source you trust: loading it runs the code it carries. It must be
    intact (``SnapshotError`` otherwise); it is not unpickled here. For a store shared by a team
    or CI, prefer one key for everyone (``al.configure(snapshot_key=...)``).
    """
    store = storage_or_default(storage)
    aid = ActorId(actor_id)
    rt = None
    if not isinstance(store, BaseStorage):
        # before reading: read_blocking's own refusal points to an async form this has not
        rt = get_runtime()
        if rt.on_loop_thread():
            raise WrongThread(
                f"{store!r} only has async methods, which trust_snapshot() cannot wait for inside "
                "an actor. Fix: call it from a notebook cell or script"
            )
    signed = format.sign(read_blocking(store, aid, rt), expected_id=aid, source=repr(store))
    if isinstance(store, BaseStorage):
        store.write(aid, signed)
    else:
        assert rt is not None
        wait_future(rt.submit(store.try_write(aid, signed)), None)
    return format.read_header(signed)
