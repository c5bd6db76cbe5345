"""Live code: live actors take on a class defined again, in place, with their state kept.

Re-running the cell that defines ``class Counter(al.Actor)`` (or ``importlib.reload``, ``%run``,
``exec``) makes a new class with the same ``__module__`` and ``__qualname__``. Then:

1. ``class_created`` (from ``Actor.__init_subclass__``) finds the live actors whose class has that
   name and requests their upgrade, unless ``al.configure(live_upgrade=False)``; ``upgrade`` does
   the same on demand. Classes defined in a function (``<locals>``) never match.
2. The request, on the runtime thread, points each cell's ``actor_type`` at the new class (sends
   from then on resolve its handlers) and queues an ``UPGRADE`` signal. Until it ran, a message
   only the new class handles is accepted through ``Actor._al_successor``.
3. Signals come before messages, so ``apply`` runs at the actor's next message boundary, before
   anything queued: ``__class__`` becomes the new class; attributes the new ``__init__`` sets that
   the instance lacks are copied from a fresh instance built with the arguments the actor was
   constructed with (``Actor.__new__`` keeps them); ``on_upgrade(self, old_class)`` runs. The
   spawn args are upgraded too (the pristine instance, or the ``ActorArgs``' class), so a restart
   runs the new code; queued messages and timers are re-resolved against the new handlers.
4. If building the fresh instance or ``on_upgrade`` raises, everything is put back (class,
   attributes, ``actor_type``, args) and the error is written in the cell that defined the class
   (or raised by ``upgrade``).

Decisions: only actors whose class *is* the redefined one upgrade; a live subclass keeps its old
base until its own class is defined again (a warning names them). Persistent actors upgrade like
any other; their snapshots name the class, so a respawn binds to the current definition too.
"""

from __future__ import annotations

import asyncio
import copy
import dis
import os
import sys
import threading
import time
import traceback
import types
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import timeouts as _timeouts
from .actor import _INIT, Actor, ActorArgs, _is_atom, maybe_await
from .config import settings
from .envelope import Envelope, Forward, settle
from .errors import ActorlabError, UnhandledMessage, WrongThread
from .messages import HandlerSpec, name_key, resolve
from .reprs import short_repr
from .runtime import get_runtime, peek_runtime
from .signals import Kind, Sig

if TYPE_CHECKING:
    from .cell import ActorCell
    from .ref import ActorRef
    from .runtime import Runtime


class UpgradeError(ActorlabError):
    """``al.upgrade`` could not upgrade some actors; they keep their old code.

    ``upgraded`` holds the refs that were upgraded, ``failed`` (ref, error) pairs.
    """

    def __init__(self, text: str, upgraded: list[Any], failed: list[tuple[Any, BaseException]]):
        super().__init__(text)
        self.upgraded = upgraded
        self.failed = failed


class LiveCodeWarning(UserWarning):
    """Live actors that a redefinition does not upgrade (subclasses of the redefined class)."""


@dataclass(frozen=True)
class _Request:
    cls: type[Actor]
    prev: type[Actor]  # the cell's actor_type before the request
    origin: object  # the notebook cell that defined the class (where errors are shown)
    explicit: bool  # al.upgrade(): errors are raised there, not written
    ready: Callable[[], bool] | None = None  # has the class statement finished? (decorators)


@dataclass(frozen=True)
class _Outcome:
    upgraded: bool
    error: BaseException | None = None


# -- finding and requesting -------------------------------------------------------------------------
def class_created(cls: type[Actor]) -> None:
    """``Actor.__init_subclass__``: upgrade the live actors of an earlier definition of ``cls``."""
    if not settings().live_upgrade:
        return
    rt = peek_runtime()
    if rt is None:
        return
    cells, others = _find(rt, cls)
    if others:
        _warn_subclasses(cls, others)
    if cells:
        _request(rt, cls, cells, rt.capture_origin(), False, None, _statement_done(cls))


