"""Handlers and dispatch: ``@handler`` methods chosen by the annotated type of the message."""

from __future__ import annotations

import inspect
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from .errors import HandlerDefinitionError

F = TypeVar("F", bound=Callable[..., Any])

_MARK = "__actorlab_handler__"


def handler(fn: F) -> F:
    """Mark a method as a message handler; its message parameter's annotation selects it.

    ``def add(self, msg: Add)`` handles ``Add`` (and subclasses); ``msg: A | B`` handles both.
    Handlers may be ``def`` or ``async def``; their return value is the reply to ``ask``.
    If one raises, the asker gets ``al.HandlerError``, the supervisor decides, and the message
    is dropped (at-most-once: never handled again).
    """
    if not callable(fn):
        raise HandlerDefinitionError(f"@al.handler decorates a method, got {fn!r}")
    setattr(fn, _MARK, True)
    return fn


def is_handler(obj: object) -> bool:
    return callable(obj) and getattr(obj, _MARK, False) is True


@dataclass(frozen=True)
class HandlerSpec:
    """One handler of an actor class."""

    name: str
    func: Callable[..., Any]
    is_async: bool
    types: tuple[type, ...]


def _message_types(cls: type, name: str, fn: Callable[..., Any]) -> tuple[type, ...]:
    where = f"{cls.__qualname__}.{name}"
    params = list(inspect.signature(fn).parameters.values())
    if len(params) != 2:
        raise HandlerDefinitionError(
            f"handler {where} must take exactly (self, msg), got ({', '.join(p.name for p in params)})"
        )
    param = params[1]
    if param.annotation is inspect.Parameter.empty:
        raise HandlerDefinitionError(
            f"handler {where} has no type annotation on '{param.name}', so actorlab cannot tell "
            f"which messages it handles. Fix: annotate it, e.g. def {name}(self, {param.name}: Add)"
        )
    ann: Any = param.annotation
    if isinstance(ann, str):
        try:
            hints = typing.get_type_hints(fn, localns={cls.__name__: cls})
        except Exception as exc:
            raise HandlerDefinitionError(
                f"cannot resolve the annotation {ann!r} of handler {where} ({exc}). Fix: define the "
                f"message class before the actor, at module (cell) level, or drop string annotations"
            ) from None
        ann = hints[param.name]
    return _flatten(ann, where)


def _flatten(ann: Any, where: str) -> tuple[type, ...]:
    origin = typing.get_origin(ann)
    if origin is typing.Union or (hasattr(types, "UnionType") and origin is types.UnionType):
        out: list[type] = []
        for arg in typing.get_args(ann):
            out.extend(_flatten(arg, where))
        return tuple(out)
    if ann is None:
        return (type(None),)
    if ann is typing.Any:
        return (object,)
    if origin is not None and isinstance(origin, type):
        return (origin,)  # list[int] -> list
    if isinstance(ann, type):
        return (ann,)
    raise HandlerDefinitionError(
        f"handler {where} is annotated with {ann!r}, which is not a class; "
        f"annotate the message with a class (or a union of classes)"
    )


def build_table(cls: type) -> dict[type, HandlerSpec]:
    """The dispatch table of ``cls``: inherited handlers, overridden by its own."""
    table: dict[type, HandlerSpec] = {}
    for base in reversed(cls.__mro__[1:]):
        table.update(base.__dict__.get("_al_own_handlers", {}))
    # A subclass that redefines a base handler's method without @handler still overrides it.
    for t, spec in list(table.items()):
        own = cls.__dict__.get(spec.name)
        if own is not None and callable(own) and not is_handler(own):
            table[t] = HandlerSpec(spec.name, own, inspect.iscoroutinefunction(own), spec.types)
    own_table: dict[type, HandlerSpec] = {}
    for name, fn in cls.__dict__.items():
        if not is_handler(fn):
            continue
        kinds = _message_types(cls, name, fn)
        spec = HandlerSpec(name, fn, inspect.iscoroutinefunction(fn), kinds)
        for t in kinds:
            if t in own_table:
                raise HandlerDefinitionError(
                    f"{cls.__qualname__} has two handlers for {t.__qualname__}: "
                    f"{own_table[t].name}() and {name}(). Fix: keep one handler per message type"
                )
            own_table[t] = spec
    cls._al_own_handlers = own_table  # type: ignore[attr-defined]
    table.update(own_table)
    return table


def name_key(cls: type) -> tuple[str, str] | None:
    """``(module, qualname)`` of a module-level class: what a redefinition keeps (live code).

    None for classes defined in a function (``<locals>``): each call makes a new class, and two
    of them must never be taken for one another.
    """
    module = getattr(cls, "__module__", None)
    qualname = getattr(cls, "__qualname__", None)
    if not isinstance(module, str) or not isinstance(qualname, str) or "<locals>" in qualname:
        return None
    return (module, qualname)


def names_of(table: dict[type, HandlerSpec]) -> dict[tuple[str, str], HandlerSpec]:
    """The handlers of ``table`` by class name, for messages of a redefined class."""
    out: dict[tuple[str, str], HandlerSpec] = {}
    for t, spec in table.items():
        key = name_key(t)
        if key is not None:
            out.setdefault(key, spec)
    return out


def resolve(
    table: dict[type, HandlerSpec],
    cache: dict[type, HandlerSpec | None],
    t: type,
    names: dict[tuple[str, str], HandlerSpec] | None = None,
) -> HandlerSpec | None:
    """Find the handler for message type ``t``: walking its MRO, each class by identity, then
    (``names``) by module and qualname, so instances of a redefined class still match. The
    answer is cached per type: a message type pays this walk once."""
    try:
        return cache[t]
    except KeyError:
        pass
    found = None
    for k in t.__mro__:
        found = table.get(k)
        if found is None and names:
            key = name_key(k)
            if key is not None:
                found = names.get(key)
        if found is not None:
            break
    cache[t] = found
    return found
