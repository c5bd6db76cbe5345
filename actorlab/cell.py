"""The actor cell: one actor's mailbox, signals, children, statistics and its run loop.

Everything here runs on the runtime thread, except reads of plain attributes by views.
"""

from __future__ import annotations

import asyncio
import collections
import itertools
import logging
import reprlib
import time
import traceback
from collections.abc import Awaitable, Callable, Iterator
from typing import TYPE_CHECKING, Any

from .actor import Actor, ExitCode, maybe_await
from .envelope import Envelope, Forward, Sig, new_envelope, settle
from .errors import ActorClosed, ActorlabError, HandlerError, RestartLimitExceeded
from .ids import ActorId
from .info import ActorInfo, ErrorInfo, MessagePreview, Status, StatusUpdate
from .runtime import _current_cell, _short_repr
from .supervision import Escalation, EscalationKind, Signal

if TYPE_CHECKING:
    from .context import Context
    from .ref import ActorRef
    from .runtime import Runtime

log = logging.getLogger("actorlab")

Maker = Callable[["Context"], Awaitable[Actor]]
Monitor = Callable[[StatusUpdate], None]

_UNSET: Any = object()
_repr = reprlib.Repr()
_repr.maxstring = 200
_repr.maxother = 200
_repr.maxlist = _repr.maxdict = _repr.maxset = _repr.maxtuple = 10
_repr.maxlevel = 4

_PREVIEW = 20
_ERRORS = 5
_BATCH = 256  # messages an actor handles before letting the others run
_perf = time.perf_counter
_new_env = new_envelope
_NO_MAIL: Any = ()  # shared stand-in for a mailbox that never received anything
_NONE: Any = ()  # shared stand-in for a list nothing was added to yet (made on first append)


def _overrides(actor: Actor, hook: str) -> bool:
    """Does the actor's class define its own ``hook``? (Decided once per class: a hook not
    defined costs a spawn no coroutine.)"""
    cache = type(actor)._al_hooks
    found = cache.get(hook)
    if found is None:
        found = cache[hook] = getattr(type(actor), hook) is not getattr(Actor, hook)
    return found


def _member(head: Envelope, msg: Any) -> Envelope:
    """The full envelope of a bare message queued in ``head``'s run."""
    return _new_env(
        Envelope, (msg, head.spec, None, head.sender, head.origin, head.enqueued_at, None, None)
    )


class RootCell:
    """The parent of top-level actors: it terminates any that fail (theta's root)."""

    id: ActorId | None = None
    label = "root"
    path = ""
    status = Status.IDLE

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.children: dict[ActorId, ActorCell] = {}

    def signal(self, sig: Sig) -> None:
        settle(sig.ack)

    async def terminate_children(self) -> None:
        acks = []
        for child in list(self.children.values()):
            ack = self.runtime.loop.create_future()
            child.signal(Sig("terminate", ack))
            acks.append(ack)
        if acks:
            await asyncio.gather(*acks)


