"""State <-> snapshot bytes: pickling (with a located error) inside the checked envelope."""

from __future__ import annotations

from typing import Any

from actorlab.errors import SnapshotError
from actorlab.ids import ActorId
from actorlab.persistence import diagnose, format, pickling
from actorlab.persistence.format import SnapshotHeader


def class_name(obj: Any) -> str:
    """``module.qualname`` of ``obj``'s class, as the header records it."""
    cls = type(obj)
    return f"{cls.__module__}.{cls.__qualname__}"


def dump(
    state: Any,
    *,
    actor_id: ActorId,
    actor_class: str | None = None,
    actor_path: str | None = None,
    label: str | None = None,
) -> bytes:
    """Snapshot bytes for ``state``; ``NotPicklable`` names the attribute path that failed."""
    try:
        pickled = pickling.dumps(state)
    except Exception as e:
        root = label or type(state).__qualname__
        actor = f"{actor_path or root} (id {actor_id})"
        raise diagnose.not_picklable(state, root, e, actor=actor) from e
    return format.encode(
        pickled,
        actor_id=actor_id,
        actor_class=actor_class or class_name(state),
        actor_path=actor_path,
    )


def load(
    data: bytes, *, expected_id: ActorId | None = None, source: str | None = None
) -> tuple[SnapshotHeader, Any]:
    """Check everything, then unpickle: ``(header, state)``. Any failure is a ``SnapshotError``."""
    verified = format.verify(data, expected_id=expected_id, source=source)
    header = verified.header
    try:
        state = pickling.loads(verified.payload, allow_code=verified.allow_code)
    except pickling.CodeNotAllowed as e:
        raise SnapshotError(
            f"snapshot of {header.label}: it was written by Python {header.python} and needs "
            f"the by-value copy of {e.what}, which is bytecode of that version; it was not "
            "loaded. Fix: define it again in this process (re-run its cell), or load the "
            f"snapshot with Python {header.python}."
        ) from None
    except Exception as e:
        raise SnapshotError(
            f"snapshot of {header.label}: unpickling failed ({type(e).__name__}: {e}). "
            "Fix: define what it names again (re-run the notebook cell that defines it, or "
            "restore a renamed/removed module or a missing package), or delete the snapshot to "
            "start from default args."
        ) from e
    return header, state


def dump_snapshot(
    actor_type: type, snapshot: Any, *, actor_id: ActorId, actor_path: str | None, label: str
) -> bytes:
    """Snapshot bytes of an actor: the payload is ``(actor class, snapshot)``, so respawning
    knows which class to start (rebound to the current definition when it exists)."""
    try:
        pickled = pickling.dumps((actor_type, snapshot))
    except Exception as e:
        actor = f"{label} (id {actor_id})"
        raise diagnose.not_picklable(
            snapshot, actor_type.__qualname__, e, actor=actor, code=(actor_type,)
        ) from e
    return format.encode(
        pickled,
        actor_id=actor_id,
        actor_class=f"{actor_type.__module__}.{actor_type.__qualname__}",
        actor_path=actor_path,
    )


def load_snapshot(
    data: bytes, *, expected_id: ActorId | None = None, source: str | None = None
) -> tuple[SnapshotHeader, type, Any]:
    """``(header, actor class, snapshot)`` from ``dump_snapshot`` bytes (``SnapshotError``)."""
    header, payload = load(data, expected_id=expected_id, source=source)
    if not (isinstance(payload, tuple) and len(payload) == 2 and isinstance(payload[0], type)):
        raise SnapshotError(
            f"snapshot of {header.label}: the payload is a {type(payload).__qualname__}, not an "
            "actor snapshot (it was not written by save_snapshot). Fix: save it with "
            "ctx.save_snapshot(), or read it with actorlab.persistence.codec.load()"
        )
    return header, payload[0], payload[1]