def upgrade(cls: type[Actor], timeout: float | None = None) -> list[ActorRef[Any]]:
    """Upgrade the live actors of every earlier definition of ``cls`` to ``cls``; wait for them.

    What re-running a cell does by itself (unless ``al.configure(live_upgrade=False)``), for
    scripts and tests. Each actor upgrades at its next message boundary, before its queued
    messages: same id, mailbox, children, names, monitors and timers; its state is kept, the
    attributes the new ``__init__`` sets that it lacks are filled from a fresh instance built
    with its original arguments, then ``on_upgrade(self, old_class)`` runs if defined. Its spawn
    args are upgraded too, so a restart runs the new code. Only actors whose class has the same
    module and qualname as ``cls`` upgrade (not subclasses; classes defined in a function never
    match). Returns the upgraded refs; raises ``UpgradeError`` if any failed (those keep their
    old code, unchanged), ``TimeoutError`` if an actor stays busy past ``timeout`` (default
    ``al.settings().ask_timeout``).
    """
    if not (isinstance(cls, type) and issubclass(cls, Actor)):
        raise TypeError(f"al.upgrade() needs an al.Actor subclass, got {cls!r:.80}")
    if name_key(cls) is None:
        raise ValueError(
            f"al.upgrade({cls.__qualname__}): this class is defined inside a function, and only "
            f"module-level classes match their live actors by module and qualname. Fix: define "
            f"it at module (cell) level"
        )
    rt = get_runtime()
    if rt.on_loop_thread():
        raise WrongThread(
            "al.upgrade() waits for actors to upgrade, and it was called inside an actor, where "
            "it would deadlock. Fix: call it from the notebook or script"
        )
    cells, _ = _find(rt, cls)
    if not cells:
        return []
    outcomes: list[Any] = [None] * len(cells)
    left = [len(cells)]
    all_done = threading.Event()

    def ack_for(i: int) -> Callable[[Any, BaseException | None], None]:
        def ack(value: Any, error: BaseException | None) -> None:  # on the runtime thread
            outcomes[i] = value if error is None else _Outcome(False, error)
            left[0] -= 1
            if left[0] == 0:
                all_done.set()  # one wake-up for the waiting thread, not one per actor

        return ack

    _request(rt, cls, cells, rt.capture_origin(), True, [ack_for(i) for i in range(len(cells))], None)
    t = _timeouts.timeout(settings().ask_timeout if timeout is None else timeout)
    if not all_done.wait(t):
        busy = [c.label for c, o in zip(cells, outcomes, strict=True) if o is None]
        raise TimeoutError(
            f"al.upgrade({cls.__qualname__}): {', '.join(busy[:5])} did not reach a message "
            f"boundary within {t:g} s (a handler is still running); they upgrade when they do. "
            f"Fix: pass a longer timeout=..."
        )
    upgraded: list[ActorRef[Any]] = []
    failed: list[tuple[ActorRef[Any], BaseException]] = []
    for cell, out in zip(cells, outcomes, strict=True):
        if isinstance(out, _Outcome):
            if out.upgraded:
                upgraded.append(cell.ref)
            elif out.error is not None:
                failed.append((cell.ref, out.error))
    if failed:
        text = "; ".join(str(e) for _, e in failed)
        raise UpgradeError(
            f"{len(failed)} actor(s) kept their old code: {text}", upgraded, failed
        ) from failed[0][1]
    return upgraded


def _find(rt: Runtime, cls: type[Actor]) -> tuple[list[ActorCell], list[ActorCell]]:
    """Live cells of an earlier ``cls`` (by name), and live cells of subclasses of one."""
    key = name_key(cls)
    same: list[ActorCell] = []
    sub: list[ActorCell] = []
    with rt.lock:
        cells = list(rt.cells.values())
    for c in cells:
        t = c.actor_type
        if c.closed:
            continue
        if t is cls:  # requested already; include it while its instance is still older
            a = c.actor
            if a is not None and type(a) is not cls and name_key(type(a)) == key:
                same.append(c)
        elif name_key(t) == key:
            same.append(c)
        elif any(b is not cls and name_key(b) == key for b in t.__mro__[1:]):
            sub.append(c)
    return same, sub


def _warn_subclasses(cls: type[Actor], cells: list[ActorCell]) -> None:
    kinds = sorted({c.actor_type.__qualname__ for c in cells})
    warnings.warn(
        f"{len(cells)} live actor(s) of {', '.join(kinds)} (subclasses of {cls.__qualname__}) "
        f"keep the old {cls.__qualname__} code: only actors of the redefined class itself "
        f"upgrade. Fix: run the cell(s) defining {', '.join(kinds)} again",
        LiveCodeWarning,
        stacklevel=4,
    )


