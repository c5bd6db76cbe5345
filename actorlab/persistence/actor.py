"""``PersistentActor`` and the ``snapshot=`` class flag: what is saved and how it comes back.

theta's ``PersistentActor`` has three associated types and one function. Here:

- ``Snapshot``: the type that is saved. ``class Counter(al.Actor, snapshot=True)`` makes it the
  actor itself (the default of ``PersistentActor`` too); ``snapshot=T`` makes it ``T``, which must
  be built from the actor by ``T.from_actor(actor)`` (theta's ``From<&Self>``) and be usable as
  spawn args (an ``al.ActorArgs`` or an actor instance).
- ``RuntimeArgs``: what is not saved but passed again at respawn (a connection, a client);
  ``None`` for the ``snapshot`` flag.
- ``persistent_args(snapshot, runtime_args)``: combines both into spawn args. The default
  returns the snapshot and refuses runtime args it would silently drop.

Attributes listed in ``__snapshot_exclude__`` are saved as ``None`` (restore them in
``persistent_args`` or ``on_start``).
"""

from __future__ import annotations

import copy
from typing import Any, ClassVar

from actorlab.actor import Actor, ActorArgs
from actorlab.persistence.pickling import excluded_names


class PersistentActor(Actor):
    """An actor whose state can be saved and restored (theta ``PersistentActor``).

    Example::

        class Db(al.PersistentActor):
            RuntimeArgs = Connection              # documentation; not enforced

            def __init__(self, rows: dict, conn: Connection | None = None) -> None:
                self.rows, self.conn = rows, conn

            __snapshot_exclude__ = ("conn",)     # saved as None

            @classmethod
            def persistent_args(cls, snapshot: "Db", runtime_args: Connection) -> "Db":
                snapshot.conn = runtime_args
                return snapshot

        ref = await root.respawn(store, al.ActorId.from_name("db"), runtime_args=connect())
    """

    #: The saved type; ``None`` means the actor class itself.
    Snapshot: ClassVar[type | None] = None
    #: The type of the runtime args (documentation only; ``None``: no runtime args).
    RuntimeArgs: ClassVar[Any] = None

    def to_snapshot(self) -> Any:
        """theta's ``Snapshot::from(&self)``. Default: see ``snapshot_of``."""
        return _default_snapshot(self)

    @classmethod
    def persistent_args(cls, snapshot: Any, runtime_args: Any) -> Any:
        """Spawn args from a loaded snapshot and this run's runtime args (default: the snapshot)."""
        return _default_args(cls, snapshot, runtime_args)


def snapshot_type(cls: type[Actor]) -> type | None:
    """The ``Snapshot`` type of an actor class, or ``None`` if it is not persistent."""
    if issubclass(cls, PersistentActor):
        return cls.Snapshot or cls
    flag = getattr(cls, "_al_snapshot", False)
    if flag is True:
        return cls
    if isinstance(flag, type):
        return flag
    if flag not in (False, None):
        raise TypeError(
            f"class {cls.__qualname__}(al.Actor, snapshot={flag!r}): snapshot must be True or a "
            "type. Fix: snapshot=True (the actor is its own snapshot) or snapshot=MySnapshot"
        )
    return None


def require_persistent(cls: type[Actor]) -> type:
    """``snapshot_type(cls)``, or a ``TypeError`` explaining how to make ``cls`` persistent."""
    snap = snapshot_type(cls)
    if snap is None:
        raise TypeError(
            f"{cls.__qualname__} is not persistent, so it has no snapshot. Fix: declare "
            f"class {cls.__name__}(al.Actor, snapshot=True) (the actor is its own snapshot), or "
            "subclass al.PersistentActor"
        )
    return snap


def _default_snapshot(actor: Actor) -> Any:
    cls = type(actor)
    snap = require_persistent(cls)
    if snap is cls or (isinstance(snap, type) and isinstance(actor, snap)):
        state = copy.copy(actor)  # Actor.__getstate__ leaves the context out
        for name in excluded_names(cls):
            if name in state.__dict__:
                state.__dict__[name] = None
        return state
    from_actor = getattr(snap, "from_actor", None)
    if not callable(from_actor):
        raise TypeError(
            f"{cls.__qualname__} is saved as {snap.__qualname__}, which has no "
            f"from_actor(actor) classmethod (theta's From<&{cls.__name__}>). Fix: add "
            f"@classmethod def from_actor(cls, actor: {cls.__name__}) -> {snap.__name__} to "
            f"{snap.__qualname__}, or override {cls.__name__}.to_snapshot()"
        )
    return from_actor(actor)


def snapshot_of(actor: Actor) -> Any:
    """What ``save_snapshot`` saves for ``actor`` (theta ``Snapshot::from(&self)``).

    For ``snapshot=True`` a shallow copy of the actor without its context, with the
    ``__snapshot_exclude__`` attributes set to ``None``; for ``snapshot=T``, ``T.from_actor``;
    for a ``PersistentActor``, its ``to_snapshot()``.
    """
    if isinstance(actor, PersistentActor):
        return actor.to_snapshot()
    return _default_snapshot(actor)


def _default_args(cls: type[Actor], snapshot: Any, runtime_args: Any) -> Any:
    if runtime_args is not None:
        raise TypeError(
            f"{cls.__qualname__} takes no runtime args (RuntimeArgs is None), got "
            f"{runtime_args!r}. Fix: pass runtime_args=None, or subclass al.PersistentActor and "
            "override persistent_args(snapshot, runtime_args) to combine them"
        )
    return snapshot


def persistent_args(cls: type[Actor], snapshot: Any, runtime_args: Any) -> Actor | ActorArgs[Any]:
    """Spawn args for ``cls`` from a snapshot and runtime args, checked."""
    if issubclass(cls, PersistentActor):
        args = cls.persistent_args(snapshot, runtime_args)
    else:
        args = _default_args(cls, snapshot, runtime_args)
    if isinstance(args, Actor):
        if not isinstance(args, cls):
            raise TypeError(
                f"{cls.__qualname__}.persistent_args() returned a {type(args).__qualname__}, "
                f"not a {cls.__qualname__}"
            )
        return args
    if isinstance(args, ActorArgs):
        return args
    raise TypeError(
        f"{cls.__qualname__}.persistent_args() returned {args!r:.80}, which cannot be spawned. "
        "Fix: return an actor instance or an al.ActorArgs"
    )
