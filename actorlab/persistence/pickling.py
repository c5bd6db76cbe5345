"""Pickling with dill's semantics at stdlib speed.

The C pickler does the work; a ``reducer_override`` hands to dill (``recurse=True``) only what
stdlib pickle cannot pickle by reference: classes and functions defined in ``__main__`` (notebook
cells) or otherwise not importable by their qualname, lambdas, closures and code objects.

A *named* class or function (``__main__.Counter``) is written as a reference with a fallback:
``_rebind_class("__main__", "Counter", <dill bytes>)``. Loading looks the name up first, so after
a kernel restart and a re-run of the cells the *current* definition is used (edited handlers take
effect, messages built from new cells still match). The by-value copy is unpickled only when the
name no longer exists. Anonymous code (lambdas, closures) is always restored by value. Classes
and functions that refer to each other (an actor and its ``snapshot=T`` class) share one copy.
Modules are always pickled by name (dill would copy the globals of one outside site-packages,
such as an editable install of actorlab itself).

Unpickling runs code: ``format`` checks the digests and the HMAC (every snapshot is signed)
before this module is called.
"""

from __future__ import annotations

import contextvars
import enum
import hashlib
import importlib
import io
import pickle
import sys
import threading
import types
import typing
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from actorlab.persistence import dill_compat

PROTOCOL = 5
"""Pickle protocol of the payload and of the nested dill blobs (Python >= 3.8)."""

_PLAIN: frozenset[type] = frozenset(
    {dict, list, tuple, set, frozenset, bytearray, complex, type(None), types.BuiltinFunctionType}
)
_MISSING = object()


class CodeNotAllowed(Exception):
    """Unpickling needed a by-value class or function while code loading was disabled."""

    def __init__(self, what: str) -> None:
        super().__init__(what)
        self.what = what


@dataclass(frozen=True)
class Pickled:
    """A pickled payload and what it carries."""

    data: bytes
    code: tuple[str, ...]
    """``module:qualname`` of every named class/function pickled by value (with a fallback)."""
    anonymous_code: int
    """How many lambdas, closures or other unnamed code objects are pickled by value."""
    requires: tuple[str, ...] = ()
    """``module:qualname`` of classes saved by name only (enums: dill cannot copy them), which
    must be defined again before loading."""

    @property
    def contains_code(self) -> bool:
        return bool(self.code) or self.anonymous_code > 0


def dill_version() -> str:
    return str(_dill().__version__)


def _dill() -> Any:
    dill = importlib.import_module("dill")
    dill_compat.install(dill)  # dill's globals scan must not swap sys.stdout (notebook output)
    return dill


def lookup(module: str | None, qualname: str, *, import_module: bool = False) -> Any:
    """The object named ``module.qualname`` in this process, or ``_MISSING``."""
    if module is None or "<locals>" in qualname or "<lambda>" in qualname:
        return _MISSING
    mod = sys.modules.get(module)
    if mod is None and import_module and module != "__main__":
        try:
            mod = importlib.import_module(module)
        except Exception:
            return _MISSING
    if mod is None:
        return _MISSING
    obj: Any = mod
    for part in qualname.split("."):
        obj = getattr(obj, part, _MISSING)
        if obj is _MISSING:
            return _MISSING
    return obj


def _name_of(obj: Any) -> tuple[str | None, str]:
    return getattr(obj, "__module__", None), getattr(obj, "__qualname__", "")


def by_value_kind(obj: Any) -> str | None:
    """``"named"``/``"anonymous"`` if ``obj`` must be pickled by value, ``None`` if by reference."""
    if isinstance(obj, types.CodeType):
        return "anonymous"
    if not isinstance(obj, (type, types.FunctionType)):
        return None
    module, qualname = _name_of(obj)
    if module != "__main__" and lookup(module, qualname) is obj:
        return None
    if module is None or not qualname or "<" in qualname:
        return "anonymous"
    return "named"


class _Cycle(Exception):
    """A blob reached a class/function that an outer blob is copying (see ``reduce``)."""


