"""The dashboard's snapshot section, on top of the persistence API.

Lists the selected actor's saved snapshots (``al.snapshots``, headers only), loads the one picked
in the dropdown (``al.load_snapshot``, cached) and shows its field-by-field diff against the live
state (``al.diff_snapshot``, computed on the runtime thread). Saving uses
``al.root().save_snapshot(ref)``; respawning stops the live actor and respawns it, under the same
parent, from its latest snapshot. When this build has no persistence functions, the tab says so
and the buttons stay disabled.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from typing import Any

from actorlab.info import ActorInfo

from .model import note, table

NEEDED = ("snapshots", "load_snapshot", "diff_snapshot")


def _al() -> Any:
    return importlib.import_module("actorlab")


def available() -> bool:
    """True when the persistence functions the dashboard needs exist."""
    al = _al()
    return all(callable(getattr(al, name, None)) for name in NEEDED)


def missing_text() -> str:
    al = _al()
    missing = [f"al.{n}()" for n in NEEDED if not callable(getattr(al, n, None))]
    return (
        f"Persistence is not available in this build ({', '.join(missing)} missing), so "
        f"snapshots cannot be listed, saved or restored here."
    )


def storage_of(cell: Any, storage: Any) -> Any:
    """``storage``, else the one the actor was (re)spawned from, else the default storage."""
    if storage is not None:
        return storage
    found = cell.persistence.storage if cell is not None and cell.persistence is not None else None
    return found if found is not None else _al().default_storage()


@dataclass(frozen=True)
class SnapshotView:
    options: tuple[tuple[str, Any], ...]  # (label, key) pairs for the dropdown
    html: str


def entry_label(entry: Any) -> str:
    version = f"v{entry.version} · " if entry.version is not None else ""
    if not entry.ok:
        return f"{version}unreadable"
    h = entry.header
    return f"{version}{h.created} · {h.size} B"


class SnapshotPanel:
    """Kernel-thread state of the snapshot section: listings and loaded snapshots, cached."""

    def __init__(self, storage: Any = None) -> None:
        self.storage = storage
        self._listing: tuple[Any, list[Any], str | None] | None = None  # (key, entries, error)
        self._loaded: dict[Any, Any] = {}  # (actor id, version) -> LoadedSnapshot | Exception

    def entries(self, cell: Any, info: ActorInfo) -> tuple[list[Any], str | None]:
        """The actor's snapshots, newest first (re-read only when it saved since)."""
        store = storage_of(cell, self.storage)
        key = (info.id, info.last_snapshot_at, id(store))
        if self._listing is None or self._listing[0] != key:
            try:
                found = _al().snapshots(store, info.id, history=True)
                error = None
            except Exception as exc:
                found, error = [], f"{type(exc).__name__}: {exc}"
            self._listing = (key, list(reversed(found)), error)
            self._loaded.clear()
        return self._listing[1], self._listing[2]

    def load(self, cell: Any, info: ActorInfo, version: Any) -> Any:
        """The loaded snapshot for the dropdown's ``version`` (or the exception it raised)."""
        key = (info.id, version)
        if key not in self._loaded:
            store = storage_of(cell, self.storage)
            try:
                v = None if version == "latest" else version
                self._loaded[key] = _al().load_snapshot(store, info.id, version=v)
            except Exception as exc:
                self._loaded[key] = exc
        return self._loaded[key]


def options_for(entries: list[Any]) -> tuple[tuple[str, Any], ...]:
    return tuple(
        (entry_label(e), e.version if e.version is not None else "latest") for e in entries
    )


def view(
    info: ActorInfo, entries: list[Any], error: str | None, loaded: Any, diff: Any
) -> SnapshotView:
    """HTML for the snapshot list and the selected snapshot's diff against the live state."""
    if not available():
        return SnapshotView((), note(missing_text()))
    options = options_for(entries)
    if error is not None:
        return SnapshotView(options, note(f"Cannot list snapshots: {error}"))
    if not entries:
        hint = (
            "No snapshots of this actor yet. Save one with the 'save snapshot' button (its class "
            "needs snapshot=True "
            "or al.PersistentActor)."
        )
        return SnapshotView(options, note(hint))
    parts = [
        table(
            ["saved", "class", "bytes", "python", "code"],
            [
                (
                    entry_label(e),
                    e.actor_class,
                    str(e.header.size) if e.ok else "–",
                    e.header.python_tag if e.ok else "–",
                    ("by value (notebook)" if e.header.contains_code else "by reference")
                    if e.ok
                    else escape(e.error or ""),
                )
                for e in entries[:10]
            ],
            cls="actorlab-snapshots",
        )
    ]
    if isinstance(loaded, Exception):
        parts.append(note(f"Cannot load it: {type(loaded).__name__}: {loaded}"))
    elif isinstance(diff, Exception):
        parts.append(note(f"Cannot diff it against the live actor: {diff}"))
    elif diff is not None:
        if not diff:
            parts.append(note("The live state equals this snapshot."))
        else:
            rows = [(d.name, d.status, _short(d.saved), _short(d.live)) for d in diff]
            parts.append("<b style='font-size:12px'>snapshot vs live</b>")
            parts.append(table(["field", "", "saved", "live"], rows, cls="actorlab-snapshot-diff"))
    return SnapshotView(options, "".join(parts))


def _short(value: Any, width: int = 80) -> str:
    if value is None:
        return "–"
    try:
        text = repr(value)
    except Exception as exc:
        text = f"<unrepresentable: {type(exc).__name__}>"
    return text if len(text) <= width else text[: width - 1] + "…"


def live_diff(loaded: Any, actor: Any) -> Any:
    """``al.diff_snapshot`` against a live actor object (runtime thread); errors are returned."""
    if loaded is None or isinstance(loaded, Exception):
        return None
    if actor is None:
        return RuntimeError("the actor has no live state right now")
    try:
        return _al().diff_snapshot(loaded, actor)
    except Exception as exc:
        return exc


def saver(ref: Any, storage: Any) -> Callable[[], Any]:
    """A function (run on the runtime loop) that saves ``ref``'s snapshot now."""
    if not available():
        raise RuntimeError(missing_text())
    root = _al().root()
    return lambda: root.save_snapshot(ref, storage)


def respawner(cell: Any, storage: Any) -> Callable[[], Any]:
    """A function (run on the runtime loop): stop the live actor, respawn it from its latest
    snapshot under the same parent and name."""
    if not available():
        raise RuntimeError(missing_text())
    al = _al()
    ref, actor_id, name = cell.ref, cell.id, cell.name
    parent = cell.parent
    spawner = parent.context if hasattr(parent, "context") else al.root()
    store = storage_of(cell, storage)

    async def go() -> Any:
        await ref.stop_async()
        return await spawner.respawn(store, actor_id, name=name)

    return go
