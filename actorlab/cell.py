"""The actor cell: one actor's runtime state and its message loop.

A cell owns the actor instance, its ``Mailbox``, its control signals and its children. Its task
runs ``_main``: build the actor, handle messages one at a time (signals first, at message
boundaries), and restart or stop as its supervisor decides. While the task is parked idle,
the runtime's ready queue runs the messages for sync handlers (``ready.run_cell``).
The supervisor's side lives in ``supervising``, ``info()`` and monitors in ``monitoring``,
building cells in ``spawning``.
Everything here runs on the runtime thread, except reads of plain attributes by views.
"""

from __future__ import annotations

import asyncio
import contextvars
import logging
import sys
import time
from collections.abc import Awaitable, Callable
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Protocol

from . import lifecycle, monitoring, signalling, supervising
from .actor import Actor
from .envelope import Envelope, Forward, envelope_of, member, settle
from .errors import ActorClosed, HandlerError
from .ids import ActorId
from .info import ActorInfo, Status, StatusUpdate
from .mailbox import NOTHING, Mailbox
from .ready import BATCH as _BATCH
from .ready import NO_TASK
from .reprs import error_text, short_repr
from .runtime import _current_cell
from .signals import Kind, Sig
from .supervision import EscalationKind

if TYPE_CHECKING:
    from .context import Context
    from .ref import ActorRef
    from .runtime import Runtime

log = logging.getLogger("actorlab")


class Maker(Protocol):
    """Builds an actor's instances (``spawning``): awaited with its ``Context`` at each
    (re)start; ``take_first`` gives the instance already at hand, if any (once), so that the
    actor can start without a task."""

    def __call__(self, ctx: Context, /) -> Awaitable[Actor]: ...

    def take_first(self) -> Actor | None: ...


Monitor = Callable[[StatusUpdate], None]
#: An optional layer's hook on a cell (persistence's autosave): awaited with the cell.
CellHook = Callable[["ActorCell"], Awaitable[None]]
#: A handler failure for the supervisor: the message's envelope and what it raised.
Failure = tuple[Envelope, BaseException]

_perf = time.perf_counter
_NONE: Any = ()  # shared stand-in for a list nothing was added to yet (made on first append)
_NO_CHILDREN: Any = MappingProxyType({})  # read-only stand-in for a childless actor's dict


class RootCell:
    """The parent of top-level actors: it terminates any that fail (theta's root)."""

    id: ActorId | None = None
    _ctx: contextvars.Context | None = None  # (top-level actors copy the current context)
    label = "root"
    path = ""
    status = Status.IDLE

    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.children: dict[ActorId, ActorCell] = {}

    def signal(self, sig: Sig) -> None:
        sig.settle()

    async def terminate_children(self) -> None:
        acks = []
        for child in list(self.children.values()):
            ack = self.runtime.loop.create_future()
            child.signal(Sig(Kind.TERMINATE, ack))
            acks.append(ack)
        if acks:
            await asyncio.gather(*acks)


