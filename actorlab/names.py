"""Name bindings: ``bind``, ``lookup`` (type-checked) and ``free``; process-wide."""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING, Any, TypeVar

from .actor import Actor
from .errors import ActorNotFound, NameTaken, TypeMismatch
from .ids import ActorId
from .reprs import short_repr
from .transport import get_transport

if TYPE_CHECKING:
    from .cell import ActorCell
    from .ref import ActorRef
    from .runtime import Runtime

A = TypeVar("A")


def check_name(name: object) -> None:
    if not isinstance(name, str):
        raise TypeError(
            f"an actor name must be a str, got {name!r} ({type(name).__name__}). "
            f"Fix: pass a string, e.g. name=\"counter\""
        )
    if not name.strip():
        raise ValueError(f"an actor name must be a non-empty string, got {name!r}")
    if "/" in name:
        raise ValueError(f"an actor name cannot contain '/', got {name!r} (paths use it)")


def check_ref(ref: object, call: str) -> None:
    """``TypeError`` unless ``ref`` is an ``ActorRef`` (``call`` names the call for the text)."""
    from .ref import ActorRef

    if not isinstance(ref, ActorRef):
        raise TypeError(
            f"{call}: ref must be an al.ActorRef, got {short_repr(ref, 60)} "
            f"({type(ref).__name__}). Fix: pass the ref spawn() returned, or al.lookup(name)"
        )


def taken_text(name: str, other: ActorCell) -> str:
    return (
        f"the name {name!r} is taken by the live actor {other.label} "
        f"({other.actor_type.__qualname__}, {other.status.value}). Fix: stop it first "
        f"(al.lookup({name!r}).stop()), free the name (al.root().free({name!r})), or pick another"
    )


def bind(rt: Runtime, name: str, ref: ActorRef[Any]) -> None:
    check_name(name)
    check_ref(ref, f"bind({name!r}, ref)")
    cell = ref._live()
    with rt.lock:
        other = rt.names.get(name)
        if other is not None and other is not cell and not other.closed:
            raise NameTaken(taken_text(name, other))
        rt.names[name] = cell
        if cell.name is None:
            cell.name = name
        elif cell.name != name:
            if cell.bound_names is None:
                cell.bound_names = []
            cell.bound_names.append(name)


def free(rt: Runtime, name: str) -> ActorRef[Any] | None:
    if not isinstance(name, str):
        raise TypeError(f"free(name): name must be a str, got {name!r} ({type(name).__name__})")
    with rt.lock:
        cell = rt.names.pop(name, None)
    return cell.ref if cell is not None else None


def lookup(rt: Runtime, name: str | ActorId, actor_type: type[A] | None = None) -> ActorRef[Any]:
    if not isinstance(name, (str, ActorId)):
        raise TypeError(
            f"lookup(name): name must be a str (or an al.ActorId), got {name!r} "
            f"({type(name).__name__}). Fix: e.g. al.lookup(\"counter\")"
        )
    if actor_type is not None and not (isinstance(actor_type, type) and issubclass(actor_type, Actor)):
        raise TypeError(
            f"lookup(actor_type=...) must be an al.Actor subclass (or None), got {actor_type!r}. "
            f"Fix: e.g. al.lookup({str(name)!r}, actor_type=Counter)"
        )
    cell: ActorCell | None
    if isinstance(name, ActorId):
        cell = rt.cells.get(name)
    else:
        cell = rt.names.get(name)
        if cell is None:
            try:
                cell = rt.cells.get(ActorId(uuid.UUID(name)))
            except (ValueError, TypeError, AttributeError):
                cell = None
    if (cell is None or cell.closed) and isinstance(name, str):
        transport = get_transport()
        remote = transport.lookup(name) if transport is not None else None
        if remote is not None:  # bound in another process of the cluster
            if actor_type is not None and not issubclass(remote.actor_type, actor_type):
                raise TypeMismatch(
                    f"{name!r} is a {remote.actor_type.__qualname__}, not a "
                    f"{actor_type.__qualname__}. Fix: look it up with the type it has"
                )
            return remote
    if cell is None or cell.closed:
        bound = ", ".join(sorted(n for n, c in rt.names.items() if not c.closed)) or "none"
        raise ActorNotFound(
            f"no live actor is bound to {str(name)!r} (bound names: {bound}). "
            f"Fix: spawn(..., name={str(name)!r}) or root.bind({str(name)!r}, ref)"
        )
    if actor_type is not None and not issubclass(cell.actor_type, actor_type):
        raise TypeMismatch(
            f"{str(name)!r} is a {cell.actor_type.__qualname__}, not a "
            f"{getattr(actor_type, '__qualname__', actor_type)}. Fix: look it up with "
            f"actor_type={cell.actor_type.__qualname__}, or without actor_type"
        )
    return cell.ref
