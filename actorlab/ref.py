"""References to actors: ``ActorRef`` (tell, ask, forward, stop, step mode) and weak refs."""

from __future__ import annotations

import asyncio
import concurrent.futures
import itertools
import math
import threading
import time
import weakref
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from . import timeouts as _timeouts
from .clock import await_interruptibly, wait_future
from .config import settings
from .deadlines import Expired
from .display import Displayable
from .envelope import Envelope, Forward, Reply, reply_envelope, tell_envelope
from .errors import ActorClosed, ActorlabError, AskTimeout, Deadlock, InjectedFault, WrongThread
from .ids import ActorId
from .info import ActorInfo, Status
from .messages import HandlerSpec
from .reprs import short_repr
from .runtime import _current_cell, peek_runtime, running_in
from .signals import Kind, Sig
from .transport import get_transport

if TYPE_CHECKING:
    from .actor import Actor
    from .cell import ActorCell
    from .runtime import Runtime

A = TypeVar("A", bound="Actor")

_get_ident = threading.get_ident
_time = time.time
_ask_ids = itertools.count(1)
_corr_ids = itertools.count(1)


def _ask_limit(timeout: float | None) -> float | None:
    """How long an ask waits, in seconds (None: no limit): ``timeout`` checked, or the
    configured ``ask_timeout`` (``al.configure`` checked it already)."""
    if timeout is None:
        t = settings().ask_timeout
        return t if t <= threading.TIMEOUT_MAX else None
    return _timeouts.timeout(timeout)


def _trace(
    kind: str,
    rt: Runtime,
    sender: ActorCell | None,
    cell: ActorCell,
    msg: Any,
    env_: Envelope | None,
    ask_id: int | None = None,
) -> int | None:
    """Record a send (callers check that a trace asks for message events); returns its
    conversation id."""
    corr = env_.corr_id if env_ is not None and env_.corr_id else next(_corr_ids)
    rt.events.emit(
        kind, sender.id if sender else None, cell.id, type(msg).__qualname__, short_repr(msg),
        corr, ask_id,
    )
    return corr


