"""The dashboard's snapshot section, on top of the persistence API when it is present.

Uses ``al.snapshots()``, ``al.load_snapshot()`` and ``al.diff_snapshot()`` (the persistence
layer's public functions). When this build has no such functions, the State & Snapshot tab says
so plainly and the save/respawn buttons stay disabled.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from actorlab.info import ActorInfo

from .dashboard_model import note

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


@dataclass(frozen=True)
class SnapshotView:
    options: tuple[tuple[str, Any], ...]  # (label, key) pairs for the dropdown
    html: str


def view(info: ActorInfo, selected: Any) -> SnapshotView:
    """The snapshot list of ``info``'s actor and, for ``selected``, its diff against live."""
    if not available():
        return SnapshotView((), note(missing_text()))
    raise NotImplementedError  # filled in once the persistence API is published


def saver(ref: Any) -> Callable[[], Any]:
    """A function (run on the runtime loop) that saves ``ref``'s snapshot."""
    if not available():
        raise RuntimeError(missing_text())
    raise NotImplementedError


def respawner(ref: Any, key: Any) -> Callable[[], Any]:
    """A function (run on the runtime loop) that respawns ``ref``'s actor from snapshot ``key``."""
    if not available():
        raise RuntimeError(missing_text())
    raise NotImplementedError