class _DumpState:
    """What one ``dumps`` call has handed to dill (shared by the nested dill picklers)."""

    def __init__(self) -> None:
        self.named: dict[str, None] = {}
        self.requires: dict[str, None] = {}
        self.anonymous = 0
        self.blobs: dict[int, tuple[Any, bytes]] = {}
        self.in_progress: set[int] = set()
        self.dill_pickler: type[Any] | None = None

    def reduce(self, obj: Any) -> Any:
        kind = by_value_kind(obj)
        if kind is None:
            return NotImplemented
        if id(obj) in self.in_progress:
            # ``obj`` is being copied by an outer blob and reached again from a class or function
            # it refers to (``class A: snapshot = B``, ``class B: ... A(...)``). Separate blobs
            # cannot refer to each other both ways: the outer one copies this group whole.
            raise _Cycle
        module, qualname = _name_of(obj)
        if kind == "named" and isinstance(obj, type) and issubclass(obj, enum.Enum):
            self.requires[f"{module}:{qualname}"] = None
            return (_require_class, (module, qualname))
        try:
            blob = self.blob(obj)
        except _Cycle:
            if not self.in_progress:
                raise
            return NotImplemented  # the calling dill pickler copies ``obj`` in its own blob
        if not has_code(blob):
            return (_dill_value, (blob,))
        if kind == "anonymous":
            self.anonymous += 1
            return (_by_value, (blob,))
        self.named[f"{module}:{qualname}"] = None
        rebind = _rebind_class if isinstance(obj, type) else _rebind_function
        return (rebind, (module, qualname, blob))

    def blob(self, obj: Any) -> bytes:
        cached = self.blobs.get(id(obj))
        if cached is not None:
            return cached[1]
        buf = io.BytesIO()
        self.in_progress.add(id(obj))
        try:
            self._dill_pickler_cls()(buf, obj, self).dump(obj)
        finally:
            self.in_progress.discard(id(obj))
        data = buf.getvalue()
        self.blobs[id(obj)] = (obj, data)
        return data

    def _dill_pickler_cls(self) -> type[Any]:
        if self.dill_pickler is None:
            self.dill_pickler = _dill_pickler_class()
        return self.dill_pickler


_DILL_PICKLER: type[Any] | None = None
_DILL_LOCK = threading.Lock()


def _dill_pickler_class() -> type[Any]:
    """A ``dill.Pickler`` that keeps the reference-with-fallback for nested named code."""
    global _DILL_PICKLER
    with _DILL_LOCK:
        if _DILL_PICKLER is None:
            dill = _dill()

            class _NestedDillPickler(dill.Pickler):  # type: ignore[misc,name-defined]
                def __init__(self, file: io.BytesIO, root: Any, state: _DumpState) -> None:
                    super().__init__(file, protocol=PROTOCOL, recurse=True, byref=False)
                    self._al_root = root
                    self._al_state = state
                    self._al_classes: set[int] = set()  # classes whose copy is being written

                def reducer_override(self, obj: Any) -> Any:
                    if type(obj) is typing.TypeVar:
                        return _reduce_typevar(obj)
                    if type(obj) is types.ModuleType:
                        # dill copies the __dict__ of a module outside site-packages (an
                        # editable install, a local helpers.py): by name, as stdlib pickle does
                        return _reduce_module(obj)
                    if obj is self._al_root or not _top_level_by_value(obj):
                        return NotImplemented
                    return self._al_state.reduce(obj)

                def save(self, obj: Any, save_persistent_id: bool = True) -> None:
                    if isinstance(obj, type) and id(obj) not in self.memo:
                        self._al_classes.add(id(obj))
                        own_bases = _pin_orig_bases(obj)
                        try:
                            super().save(obj, save_persistent_id)
                        finally:
                            self._al_classes.discard(id(obj))
                            if own_bases:
                                type.__delattr__(obj, "__orig_bases__")
                        return
                    if type(obj) is types.FunctionType and id(obj) not in self.memo:
                        resolved = _resolved_annotations(obj, self._al_classes)
                        if resolved is not None:
                            original = obj.__annotations__
                            obj.__annotations__ = resolved
                            try:
                                super().save(obj, save_persistent_id)
                            finally:
                                obj.__annotations__ = original
                            return
                    super().save(obj, save_persistent_id)

            _DILL_PICKLER = _NestedDillPickler
        return _DILL_PICKLER


def _pin_orig_bases(cls: type) -> bool:
    """Give ``cls`` its own ``__orig_bases__`` while dill copies it; True if one was added.

    dill 0.4 rebuilds a class from ``__orig_bases__`` when ``hasattr`` finds one, and finds the
    *inherited* one of a subclass of a generic class (``class Snap(al.ActorArgs)``): the copy
    would lose its real base. Pinned to ``__bases__``, the copy is built from the right bases.
    """
    if "__orig_bases__" in cls.__dict__ or not hasattr(cls, "__orig_bases__"):
        return False
    try:
        type.__setattr__(cls, "__orig_bases__", cls.__bases__)
    except TypeError:  # a builtin or extension type: dill pickles those by reference anyway
        return False
    return True