class ActorCell:
    """One actor's runtime state. The actor instance itself lives in ``self.actor``."""

    __slots__ = (  # (see __init__ for what each holds)
        "__weakref__", "_context", "_ctx", "_make", "_ref", "_step_acks", "_waiter", "actor",
        "actor_type", "after_message", "before_stop", "bound_names", "children", "closed",
        "current", "current_msg", "errors", "failures", "handler_max", "handler_started",
        "handler_total", "held", "id", "incarnation", "last_message_at", "last_snapshot_at",
        "last_upgrade_at", "last_view", "mailbox", "monitors", "name", "parent",
        "persistence", "persistent", "processed", "queued", "restart_history",
        "restarts", "runtime", "signals", "started_at", "status", "stop_acks",
        "stop_requested", "suspended", "task", "timers", "upgrades",
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
        self.mailbox = Mailbox()
        self.signals: list[Sig] = _NONE  # rare: a list from the first signal
        self.children: dict[ActorId, ActorCell] = _NO_CHILDREN  # a dict from the first child
        self.actor: Actor | None = None
        self.status = Status.STARTING
        self.closed = False
        self.current: Envelope | None = None  # the envelope of the message being handled
        self.current_msg: Any = None  # the message being handled, when ``current`` is set
        self.handler_started = 0.0
        self.held = False  # paused (step mode)
        self.suspended = 0  # an ancestor is failing: hold everything until it is decided
        self._step_acks: list[Any] = _NONE  # one per step asked for and not yet taken
        self.stop_requested = False  # ctx.terminate() from the actor's own handler
        self._waiter: asyncio.Future[Failure | None] | None = None  # the parked task wakes on it
        self._ctx: contextvars.Context | None = None  # handlers run in it (``context_vars``)
        self.queued = False  # in the runtime's ready queue, or running from it
        self.incarnation = 0
        self.processed = 0
        self.failures = 0
        self.restarts = 0
        self.handler_total = 0.0
        self.handler_max = 0.0
        self.last_message_at: float | None = None
        self.started_at = time.time()
        self.last_snapshot_at: float | None = None
        self.errors: list[Any] = _NONE  # the last few failures (ErrorInfo)
        self.monitors: list[Monitor] = _NONE
        self.last_view: Any = monitoring.UNSEEN
        self.timers: set[Any] | None = None  # created by the first timer
        self.restart_history: Any = None  # restart times, created by a strategy
        self.bound_names: list[str] | None = None
        self.upgrades = 0  # live code: how often the actor took on a redefined class
        self.last_upgrade_at: float | None = None
        self.stop_acks: list[Any] = _NONE
        # Optional layers (persistence): their state, and hooks after each message / at stop.
        self.persistence: Any = None
        self.after_message: CellHook | None = None
        self.before_stop: CellHook | None = None
        self._context: Context | None = None  # made on first use (``context``)
        self._ref: ActorRef[Any] | None = _ref.ActorRef(self)  # (dropped at close: ``ref``)
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

    @property
    def ref(self) -> ActorRef[Any]:
        """The actor's ref. A stopped cell no longer holds its own (so that it is not a cycle
        for the collector to free): it hands out a new one, equal to the first."""
        ref = self._ref
        return ref if ref is not None else _ref.ActorRef(self)

    @property
    def context(self) -> Context:
        """The actor's ``Context`` (``self.ctx``), made on first use: most actors never ask."""
        ctx = self._context
        if ctx is None:
            ctx = self._context = _context.Context(self)
        return ctx

    # -- start, mailbox, signals (runtime thread) ----------------------------------------------------
    def start(self) -> None:
        """Put the cell in its parent's children and start it on the runtime thread.

        An actor whose instance is at hand (spawned from an instance) and whose class has no
        ``on_start`` starts without a task: it is idle at once, the ready queue runs its sync
        handlers, and its task is made only when something needs one (``_resume``)."""
        if self.actor is not None or self.task is not None or self.closed:  # started (a spawn
            return  # re-posts it after a Ctrl-C), or stopped already
        parent = self.parent
        if parent.children is _NO_CHILDREN:
            parent.children = {}
        parent.children[self.id] = self
        self.runtime.events.emit("spawn", self.parent.id, self.id, self.actor_type.__qualname__)
        has_hook = lifecycle.overrides(self.actor_type, "on_start")
        actor = None if has_hook else self._make.take_first()
        if actor is None:
            self.runtime.touch()  # (a new child; its status moves when its task runs)
            self._start_task()
            return
        self._adopt(actor)
        self._waiter = NO_TASK
        self.set_status(Status.IDLE)  # (which moves the version for the new child too)
        if self.signals:  # sent before the start
            self._resume()
        elif self.mailbox:
            self._wake()

    def context_vars(self) -> contextvars.Context:
        """The ``contextvars`` context the actor's code runs in, its task's too (so a variable
        a handler sets stays with this actor). Made on first use: a copy of its parent's (of
        the current one, at the top), with this cell as the current actor."""
        ctx = self._ctx
        if ctx is None:
            base = self.parent._ctx
            ctx = self._ctx = base.copy() if base is not None else contextvars.copy_context()
            ctx.run(_current_cell.set, self)
        return ctx

    def _start_task(self, woken: Failure | None = None) -> None:
        """Run ``_main`` as the cell's task, in the cell's context (``woken``: a failure the
        ready queue found while the actor had no task)."""
        ctx = self.context_vars()
        loop = self.runtime.loop
        if sys.version_info >= (3, 11):  # the task runs in ctx itself: one Context per actor
            self.task = loop.create_task(self._main(woken), context=ctx)
        else:  # the task runs in a copy of ctx
            self.task = ctx.run(loop.create_task, self._main(woken))

    def _adopt(self, actor: Actor) -> None:
        object.__setattr__(actor, "_al_cell", self)  # (``actor.ctx``; no instance dict made)
        self.actor = actor

    def enqueue(self, env: Envelope, more: list[Any] = _NONE) -> None:
        """Queue a message with its own envelope (asks, forwards, traced tells, timers; and the
        tells of a ``Burst`` from another thread: ``env`` the first, ``more`` the others)."""
        if self.closed:
            reason = "the actor had stopped when the message arrived"
            self.reject(env, reason)
            for msg in more:
                self.reject(member(env, msg), reason)
            return
        self.mailbox.put(env, more)
        if self._waiter is not None and not self.queued:  # parked, and not in the ready queue
            self._wake()

    def tell(self, msg: Any, spec: Any, sender: ActorCell | None, origin: object) -> None:
        """Queue a plain tell (it may join the run of the message before it). On the runtime
        thread, to an open cell: both callers (``ActorRef.tell``, a timer firing) check first."""
        self.mailbox.tell(msg, spec, sender, origin)
        if self._waiter is not None and not self.queued:  # parked, and not in the ready queue
            self._wake()

    def signal(self, sig: Sig) -> None:
        if self.status is Status.STOPPED:
            if sig.kind is Kind.TERMINATE:
                sig.settle()
            else:
                sig.settle(error=ActorClosed(f"actor {self.label} has stopped"))
            return
        if self.signals is _NONE:
            self.signals = []
        self.signals.append(sig)
        if not self.queued:  # (else the ready queue wakes the task, after the current message)
            self._resume()

    def request_stop(self) -> None:
        """Stop after the current message (the actor asked for it from its own code)."""
        self.stop_requested = True

    def _wake(self) -> None:
        """A message arrived for a parked actor (not queued yet): an idle one handles it from
        the ready queue, its task parked; any other (paused, suspended...) wakes its task."""
        if self.status is Status.IDLE:
            self.queued = True
            self.runtime.ready.add(self)
        else:
            self._resume()

    def _resume(self, failure: Failure | None = None) -> None:
        """Wake the parked task (signals, and whatever the ready queue leaves to it, such as
        a ``failure`` to escalate)."""
        w = self._waiter
        if w is NO_TASK:  # started without a task: stop at once if nothing needs awaiting
            self._waiter = None
            if failure is not None or not lifecycle.stop_now(self):
                self._start_task(failure)
        elif w is not None:
            self._waiter = None
            if not w.done():
                w.set_result(failure)

    def reject(self, env: Envelope, reason: str) -> None:
        """A message that will never be handled: fail its asker, or record a dead letter."""
        if env.reply is not None and not isinstance(env.reply, Forward):
            settle(
                env.reply,
                error=ActorClosed(
                    f"actor {self.label} stopped before answering {type(env.msg).__qualname__} "
                    f"({reason}). Fix: check ref.is_closed(), or respawn the actor"
                ),
            )
        else:
            self.runtime.add_dead_letter(self, env.msg, reason)

    def set_status(self, status: Status) -> None:
        """Move the status, the runtime's version (what views and traces poll) and tell the
        monitors. A batch of sync handlers (``_run_sync``, and the ready queue's return to
        IDLE after one) moves only the field while no monitor watches: the version moves
        with each message it handles, and the bracket itself is news only to a monitor."""
        if status is self.status:
            return
        self.status = status
        self.runtime.version += 1
        if self.monitors:
            monitoring.notify(
                self, StatusUpdate(self.id, status, monitoring.view_now(self), "status")
            )

    # -- the run loop --------------------------------------------------------------------------------
    async def _main(self, woken: Failure | None = None) -> None:
        """The task: build the actor (unless it started without a task, built), run its
        message loop, restart or stop. ``woken``: see ``_start_task``."""
        reason = "the actor stopped"
        pending = [woken] if woken is not None else []  # (_process takes it out: no frame
        del woken  # keeps the failed message alive)
        try:
            restart_ack: Any = None
            while True:
                if self.actor is None:
                    try:
                        actor = await self._make(self.context)
                    except BaseException as exc:  # any exception, SystemExit included
                        if supervising.stopped_by_cancel(self, exc):
                            raise
                        settle(restart_ack)
                        restart_ack = None
                        decision = await supervising.fail(
                            self, EscalationKind.INITIALIZE, exc, None
                        )
                        if decision is not None and decision.kind is Kind.RESTART:
                            restart_ack = decision.ack
                            await lifecycle.begin_restart(self, with_hook=False)
                            continue
                        # Terminate, or Resume with no state to resume: stop (children first).
                        ack = decision.ack if decision else None
                        await lifecycle.finish(self, ack, run_exit_hook=False)
                        return
                    self._adopt(actor)
                    settle(restart_ack)
                    restart_ack = None
                    if lifecycle.overrides(type(actor), "on_start"):
                        await lifecycle.run_hook(self, "on_start")
                decision = await self._process(pending)
                if decision.kind is Kind.RESTART:
                    restart_ack = decision.ack
                    await lifecycle.begin_restart(self, with_hook=True)
                    continue
                await lifecycle.finish(self, decision.ack, run_exit_hook=True)
                return
        except (asyncio.CancelledError, GeneratorExit):  # (GeneratorExit: the task's loop was
            reason = "the runtime shut down"  # closed under it, and the collector closes it)
            raise
        except BaseException as exc:  # a bug of actorlab's: stop this actor, never the loop
            reason = f"internal error {type(exc).__name__}: {exc}"
            log.exception("actor %s stopped on an internal actorlab error", self.label)
        finally:
            lifecycle.close(self, reason)

    def _may_handle(self) -> bool:
        return bool(self.mailbox) and not self.suspended and (not self.held or bool(self._step_acks))

    async def _process(self, pending: list[Failure]) -> Sig:
        """Handle messages until a signal says restart or stop; returns that signal.
        ``pending``: a failure of a message the ready queue ran, to take out and escalate first."""
        mailbox = self.mailbox
        scheduler = self.runtime.scheduler
        granted = False  # the scheduler's turn, when one decides who goes next
        budget = _BATCH
        env: Envelope | None
        err: BaseException | None
        failure = pending.pop() if pending else None
        while True:
            if failure is not None:  # a handler raised (here, or in the ready queue's batch)
                out = await supervising.fail(self, EscalationKind.HANDLER, failure[1], failure[0])
                failure = None
                if out is not None:
                    return out
                continue
            if self.signals:
                out = await signalling.on_signal(self, self.signals.pop(0))
                if out is not None:
                    return out
                continue
            if self.stop_requested:
                return Sig(Kind.TERMINATE)
            if self._may_handle():
                if scheduler is not None and not granted:
                    await scheduler.turn(self)
                    granted = True
                    continue  # look again: a signal may have come first
                granted = False
                stepping = self.held  # (then a step asked for this message: its ack is first)
                env = mailbox.take_async()
                if env is not None:
                    n, msg = 1, env.msg
                    err = await self._handle(env)
                    failure = None if err is None else (env, err)
                else:  # one message when stepping, scheduled, or a layer looks after each
                    one = stepping or scheduler is not None or self.after_message is not None
                    n, msg, failure = self._run_sync(1 if one else budget)
                if stepping and self._step_acks:
                    settle(self._step_acks.pop(0), msg)
                if failure is not None:
                    continue  # escalated at the top of the loop
                if self.after_message is not None:
                    await self.after_message(self)
                budget -= n
                if budget <= 0:  # fairness: a busy actor lets the others run now and then
                    budget = _BATCH
                    await asyncio.sleep(0)
                continue
            budget = _BATCH
            env = err = msg = failure = None  # an idle actor keeps no message (nor traceback)
            mailbox.idle()
            self.set_status(
                Status.SUSPENDED if self.suspended else Status.PAUSED if self.held else Status.IDLE
            )
            w = self._waiter = self.runtime.loop.create_future()
            failure = await w

    def _run_sync(self, limit: int) -> tuple[int, Any, Failure | None]:
        """Handle up to ``limit`` queued messages whose handlers are sync, back to back.

        No coroutine per message, statistics kept in locals. One clock read per message: a
        message's handler time runs from the end of the message before it in the batch (so it
        includes the loop's few steps between handlers). What only someone watching needs (a
        reply, trace events, monitors) is decided once per run of messages. Stops early at a
        signal, ``ctx.terminate()``, an async handler or a failure. Returns (handled, the last
        message, None or the failing message's envelope and error).
        """
        mailbox = self.mailbox
        pop = mailbox.pop_sync
        actor = self.actor
        rt = self.runtime
        if self.status is not Status.PROCESSING:  # (a batch's bracket: see ``set_status``)
            if self.monitors:
                self.set_status(Status.PROCESSING)
            else:
                self.status = Status.PROCESSING
        n = 0
        done = self.processed
        worst = self.handler_max
        failure: Failure | None = None
        head: Any = None  # the envelope in force (an Envelope), unpacked once per run
        func: Any = None
        origin: object = None
        watched: Any = False  # the run needs _after_message (a reply, trace events, monitors)
        msg: Any = None
        t0 = t1 = start = _perf()
        try:
            while n < limit and not self.signals and not self.stop_requested:
                msg = pop()
                if msg is NOTHING:
                    break
                if mailbox.head is not head:
                    head = self.current = mailbox.head
                    func, origin = head.spec.func, head.origin
                    watched = head.reply is not None or rt.events.message_events or self.monitors
                n += 1
                self.current_msg = msg
                self.handler_started = t0
                try:
                    if origin is None:
                        result = func(actor, msg)
                    else:
                        with rt.enter_origin(origin):
                            result = func(actor, msg)
                except BaseException as exc:  # SystemExit too: a failure of this actor
                    t1 = _perf()
                    self.current = None
                    env = envelope_of(head, msg)
                    failure = (env, self._raised(env, exc))
                    break
                t1 = _perf()
                if t1 - t0 > worst:
                    worst = t1 - t0
                if watched:
                    self.processed = done + n  # counted before the asker can look
                    self._after_message(head, msg, t0, result)
                t0 = t1
        finally:
            self.current = None
            self.current_msg = None
            self.processed = done + n
            self.handler_total += t1 - start
            self.handler_max = worst
            if n:
                self.last_message_at = t1
            rt.version += n
        return n, msg, failure

    def _after_message(self, head: Envelope, msg: Any, t0: float, result: Any) -> None:
        """A handled message someone waits for or watches: the reply, trace events, monitors."""
        if head.reply is not None:  # only a message with its own envelope has one
            self.current = None  # (done with it: an asker that looks at once sees so)
            settle(head.reply, result)
        if self.runtime.events.message_events:
            monitoring.emit_handled_ok(self, envelope_of(head, msg), t0, result)
        if self.monitors:
            monitoring.check_view(self)

    async def _handle(self, env: Envelope) -> BaseException | None:
        """Run an async handler (in the sending cell's output routing, when it has one)."""
        func, msg, origin = env.spec.func, env.msg, env.origin
        self.current = env
        self.current_msg = msg
        if self.status is not Status.PROCESSING:
            self.set_status(Status.PROCESSING)
        t0 = self.handler_started = _perf()
        try:
            if origin is None:
                result = await func(self.actor, msg)
            else:
                with self.runtime.enter_origin(origin):
                    result = await func(self.actor, msg)
        except BaseException as exc:  # SystemExit, CancelledError...: a failure of this actor
            if supervising.stopped_by_cancel(self, exc):
                raise  # the runtime is shutting down: not the handler's fault
            self._account(t0)
            self.current = None
            self.current_msg = None
            return self._raised(env, exc)
        self._account(t0)
        self.current = None
        self.current_msg = None
        self._after_message(env, msg, t0, result)
        return None

    def _raised(self, env: Envelope, exc: BaseException) -> BaseException:
        """A handler raised: answer the asker with HandlerError; the caller escalates."""
        if env.reply is not None and not isinstance(env.reply, Forward):
            err = HandlerError(
                f"actor {self.label} raised {type(exc).__name__}: {error_text(exc)} while handling "
                f"{short_repr(env.msg, 80)}; the failure was escalated to its supervisor"
            )
            err.__cause__ = exc
            settle(env.reply, error=err)
        if self.runtime.events.message_events:
            monitoring.emit_handled(self, env, f"error {type(exc).__name__}: {error_text(exc)}")
        return exc

    def _account(self, t0: float) -> None:
        dt = _perf() - t0
        self.processed += 1
        self.handler_total += dt
        if dt > self.handler_max:
            self.handler_max = dt
        self.last_message_at = t0 + dt  # perf_counter clock; info() converts to wall time
        self.runtime.version += 1

    def cancel_timers(self) -> None:
        timers, self.timers = self.timers, None
        for t in timers or ():
            t.cancel()

    # -- views ----------------------------------------------------------------------------------------------
    def info(self, detail: bool = False) -> ActorInfo:
        return monitoring.info(self, detail)

    def add_monitor(self, cb: Monitor) -> None:
        monitoring.add_monitor(self, cb)


# Bottom imports, as modules: they import this one (a cell makes its context and ref at spawn).
from . import context as _context  # noqa: E402
from . import ref as _ref  # noqa: E402
