"""Find *which* part of a state cannot be snapshotted, and flag parts that pickle but lie.

Pickle's own error (``TypeError: cannot pickle 'socket' object``) has no location. After a failed
dump, ``not_picklable`` walks the state (``__dict__``, slots, dicts, lists, tuples, sets) pickling
each child on its own, descends into the first one that fails and reports the innermost culprit:
``cannot snapshot Counter.cache['conn']: socket (...)``. ``picklability_report`` gives the same
information for every field, plus warnings for values that pickle but do not mean the same thing
after loading (locks, files, sockets, event loops, tasks, actor refs).
"""

from __future__ import annotations

import asyncio
import io
import queue
import reprlib
import socket
import threading
import types
from collections.abc import Iterator
from typing import Any, NamedTuple

from actorlab.errors import NotPicklable
from actorlab.persistence import pickling

_MAX_DEPTH = 64
_MAX_NODES = 20_000
_short = reprlib.Repr()
_short.maxstring = 30
_short.maxother = 30


class PicklabilityItem(NamedTuple):
    """One line of ``picklability_report``: ``error`` is the failure, or a warning if ``ok``."""

    path: str
    type: str
    ok: bool
    error: str | None

    @property
    def warning(self) -> bool:
        """Pickles, but will not mean the same after loading."""
        return self.ok and self.error is not None


def _type_name(obj: Any) -> str:
    return type(obj).__qualname__


def _excluded(obj: Any) -> tuple[str, ...]:
    return pickling.excluded_names(type(obj))


def children(obj: Any) -> Iterator[tuple[str, Any, str | None]]:
    """``(path suffix, child, attribute name or None)`` for each part pickle would save."""
    if isinstance(obj, dict):
        for k, v in list(obj.items()):
            yield f"[{_short.repr(k)}]", v, None
            if not isinstance(k, (str, int, float, bool, bytes, type(None))):
                yield f".keys()[{_short.repr(k)}]", k, None
    elif isinstance(obj, (list, tuple)):
        for i, v in enumerate(list(obj)):
            yield f"[{i}]", v, None
    elif isinstance(obj, (set, frozenset)):
        for v in list(obj):
            yield f"{{{_short.repr(v)}}}", v, None
    elif not isinstance(obj, (type, types.FunctionType, types.ModuleType)):
        excluded = _excluded(obj)
        d = getattr(obj, "__dict__", None)
        if isinstance(d, dict):
            for k, v in list(d.items()):
                if k not in excluded:
                    yield f".{k}", v, k
        for name in _slot_names(type(obj)):
            if name not in excluded and name not in ("__dict__", "__weakref__"):
                try:
                    yield f".{name}", getattr(obj, name), name
                except AttributeError:
                    continue


def _slot_names(cls: type) -> Iterator[str]:
    for klass in cls.__mro__:
        slots = klass.__dict__.get("__slots__", ())
        yield from (slots,) if isinstance(slots, str) else slots


def _error(obj: Any) -> BaseException | None:
    try:
        pickling.dumps(obj)
    except RecursionError as e:
        return e
    except Exception as e:
        return e
    return None


class _Culprit(NamedTuple):
    path: str
    obj: Any
    error: BaseException
    owner: type | None
    attribute: str | None


def locate(obj: Any, root: str) -> _Culprit | None:
    """The innermost unpicklable part of ``obj`` (``None`` if ``obj`` pickles)."""
    error = _error(obj)
    if error is None:
        return None
    path, owner, attribute = root, None, None
    seen: set[int] = set()
    for _ in range(_MAX_DEPTH):
        seen.add(id(obj))
        for suffix, child, attr in children(obj):
            if id(child) in seen:
                continue
            child_error = _error(child)
            if child_error is not None:
                if attr is not None:
                    owner, attribute = type(obj), attr
                path, obj, error = path + suffix, child, child_error
                break
        else:
            break
    return _Culprit(path, obj, error, owner, attribute)


class _CodeCulprit(NamedTuple):
    where: str  # "Counter.add" (a function) or "Counter" (a class attribute)
    name: str
    obj: Any
    error: BaseException
    is_attribute: bool
    is_default: bool = False  # ``name`` is a parameter of the function ``where``


def _unwrap(value: Any) -> Any:
    if isinstance(value, (staticmethod, classmethod)):
        value = value.__func__
    for _ in range(32):
        inner = getattr(value, "__wrapped__", None)
        if inner is None:
            break
        value = inner
    return value