def _resolved_annotations(
    fn: types.FunctionType, in_progress: set[int] = frozenset()  # type: ignore[assignment]
) -> dict[str, Any] | None:
    """``fn``'s annotations with strings evaluated (``from __future__ import annotations``).

    A by-value copy of a class only keeps the globals its code uses (dill ``recurse=True``), so
    string annotations naming message classes could not be resolved after loading: the copy
    carries the evaluated annotations instead. A name of a class whose copy is being written
    (``-> "Counter"`` inside ``Counter``'s own snapshot class) stays a string: dill can defer a
    class's self-references through globals, not through annotations. None if nothing changes.
    """
    annotations = getattr(fn, "__annotations__", None)
    if not annotations or not any(isinstance(v, str) for v in annotations.values()):
        return None
    resolved = {}
    for name, value in annotations.items():
        if isinstance(value, str):
            try:
                evaluated = eval(value, fn.__globals__)
            except Exception:
                evaluated = value  # left as written; resolving it later reports the problem
            if id(evaluated) not in in_progress:
                value = evaluated
        resolved[name] = value
    return resolved


_CODE_MARKERS = (b"_create_function", b"_create_type", b"_create_code", b"_create_namedtuple")


def has_code(blob: bytes) -> bool:
    """Whether a dill blob creates classes or functions by value (conservative: a data string
    spelling one of dill's constructor names also counts)."""
    return any(marker in blob for marker in _CODE_MARKERS)


def _top_level_by_value(obj: Any) -> bool:
    """A top-level class or function copied by value: defined in ``__main__`` (a notebook
    cell), or a copy loaded from a snapshot whose name no longer resolves. Methods and nested
    classes (dotted qualnames) stay inside their class's copy."""
    if not isinstance(obj, (type, types.FunctionType)):
        return False
    return "." not in _name_of(obj)[1] and by_value_kind(obj) == "named"


def _blank_excluded(state: Any, names: Any) -> Any:
    """``state`` with every attribute listed in ``__snapshot_exclude__`` replaced by None."""

    def blank(d: Any) -> Any:
        if not isinstance(d, dict) or not any(n in d for n in names):
            return d
        return {k: (None if k in names else v) for k, v in d.items()}

    if isinstance(state, tuple) and len(state) == 2:
        return (blank(state[0]), blank(state[1]))
    return blank(state)


def excluded_names(cls: type) -> tuple[str, ...]:
    """The attribute names ``cls.__snapshot_exclude__`` lists (a str counts as one name)."""
    names = getattr(cls, "__snapshot_exclude__", None)
    if not names:
        return ()
    if isinstance(names, str):
        return (names,)
    return tuple(names)


def _reduce_excluding(obj: Any, names: tuple[str, ...]) -> Any:
    rv = obj.__reduce_ex__(PROTOCOL)
    if not isinstance(rv, tuple) or len(rv) < 3:
        return rv
    return (rv[0], rv[1], _blank_excluded(rv[2], names), *rv[3:])


_KIND_PLAIN, _KIND_CODE, _KIND_MODULE, _KIND_TYPEVAR = 0, 1, 2, 3


def _reduce_typevar(tv: Any) -> Any:
    """A ``TypeVar`` of ``__main__`` by name with a fallback (stdlib pickles it by name only)."""
    module = getattr(tv, "__module__", None)
    if module != "__main__" or lookup(module, tv.__name__) is not tv:
        return NotImplemented
    args = (tv.__name__, tv.__constraints__, tv.__bound__, tv.__covariant__, tv.__contravariant__)
    return (_typevar, (module, *args))


def _typevar(
    module: str, name: str, constraints: Any, bound: Any, covariant: bool, contravariant: bool
) -> Any:
    current = lookup(module, name, import_module=True)
    if isinstance(current, typing.TypeVar):
        return current
    return typing.TypeVar(
        name, *constraints, bound=bound, covariant=covariant, contravariant=contravariant
    )


def _kind_of(t: type) -> int | tuple[str, ...]:
    """How ``_Pickler`` treats instances of ``t`` (cached per dump: one lookup per object)."""
    if t is types.FunctionType or t is types.CodeType or issubclass(t, type):
        return _KIND_CODE
    if t is types.ModuleType:
        return _KIND_MODULE
    if t is typing.TypeVar:
        return _KIND_TYPEVAR
    return excluded_names(t) or _KIND_PLAIN


class _Pickler(pickle.Pickler):
    def __init__(self, file: io.BytesIO, state: _DumpState) -> None:
        super().__init__(file, protocol=PROTOCOL)
        self._al_state = state
        self._al_kinds: dict[type, int | tuple[str, ...]] = dict.fromkeys(_PLAIN, _KIND_PLAIN)

    def reducer_override(self, obj: Any) -> Any:
        t = type(obj)
        kind = self._al_kinds.get(t)
        if kind is None:
            kind = self._al_kinds[t] = _kind_of(t)
        if kind == _KIND_PLAIN:
            return NotImplemented
        if kind == _KIND_CODE:
            return self._al_state.reduce(obj)
        if isinstance(kind, tuple):
            return _reduce_excluding(obj, kind)
        if kind == _KIND_TYPEVAR:
            return _reduce_typevar(obj)
        return _reduce_module(obj)


