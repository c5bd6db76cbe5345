"""Contexts: ``Context`` (an actor's view of the runtime) and ``RootContext`` (the top)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from . import names as _names
from .actor import Actor, ActorArgs
from .display import Displayable
from .errors import ActorlabError
from .ids import ActorId
from .persistence.contexts import ContextPersistence, RootPersistence
from .runtime import _current_cell, get_runtime
from .signals import Kind, Sig
from .spawning import spawn_cell
from .timers import TimerHandle

if TYPE_CHECKING:
    from .cell import ActorCell, RootCell
    from .ref import ActorRef
    from .runtime import Runtime

A = TypeVar("A", bound=Actor)


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
            cell.request_stop()
            return
        cell.runtime.run_soon(lambda: cell.signal(Sig(Kind.TERMINATE)))

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
