"""``spawn_persistent``, ``respawn`` and ``respawn_or``: start an actor under a fixed id.

theta semantics, with two deliberate differences:
- a second live actor with the same id raises ``DuplicateActorId`` (theta: undefined behaviour);
- ``respawn_or`` logs a read error other than "no snapshot" (permissions, a broken database) as
  a warning, not at debug level: the default state would soon overwrite the unread snapshot, so
  the user must hear about it. "No snapshot yet" stays at debug level, as in theta.

``spawn_persistent`` neither loads nor saves (as in theta); it records the storage, which
``ctx.save_snapshot()`` then uses by default, and installs the ``autosave`` policy.
"""

from __future__ import annotations

import functools
import logging
import types
import typing
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from actorlab.actor import Actor, ActorArgs
from actorlab.clock import wait_future
from actorlab.errors import ActorlabError, SnapshotError, SnapshotNotFound, WrongThread
from actorlab.ids import ActorId
from actorlab.persistence import autosave as _autosave
from actorlab.persistence import codec, pickling
from actorlab.persistence.actor import persistent_args, require_persistent
from actorlab.persistence.saving import check_storage
from actorlab.persistence.storage import BaseStorage, PersistentStorage, default_storage

if TYPE_CHECKING:
    from actorlab.cell import ActorCell, RootCell
    from actorlab.ref import ActorRef
    from actorlab.runtime import Runtime

log = logging.getLogger("actorlab.persistence")


def storage_or_default(storage: PersistentStorage | None) -> PersistentStorage:
    return default_storage() if storage is None else check_storage(storage)


def _actor_type(args: Any) -> type[Actor]:
    if isinstance(args, Actor):
        return type(args)
    if isinstance(args, ActorArgs):
        return type(args).resolve_actor_type()
    raise TypeError(
        f"spawn_persistent() needs an al.Actor instance or al.ActorArgs, got {args!r:.80}. "
        "Fix: pass an instance of a class declared with snapshot=True"
    )


def spawn(
    rt: Runtime,
    parent: ActorCell | RootCell,
    storage: PersistentStorage | None,
    actor_id: ActorId | str,
    args: Any,
    *,
    name: str | None = None,
    autosave: _autosave.Autosave | None = None,
    placement: Any = None,
) -> ActorRef[Any]:
    """Spawn ``args`` as a child of ``parent`` with the given id (``DuplicateActorId``);
    ``placement`` starts it in another process of a cluster (the transport hook)."""
    from actorlab.spawning import spawn_cell

    store = storage_or_default(storage)
    require_persistent(_actor_type(args))
    if placement is not None:
        return _spawn_placed(parent, store, ActorId(actor_id), args, name, autosave, placement)
    cell = spawn_cell(rt, parent, args, name, actor_id=ActorId(actor_id), persistent=True)
    _autosave.attach(cell, store, autosave)
    return cell.ref


def _spawn_placed(
    parent: ActorCell | RootCell,
    storage: PersistentStorage,
    actor_id: ActorId,
    args: Any,
    name: str | None,
    autosave: _autosave.Autosave | None,
    placement: Any,
) -> ActorRef[Any]:
    from actorlab.transport import get_transport

    transport = get_transport()
    if transport is None:
        raise ActorlabError(
            f"starting {_actor_type(args).__qualname__} ({actor_id}) with placement={placement!r} needs "
            "a cluster, and none is connected. Fix: call al.cluster.connect() first "
            '(pip install "actorlab[ray]"), or drop placement= to start it here'
        )
    return transport.spawn_persistent(parent, args, name, placement, actor_id, storage, autosave)


def read_blocking(
    storage: PersistentStorage, actor_id: ActorId, rt: Runtime | None = None
) -> bytes:
    """Read from any thread: built-in storages directly, others through the runtime loop."""
    if isinstance(storage, BaseStorage):
        return storage.read(actor_id)
    if rt is None:
        from actorlab.runtime import get_runtime

        rt = get_runtime()
    if rt.on_loop_thread():
        raise WrongThread(
            f"{storage!r} only has async methods, and a _sync call inside an actor cannot wait "
            "for them without blocking the runtime. Fix: use the async form with await"
        )
    return wait_future(rt.submit(storage.try_read(actor_id)), None)


def strict_read_error(storage: PersistentStorage, actor_id: ActorId, exc: Exception) -> Exception:
    if isinstance(exc, SnapshotError):
        return exc
    return SnapshotError(
        f"cannot read the snapshot of actor id {actor_id} from {storage!r}: "
        f"{type(exc).__name__}: {exc}. Fix: check the storage (path, permissions, connection)"
    )


def _from_snapshot(
    data: bytes,
    storage: PersistentStorage,
    actor_id: ActorId,
    actor_type: type[Actor] | None,
) -> tuple[type[Actor], Any]:
    """Checked, decoded spawn args. ``SnapshotError`` for anything wrong with the snapshot."""
    header, cls, snap = codec.load_snapshot(data, expected_id=actor_id, source=repr(storage))
    if not issubclass(cls, Actor) or (actor_type is not None and not issubclass(cls, actor_type)):
        want = actor_type.__qualname__ if actor_type is not None else "an al.Actor"
        raise SnapshotError(
            f"snapshot of {header.label}: it holds a {cls.__module__}.{cls.__qualname__}, not "
            f"{want}. Fix: respawn it with the matching class, or use another actor id"
        )
    return cls, snap


