"""``Actor`` (state + handlers), ``ActorArgs`` (how to build one) and ``ExitCode``."""

from __future__ import annotations

import copy
import copyreg
import enum
import inspect
import typing
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from .errors import HandlerDefinitionError, UnhandledMessage
from .messages import HandlerSpec, build_table, name_key, names_of, resolve

if TYPE_CHECKING:
    from .context import Context
    from .supervision import Escalation, Signal, Strategy


class ExitCode(str, enum.Enum):
    """Why ``on_exit`` runs. theta also has ``Dropped``; actorlab lifetimes are explicit."""

    TERMINATED = "terminated"


class Actor:
    """Base class of actors: state in attributes, behaviour in ``@al.handler`` methods.

    An ``Actor`` instance passed to ``spawn`` is its own args: the runtime keeps it pristine and
    starts (and restarts) from a deep copy, so a restart never sees mutated state. An attribute
    that cannot be deep-copied (a lock, an event, a queue, an open file, a socket, a database
    connection) is shared instead: the args, the first instance and every restart hold that
    same object; ``info().shared_fields`` names those attributes.

    Failures: any exception out of a handler or hook (``SystemExit``, ``KeyboardInterrupt`` and
    a ``CancelledError`` of its own included) is a failure of this actor, handled by its
    supervisor. The message being handled is dropped (at-most-once: not retried after a
    restart or resume, not a dead letter); ``info().errors[-1].msg_repr`` names it.

    Live code: defining a class again with the same module and qualname (re-running its cell,
    ``importlib.reload``) upgrades its live actors in place at their next message boundary: same
    id, mailbox, children and state; the new handlers run from then on, queued messages
    included. Attributes the new ``__init__`` sets that an actor lacks are taken from a fresh
    instance built with the arguments the actor was constructed with; then
    ``on_upgrade(self, old_class)`` runs if defined. If either raises, that actor keeps its old
    code and the error shows in the cell that defined the class. See ``al.upgrade``.
    """

    #: Declarative supervision of this actor's children (``al.OneForOne(...)`` ...). ``None``
    #: means ``supervise()`` decides; its default terminates the failing child, as in theta.
    #: Between a base class and a subclass, the most derived of ``supervisor`` and
    #: ``supervise()`` applies (one class defining both is refused).
    supervisor: ClassVar[Strategy | None] = None

    _al_table: ClassVar[dict[type, HandlerSpec]] = {}
    _al_cache: ClassVar[dict[type, HandlerSpec | None]] = {}
    _al_names: ClassVar[dict[tuple[str, str], HandlerSpec]] = {}  # handlers by class name
    _al_successor: ClassVar[type[Actor] | None] = None  # set while an upgrade is on its way
    _al_hooks: ClassVar[dict[str, bool]] = {}  # hook name -> does the class define its own
    _al_snapshot: ClassVar[Any] = False

    def __new__(cls, *args: Any, **kwargs: Any) -> Any:
        if (args or kwargs) and cls.__init__ is object.__init__:
            raise TypeError(f"{cls.__qualname__}() takes no arguments")
        self = super().__new__(cls)
        if args or kwargs:  # live code rebuilds a fresh instance of a new class from them
            self.__dict__[_INIT] = (args, tuple(kwargs.items()))
        return self

    def __init_subclass__(cls, *, snapshot: Any = False, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        cls._al_table = build_table(cls)
        cls._al_cache = {}
        cls._al_names = names_of(cls._al_table)
        cls._al_successor = None
        cls._al_hooks = {}
        if snapshot is not False:
            cls._al_snapshot = snapshot
        if (
            cls.__dict__.get("supervise", Actor.supervise) is not Actor.supervise
            and "supervisor" in cls.__dict__
            and cls.supervisor is not None
        ):
            raise HandlerDefinitionError(
                f"{cls.__qualname__} defines both supervise() and supervisor = ...; keep one"
            )
        if name_key(cls) is not None:
            _class_created(cls)

    # -- identity and context ------------------------------------------------------------------
    @property
    def ctx(self) -> Context:
        """This actor's ``Context`` (only once spawned: in hooks and handlers)."""
        try:  # (the cell the runtime gave it; its Context is made on first use)
            cell = object.__getattribute__(self, _CELL)
        except AttributeError:
            raise AttributeError(
                f"{type(self).__qualname__}.ctx is only available once the actor runs (in on_start "
                f"and handlers), not in __init__. Fix: move that code to on_start(), or build the "
                f"actor in an al.ActorArgs.initialize(ctx)"
            ) from None
        return cell.context  # type: ignore[no-any-return]

    def __getstate__(self) -> Any:
        """The fields, without the cell and the constructor's arguments; ``(fields, slots)``
        when the class has ``__slots__`` (pickle's own form for such state)."""
        state = self.__dict__.copy()
        state.pop(_CELL, None)
        state.pop(_INIT, None)
        names = copyreg._slotnames(type(self))  # type: ignore[attr-defined]
        slots = {n: getattr(self, n) for n in names if hasattr(self, n)}
        return (state, slots) if slots else state

    def __setstate__(self, state: Any) -> None:
        if isinstance(state, tuple):
            state, slots = state
            for name, value in slots.items():
                _setattr(self, name, value)
        self.__dict__.update(state)

    # -- hooks (all optional, sync or async) -----------------------------------------------------
    def on_start(self) -> Awaitable[None] | None:
        """Runs after every successful initialization (first start and each restart)."""
        return None

    def on_restart(self) -> Awaitable[None] | None:
        """Runs on the old instance just before a restart replaces it."""
        return None

    def on_exit(self, code: ExitCode) -> Awaitable[None] | None:
        """Runs once when the actor stops, after its children have stopped."""
        return None

    def on_upgrade(self, old_class: type[Actor]) -> Awaitable[None] | None:
        """Live code: runs on the upgraded instance (already of the new class) to migrate its
        state, e.g. convert a field. If it raises, the actor keeps its old code, unchanged."""
        return None

    def supervise(
        self, esc: Escalation
    ) -> tuple[Signal, Signal | None] | Awaitable[tuple[Signal, Signal | None]]:
        """Decide for a failing child: (signal for it, signal for its siblings or None).

        The default follows ``supervisor`` if set, else theta: ``(TERMINATE, None)``.
        """
        from .supervision import Signal

        return (Signal.TERMINATE, None)

    def view(self) -> Any:
        """What monitors and ``al.watch`` see of this actor; pushed when it changes."""
        return None

    # -- dispatch ----------------------------------------------------------------------------------
    @classmethod
    def _al_handler_for(cls, msg: object) -> HandlerSpec:
        spec = resolve(cls._al_table, cls._al_cache, type(msg), cls._al_names)
        if spec is None:
            new = cls._al_successor  # a redefinition is about to upgrade this class's actors
            if new is not None:
                spec = resolve(new._al_table, new._al_cache, type(msg), new._al_names)
                if spec is not None:
                    return spec
            raise UnhandledMessage(_unhandled_text(cls, msg))
        return spec

    @classmethod
    def accepted_types(cls) -> list[type]:
        """The message types this actor's handlers accept."""
        return list(cls._al_table)


def _unhandled_text(cls: type[Actor], msg: object) -> str:
    refused = type(msg).__qualname__
    names = {t.__qualname__ for t in cls._al_table}
    twin = refused in names  # another class of the same name: never listed as "accepted"
    accepted = ", ".join(sorted(names - {refused})) or (
        "nothing else" if twin else "nothing (no @al.handler)"
    )
    text = f"{cls.__qualname__} has no handler for {refused} ({msg!r:.80}). It accepts: {accepted}."
    if twin:
        where = (
            "defined in a function (each call makes a new class)"
            if "<locals>" in refused
            else f"from module {type(msg).__module__!r}, not the one the handler names"
        )
        return (
            f"{text} Its handler is for a different class also named {refused}; this one is "
            f"{where}, and only module-level classes match by name. Fix: define {type(msg).__name__} "
            f"once at module (cell) level and use that class for both the handler and the message"
        )
    return (
        f"{text} Fix: send one of those, or add "
        f"@al.handler def on_{type(msg).__name__.lower()}(self, msg: {refused})"
    )


A = TypeVar("A", bound=Actor)


class ActorArgs(Generic[A]):
    """How to build an actor: ``initialize(ctx)`` returns it (sync or async).

    Restarts call ``initialize`` again with these same args. Declare the actor class with
    ``class CounterArgs(al.ActorArgs[Counter])``, an ``actor_type`` attribute, or the return
    annotation of ``initialize``.
    """

    actor_type: ClassVar[type[Actor] | None] = None

    def initialize(self, ctx: Context) -> A | Awaitable[A]:
        raise NotImplementedError(
            f"{type(self).__qualname__} must implement initialize(self, ctx) -> Actor"
        )

    @classmethod
    def resolve_actor_type(cls) -> type[Actor]:
        if cls.actor_type is not None:
            return cls.actor_type
        for base in getattr(cls, "__orig_bases__", ()):
            if typing.get_origin(base) is ActorArgs:
                (arg,) = typing.get_args(base)
                if isinstance(arg, type) and issubclass(arg, Actor):
                    return arg
        try:
            ret = typing.get_type_hints(cls.initialize).get("return")
        except Exception:
            ret = None
        if isinstance(ret, type) and issubclass(ret, Actor):
            return ret
        raise HandlerDefinitionError(
            f"cannot tell which actor {cls.__qualname__} builds. Fix: write "
            f"class {cls.__name__}(al.ActorArgs[MyActor]), or set actor_type = MyActor"
        )


#: Where an actor instance keeps its constructor's arguments (``Actor.__new__``; live code).
_INIT = "_al_init"
#: Where a running actor instance keeps its cell (``ctx``; never copied, pickled or shown).
_CELL = "_al_cell"

_ATOMS = (int, float, str, bytes, bool, type(None), complex, enum.Enum)
#: The exact types of most atoms (``fresh_copy`` tests them first).
_ATOM_TYPES = frozenset(_ATOMS) - {enum.Enum}


def _is_atom(value: object) -> bool:
    """Immutable all the way down, so a restart may share it with the pristine args."""
    if isinstance(value, _ATOMS) or getattr(type(value), "_al_atom", False):
        return True
    if type(value) is tuple or type(value) is frozenset:  # (their members may be mutable)
        return all(_is_atom(v) for v in value)
    return False


_setattr = object.__setattr__


def fresh_copy(pristine: Actor) -> Actor:
    """A new instance with the pristine state (shallow when all fields are immutable).

    Runs on every spawn: one plain loop tests and copies (no generator), and a value of an
    exact atom type costs a set lookup, not a call."""
    if hasattr(pristine, "__slots__"):
        return copy.deepcopy(pristine)
    new = object.__new__(type(pristine))
    for k, v in pristine.__dict__.items():
        if type(v) not in _ATOM_TYPES and k != _INIT and not _is_atom(v):
            return copy.deepcopy(pristine)  # (``new``, half set, is dropped)
        _setattr(new, k, v)  # (attributes, not new.__dict__: no dict object per actor)
    return new


async def maybe_await(value: Any) -> Any:
    if inspect.isawaitable(value):
        return await value
    return value


# (``from .upgrade import``, not ``from . import upgrade``: ``al.upgrade`` is the function.)
from .upgrade import class_created as _class_created  # noqa: E402  (it needs Actor)