def _request(
    rt: Runtime,
    cls: type[Actor],
    cells: list[ActorCell],
    origin: object,
    explicit: bool,
    acks: list[Any] | None,
    ready: Callable[[], bool] | None,
) -> None:
    key = name_key(cls)
    olds = {c.actor_type for c in cells}
    for old in olds:  # sends before the request runs accept the new messages too
        old._al_successor = cls

    def go() -> None:
        for i, c in enumerate(cells):
            ack = acks[i] if acks is not None else None
            prev = c.actor_type
            if c.closed or name_key(prev) != key or (prev is cls and ack is None):
                settle(ack, _Outcome(False))
                continue
            c.actor_type = cls  # (already cls: al.upgrade waits for an upgrade on its way)
            c.signal(Sig(Kind.UPGRADE, ack, _Request(cls, prev, origin, explicit, ready)))
        for old in olds:
            if old.__dict__.get("_al_successor") is cls:
                old._al_successor = None

    rt.run_soon(go)


_STATEMENT_WAIT = 2.0  # seconds a request waits for the statement defining the class
_CALLS = frozenset({"PRECALL", "CALL", "CALL_FUNCTION", "KW_NAMES", "NOP", "EXTENDED_ARG", "CACHE"})
# the call of __build_class__ that a class statement's frame is at, by Python version
_CLASS_CALLS = frozenset({"CALL", "CALL_FUNCTION", "CALL_FUNCTION_KW", "CALL_KW"})
_FRAMES_UP = 16  # how far above __init_subclass__ a class statement is looked for


def _defining_frame(f: types.FrameType | None) -> types.FrameType | None:
    """The nearest frame from ``f`` up that is running a ``class`` statement, or None.

    Found by what the frame runs (a call, in code that builds a class), not by its depth: the
    frames between the statement and ``__init_subclass__`` (a user ``__init_subclass__``, a
    metaclass ``__new__``, a decorator's or a tool's wrapper) vary.
    """
    for _ in range(_FRAMES_UP):
        if f is None:
            return None
        ops = {ins.offset: ins.opname for ins in dis.get_instructions(f.f_code)}
        if ops.get(f.f_lasti) in _CLASS_CALLS and "LOAD_BUILD_CLASS" in ops.values():
            return f
        f = f.f_back
    return None


def _statement_done(cls: type) -> Callable[[], bool] | None:
    """A test for "the ``class`` statement creating ``cls`` has finished", or None.

    ``__init_subclass__`` runs before the class decorators (``@dataclass`` adds ``__init__``
    after it) and before the name is bound, and the runtime thread may run as soon as the
    request is posted. So the request waits until the defining frame has executed the
    ``STORE`` that follows the class creation and its decorator calls (or has left the stack).
    """
    frame = _defining_frame(sys._getframe(1))
    if frame is None:
        return None
    lasti, tid = frame.f_lasti, threading.get_ident()
    store = None
    for ins in dis.get_instructions(frame.f_code):
        if ins.offset <= lasti:
            continue
        if ins.opname.startswith("STORE_"):
            store = ins.offset
        elif ins.opname in _CALLS:
            continue
        break
    if store is None:
        return None  # not a plain class statement (type(...) in an expression ...): no wait

    def done() -> bool:
        g = sys._current_frames().get(tid)
        while g is not None:
            if g is frame:
                return frame.f_lasti > store
            g = g.f_back
        return True  # the frame has moved on: the statement finished

    return done