def _is_factory(arg: Any) -> bool:
    return callable(arg) and not isinstance(arg, (Actor, ActorArgs, type))


def _value(arg: Any) -> Any:
    """theta passes ``FnOnce`` closures; a plain value is accepted too."""
    return arg() if _is_factory(arg) else arg


def _args_type(obj: Any) -> type[Actor] | None:
    """The actor class that ``obj`` (spawn args, an actor or args class) starts, if any."""
    if isinstance(obj, (Actor, ActorArgs)):
        obj = type(obj)
    if isinstance(obj, type):
        if issubclass(obj, Actor):
            return obj
        if issubclass(obj, ActorArgs):
            try:
                return obj.resolve_actor_type()
            except Exception:
                return None
    return None


def factory_type(fn: Any) -> type[Actor] | None:
    """The actor class a ``default_args`` callable builds, found without calling it.

    From its return annotation, the class a ``functools.partial`` wraps, or the one actor (or
    args) class its code names (``lambda: Counter(0)``). None if that is not conclusive.
    """
    if isinstance(fn, functools.partial):
        return _args_type(fn.func) or factory_type(fn.func)
    try:
        hinted = _args_type(typing.get_type_hints(fn).get("return"))
    except Exception:
        hinted = None
    if hinted is not None:
        return hinted
    used = pickling.globals_used(fn) if isinstance(fn, types.FunctionType) else ()
    named = {t for t in (_args_type(v) for _, v in used) if t is not None}
    return named.pop() if len(named) == 1 else None


_UNSET: Any = object()


def _label(expected: type[Actor] | None, actor_id: ActorId) -> str:
    return f"{expected.__qualname__ if expected else 'actor'}({actor_id})"


class OrFallback:
    """The ``respawn_or`` decision, shared by the async and blocking paths."""

    def __init__(
        self,
        storage: PersistentStorage,
        actor_id: ActorId,
        runtime_args: Any,
        default_args: Any,
        actor_type: type[Actor] | None,
    ) -> None:
        self.storage = storage
        self.actor_id = actor_id
        self.runtime_args = runtime_args
        self.default_args = default_args
        self.built: Any = _UNSET
        self.expected = actor_type or _args_type(default_args)
        if self.expected is None and _is_factory(default_args):
            self.expected = factory_type(default_args)
            if self.expected is None:  # not knowable without building it: build it now
                self.built = default_args()
                self.expected = _args_type(self.built)

    def _default(self) -> tuple[Any, str]:
        """The default args (called now, as in theta only on a fallback) and a log label."""
        args = _value(self.default_args) if self.built is _UNSET else self.built
        return args, _label(self.expected or _args_type(args), self.actor_id)

    def read_failed(self, exc: Exception) -> Any:
        args, label = self._default()
        level = logging.DEBUG if isinstance(exc, SnapshotNotFound) else logging.WARNING
        log.log(
            level,
            "respawn_or: failed to read the snapshot of %s from %r (%s); starting it from "
            "default_args",
            label,
            self.storage,
            exc,
        )
        return args

    def args_from(self, data: bytes) -> Any:
        try:
            cls, snap = _from_snapshot(data, self.storage, self.actor_id, self.expected)
        except SnapshotError as exc:
            args, label = self._default()
            log.warning(
                "respawn_or: failed to decode the snapshot of %s: %s -- starting it from "
                "default_args instead",
                label,
                exc,
            )
            return args
        return persistent_args(cls, snap, _value(self.runtime_args))


class Respawn:
    """One ``respawn``/``respawn_or`` call: the read happens async or blocking, the rest is
    shared."""

    def __init__(
        self,
        rt: Runtime,
        parent: ActorCell | RootCell,
        storage: PersistentStorage | None,
        actor_id: ActorId | str,
        *,
        name: str | None,
        autosave: _autosave.Autosave | None,
        actor_type: type[Actor] | None,
        placement: Any = None,
    ) -> None:
        self.rt = rt
        self.placement = placement
        self.parent = parent
        self.storage = storage_or_default(storage)
        self.actor_id = ActorId(actor_id)
        self.name = name
        self.autosave = autosave
        self.actor_type = actor_type

    async def read(self) -> bytes:
        return await self.storage.try_read(self.actor_id)

    def read_blocking(self) -> bytes:
        return read_blocking(self.storage, self.actor_id, self.rt)

    def spawn(self, args: Any) -> ActorRef[Any]:
        return spawn(
            self.rt,
            self.parent,
            self.storage,
            self.actor_id,
            args,
            name=self.name,
            autosave=self.autosave,
            placement=self.placement,
        )

    # strict ---------------------------------------------------------------------------------
    def strict(self, read: Callable[[], bytes], runtime_args: Any) -> ActorRef[Any]:
        try:
            data = read()
        except WrongThread:  # a blocking call in the wrong place, not a storage failure
            raise
        except Exception as exc:
            raise strict_read_error(self.storage, self.actor_id, exc) from exc
        return self.strict_from(data, runtime_args)

    def strict_from(self, data: bytes, runtime_args: Any) -> ActorRef[Any]:
        cls, snap = _from_snapshot(data, self.storage, self.actor_id, self.actor_type)
        return self.spawn(persistent_args(cls, snap, runtime_args))

    # lenient --------------------------------------------------------------------------------
    def fallback(self, runtime_args: Any, default_args: Any) -> OrFallback:
        return OrFallback(self.storage, self.actor_id, runtime_args, default_args, self.actor_type)