def globals_used(fn: types.FunctionType) -> Iterator[tuple[str, Any]]:
    """``(name, value)`` of the globals (nested code included) and closure values ``fn``'s code
    reads: what dill ``recurse=True`` copies along with a function."""
    codes = [fn.__code__]
    while codes:
        code = codes.pop()
        for name in code.co_names:
            if name in fn.__globals__:
                yield name, fn.__globals__[name]
        codes.extend(c for c in code.co_consts if isinstance(c, types.CodeType))
    for name, cell in zip(fn.__code__.co_freevars, fn.__closure__ or (), strict=False):
        try:
            yield name, cell.cell_contents
        except ValueError:  # an empty cell (a name not assigned yet)
            continue


def _reduce_module(mod: types.ModuleType) -> Any:
    """An imported module by name (``import_module`` on load), never a copy of its globals."""
    name = mod.__name__
    if name == "__main__" or sys.modules.get(name) is not mod:
        return NotImplemented
    return (importlib.import_module, (name,))


def dumps(obj: Any) -> Pickled:
    """Pickle ``obj``; raises what pickle raises (see ``diagnose`` for a located error)."""
    buf = io.BytesIO()
    state = _DumpState()
    _Pickler(buf, state).dump(obj)
    return Pickled(buf.getvalue(), tuple(state.named), state.anonymous, tuple(state.requires))


# --- loading ---------------------------------------------------------------------------------

_ALLOW_CODE: contextvars.ContextVar[bool] = contextvars.ContextVar(
    "actorlab_allow_code", default=True
)
_LOADED: dict[bytes, Any] = {}
_LOADED_LOCK = threading.Lock()


@contextmanager
def _code_policy(allow: bool) -> Iterator[None]:
    token = _ALLOW_CODE.set(allow)
    try:
        yield
    finally:
        _ALLOW_CODE.reset(token)


def loads(data: bytes, *, allow_code: bool = True) -> Any:
    """Unpickle a payload of ``dumps``. With ``allow_code=False`` any by-value fallback raises
    ``CodeNotAllowed`` instead of being loaded (named code must then resolve in this process)."""
    with _code_policy(allow_code):
        return pickle.loads(data)


def _load_blob(blob: bytes, what: str) -> Any:
    if not _ALLOW_CODE.get():
        raise CodeNotAllowed(what)
    key = hashlib.sha256(blob).digest()
    with _LOADED_LOCK:
        cached = _LOADED.get(key, _MISSING)
    if cached is not _MISSING:
        return cached
    obj = _dill().loads(blob)
    with _LOADED_LOCK:
        # One class object per blob and process: repeated loads stay isinstance-compatible.
        return _LOADED.setdefault(key, obj)


def _rebind_class(module: str, qualname: str, blob: bytes) -> Any:
    """The current class ``module.qualname`` if it exists, else the pickled copy."""
    current = lookup(module, qualname, import_module=True)
    if isinstance(current, type):
        return current
    return _load_blob(blob, f"class {module}.{qualname}")


def _rebind_function(module: str, qualname: str, blob: bytes) -> Any:
    """The current function ``module.qualname`` if it exists, else the pickled copy."""
    current = lookup(module, qualname, import_module=True)
    if current is not _MISSING and callable(current):
        return current
    return _load_blob(blob, f"function {module}.{qualname}")


def _require_class(module: str, qualname: str) -> Any:
    """A class saved by name only (an enum defined in a notebook cell)."""
    current = lookup(module, qualname, import_module=True)
    if not isinstance(current, type):
        raise LookupError(
            f"the snapshot needs {module}.{qualname}, which is not defined in this process "
            "(enums defined in a notebook cell are saved by name). Fix: re-run the cell that "
            "defines it"
        )
    return current


def _dill_value(blob: bytes) -> Any:
    """An object only dill can pickle that carries no code (e.g. a type dill names itself)."""
    return _dill().loads(blob)


def _by_value(blob: bytes) -> Any:
    return _load_blob(blob, "a lambda, closure or other unnamed code")


def missing_code(names: tuple[str, ...] | list[str]) -> list[str]:
    """Which of the ``module:qualname`` names do not resolve in this process (no unpickling)."""
    missing = []
    for name in names:
        module, _, qualname = name.partition(":")
        if lookup(module, qualname, import_module=True) is _MISSING:
            missing.append(name)
    return missing