def _members(cls: type) -> Iterator[tuple[str, Any]]:
    """``(name, value)`` of a class's own attributes, properties split into their functions.

    Of the dunder names only the methods (``__init__``, ``__call__``...): their code is copied
    with the rest, while ``__dict__``, ``__module__``, ``__doc__``... are the class machinery."""
    for name, value in list(vars(cls).items()):
        if isinstance(value, property):
            for part in (value.fget, value.fset, value.fdel):
                if part is not None:
                    yield name, part
            continue
        value = _unwrap(value)
        if not (name.startswith("__") and name.endswith("__")) or isinstance(
            value, types.FunctionType
        ):
            yield name, value


def locate_in_code(roots: Iterator[Any] | list[Any]) -> _CodeCulprit | None:
    """The first value that cannot be pickled among what by-value code carries along.

    A class or function defined in a notebook cell is copied with the globals its code reads
    (dill ``recurse=True``) and its class attributes: a global socket used in a handler makes
    the *class* unpicklable while every field of the state pickles.
    """
    stack = [r for r in roots if pickling.by_value_kind(r) is not None]
    seen: set[int] = set()
    while stack:
        obj = stack.pop()
        if id(obj) in seen:
            continue
        seen.add(id(obj))
        parts: list[tuple[str, str | None, Any]]
        if isinstance(obj, type):
            stack.extend(b for b in obj.__bases__ if pickling.by_value_kind(b) is not None)
            parts = [(obj.__qualname__, n, v) for n, v in _members(obj)]
        else:
            parts = [(obj.__qualname__, None, obj)]
        for where, attr, value in parts:
            if isinstance(value, types.FunctionType) and (attr is None or _is_own(value)):
                fn_where = f"{where}.{attr}" if attr else where
                for name, used in pickling.globals_used(value):
                    found = _check(fn_where, name, used, stack, False)
                    if found is not None:
                        return found
                for name, default in _defaults(value):  # saved with the function, too
                    found = _check(fn_where, name, default, stack, False)
                    if found is not None:
                        return found._replace(is_default=True)
            elif attr is not None:
                found = _check(where, attr, value, stack, True)
                if found is not None:
                    return found
    return None


def _defaults(fn: types.FunctionType) -> Iterator[tuple[str, Any]]:
    """``(parameter, default value)`` of ``fn``'s positional and keyword-only defaults."""
    code = fn.__code__
    values = fn.__defaults__ or ()
    positional = code.co_varnames[: code.co_argcount]
    yield from zip(positional[len(positional) - len(values) :], values, strict=True)
    yield from (fn.__kwdefaults__ or {}).items()


def _is_own(fn: types.FunctionType) -> bool:
    return pickling.by_value_kind(fn) is not None


def _check(where: str, name: str, value: Any, stack: list[Any], attr: bool) -> _CodeCulprit | None:
    if isinstance(value, types.ModuleType):
        return None  # modules are pickled by name
    if isinstance(value, (type, types.FunctionType)):
        if pickling.by_value_kind(value) is not None:
            stack.append(value)
        return None
    error = _error(value)
    return None if error is None else _CodeCulprit(where, name, value, error, attr)


def not_picklable(
    state: Any,
    root: str,
    cause: BaseException,
    *,
    actor: str | None = None,
    code: tuple[Any, ...] = (),
) -> NotPicklable:
    """A ``NotPicklable`` naming the attribute path (or the global a handler uses), its type,
    the cause and the fix. ``code``: classes saved beside ``state`` (the actor class)."""
    where = f" in actor {actor}" if actor else ""
    culprit = locate(state, root) or _Culprit(root, state, cause, None, None)
    if culprit.obj is state:
        in_code = locate_in_code([type(state), state, *code])
        if in_code is not None:
            return _code_error(in_code, where)
    error = culprit.error
    if culprit.owner is not None and culprit.attribute is not None:
        exclude = (
            f"or list {culprit.attribute!r} in {culprit.owner.__qualname__}.__snapshot_exclude__ "
            "(it is then restored as None)"
        )
    else:
        exclude = "or keep it out of the saved state (__snapshot_exclude__)"
    return NotPicklable(
        f"cannot snapshot {culprit.path}: {_type_name(culprit.obj)} "
        f"({type(error).__name__}: {error}){where}. Fix: pass it as RuntimeArgs (see "
        f"PersistentActor.persistent_args), {exclude}."
    )


