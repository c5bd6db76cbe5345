"""Look at snapshots without spawning: list headers, load one, diff it against a live actor.

``snapshots(storage)`` never unpickles (it reads headers only). ``load_snapshot`` does unpickle,
so like any load it runs code from the snapshot: use it on stores you trust.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from actorlab.display import Displayable
from actorlab.errors import SnapshotError, SnapshotNotFound
from actorlab.ids import ActorId
from actorlab.persistence import codec, format
from actorlab.persistence.format import SnapshotHeader
from actorlab.persistence.spawning import read_blocking, storage_or_default
from actorlab.persistence.storage import ListableStorage, SQLiteStorage

if TYPE_CHECKING:
    from actorlab.persistence.storage import PersistentStorage


@dataclass(frozen=True)
class SnapshotEntry(Displayable):
    """One stored snapshot as ``al.snapshots()`` lists it: its header, or why it is unreadable."""

    actor_id: ActorId
    header: SnapshotHeader | None
    error: str | None = None
    version: int | None = None
    """The version in an ``SQLiteStorage`` history; None for single-version storages."""

    @property
    def ok(self) -> bool:
        return self.header is not None

    @property
    def actor_class(self) -> str:
        return self.header.actor_class if self.header is not None else "?"

    @property
    def created(self) -> str | None:
        return self.header.created if self.header is not None else None

    def __repr__(self) -> str:
        version = f" v{self.version}" if self.version is not None else ""
        if self.header is None:
            return f"<SnapshotEntry {self.actor_id}{version} unreadable: {self.error}>"
        h = self.header
        code = ", carries code" if h.contains_code else ""
        return (
            f"<SnapshotEntry {h.actor_class} {self.actor_id}{version} {h.created} {h.size} B{code}>"
        )



def _entry(data: bytes, actor_id: ActorId, source: str, version: int | None) -> SnapshotEntry:
    try:
        header = format.read_header(data, expected_id=actor_id, source=source)
    except SnapshotError as exc:
        return SnapshotEntry(actor_id, None, str(exc), version)
    return SnapshotEntry(actor_id, header, None, version)


def snapshots(
    storage: PersistentStorage | None = None,
    actor_id: ActorId | str | None = None,
    *,
    history: bool = False,
) -> list[SnapshotEntry]:
    """The snapshots in ``storage`` (None: ``al.default_storage()``), headers only.

    ``actor_id`` limits the list to one actor; ``history=True`` lists every version an
    ``SQLiteStorage`` keeps (oldest first). Unreadable snapshots are listed with their error.
    """
    store = storage_or_default(storage)
    if actor_id is not None:
        ids = [ActorId(actor_id)]
    elif isinstance(store, ListableStorage):
        ids = list(store.ids())
    else:
        raise TypeError(
            f"{store!r} cannot list what it holds (it has no ids() method). Fix: pass actor_id=, "
            "or give the storage an ids() -> list[ActorId] method"
        )
    source = repr(store)
    out: list[SnapshotEntry] = []
    for aid in ids:
        if history and isinstance(store, SQLiteStorage):
            for v in store.versions(aid):
                out.append(_entry(store.read_version(aid, v), aid, source, v))
            continue
        try:
            data = read_blocking(store, aid)
        except SnapshotNotFound:
            continue  # nothing stored under that id (or deleted meanwhile)
        except SnapshotError as exc:
            out.append(SnapshotEntry(aid, None, str(exc)))
            continue
        out.append(_entry(data, aid, source, None))
    return out


@dataclass(frozen=True)
class LoadedSnapshot(Displayable):
    """A snapshot loaded for inspection (not spawned): ``header``, ``actor_type``, ``state``."""

    header: SnapshotHeader
    actor_type: type
    state: Any

    def fields(self) -> dict[str, Any]:
        """The saved attributes (what respawning would start from)."""
        return state_fields(self.state)

    def __repr__(self) -> str:
        h = self.header
        return f"<LoadedSnapshot {h.actor_class} {h.actor_id} {h.created}: {list(self.fields())}>"



def state_fields(state: Any) -> dict[str, Any]:
    """Field name -> value of a state object (``__getstate__``/``__dict__``/slots)."""
    if isinstance(state, dict):
        return {str(k): v for k, v in state.items()}
    fields: Any = None
    getstate = getattr(state, "__getstate__", None)
    if callable(getstate):
        try:
            fields = getstate()
        except TypeError:
            fields = None
    if not isinstance(fields, dict):
        fields = dict(getattr(state, "__dict__", {}) or {})
        for cls in type(state).__mro__:
            for name in cls.__dict__.get("__slots__", ()):
                if name not in ("__dict__", "__weakref__") and hasattr(state, name):
                    fields[name] = getattr(state, name)
    return {str(k): v for k, v in fields.items() if not str(k).startswith("_al_")}


def load_snapshot(
    storage: PersistentStorage | None,
    actor_id: ActorId | str,
    *,
    version: int | None = None,
) -> LoadedSnapshot:
    """Load a snapshot to look at it, without spawning (``SnapshotNotFound``/``SnapshotError``).

    ``version`` picks an older version of an ``SQLiteStorage`` history. Unpickling runs code
    from the snapshot: use trusted stores only.
    """
    store = storage_or_default(storage)
    aid = ActorId(actor_id)
    if version is not None:
        if not isinstance(store, SQLiteStorage):
            raise TypeError(
                f"{store!r} keeps one version per actor; version= needs an al.SQLiteStorage"
            )
        data = store.read_version(aid, version)
    else:
        data = read_blocking(store, aid)
    header, actor_type, state = codec.load_snapshot(data, expected_id=aid, source=repr(store))
    return LoadedSnapshot(header, actor_type, state)


@dataclass(frozen=True)
class FieldDiff:
    """One field that differs between a snapshot and the live actor."""

    name: str
    status: str
    """``"changed"``, ``"added"`` (only live) or ``"removed"`` (only in the snapshot)."""
    saved: Any = None
    live: Any = None


def _live_fields(target: Any) -> dict[str, Any]:
    from actorlab.ref import ActorRef

    if isinstance(target, ActorRef):
        cell = target._live(allow_closed=True)
        rt = cell.runtime

        def grab() -> dict[str, Any]:
            actor = cell.actor
            if actor is None:
                raise SnapshotError(
                    f"actor {cell.label} has no live state ({cell.status.value}); nothing to "
                    "diff against"
                )
            return state_fields(actor)

        return grab() if rt.on_loop_thread() else rt.call(grab, what="diff_snapshot()")
    return state_fields(target)


def _same(a: Any, b: Any) -> bool:
    if a is b:
        return True
    try:
        return bool(a == b)
    except Exception:
        return repr(a) == repr(b)


def diff_snapshot(snapshot: LoadedSnapshot | Any, ref_or_actor: Any) -> list[FieldDiff]:
    """Field-wise differences between a snapshot and a live actor (or any state object).

    Fields equal on both sides are left out; an empty list means the snapshot is up to date.
    """
    saved = snapshot.fields() if isinstance(snapshot, LoadedSnapshot) else state_fields(snapshot)
    live = _live_fields(ref_or_actor)
    out = []
    for name in list(saved) + [n for n in live if n not in saved]:
        if name not in live:
            out.append(FieldDiff(name, "removed", saved=saved[name]))
        elif name not in saved:
            out.append(FieldDiff(name, "added", live=live[name]))
        elif not _same(saved[name], live[name]):
            out.append(FieldDiff(name, "changed", saved[name], live[name]))
    return out