class ActorCell:
    """One actor's runtime state. The actor instance itself lives in ``self.actor``."""

    __slots__ = (
        "__weakref__",
        "_head",
        "_last_view",
        "_make",
        "_step_acks",
        "_steps",
        "_tail",
        "_terminate_requested",
        "_waiter",
        "actor",
        "actor_type",
        "bound_names",
        "children",
        "closed",
        "context",
        "current",
        "current_msg",
        "errors",
        "extras",
        "failures",
        "handler_max",
        "handler_started",
        "handler_total",
        "held",
        "hwm",
        "id",
        "incarnation",
        "last_message_at",
        "last_snapshot_at",
        "mailbox",
        "monitors",
        "name",
        "parent",
        "persistent",
        "processed",
        "ref",
        "restart_history",
        "restarts",
        "runtime",
        "signals",
        "started_at",
        "status",
        "stop_acks",
        "suspended",
        "task",
        "timers",
    )

    def __init__(
        self,
        runtime: Runtime,
        parent: ActorCell | RootCell,
        actor_type: type[Actor],
        make: Maker,
        actor_id: ActorId,
        name: str | None,
        persistent: bool = False,
    ) -> None:
        self.runtime = runtime
        self.parent = parent
        self.actor_type = actor_type
        self._make = make
        self.id = actor_id
        self.name = name
        self.persistent = persistent
        # An empty tuple until the first message: idle actors cost 760 bytes less.
        # Items are envelopes, or bare messages that share the envelope before them (see _take).
        self.mailbox: collections.deque[Any] = _NO_MAIL
        self._head: Envelope | None = None  # the envelope in force for bare messages at the front
        self._tail: Envelope | None = None  # the last envelope appended, if a plain tell
        self.signals: list[Sig] = []  # rare: a list is 14x smaller than a deque
        self.children: dict[ActorId, ActorCell] = {}
        self.actor: Actor | None = None
        self.status = Status.STARTING
        self.closed = False
        self.current: Envelope | None = None  # the message being handled (or its run's)
        self.current_msg: Any = None  # the message being handled, when ``current`` is set
        self.handler_started = 0.0
        self.held = False
        self.suspended = 0
        self._steps = 0
        self._step_acks: list[Any] = _NONE
        self._terminate_requested = False
        self._waiter: asyncio.Future[None] | None = None
        self.incarnation = 0
        self.processed = 0
        self.failures = 0
        self.restarts = 0
        self.hwm = 0
        self.handler_total = 0.0
        self.handler_max = 0.0
        self.last_message_at: float | None = None
        self.started_at = time.time()
        self.last_snapshot_at: float | None = None
        self.errors: list[ErrorInfo] = _NONE  # the last _ERRORS failures
        self.monitors: list[Monitor] = _NONE
        self._last_view: Any = _UNSET
        self.timers: set[Any] | None = None  # created by the first timer
        self.restart_history: collections.deque[float] | None = None  # created by a strategy
        self.bound_names: list[str] | None = None
        self.stop_acks: list[Any] = _NONE
        self.extras: dict[str, Any] = {}  # per-actor data of optional layers (autosave, ...)
        self.context: Context = _context.Context(self)
        self.ref: ActorRef[Any] = _ref.ActorRef(self)
        self.task: asyncio.Task[None] | None = None

    # -- naming ------------------------------------------------------------------------------------
    @property
    def label(self) -> str:
        return self.name or f"{self.actor_type.__qualname__}#{self.id.short}"

    @property
    def path(self) -> str:
        return f"{self.parent.path}/{self.name or self.id.short}"

    def __repr__(self) -> str:
        return f"<ActorCell {self.label} {self.status.value}>"

    # -- start, mailbox, signals (runtime thread) ----------------------------------------------------
    def start(self) -> None:
        self.parent.children[self.id] = self
        self.task = self.runtime.loop.create_task(self._main())
        self.runtime.events.emit("spawn", self.parent.id, self.id, self.actor_type.__qualname__)
        self.runtime.touch()

    def enqueue(self, env: Envelope) -> None:
        if self.closed:
            self.reject(env, "the actor had stopped when the message arrived")
            return
        mailbox = self.mailbox
        if mailbox is _NO_MAIL:
            mailbox = self.mailbox = collections.deque()
        mailbox.append(env)
        # Only a plain tell can head a run (see ActorRef.tell).
        self._tail = env if env.reply is None and env.corr_id is None else None
        n = len(mailbox)
        if n > self.hwm:
            self.hwm = n
        w = self._waiter
        if w is not None:
            self._waiter = None
            if not w.done():
                w.set_result(None)

    # Mailbox runs: a tell from the same sender, origin and handler as the envelope last appended
    # (within RUN_WINDOW seconds of it) is queued as the bare message and shares that envelope:
    # one object per message fewer for the garbage collector to track, which is most of a
    # flood's cost (see ``ActorRef.tell``). ``_take``, ``envelopes`` and the message loop
    # (``_process``, ``_run_sync``) read the mailbox through that encoding.
    def _take(self) -> Envelope:
        """Pop the first message as a full envelope."""
        item = self.mailbox.popleft()
        if type(item) is Envelope:
            self._head = item
            return item
        assert self._head is not None
        return _member(self._head, item)

    def envelopes(self) -> Iterator[Envelope]:
        """The queued messages as full envelopes, in order (without removing them)."""
        h = self._head
        for item in list(self.mailbox):
            if type(item) is Envelope:
                h = item
                yield item
            else:
                assert h is not None
                yield _member(h, item)

    def signal(self, sig: Sig) -> None:
        if self.status is Status.STOPPED:
            if sig.kind == "terminate":
                settle(sig.ack)
            else:
                settle(sig.ack, error=ActorClosed(f"actor {self.label} has stopped"))
            return
        self.signals.append(sig)
        self._wake()

    def _wake(self) -> None:
        w = self._waiter
        if w is not None:
            self._waiter = None
            if not w.done():
                w.set_result(None)

    def reject(self, env: Envelope, reason: str) -> None:
        if env.reply is not None and not _is_forward(env.reply):
            settle(
                env.reply,
                error=ActorClosed(
                    f"actor {self.label} stopped before answering {type(env.msg).__qualname__} "
                    f"({reason}). Fix: check ref.is_closed(), or respawn the actor"
                ),
            )
        else:
            self.runtime.add_dead_letter(self, env.msg, reason)

    def _set_status(self, status: Status) -> None:
        if status is self.status:
            return
        self.status = status
        self.runtime.version += 1
        if self.monitors:
            self._notify(StatusUpdate(self.id, status, self._view_now(), "status"))

    # -- the run loop --------------------------------------------------------------------------------
    async def _main(self) -> None:
        _current_cell.set(self)
        reason = "the actor stopped"
        try:
            restart_ack: Any = None
            while True:
                try:
                    actor = await self._make(self.context)
                    actor.__dict__["_al_ctx"] = self.context
                except Exception as exc:
                    settle(restart_ack)
                    restart_ack = None
                    decision = await self._fail(EscalationKind.INITIALIZE, exc, None)
                    if decision is not None and decision.kind == "restart":
                        restart_ack = decision.ack
                        await self._begin_restart(run_hook=False)
                        continue
                    # Terminate, or Resume with no state to resume: stop (children first).
                    await self._finish(decision.ack if decision else None, run_exit_hook=False)
                    return
                self.actor = actor
                settle(restart_ack)
                restart_ack = None
                if _overrides(actor, "on_start"):
                    await self._hook("on_start")
                decision = await self._process()
                if decision.kind == "restart":
                    restart_ack = decision.ack
                    await self._begin_restart(run_hook=True)
                    continue
                await self._finish(decision.ack, run_exit_hook=True)
                return
        except asyncio.CancelledError:
            reason = "the runtime shut down"
            raise
        finally:
            self._close(reason)

    async def _process(self) -> Sig:
        signals = self.signals
        budget = _BATCH
        while True:
            mailbox = self.mailbox
            if signals:
                out = await self._on_signal(signals.pop(0))
                if out is not None:
                    return out
                continue
            if self._terminate_requested:
                return Sig("terminate")
            if mailbox and not self.suspended and (not self.held or self._steps):
                stepping = self.held
                if stepping:
                    self._steps -= 1
                item = mailbox[0]  # the front message's envelope: its own, or its run's
                head = item if type(item) is Envelope else self._head
                assert head is not None
                if head.spec.is_async:
                    env = self._take()
                    n = 1
                    err = await self._handle(env)
                else:  # one message when stepping or autosaving, else a batch
                    n, env, err = self._run_sync(1 if stepping or self.extras else budget)
                if stepping and self._step_acks:
                    settle(self._step_acks.pop(0), env.msg)
                if err is not None:
                    out = await self._fail(EscalationKind.HANDLER, err, env)
                    if out is not None:
                        return out
                elif self.extras:  # optional layers (persistence's autosave) after a message
                    hook = self.extras.get("after_message")
                    if hook is not None:
                        await hook(self)
                budget -= n
                if budget <= 0:  # fairness: a busy actor lets the others run now and then
                    budget = _BATCH
                    await asyncio.sleep(0)
                continue
            budget = _BATCH
            self._set_status(
                Status.SUSPENDED if self.suspended else Status.PAUSED if self.held else Status.IDLE
            )
            w = self._waiter = self.runtime.loop.create_future()
            await w

    def _run_sync(self, limit: int) -> tuple[int, Envelope, BaseException | None]:
        """Handle up to ``limit`` queued messages whose handlers are sync, back to back.

        The hot path: no coroutine per message, statistics kept in locals. Stops early at a
        signal, ``ctx.terminate()``, an async handler or a failure. Returns (handled, last
        envelope, error or None).
        """
        mailbox = self.mailbox
        signals = self.signals
        actor = self.actor
        rt = self.runtime
        events = rt.events
        if self.status is not Status.PROCESSING:
            self._set_status(Status.PROCESSING)
        n = 0
        total = 0.0
        worst = self.handler_max
        err: BaseException | None = None
        head = self._head
        # The envelope in force, unpacked once per run rather than once per message.
        h_async = head is None or head.spec.is_async
        h_func = head.spec.func if head is not None else None
        h_origin = head.origin if head is not None else None
        env: Envelope | None = None  # the last message's envelope, when one was at hand
        msg: Any = None
        t1 = 0.0
        try:
            while n < limit and mailbox and not signals and not self._terminate_requested:
                item = mailbox[0]
                if type(item) is Envelope:
                    spec = item.spec
                    if spec.is_async:
                        break
                    env = head = self._head = mailbox.popleft()
                    h_async, h_func, h_origin = False, spec.func, item.origin
                    msg = item.msg
                else:  # a bare message of the current run: it shares ``head`` (see _take)
                    assert head is not None and h_func is not None
                    if h_async:
                        break
                    msg = mailbox.popleft()
                    env = None
                n += 1
                self.current = head  # for a bare message: its run's envelope, and
                self.current_msg = msg  # the message itself
                t0 = self.handler_started = _perf()
                try:
                    if h_origin is None:
                        result = h_func(actor, msg)
                    else:
                        with rt.enter_origin(h_origin):
                            result = h_func(actor, msg)
                except Exception as exc:
                    t1 = _perf()
                    total += t1 - t0
                    self.current = None
                    env = env or _member(head, msg)
                    err = self._raised(env, exc)
                    break
                t1 = _perf()
                dt = t1 - t0
                total += dt
                if dt > worst:
                    worst = dt
                self.current = None
                if env is not None and env.reply is not None:
                    settle(env.reply, result)
                if events.message_events:
                    self._emit_after(env or _member(head, msg), t0, result)
                if self.monitors:
                    self._check_view()
        finally:
            self.processed += n
            self.handler_total += total
            self.handler_max = worst
            if n:
                self.last_message_at = t1
            rt.version += n
        if env is None:
            assert head is not None
            env = _member(head, msg)
        return n, env, err

    async def _handle(self, env: Envelope) -> BaseException | None:
        """Run any handler (async, or with the sending cell's output routing)."""
        spec = env.spec
        self.current = env
        self.current_msg = env.msg
        if self.status is not Status.PROCESSING:
            self._set_status(Status.PROCESSING)
        t0 = self.handler_started = time.perf_counter()
        try:
            if env.origin is not None:
                with self.runtime.enter_origin(env.origin):
                    result = spec.func(self.actor, env.msg)
                    if spec.is_async:
                        result = await result
            else:
                result = spec.func(self.actor, env.msg)
                if spec.is_async:
                    result = await result
        except Exception as exc:
            self._account(t0)
            self.current = None
            return self._raised(env, exc)
        self._account(t0)
        self.current = None
        if env.reply is not None:
            settle(env.reply, result)
        if self.runtime.events.message_events:
            self._emit_after(env, t0, result)
        if self.monitors:
            self._check_view()
        return None

    def _raised(self, env: Envelope, exc: Exception) -> Exception:
        """A handler raised: answer the asker with HandlerError; the caller escalates."""
        self.failures += 1
        if env.reply is not None and not _is_forward(env.reply):
            err = HandlerError(
                f"actor {self.label} raised {type(exc).__name__}: {exc} while handling "
                f"{_short_repr(env.msg, 80)}; the failure was escalated to its supervisor"
            )
            err.__cause__ = exc
            settle(env.reply, error=err)
        if self.runtime.events.message_events:
            self._emit_handled(env, f"error {type(exc).__name__}: {exc}")
        return exc

    def _emit_after(self, env: Envelope, t0: float, result: Any) -> None:
        """Per-message events after a handled message (only while a trace asks for them)."""
        self._emit_handled(env, f"ok {(_perf() - t0) * 1000:.3f} ms")
        if env.reply is not None and not _is_forward(env.reply):
            self.runtime.events.emit(
                "reply",
                self.id,
                env.sender.id if env.sender else None,
                type(result).__qualname__,
                _short_repr(result),
                env.corr_id,
                env.ask_id,
            )

    def _emit_handled(self, env: Envelope, detail: str) -> None:
        self.runtime.events.emit(
            "handled",
            env.sender.id if env.sender else None,
            self.id,
            type(env.msg).__qualname__,
            _short_repr(env.msg),
            env.corr_id,
            env.ask_id,
            detail,
        )

    def _account(self, t0: float) -> None:
        dt = _perf() - t0
        self.processed += 1
        self.handler_total += dt
        if dt > self.handler_max:
            self.handler_max = dt
        self.last_message_at = t0 + dt  # perf_counter clock; info() converts to wall time
        self.runtime.version += 1

    # -- signals -------------------------------------------------------------------------------------
    async def _on_signal(self, sig: Sig) -> Sig | None:
        kind = sig.kind
        if kind in ("restart", "terminate"):
            return sig
        if kind == "escalation":
            return await self._supervise_child(sig)
        if kind == "fault":
            settle(sig.ack)
            return await self._fail(EscalationKind.INJECTED, sig.payload, None)
        if kind == "suspend":
            self.suspended += 1
            await self._signal_children("suspend")
            self._set_status(Status.SUSPENDED)
        elif kind == "unsuspend":
            self.suspended = max(0, self.suspended - 1)
            await self._signal_children("unsuspend")
        elif kind == "pause":
            if not self.held:
                self.held = True
                self.runtime.events.emit("pause", None, self.id)
                self._set_status(Status.PAUSED)
        elif kind == "unpause":
            if self.held:
                self.held = False
                self._steps = 0
                acks, self._step_acks = self._step_acks, _NONE
                for ack in acks:
                    settle(ack, None)
                self.runtime.events.emit("resume", None, self.id)
        elif kind == "step":
            if not self.held:
                settle(sig.ack, error=_not_paused(self.label))
                return None
            if len(self.mailbox) <= self._steps:
                settle(sig.ack, None)  # nothing (more) to step through
                return None
            self._steps += 1
            if not self._step_acks:
                self._step_acks = []
            self._step_acks.append(sig.ack)
            return None
        settle(sig.ack)
        return None

    async def _next_signal(self) -> Sig:
        while not self.signals:
            w = self._waiter = self.runtime.loop.create_future()
            await w
        return self.signals.pop(0)

    async def _signal_children(self, kind: str) -> None:
        await self._send_and_wait({c: kind for c in self.children.values()})

    async def _send_and_wait(self, decisions: dict[ActorCell, str]) -> None:
        acks = []
        loop = self.runtime.loop
        for cell, kind in decisions.items():
            if cell.status is Status.STOPPED:
                continue
            ack = loop.create_future()
            cell.signal(Sig(kind, ack))
            acks.append(ack)
        if acks:
            await asyncio.gather(*acks, return_exceptions=True)

    # -- failure and supervision ------------------------------------------------------------------------
    def _record_error(
        self, kind: EscalationKind | str, exc: BaseException, env: Envelope | None
    ) -> ErrorInfo:
        info = ErrorInfo(
            kind=str(getattr(kind, "value", kind)),
            type=type(exc).__qualname__,
            message=str(exc),
            traceback="".join(traceback.format_exception(type(exc), exc, exc.__traceback__)),
            at=time.time(),
            msg_type=type(env.msg).__qualname__ if env is not None else None,
        )
        if not self.errors:
            self.errors = []
        self.errors.append(info)
        if len(self.errors) > _ERRORS:
            del self.errors[0]
        return info

    async def _fail(
        self,
        kind: EscalationKind,
        exc: BaseException,
        env: Envelope | None,
        origin: object = None,
        passed_on: BaseException | None = None,
    ) -> Sig | None:
        """Escalate a failure and wait for the supervisor's decision (None = resumed).

        ``origin``: the notebook cell behind the failure when ``env`` does not say (a child's
        failure escalated further up), so a top-level report still lands in that cell.
        ``passed_on``: the error the parent's ``Escalation`` carries, when it is not ``exc``
        (a child's error passed up unchanged while ``exc`` explains why it was).
        """
        if env is not None:
            origin = env.origin
        info = self._record_error(kind, exc, env)
        self._set_status(Status.FAILED)
        rt = self.runtime
        rt.events.emit(
            "fail",
            None,
            self.id,
            info.msg_type,
            None,
            env.corr_id if env else None,
            env.ask_id if env else None,
            f"{info.type}: {info.message}",
        )
        if isinstance(self.parent, RootCell):
            rt.report_failure(self.label, info, origin)
            return Sig("terminate")
        await self._signal_children("suspend")
        esc = Escalation(
            self.ref, kind, exc if passed_on is None else passed_on, env.msg if env else None
        )
        rt.events.emit("escalate", self.id, self.parent.id, detail=str(esc))
        self.parent.signal(Sig("escalation", payload=(self, esc, self.incarnation, origin)))
        deferred: list[Sig] = []
        while True:
            sig = await self._next_signal()
            if sig.kind in ("restart", "terminate"):
                for d in deferred:
                    settle(d.ack)
                return sig
            if sig.kind == "resume":
                await self._signal_children("unsuspend")
                self.signals[:0] = deferred
                settle(sig.ack)
                self._set_status(Status.IDLE)
                return None
            if sig.kind in ("escalation", "fault", "step"):
                deferred.append(sig)
                continue
            await self._on_signal(sig)
            self._set_status(Status.FAILED)

    async def _supervise_child(self, sig: Sig) -> Sig | None:
        child, esc, incarnation, origin = sig.payload
        if child.id not in self.children or child.incarnation != incarnation or child.closed:
            return None  # stale: already restarted or stopped
        try:
            decisions = await self._decide(child, esc)
        except Exception as exc:
            await self._send_and_wait({child: "terminate"})
            return await self._fail(EscalationKind.SUPERVISE, exc, None)
        if decisions.get(child) is Signal.ESCALATE:
            out = await self._fail(
                EscalationKind.ESCALATED, self._escalated_error(esc), None, origin, esc.error
            )
            if out is None and not child.closed:
                # I was resumed, but the child I escalated for cannot be: stop it.
                await self._send_and_wait({child: "terminate"})
            return out
        await self._send_and_wait(
            {c: s.value for c, s in decisions.items() if s is not Signal.ESCALATE}
        )
        return None

    def _escalated_error(self, esc: Escalation) -> BaseException:
        """What this supervisor fails with when it escalates a child's failure."""
        actor = self.actor
        assert actor is not None
        cls = type(actor)
        strategy = cls.supervisor
        if strategy is None or cls.supervise is not Actor.supervise:
            return esc.error  # supervise() said ESCALATE: pass the child's error up as it is
        err = RestartLimitExceeded(
            f"{self.label} gave up: its strategy {strategy!r} allows {strategy.max_restarts} "
            f"restart(s) within {strategy.within:g} s, and then {esc}. Fix the child's error, "
            f"or allow more restarts (max_restarts=...), or decide in supervise()"
        )
        err.__cause__ = esc.error
        return err

    async def _decide(self, child: ActorCell, esc: Escalation) -> dict[ActorCell, Signal]:
        actor = self.actor
        assert actor is not None
        cls = type(actor)
        kids = list(self.children.values())
        strategy = cls.supervisor
        if strategy is not None and cls.supervise is Actor.supervise:
            if self.restart_history is None:
                self.restart_history = collections.deque()
            return strategy.decide(child, kids, self.restart_history)
        decision = await maybe_await(actor.supervise(esc))
        if (
            not isinstance(decision, tuple)
            or len(decision) != 2
            or not isinstance(decision[0], Signal)
            or not (decision[1] is None or isinstance(decision[1], Signal))
        ):
            raise TypeError(
                f"{cls.__qualname__}.supervise() must return (al.Signal, al.Signal | None), "
                f"got {decision!r}"
            )
        one, rest = decision
        out = {child: one}
        if rest is not None:
            for k in kids:
                if k is not child:
                    out[k] = rest
        return out

    # -- restart and stop --------------------------------------------------------------------------------
    async def _begin_restart(self, run_hook: bool) -> None:
        self._set_status(Status.RESTARTING)
        self.cancel_timers()
        await self._signal_children("terminate")
        if run_hook and self.actor is not None and _overrides(self.actor, "on_restart"):
            await self._hook("on_restart")
        self.actor = None
        self.incarnation += 1
        self.restarts += 1
        self._terminate_requested = False
        self._last_view = _UNSET
        self.runtime.events.emit("restart", self.parent.id, self.id, self.actor_type.__qualname__)

    async def _finish(self, ack: Any, run_exit_hook: bool) -> None:
        hook = self.extras.get("before_stop")  # optional layers (autosave on stop)
        if hook is not None:
            await hook(self)
        self.closed = True
        if not self.stop_acks:
            self.stop_acks = []
        self.stop_acks.append(ack)
        self._set_status(Status.STOPPING)
        self.cancel_timers()
        if self.children:
            await self._signal_children("terminate")
        if run_exit_hook and self.actor is not None and _overrides(self.actor, "on_exit"):
            await self._hook("on_exit", ExitCode.TERMINATED)

    def _close(self, reason: str) -> None:
        if self.status is Status.STOPPED:
            return
        self.closed = True
        self.cancel_timers()
        if self.current is not None:
            env, self.current = self.current, None
            if env.reply is not None:
                self.reject(env, reason)
        while self.mailbox:
            self.reject(self._take(), reason)
        rt = self.runtime
        with rt.lock:
            rt.cells.pop(self.id, None)
            for name in (self.name, *(self.bound_names or ())):
                if name is not None and rt.names.get(name) is self:
                    del rt.names[name]
        self.parent.children.pop(self.id, None)
        self._set_status(Status.STOPPED)
        rt.events.emit("stop", self.parent.id, self.id, self.actor_type.__qualname__, detail=reason)
        signals, self.signals = self.signals, []
        for sig in signals:
            settle(sig.ack)
        acks, self._step_acks = self._step_acks, _NONE
        for ack in acks:
            settle(ack, None)
        for ack in self.stop_acks:
            settle(ack)
        self.stop_acks = _NONE
        self.monitors = _NONE

    async def _hook(self, name: str, *args: Any) -> None:
        """Run a lifecycle hook the actor's class defines (callers check ``_overrides`` first)."""
        actor = self.actor
        if actor is None:
            return
        try:
            await maybe_await(getattr(actor, name)(*args))
        except Exception as exc:
            info = self._record_error(f"hook:{name}", exc, None)
            log.error(
                "%s() of actor %s raised:\n%s",
                name,
                self.label,
                info.traceback,
            )

    # -- timers ------------------------------------------------------------------------------------------
    def cancel_timers(self) -> None:
        timers, self.timers = self.timers, None
        for t in timers or ():
            t.cancel()

    # -- monitoring --------------------------------------------------------------------------------------
    def _view_now(self) -> Any:
        actor = self.actor
        if actor is None:
            return None
        try:
            return actor.view()
        except Exception as exc:
            return f"<view() raised {type(exc).__name__}: {exc}>"

    def _check_view(self) -> None:
        v = self._view_now()
        try:
            changed = bool(v != self._last_view)
        except Exception:
            changed = True
        if changed:
            self._last_view = v
            self._notify(StatusUpdate(self.id, self.status, v, "view"))

    def _notify(self, update: StatusUpdate) -> None:
        for cb in list(self.monitors):
            try:
                cb(update)
            except Exception:
                log.exception("a monitor callback of actor %s raised; it was removed", self.label)
                self.monitors.remove(cb)

    def add_monitor(self, cb: Monitor) -> None:
        if not self.monitors:
            self.monitors = []
        self.monitors.append(cb)
        v = self._view_now()
        self._last_view = v
        cb(StatusUpdate(self.id, self.status, v, "status"))

    # -- views ----------------------------------------------------------------------------------------------
    def info(self, detail: bool = False) -> ActorInfo:
        now = time.time()
        cur = self.current
        mailbox_preview: tuple[MessagePreview, ...] = ()
        state: dict[str, str] = {}
        if detail:
            envs = list(itertools.islice(self.envelopes(), _PREVIEW))
            mailbox_preview = tuple(
                MessagePreview(
                    i,
                    e.kind,
                    type(e.msg).__qualname__,
                    _repr.repr(e.msg),
                    e.sender.label if e.sender is not None else None,
                    e.enqueued_at,
                )
                for i, e in enumerate(envs)
            )
            state = state_preview(self.actor)
        parent_id = self.parent.id
        return ActorInfo(
            id=self.id,
            name=self.name,
            actor_type=self.actor_type.__qualname__,
            module=self.actor_type.__module__,
            path=self.path,
            parent=parent_id,
            children=tuple(self.children),
            status=self.status,
            mailbox=len(self.mailbox),
            mailbox_hwm=self.hwm,
            processed=self.processed,
            failures=self.failures,
            restarts=self.restarts,
            last_error=self.errors[-1] if self.errors else None,
            errors=tuple(self.errors),
            current_handler=(
                f"{cur.spec.name}({type(self.current_msg).__qualname__})" if cur else None
            ),
            in_handler_for=(time.perf_counter() - self.handler_started) if cur else None,
            handler_time_total=self.handler_total,
            handler_time_max=self.handler_max,
            last_message_at=(
                now - (time.perf_counter() - self.last_message_at)
                if self.last_message_at is not None
                else None
            ),
            started_at=self.started_at,
            age=now - self.started_at,
            persistent=self.persistent,
            supervisor=_strategy_text(self.actor_type),
            last_snapshot_at=self.last_snapshot_at,
            mailbox_preview=mailbox_preview,
            state_preview=state,
            view=self._view_now() if detail else None,
        )


def state_preview(actor: Actor | None) -> dict[str, str]:
    """Field name -> truncated repr of an actor's state (without runtime attributes)."""
    if actor is None:
        return {}
    out = {}
    for k, v in actor.__dict__.items():
        if k.startswith("_al_"):
            continue
        try:
            out[k] = _repr.repr(v)
        except Exception as exc:
            out[k] = f"<repr failed: {type(exc).__name__}>"
    return out


def _strategy_text(cls: type[Actor]) -> str:
    if cls.supervisor is not None:
        return repr(cls.supervisor)
    if cls.supervise is not Actor.supervise:
        return f"{cls.__qualname__}.supervise()"
    return "terminate failing child (default)"


def _is_forward(reply: Any) -> bool:
    return isinstance(reply, Forward)


def _not_paused(label: str) -> Exception:
    return ActorlabError(
        f"step() processes one message of a paused actor, but {label} is not paused. "
        f"Fix: call ref.pause() first, then ref.step(), then ref.resume()"
    )


# Bottom imports, as modules: they import this one (a cell makes its context and ref at spawn).
from . import context as _context  # noqa: E402
from . import ref as _ref  # noqa: E402