# -- applying (the actor's own task, at a message boundary) -------------------------------------------
async def apply(cell: ActorCell, sig: Sig) -> None:
    """Upgrade ``cell``'s actor to the requested class, or leave it exactly as it was."""
    req: _Request = sig.payload
    new = req.cls
    if req.ready is not None:
        give_up = time.monotonic() + _STATEMENT_WAIT
        while not req.ready() and time.monotonic() < give_up:
            await asyncio.sleep(0.001)  # the defining thread is still in the class statement
    actor = cell.actor
    make: Any = cell._make
    pristine: Actor | None = getattr(make, "pristine", None)
    old = type(actor) if actor is not None else req.prev
    if old is new or name_key(old) != name_key(new):
        # Already upgraded, or a subclass instance (only the exact class upgrades).
        sig.settle(_Outcome(old is new))
        return
    targets = [o for o in (actor, pristine) if o is not None and type(o) is not new]
    saved = [(o, type(o), dict(o.__dict__)) for o in targets]
    args_class = _upgrade_args_class(make)
    stage = "build"
    try:
        fresh = _fresh_instance(new, actor, pristine)
        extra = {k: v for k, v in vars(fresh).items() if not k.startswith("_al_")} if fresh else {}
        for o in targets:
            missing = {k: v for k, v in extra.items() if k not in o.__dict__}
            if o is pristine and actor is not None:  # its own copies: a restart starts afresh
                missing = {k: _copy(v) for k, v in missing.items()}
            stage = "class"
            o.__class__ = new
            o.__dict__.update(missing)
        if actor is not None and type(actor).on_upgrade is not Actor.on_upgrade:
            stage = "on_upgrade"
            with cell.runtime.enter_origin(req.origin):
                await maybe_await(actor.on_upgrade(old))
    except Exception as exc:
        for o, cls0, d in reversed(saved):
            o.__class__ = cls0
            o.__dict__.clear()
            o.__dict__.update(d)
        if cell.actor_type is new:
            cell.actor_type = old
        # A send resolved against the new class just before this is in the runtime's inbox:
        # one loop turn delivers it (this actor handles nothing meanwhile), and it is rebound too.
        await asyncio.sleep(0)
        _rebind(cell, cell.actor_type, f"the upgrade of {cell.label} to the new {new.__qualname__} failed")
        err = _failure(cell, new, actor, pristine, exc, stage)
        _report(cell, req, err)
        sig.settle(_Outcome(False, err))
        return
    if args_class is not None:
        make.args.__class__ = args_class
    if hasattr(make, "actor_type"):
        make.actor_type = new
    _rebind(cell, new, f"{cell.label} was upgraded, and the new {new.__qualname__}")
    cell.upgrades += 1
    cell.last_upgrade_at = time.time()
    rt = cell.runtime
    rt.events.emit(
        "upgrade", None, cell.id, new.__qualname__, None,
        detail=f"ok: upgrade #{cell.upgrades} to the new {new.__module__}.{new.__qualname__}",
    )
    rt.version += 1
    if cell.monitors:
        from . import monitoring

        monitoring.check_view(cell)
    sig.settle(_Outcome(True))


def _copy(value: Any) -> Any:
    """A copy for the pristine args; shared if it cannot be copied (as ``spawning.copy_actor``)."""
    if _is_atom(value):
        return value
    try:
        return copy.deepcopy(value)
    except Exception:
        return value


def _fresh_instance(new: type[Actor], actor: Actor | None, pristine: Actor | None) -> Actor | None:
    """A new-class instance built with the arguments the actor was constructed with (None when
    the new class has no ``__init__``: nothing to fill)."""
    if new.__init__ is object.__init__:
        return None
    record = None
    for o in (pristine, actor):
        if o is not None and _INIT in o.__dict__:
            record = o.__dict__[_INIT]
            break
    args, kwargs = record if record is not None else ((), ())
    fresh: Actor = new(*args, **dict(kwargs))
    return fresh


def _call_text(new: type[Actor], actor: Actor | None, pristine: Actor | None) -> str:
    for o in (pristine, actor):
        if o is not None and _INIT in o.__dict__:
            args, kwargs = o.__dict__[_INIT]
            parts = [short_repr(a, 40) for a in args] + [f"{k}={short_repr(v, 40)}" for k, v in kwargs]
            return f"{new.__qualname__}({', '.join(parts)})"
    return f"{new.__qualname__}()"


def _upgrade_args_class(make: Any) -> type | None:
    """The current definition of the ``ActorArgs`` class the actor was spawned with, if newer."""
    args = getattr(make, "args", None)
    if not isinstance(args, ActorArgs):
        return None
    cur = _current(type(args))
    if cur is None or cur is type(args) or not issubclass(cur, ActorArgs):
        return None
    return cur