class ActorRef(Displayable, Generic[A]):
    """A handle to send messages to an actor. Compares and hashes by actor id.

    Refs never keep an actor alive or stop it: lifetime is explicit (``stop()``), because a
    notebook's output history holds refs forever.
    """

    __slots__ = ("__weakref__", "_cell", "_id")
    _al_atom = True  # a handle: copying an actor's state (for restarts) shares it

    def __init__(self, cell: ActorCell | None, actor_id: ActorId | None = None) -> None:
        self._cell = cell
        self._id = cell.id if cell is not None else actor_id

    # -- identity ----------------------------------------------------------------------------------
    @property
    def id(self) -> ActorId:
        assert self._id is not None
        return self._id

    @property
    def name(self) -> str | None:
        cell = self._resolved()
        return cell.name if cell is not None else None

    @property
    def actor_type(self) -> type[A]:
        return self._live(allow_closed=True).actor_type  # type: ignore[return-value]

    @property
    def label(self) -> str:
        cell = self._resolved()
        return cell.label if cell is not None else f"actor#{self.id.short}"

    @property
    def path(self) -> str:
        return self._live(allow_closed=True).path

    @property
    def status(self) -> Status:
        cell = self._resolved()
        return cell.status if cell is not None else Status.STOPPED

    def is_closed(self) -> bool:
        """True once the actor has stopped (or is stopping) and accepts no more messages."""
        cell = self._cell
        if cell is None or cell.closed:
            try:
                self._live()
            except ActorClosed:
                return True
            return False
        return False

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ActorRef) and other._id == self._id

    def __hash__(self) -> int:
        return hash(self._id)

    def __repr__(self) -> str:
        cell = self._cell
        if cell is None:
            return f"<ActorRef actor#{self.id.short} (unresolved)>"
        return f"<ActorRef {cell.label} {cell.actor_type.__qualname__} {cell.status.value}>"


    def __reduce__(self) -> tuple[Any, ...]:
        transport = get_transport()
        home = transport.home if transport is not None else None
        if home is None:
            return (_ref_by_id, (str(self.id),))
        cell = self._cell
        cls = cell.actor_type if cell is not None else None
        key = (cls.__module__, cls.__qualname__) if cls is not None else None
        return (_ref_by_id, (str(self.id), home, key))  # an address and a class key

    def __copy__(self) -> ActorRef[A]:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> ActorRef[A]:
        return self

    def _live(self, allow_closed: bool = False) -> ActorCell:
        """The cell, re-resolved by id if this ref was unpickled or its actor respawned (with
        ``allow_closed``, the stopped actor's cell when no live one has its id)."""
        cell = self._cell
        if cell is not None and not cell.closed:
            return cell
        rt = peek_runtime()
        found = rt.cells.get(self.id) if rt is not None else None
        if found is not None and not found.closed:
            self._cell = found  # respawned with the same id: this ref follows it
            return found
        if cell is not None and allow_closed:
            return cell
        what = cell.label if cell is not None else f"#{self.id}"
        raise ActorClosed(
            f"actor {what} has stopped; it accepts no more messages. "
            f"Fix: spawn (or respawn) it again and use the new ref"
        )

    def _resolved(self) -> ActorCell | None:
        """The cell to describe: the live one with this id, else the last one known."""
        cell = self._cell
        if cell is not None and not cell.closed:
            return cell
        try:
            return self._live(allow_closed=True)
        except ActorClosed:
            return None

    # -- sending -----------------------------------------------------------------------------------
    def _target(self, msg: Any) -> tuple[ActorCell, HandlerSpec]:
        """The live cell and the handler for ``msg`` (``ActorClosed``, ``UnhandledMessage``)."""
        cell = self._cell
        if cell is None or cell.closed:
            cell = self._live()
        actor_type = cell.actor_type
        spec = actor_type._al_cache.get(type(msg)) or actor_type._al_handler_for(msg)
        return cell, spec

    def tell(self, msg: Any) -> None:
        """Send ``msg`` without waiting. Raises ``ActorClosed`` if the actor has stopped."""
        cell, spec = self._target(msg)
        rt = cell.runtime
        if _get_ident() == rt.thread_id:  # from an actor (or a runtime callback)
            sender = _current_cell.get()
            env_ = sender.current if sender is not None else None
            origin = env_.origin if env_ is not None else None
            if rt.events.message_events:
                corr = _trace("tell", rt, sender, cell, msg, env_)
                cell.enqueue(tell_envelope(msg, spec, sender, origin, _time(), corr))
            else:
                cell.tell(msg, spec, sender, origin)
        elif rt.events.message_events:  # from another thread (a notebook cell), traced
            corr = _trace("tell", rt, None, cell, msg, None)
            rt.send(tell_envelope(msg, spec, None, rt.capture_origin(), _time(), corr, cell))
        else:  # from a notebook cell or another thread: through the runtime's inbox
            rt.send_tell(cell, msg, spec, rt.capture_origin())

    async def ask(self, msg: Any, timeout: float | None = None) -> Any:
        """Send ``msg`` and await the handler's reply.

        ``timeout=None`` uses ``al.settings().ask_timeout`` (5 s). ``AskTimeout`` on expiry (the
        message stays queued); a handler exception arrives as ``HandlerError``.
        """
        t = _ask_limit(timeout)
        cell, spec = self._target(msg)
        rt = cell.runtime
        ask_id = next(_ask_ids)
        if _get_ident() != rt.thread_id:  # an ``await`` in a notebook cell or another loop
            cf: concurrent.futures.Future[Any] = concurrent.futures.Future()
            self._post_ask(cell, spec, msg, cf, ask_id, t)
            try:
                return await rt.clock.wait_async(cf, t)
            except concurrent.futures.TimeoutError:
                raise AskTimeout(_timeout_text(cell, msg, t)) from None
        sender = _current_cell.get()
        if sender is cell and running_in(cell):  # a task the handler started may ask
            raise Deadlock(
                f"actor {cell.label} asked itself for {type(msg).__qualname__} inside its own "
                f"handler; it handles one message at a time, so the ask could never be answered. "
                f"Fix: call the method directly, or self.ctx.this.tell(...)"
            )
        env_ = sender.current if sender is not None else None
        corr = _trace("ask", rt, sender, cell, msg, env_, ask_id) if rt.events.message_events else None
        loop = rt.loop
        fut: asyncio.Future[Any] = loop.create_future()
        origin = env_.origin if env_ is not None else None
        cell.enqueue(reply_envelope(msg, spec, fut, sender, origin, _time(), corr, ask_id))
        if t is None:
            return await fut
        deadlines = rt.deadlines
        deadlines.add(fut, t)
        try:
            return await fut
        except Expired:
            raise AskTimeout(_timeout_text(cell, msg, t)) from None
        finally:
            deadlines.done()

    def ask_sync(self, msg: Any, timeout: float | None = None) -> Any:
        """The blocking ``ask`` for plain cells and scripts (Ctrl-C / Stop interrupts it)."""
        t = _ask_limit(timeout)
        cell, spec = self._target(msg)
        rt = cell.runtime
        if _get_ident() == rt.thread_id:
            cur = _current_cell.get()
            who = f"actor {cur.label}'s code" if cur is not None else "the runtime thread"
            raise WrongThread(
                f"{cell.label}.ask_sync({type(msg).__qualname__}) was called in {who}, where "
                f"blocking would freeze every actor (deadlock). Fix: make the handler async and "
                f"use `await ref.ask(...)`, or tell() a message carrying a reply-to ref"
            )
        reply = Reply()
        self._post_ask(cell, spec, msg, reply, next(_ask_ids), t)
        try:
            return rt.clock.wait(reply, t)
        except concurrent.futures.TimeoutError:
            raise AskTimeout(_timeout_text(cell, msg, t)) from None

    @staticmethod
    def _post_ask(
        cell: ActorCell, spec: HandlerSpec, msg: Any, reply: Any, ask_id: int, t: float | None
    ) -> None:
        """An ask from outside the runtime thread: queue it through the runtime's inbox (with
        its deadline, if the clock keeps it: a virtual clock's exists before the handler runs)."""
        rt = cell.runtime
        corr = _trace("ask", rt, None, cell, msg, None, ask_id) if rt.events.message_events else None
        origin = rt.capture_origin()
        env = reply_envelope(msg, spec, reply, None, origin, _time(), corr, ask_id, cell)
        rt.clock.send_ask(rt, env, reply, t)

    def forward(self, msg: Any, target: ActorRef[Any]) -> None:
        """Send ``msg`` here; the handler's reply is told to ``target`` (theta's forward)."""
        if not isinstance(target, ActorRef):
            raise TypeError(
                f"forward(msg, target): target must be an al.ActorRef (where the reply goes), got "
                f"{short_repr(target, 60)} ({type(target).__name__}). Fix: pass a ref, e.g. "
                f"ref.forward(msg, other_ref), or al.lookup(name) for a named actor"
            )
        cell, spec = self._target(msg)
        rt = cell.runtime
        source = cell

        def deliver(value: Any) -> None:
            try:
                target.tell(value)
            except Exception as exc:
                tcell = target._cell
                if tcell is not None:
                    rt.add_dead_letter(tcell, value, f"forward from {source.label} failed: {exc}")

        sender = _current_cell.get()
        if _get_ident() == rt.thread_id:
            current = sender.current if sender is not None else None
            origin = current.origin if current is not None else None
            cell.enqueue(reply_envelope(msg, spec, Forward(deliver), sender, origin, _time()))
        else:
            origin = rt.capture_origin()
            rt.send(reply_envelope(msg, spec, Forward(deliver), sender, origin, _time(), to=cell))

    # -- lifecycle and step mode -------------------------------------------------------------------------
    def stop(self, timeout: float | None = None) -> None:
        """Terminate the actor (children first, then ``on_exit``) and wait until it has stopped.

        ``timeout=None``: ``al.settings().shutdown_timeout``; ``math.inf``: no limit. A stop still
        under way then raises ``TimeoutError`` (the actor stops when its handler returns).
        """
        t = _timeouts.timeout(settings().shutdown_timeout if timeout is None else timeout)
        cell = self._resolved()  # a ref kept from before a respawn stops the respawned actor
        if cell is None or cell.status is Status.STOPPED:
            return
        rt = cell.runtime
        if threading.get_ident() == rt.thread_id:
            raise WrongThread(
                f"{cell.label}.stop() waits for the actor to stop, and it was called inside an actor. "
                f"Fix: `await ref.stop_async()` there, or self.ctx.terminate() to stop yourself"
            )
        cf: concurrent.futures.Future[Any] = concurrent.futures.Future()
        rt.post(None, lambda: cell.signal(Sig(Kind.TERMINATE, cf)))
        try:
            wait_future(cf, t)
        except concurrent.futures.TimeoutError:
            raise TimeoutError(_busy_text(cell, "stop", t)) from None

    async def stop_async(self) -> None:
        """``stop()`` for async code (actors, ``await`` cells)."""
        cell = self._resolved()
        if cell is None or cell.status is Status.STOPPED:
            return
        rt = cell.runtime
        if threading.get_ident() == rt.thread_id:
            if running_in(cell):  # its own handler: stop after the current message
                cell.request_stop()
                return
            ack: asyncio.Future[Any] = rt.loop.create_future()
            cell.signal(Sig(Kind.TERMINATE, ack))
            await ack
            return
        cf: concurrent.futures.Future[Any] = concurrent.futures.Future()
        rt.post(None, lambda: cell.signal(Sig(Kind.TERMINATE, cf)))
        await await_interruptibly(cf, None)

    def _control(self, kind: Kind, payload: Any = None) -> Any:
        cell = self._live()
        rt = cell.runtime
        if threading.get_ident() == rt.thread_id:
            cell.signal(Sig(kind, None, payload))
            return None
        cf: concurrent.futures.Future[Any] = concurrent.futures.Future()
        rt.post(None, lambda: cell.signal(Sig(kind, cf, payload)))
        t = _timeouts.timeout(settings().ask_timeout)  # math.inf (configured): no limit
        try:
            return wait_future(cf, t)
        except concurrent.futures.TimeoutError:
            raise TimeoutError(_busy_text(cell, kind.value, t)) from None

    def pause(self) -> None:
        """Hold the mailbox after the current message: messages queue up (teaching, debugging)."""
        self._control(Kind.PAUSE)

    def resume(self) -> None:
        """Continue processing after ``pause()``."""
        self._control(Kind.UNPAUSE)

    def step(self) -> Any:
        """Process exactly one message of a paused actor; returns it (None if the mailbox is empty)."""
        return self._control(Kind.STEP)

    def restart(self) -> None:
        """Restart now: children stop, ``on_restart``, re-initialize from the original args."""
        self._control(Kind.RESTART)

    def inject_fault(self, error: BaseException | None = None) -> None:
        """Make the actor fail as if a handler raised ``error``; its supervisor decides."""
        cell = self._live()
        exc = error or InjectedFault(f"fault injected into {cell.label}")
        self._control(Kind.FAULT, exc)

    def downgrade(self) -> WeakActorRef[A]:
        """A weak ref: ``upgrade()`` gives the ref back while the actor lives, else None."""
        return WeakActorRef(self)

    def info(self) -> ActorInfo:
        """A frozen snapshot of this actor for views (with mailbox and state previews)."""
        cell = self._live(allow_closed=True)
        rt = cell.runtime
        if rt.closed or threading.get_ident() == rt.thread_id:
            return cell.info(detail=True)
        # Through the loop, after messages this thread already sent (read-your-writes), unless
        # a long handler keeps the loop busy: then read the fields directly.
        try:
            return rt.call(lambda: cell.info(detail=True), timeout=0.5, what="ref.info()")
        except (concurrent.futures.TimeoutError, ActorlabError):
            return cell.info(detail=True)


