"""Spawning: check the args, then build an actor's cell (with its context and ref) and start it.

The one place a new actor comes into being, for ``RootContext.spawn``, ``Context.spawn`` and
persistence's ``spawn_persistent``/``respawn``.
"""

from __future__ import annotations

import contextlib
import copy
from typing import TYPE_CHECKING, Any

from . import names as _names
from .actor import Actor, ActorArgs, fresh_copy, maybe_await
from .cell import ActorCell, Maker
from .errors import ActorClosed, ActorlabError, DuplicateActorId, NameTaken
from .ids import ActorId
from .reprs import RUNTIME_PREFIX
from .upgrade import same_definition

if TYPE_CHECKING:
    from .cell import RootCell
    from .context import Context
    from .runtime import Runtime


def prepare(args: Any) -> tuple[type[Actor], Maker]:
    """Validate spawn args; return the actor class and a factory for fresh instances."""
    if isinstance(args, Actor):
        first, shared = copy_actor(args)
        return type(args), _FromInstance(args, first, shared)
    if isinstance(args, ActorArgs):
        actor_type = type(args).resolve_actor_type()
        return actor_type, _FromArgs(args, actor_type)
    if isinstance(args, type) and issubclass(args, Actor):
        raise TypeError(
            f"spawn() got the class {args.__qualname__} itself. Fix: pass an instance, "
            f"e.g. spawn({args.__qualname__}())"
        )
    raise TypeError(
        f"spawn() needs an al.Actor instance or al.ActorArgs, got {args!r}. "
        f"Fix: subclass al.Actor and pass an instance"
    )


def copy_actor(pristine: Actor, shared: tuple[str, ...] = ()) -> tuple[Actor, tuple[str, ...]]:
    """A fresh copy of an actor that is its own args, and the attributes it shares.

    The rule: state is deep-copied, so a restart starts from the original args; an attribute
    that cannot be deep-copied (a lock, an event, a queue, an open file, a socket, a database
    connection...) is shared instead: the pristine args, the first instance and every restart
    hold that same object. ``info().shared_fields`` names them. (``shared`` from an earlier
    copy skips the whole-object attempt.)
    """
    if not shared:
        try:
            return fresh_copy(pristine), ()
        except Exception:
            pass  # something in it cannot be copied: copy attribute by attribute
    cls = type(pristine)
    new = object.__new__(cls)
    memo: dict[int, Any] = {id(pristine): new}
    names: list[str] = []
    for name, value, slot in _fields(pristine):
        saved = dict(memo)
        try:
            copied = copy.deepcopy(value, memo)
        except Exception:
            memo.clear()  # forget the half-made copies of this attribute
            memo.update(saved)
            copied = value
            if not name.startswith(RUNTIME_PREFIX):
                names.append(name)
        if slot:
            object.__setattr__(new, name, copied)
        else:
            new.__dict__[name] = copied
    return new, tuple(names)


def _fields(actor: Actor) -> list[tuple[str, Any, bool]]:
    """An actor's attributes (name, value, is a slot): ``__dict__`` less its cell, slots."""
    out = [(k, v, False) for k, v in actor.__dict__.items() if k != "_al_cell"]
    for klass in type(actor).__mro__:
        slots = klass.__dict__.get("__slots__", ())
        for name in (slots,) if isinstance(slots, str) else slots:
            if name not in ("__dict__", "__weakref__") and hasattr(actor, name):
                out.append((name, getattr(actor, name), True))
    return out


class _FromInstance:
    """Builds an actor that is its own args: the spawn-time copy first, then fresh copies."""

    __slots__ = ("first", "pristine", "shared")

    def __init__(self, pristine: Actor, first: Actor, shared: tuple[str, ...] = ()) -> None:
        self.pristine = pristine
        self.first: Actor | None = first
        self.shared = shared  # attributes that could not be copied: shared (see copy_actor)

    def take_first(self) -> Actor | None:
        """The spawn-time copy, once (an actor can so start without awaiting its factory)."""
        actor, self.first = self.first, None
        return actor

    async def __call__(self, ctx: Context) -> Actor:
        actor = self.take_first()
        if actor is None:
            actor, self.shared = copy_actor(self.pristine, self.shared)
        return actor


class _FromArgs:
    """Builds an actor from ``ActorArgs``: ``initialize(ctx)`` again on each restart.

    Live code (``upgrade``) replaces ``actor_type`` (and the args' class) with newer definitions.
    """

    __slots__ = ("actor_type", "args")

    def __init__(self, args: ActorArgs[Any], actor_type: type[Actor]) -> None:
        self.args = args
        self.actor_type = actor_type

    def take_first(self) -> None:
        """None: the instance comes from ``initialize(ctx)``, awaited by the actor's task."""
        return None

    async def __call__(self, ctx: Context) -> Actor:
        actor: Actor = await maybe_await(self.args.initialize(ctx))
        expected = self.actor_type
        if not isinstance(actor, expected) and not same_definition(type(actor), expected):
            raise TypeError(
                f"{type(self.args).__qualname__}.initialize() returned {actor!r}, "
                f"not a {expected.__qualname__}"
            )
        return actor


def spawn_cell(
    rt: Runtime,
    parent: ActorCell | RootCell,
    args: Any,
    name: str | None = None,
    actor_id: ActorId | None = None,
    persistent: bool = False,
) -> ActorCell:
    """Create and start an actor under ``parent`` (callable from any thread; never blocks)."""
    if rt.closed:
        raise ActorlabError("this runtime has shut down. Fix: use al.root() for a fresh one")
    if getattr(parent, "closed", False):
        raise ActorClosed(f"actor {parent.label} is stopping; it cannot spawn children any more")
    if name is not None:
        _names.check_name(name)
    actor_type, make = prepare(args)
    aid = actor_id if actor_id is not None else ActorId.new()
    with rt.lock:
        if actor_id is not None and aid in rt.cells:  # (a fresh id: 122 random bits, unused)
            other = rt.cells[aid]
            raise DuplicateActorId(
                f"actor id {aid} is already used by the live actor {other.label} "
                f"({other.actor_type.__qualname__}). Fix: stop it first (ref.stop()), or use another id"
            )
        if name is not None and name in rt.names:
            other = rt.names[name]
            raise NameTaken(_names.taken_text(name, other))
        cell = ActorCell(rt, parent, actor_type, make, aid, name, persistent)
        rt.cells[aid] = cell
        if name is not None:
            rt.names[name] = cell
    try:
        rt.run_soon(cell.start)
    except BaseException:
        # Ctrl-C mid hand-off: the cell is registered, so make sure it starts (start is
        # idempotent) rather than hold its name and id forever.
        with contextlib.suppress(Exception):
            rt.run_soon(cell.start)
        raise
    return cell