def _current(cls: type) -> type | None:
    """The class now bound to ``cls``'s module and qualname (the latest definition), if any."""
    key = name_key(cls)
    mod = sys.modules.get(key[0]) if key is not None else None
    if key is None or mod is None:
        return None
    obj: Any = mod
    for part in key[1].split("."):
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    return obj if isinstance(obj, type) and name_key(obj) == key else None


def same_definition(t: type, expected: type) -> bool:
    """Is ``t`` (or a base) ``expected`` or another definition of it (same module and qualname)?"""
    key = name_key(expected)
    return isinstance(t, type) and (
        issubclass(t, expected) or (key is not None and any(name_key(b) == key for b in t.__mro__))
    )


def _rebind(cell: ActorCell, cls: type[Actor], why: str) -> None:
    """Re-resolve queued messages (and, for the new class, timers) against ``cls``'s handlers."""

    def spec_for(msg: Any) -> HandlerSpec | None:
        return resolve(cls._al_table, cls._al_cache, type(msg), cls._al_names)

    for env in cell.mailbox.rebind(lambda env: spec_for(env.msg)):
        _refuse(cell, env, f"{why} has no handler for {type(env.msg).__qualname__}")
    for timer in list(cell.timers or ()):
        spec = spec_for(timer._msg)  # timers.TimerHandle keeps the handler of its message
        if spec is None:
            timer.cancel()
            cell.runtime.add_dead_letter(
                cell, timer._msg, f"{why} has no handler for it: its timer was cancelled"
            )
        else:
            timer._spec = spec


def _refuse(cell: ActorCell, env: Envelope, reason: str) -> None:
    if env.reply is not None and not isinstance(env.reply, Forward):
        settle(env.reply, error=UnhandledMessage(f"{reason}. Fix: add a handler for it, or stop sending it"))
    else:
        cell.runtime.add_dead_letter(cell, env.msg, reason)


def _failure(
    cell: ActorCell,
    new: type[Actor],
    actor: Actor | None,
    pristine: Actor | None,
    exc: Exception,
    stage: str,
) -> ActorlabError:
    name = new.__qualname__
    what = f"{type(exc).__name__}: {exc}"
    if stage == "build":
        text = (
            f"upgrading it needs a fresh {_call_text(new, actor, pristine)} for the attributes the "
            f"new __init__ sets, and that raised {what}. Fix: let the new __init__ accept the "
            f"arguments the actor was spawned with (give new parameters defaults), then run the "
            f"cell again"
        )
    elif stage == "class":
        text = (
            f"it cannot become the new {name} ({what}). Fix: keep the same __slots__ and bases "
            f"as before, or stop the actor and spawn it again"
        )
    else:
        text = (
            f"{name}.on_upgrade() raised {what}. Fix on_upgrade, then run the cell again (or "
            f"call al.upgrade({name}))"
        )
    err = ActorlabError(f"{cell.label} keeps its old code: {text}")
    err.__cause__ = exc
    return err


def _user_traceback(exc: BaseException) -> str:
    """The traceback from the user's code on (actorlab's own frames first are left out)."""
    tb = exc.__traceback__
    here = os.path.dirname(os.path.abspath(__file__))
    while tb is not None and os.path.abspath(tb.tb_frame.f_code.co_filename).startswith(here):
        tb = tb.tb_next
    return "".join(traceback.format_exception(type(exc), exc, tb))


def _report(cell: ActorCell, req: _Request, err: ActorlabError) -> None:
    """Record the failure on the actor and show it in the cell that defined the class."""
    from . import supervising

    cause = err.__cause__ if err.__cause__ is not None else err
    info = supervising.record_error(cell, "upgrade", cause, None)
    rt = cell.runtime
    rt.events.emit(
        "upgrade", None, cell.id, req.cls.__qualname__, None,
        detail=f"failed, kept the old code: {info.type}: {info.message}",
    )
    rt.version += 1
    if req.explicit:
        return  # al.upgrade() raises it
    tb = _user_traceback(cause).rstrip()
    with rt.enter_origin(req.origin):
        stream = sys.stderr
        stream.write(f"actorlab: {err}\n{tb}\n")
        flush = getattr(stream, "flush", None)
        if flush is not None:
            flush()