def _code_error(c: _CodeCulprit, where: str) -> NotPicklable:
    owner = c.where.split(".")[0]
    if c.is_default:
        what = f"the default value of the parameter {c.name!r} of {c.where}"
        how = (
            f"default {c.name} to None and make the value where it is used, or pass it in (as "
            "an attribute created in on_start, or RuntimeArgs: see PersistentActor.persistent_args)"
        )
    elif c.is_attribute:
        what = f"its class attribute {c.where}.{c.name}"
        how = f"set it per actor (in __init__ or on_start) instead of on the class {owner}"
    else:
        what = f"the global {c.name!r} that {c.where} uses"
        how = (
            f"reach it through its module (import mod, then mod.{c.name}), which is saved by "
            "name, or make it an attribute created in on_start or passed as RuntimeArgs (see "
            "PersistentActor.persistent_args) and listed in __snapshot_exclude__"
        )
    return NotPicklable(
        f"cannot snapshot {owner}{where}: {owner} is defined in a notebook cell (__main__), so "
        f"it is saved by value with the globals its code uses, and {what} is a "
        f"{_type_name(c.obj)} ({type(c.error).__name__}: {c.error}). Fix: {how}."
    )


def _warning_types() -> tuple[tuple[type | tuple[type, ...], str], ...]:
    lock_types = (type(threading.Lock()), type(threading.RLock()), threading.Condition)
    return (
        (lock_types, "a lock is process-local: a restored lock is a new, unlocked one"),
        (
            (threading.Event, threading.Semaphore, queue.Queue),
            "a threading primitive is process-local: it is recreated empty, waiters are lost",
        ),
        (io.IOBase, "an open file or stream cannot move to another process: reopen it"),
        (socket.socket, "a socket cannot be snapshotted: reconnect in on_start or RuntimeArgs"),
        (asyncio.AbstractEventLoop, "an event loop belongs to this process"),
        ((asyncio.Future, asyncio.Task), "a task/future is running work: it cannot be saved"),
        (
            (asyncio.Lock, asyncio.Event, asyncio.Condition, asyncio.Semaphore, asyncio.Queue),
            "an asyncio primitive is recreated empty: waiters and queued items are lost",
        ),
        (
            (types.GeneratorType, types.CoroutineType, types.AsyncGeneratorType),
            "a generator/coroutine is suspended code: it cannot be saved",
        ),
    )


def _warning_for(obj: Any) -> str | None:
    for types_, text in _warning_types():
        if isinstance(obj, types_):
            return text
    t = type(obj)
    if t.__module__.startswith("actorlab") and t.__name__ in ("ActorRef", "WeakActorRef"):
        return (
            "an actor ref points at a live actor of this process; after a restart it may point "
            "nowhere: save the ActorId and respawn/lookup instead"
        )
    return None


def picklability_report(obj: Any, root: str | None = None) -> list[PicklabilityItem]:
    """One item per field of ``obj`` (ok or the error), plus the innermost culprit of each
    failure and a warning item for every value that pickles but will not mean the same."""
    root = root or _type_name(obj)
    items: list[PicklabilityItem] = []
    for suffix, child, _ in children(obj):
        path = root + suffix
        error = _error(child)
        items.append(
            PicklabilityItem(
                path,
                _type_name(child),
                error is None,
                None if error is None else _fmt(error, child),
            )
        )
        if error is not None:
            culprit = locate(child, path)
            if culprit is not None and culprit.path != path:
                items.append(
                    PicklabilityItem(
                        culprit.path,
                        _type_name(culprit.obj),
                        False,
                        _fmt(culprit.error, culprit.obj),
                    )
                )
    items.extend(_warnings(obj, root))
    return items


def _fmt(error: BaseException, obj: Any) -> str:
    hint = _warning_for(obj)
    return f"{type(error).__name__}: {error}" + (f" ({hint})" if hint else "")


def _warnings(obj: Any, root: str) -> Iterator[PicklabilityItem]:
    stack: list[tuple[str, Any, int]] = [(root, obj, 0)]
    seen: set[int] = set()
    while stack and len(seen) < _MAX_NODES:
        path, node, depth = stack.pop()
        if id(node) in seen or depth > _MAX_DEPTH:
            continue
        seen.add(id(node))
        text = _warning_for(node)
        if text is not None:
            if _error(node) is None:  # failures are reported already, with the hint
                yield PicklabilityItem(path, _type_name(node), True, "warning: " + text)
            continue
        kids = [(path + suffix, child, depth + 1) for suffix, child, _ in children(node)]
        stack.extend(reversed(kids))
