"""Spawning: check the args, then build an actor's cell (with its context and ref) and start it.

The one place a new actor comes into being, for ``RootContext.spawn``, ``Context.spawn`` and
persistence's ``spawn_persistent``/``respawn``.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from . import names as _names
from .actor import Actor, ActorArgs, fresh_copy, maybe_await
from .cell import ActorCell
from .errors import ActorClosed, ActorlabError, DuplicateActorId, NameTaken
from .ids import ActorId
from .upgrade import same_definition

if TYPE_CHECKING:
    from .cell import RootCell
    from .context import Context
    from .runtime import Runtime


def prepare(args: Any) -> tuple[type[Actor], Callable[[Context], Awaitable[Actor]]]:
    """Validate spawn args; return the actor class and a factory for fresh instances."""
    if isinstance(args, Actor):
        try:
            first = fresh_copy(args)
        except Exception as exc:
            raise TypeError(
                f"cannot copy {type(args).__qualname__}'s state, which actorlab keeps pristine for "
                f"restarts ({type(exc).__name__}: {exc}). Fix: spawn an al.ActorArgs whose "
                f"initialize(ctx) builds the actor (it runs again on each restart)"
            ) from exc
        return type(args), _FromInstance(args, first)
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


class _FromInstance:
    """Builds an actor that is its own args: the spawn-time copy first, then fresh copies."""

    __slots__ = ("first", "pristine")

    def __init__(self, pristine: Actor, first: Actor) -> None:
        self.pristine = pristine
        self.first: Actor | None = first

    async def __call__(self, ctx: Context) -> Actor:
        actor, self.first = self.first, None
        return actor if actor is not None else fresh_copy(self.pristine)


class _FromArgs:
    """Builds an actor from ``ActorArgs``: ``initialize(ctx)`` again on each restart.

    Live code (``upgrade``) replaces ``actor_type`` (and the args' class) with newer definitions.
    """

    __slots__ = ("actor_type", "args")

    def __init__(self, args: ActorArgs[Any], actor_type: type[Actor]) -> None:
        self.args = args
        self.actor_type = actor_type

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
        if aid in rt.cells:
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
    rt.run_soon(cell.start)
    return cell

