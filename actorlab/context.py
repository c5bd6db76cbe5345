"""Contexts: ``Context`` (an actor's view of the runtime) and ``RootContext`` (the top)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, TypeVar

from . import cell as _cell
from . import names as _names
from .actor import Actor, ActorArgs, fresh_copy, maybe_await
from .display import Displayable
from .errors import ActorClosed, ActorlabError, DuplicateActorId, NameTaken
from .ids import ActorId
from .persistence.contexts import ContextPersistence, RootPersistence
from .runtime import _current_cell, get_runtime
from .timers import TimerHandle

if TYPE_CHECKING:
    from .cell import ActorCell, RootCell
    from .ref import ActorRef
    from .runtime import Runtime

A = TypeVar("A", bound=Actor)


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

        async def make_from_args(ctx: Context) -> Actor:
            actor = await maybe_await(args.initialize(ctx))
            if not isinstance(actor, actor_type):
                raise TypeError(
                    f"{type(args).__qualname__}.initialize() returned {actor!r}, "
                    f"not a {actor_type.__qualname__}"
                )
            return actor

        return actor_type, make_from_args
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
        cell = _cell.ActorCell(rt, parent, actor_type, make, aid, name, persistent)
        rt.cells[aid] = cell
        if name is not None:
            rt.names[name] = cell
    rt.run_soon(cell.start)
    return cell


class _Spawner:
    """What ``RootContext`` and ``Context`` share: spawning and names."""

    __slots__ = ()

    def _parent_cell(self) -> ActorCell | RootCell:
        raise NotImplementedError

    def _rt(self) -> Runtime:
        raise NotImplementedError

    def spawn(self, args: A | ActorArgs[A], *, name: str | None = None) -> ActorRef[A]:
        """Start an actor (an ``Actor`` instance or ``ActorArgs``); returns its ref at once."""
        return spawn_cell(self._rt(), self._parent_cell(), args, name).ref

    def bind(self, name: str, ref: ActorRef[Any]) -> None:
        """Make ``ref`` findable as ``name`` (``al.lookup``). ``NameTaken`` if a live actor has it."""
        _names.bind(self._rt(), name, ref)

    def free(self, name: str) -> ActorRef[Any] | None:
        """Remove a name binding; returns the ref it pointed to (None if unbound)."""
        return _names.free(self._rt(), name)

    def lookup(self, name: str, actor_type: type[A] | None = None) -> ActorRef[A]:
        """The live actor bound to ``name`` (``ActorNotFound``/``TypeMismatch`` otherwise)."""
        return _names.lookup(self._rt(), name, actor_type)


class Context(_Spawner, ContextPersistence):
    """An actor's handle on the runtime: ``self.ctx`` inside the actor."""

    __slots__ = ("_cell",)

    def __init__(self, cell: ActorCell) -> None:
        self._cell = cell

    def _parent_cell(self) -> ActorCell:
        return self._cell

    def _rt(self) -> Runtime:
        return self._cell.runtime

    @property
    def id(self) -> ActorId:
        return self._cell.id

    @property
    def this(self) -> ActorRef[Any]:
        """A ref to this actor."""
        return self._cell.ref

    @property
    def name(self) -> str | None:
        return self._cell.name

    @property
    def parent(self) -> ActorRef[Any] | None:
        """The supervisor's ref; None for top-level actors (supervised by the root)."""
        from .cell import ActorCell

        p = self._cell.parent
        return p.ref if isinstance(p, ActorCell) else None

    @property
    def children(self) -> list[ActorRef[Any]]:
        return [c.ref for c in list(self._cell.children.values())]

    def terminate(self) -> None:
        """Stop this actor. Safe in its own handler: it stops after the current message."""
        cell = self._cell
        if _current_cell.get() is cell:
            cell._terminate_requested = True
            return
        from .envelope import Sig

        cell.runtime.run_soon(lambda: cell.signal(Sig("terminate")))

    def send_after(self, delay: float, msg: Any) -> TimerHandle:
        """Tell ``msg`` to this actor after ``delay`` seconds."""
        return TimerHandle(self._cell, msg, delay, None)

    def send_every(self, period: float, msg: Any, *, delay: float | None = None) -> TimerHandle:
        """Tell ``msg`` to this actor every ``period`` seconds (first after ``delay``, default one period)."""
        return TimerHandle(self._cell, msg, period if delay is None else delay, period)

    def __repr__(self) -> str:
        return f"<Context of {self._cell.label}>"


class RootContext(_Spawner, RootPersistence, Displayable):
    """The top of the actor tree (theta ``RootContext``); ``al.root()`` gives the one in use."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    @classmethod
    def init_local(cls) -> RootContext:
        """The process-wide root, starting the runtime if needed (same as ``al.root()``)."""
        return get_runtime().root_context

    def _rt(self) -> Runtime:
        rt = self._runtime
        if rt.closed:
            raise ActorlabError(
                "this root belongs to an actorlab runtime that was shut down (al.shutdown() or "
                "al.reset()). Fix: use root = al.root() to get the current one"
            )
        return rt

    def _parent_cell(self) -> RootCell:
        return self._rt().root_cell

    @property
    def runtime(self) -> Runtime:
        return self._runtime

    @property
    def children(self) -> list[ActorRef[Any]]:
        """The top-level actors."""
        return [c.ref for c in list(self._runtime.root_cell.children.values())]

    def shutdown(self, timeout: float | None = None) -> None:
        """Stop every actor and the runtime (``al.shutdown``)."""
        from .runtime import shutdown

        if not self._runtime.closed:
            shutdown(timeout)

    def __repr__(self) -> str:
        rt = self._runtime
        state = "shut down" if rt.closed else f"{len(rt.cells)} actors"
        return f"<RootContext {state}>"



def root() -> RootContext:
    """The process-wide root context; starts the runtime on first use. Idempotent."""
    return get_runtime().root_context