class WeakActorRef(Generic[A]):
    """theta's weak ref: does not resolve once the actor has stopped."""

    __slots__ = ("_cell", "_id")

    def __init__(self, ref: ActorRef[A]) -> None:
        cell = ref._live(allow_closed=True)
        self._cell = weakref.ref(cell)
        self._id = ref.id

    @property
    def id(self) -> ActorId:
        return self._id

    def upgrade(self) -> ActorRef[A] | None:
        cell = self._cell()
        if cell is None or cell.closed:
            return None
        return cell.ref

    def __eq__(self, other: object) -> bool:
        return isinstance(other, WeakActorRef) and other._id == self._id

    def __hash__(self) -> int:
        return hash(self._id)

    def __repr__(self) -> str:
        return f"<WeakActorRef actor#{self._id.short}>"


def _ref_by_id(actor_id: str, home: str | None = None, class_key: Any = None) -> ActorRef[Any]:
    """Unpickle a ref: bound to the live actor with that id now, or resolved on first use.

    A ref pickled in another process (``home``: its address) whose actor is not here resolves
    through the transport to that process."""
    aid = ActorId(actor_id)
    rt = peek_runtime()
    cell = rt.cells.get(aid) if rt is not None else None
    if cell is not None:
        return cell.ref
    transport = get_transport()
    if home is not None and transport is not None and home != transport.home:
        found = transport.resolve(aid, home, class_key)
        if found is not None:
            return found
    return ActorRef(None, aid)


def _busy_text(cell: ActorCell, what: str, t: float | None) -> str:
    cur = cell.current
    doing = (
        f"it is still running {cur.spec.name}({type(cell.current_msg).__qualname__}) "
        f"(handlers cannot be pre-empted)"
        if cur is not None
        else f"it is {cell.status.value}"
    )
    return f"{cell.label} did not {what} within {math.inf if t is None else t:g} s: {doing}"


def _timeout_text(cell: ActorCell, msg: Any, t: float | None) -> str:
    cur = cell.current
    if cur is not None:
        state = f"it is busy in {cur.spec.name}({type(cell.current_msg).__qualname__})"
    else:
        state = f"it is {cell.status.value} with {len(cell.mailbox)} queued"
    return (
        f"no reply from {cell.label} to {type(msg).__qualname__} within {math.inf if t is None else t:g} s ({state}; the "
        f"message stays queued). Fix: pass a longer timeout=..., or al.configure(ask_timeout=...); "
        f"if it is stuck, look for an ask cycle (A waits on B while B waits on A)"
    )
