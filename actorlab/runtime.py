"""The runtime: one asyncio loop on the daemon thread "actorlab-runtime" per process.

Cells and scripts reach it through thread-safe hand-offs (batched: one loop wake-up per burst of
messages, not per message); actor-to-actor traffic stays on the loop.
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import concurrent.futures
import contextlib
import contextvars
import logging
import threading
import time
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

from . import timeouts as _timeouts
from .clock import Clock, RealClock, wait_future
from .config import settings
from .deadlines import Deadlines
from .envelope import Burst, Envelope, tell_envelope
from .errors import ActorlabError, WrongThread
from .events import EventRing
from .info import DeadLetter, ErrorInfo
from .ready import ReadyQueue
from .reprs import short_repr
from .transport import get_transport

if TYPE_CHECKING:
    from .cell import ActorCell, RootCell
    from .context import RootContext
    from .ids import ActorId
    from .messages import HandlerSpec

log = logging.getLogger("actorlab")
T = TypeVar("T")

#: The cell whose handler (or hook) is running in this task; None outside actors.
_current_cell: contextvars.ContextVar[ActorCell | None] = contextvars.ContextVar(
    "actorlab_current_cell", default=None
)

class Scheduler(Protocol):
    """Decides which ready actor handles its next message (a core hook for testing)."""

    async def turn(self, cell: ActorCell) -> None:
        """Return when ``cell`` may handle one message."""
        ...


OriginCapture = Callable[[], object]
OriginEnter = Callable[[object], contextlib.AbstractContextManager[Any]]
FailureReporter = Callable[[str, ErrorInfo, object], None]

_origin_capture: OriginCapture | None = None
_NO_SCOPE = contextlib.nullcontext()
_origin_enter: OriginEnter | None = None


def _default_reporter(label: str, error: ErrorInfo, origin: object) -> None:
    log.error(
        "top-level actor %s failed in %s and was stopped by the root:\n%s",
        label,
        error.kind,
        error.traceback.rstrip(),
    )


_failure_reporter: FailureReporter = _default_reporter


def set_origin_hooks(capture: OriginCapture | None, enter: OriginEnter | None) -> None:
    """Route handler output: ``capture()`` at send time, ``enter(token)`` around the handler."""
    global _origin_capture, _origin_enter
    _origin_capture, _origin_enter = capture, enter


_start_hooks: list[Callable[[], None]] = []


def add_start_hook(hook: Callable[[], None]) -> None:
    """Call ``hook()`` whenever a runtime starts (the notebook layer installs output routing)."""
    if hook not in _start_hooks:
        _start_hooks.append(hook)


def has_origin_hooks() -> bool:
    return _origin_capture is not None or _origin_enter is not None


def set_failure_reporter(reporter: FailureReporter | None) -> None:
    """Show failures of top-level actors (default: log them on the "actorlab" logger)."""
    global _failure_reporter
    _failure_reporter = reporter or _default_reporter


def running_in(cell: ActorCell) -> bool:
    """Is this code the cell's own task (its handlers and hooks)? Tasks and callbacks they start
    copy ``_current_cell`` too, but are not "inside the handler": the running task tells."""
    rt = cell.runtime
    return (
        _current_cell.get() is cell
        and threading.get_ident() == rt.thread_id
        and (rt.ready.running is cell or (cell.task is not None and asyncio.current_task() is cell.task))
    )


def current_actor() -> ActorId | None:
    """The id of the actor whose code is running here, or None outside actors."""
    cell = _current_cell.get()
    return cell.id if cell is not None else None


class Runtime:
    """The loop, its thread, the registry of live actors, events and dead letters."""

    def __init__(
        self,
        *,
        loop: asyncio.AbstractEventLoop | None = None,
        clock: Clock | None = None,
        scheduler: Scheduler | None = None,
    ) -> None:
        """The hooks (for ``actorlab.testing``): the event ``loop`` to run, the ``clock`` its
        timeouts follow, and a ``scheduler`` that decides which ready actor handles a message
        next (None: each as soon as it can)."""
        from .cell import RootCell
        from .context import RootContext

        cfg = settings()
        self.loop = loop if loop is not None else asyncio.new_event_loop()
        self.clock: Clock = clock if clock is not None else RealClock()
        self.scheduler = scheduler
        self.events = EventRing(cfg.event_capacity, clock=self.clock.now)
        self.dead_letters: collections.deque[DeadLetter] = collections.deque(
            maxlen=cfg.dead_letter_capacity
        )
        self.lock = threading.RLock()
        self.cells: dict[ActorId, ActorCell] = {}
        self.names: dict[str, ActorCell] = {}
        self.version = 0
        self.closed = False
        self.died: str | None = None  # why the runtime thread died, if it ever did
        self._stopping = False  # shutdown stops the loop (any other stop is ignored)
        #: Shutdown is cancelling the actors' tasks (how a cell tells that from a
        #: CancelledError its own code raised, on Python 3.10: see ``cell.stopped_by_cancel``).
        self.cancelling = False
        #: What other threads hand the loop: envelopes (``send``) and (target, item) pairs.
        self._inbox: collections.deque[Any] = collections.deque()
        #: Held to join the inbox's last entry (``send_tell``) and to take an entry (``_drain``).
        self._inbox_lock = threading.Lock()
        self._scheduled = False
        self.ready = ReadyQueue(self.loop)  # idle actors sent a message (see ``ready``)
        self.deadlines = Deadlines(self.loop)  # of asks awaited on the loop
        self.root_cell: RootCell = RootCell(self)
        self.root_context = RootContext(self)
        started = threading.Event()
        self.thread = threading.Thread(
            target=self._run, args=(started,), name="actorlab-runtime", daemon=True
        )
        self.thread.start()
        started.wait()
        self.thread_id = self.thread.ident
        for hook in list(_start_hooks):
            try:
                hook()
            except Exception:
                log.exception("an actorlab runtime start hook raised")

    def _run(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(started.set)
        why = "it stopped"
        try:
            while True:
                try:
                    self.loop.run_forever()
                except BaseException as exc:
                    # asyncio lets SystemExit/KeyboardInterrupt out of a callback or a task that
                    # actor code started (not of handlers and hooks: their cells catch everything).
                    log.error(
                        "%s raised on the actorlab runtime thread by code outside any handler "
                        "(a callback or task an actor started); ignored, the runtime goes on",
                        type(exc).__name__,
                        exc_info=exc,
                    )
                    continue
                if self._stopping:
                    break
                log.error(
                    "the actorlab event loop was stopped by code on the runtime thread (only "
                    "al.shutdown() stops it); ignored, the runtime goes on"
                )
        except BaseException as exc:
            why = f"{type(exc).__name__}: {exc}"
            raise
        finally:
            if not self._stopping:  # the thread is dying under everyone: say so, start afresh
                self.died = why
                self.closed = True
                with contextlib.suppress(BaseException):
                    log.error("the actorlab runtime thread died (%s); al.root() starts a new one", why)
            for task in asyncio.all_tasks(self.loop):  # left running: the shutdown gave up on them
                # (and named them); asyncio would report each again when the collector frees it
                task._log_destroy_pending = False  # type: ignore[attr-defined]
            self.loop.close()

    def gone_text(self) -> str:
        """Why this runtime takes no more calls, and the fix."""
        if self.died is not None:
            return (
                f"the actorlab runtime thread died ({self.died}); every actor it ran is gone. "
                f"Fix: al.root() starts a fresh runtime: spawn your actors again there"
            )
        return "the actorlab runtime has shut down. Fix: call al.root() for a new one"

    # -- threads -----------------------------------------------------------------------------------
    def on_loop_thread(self) -> bool:
        return threading.get_ident() == self.thread_id

    def post(self, target: Any, item: Any) -> None:
        """Hand ``item`` to the loop from another thread: ``target.enqueue(item)``, or
        ``item()`` when ``target`` is None. One wake-up per burst."""
        self.send((target, item))

    def send(self, entry: Envelope | Burst | tuple[Any, Any]) -> None:
        """Hand the loop an entry from another thread: an envelope, for ``entry.to.enqueue``
        (a message is its envelope alone in the inbox), a ``Burst`` of tells (``send_tell``),
        or a ``post``'s (target, item) pair."""
        if self.closed:
            raise ActorlabError(self.gone_text())
        try:
            self._inbox.append(entry)
            if not self._scheduled:
                self._scheduled = True
                self.loop.call_soon_threadsafe(self._drain)
        except BaseException as exc:
            # Ctrl-C (or the loop closing) between any two steps above: never leave the flag
            # saying a drain is on its way when none may be, and wake the loop for whatever
            # reached the inbox (an extra drain is harmless). The interrupted item is then
            # delivered, as if the interrupt had come just after the send.
            self._scheduled = False
            try:
                self.loop.call_soon_threadsafe(self._drain)
            except RuntimeError:
                pass
            if isinstance(exc, RuntimeError):  # loop closed under us
                raise ActorlabError(self.gone_text()) from None
            raise

    def send_tell(self, cell: ActorCell, msg: Any, spec: HandlerSpec, origin: object) -> None:
        """A plain tell from another thread. It joins the inbox's last entry when that is a
        ``Burst`` to the same actor, handler and origin (a flood from a notebook cell is one
        entry, made once and delivered in one step), else starts a burst (through ``send``).

        Joining only the last entry keeps each thread's order, whatever the other threads
        send meanwhile; the lock keeps the drain from taking that burst during the join."""
        if self.closed:
            raise ActorlabError(self.gone_text())
        if type(msg) is not Envelope:  # (an envelope as a message starts its own: see Mailbox)
            with self._inbox_lock:
                inbox = self._inbox
                if inbox:
                    last = inbox[-1]
                    if type(last) is Burst:
                        head = last.env
                        if head.to is cell and head.spec is spec and head.origin is origin:
                            last.more.append(msg)
                            return
        self.send(Burst(tell_envelope(msg, spec, None, origin, time.time(), None, cell)))

    def _drain(self) -> None:
        self._scheduled = False
        inbox = self._inbox
        take = inbox.popleft
        lock = self._inbox_lock
        self.ready.hold()  # (it runs below: no loop callback for it meanwhile)
        try:
            while inbox:
                with lock:  # (a send_tell may be adding to the entry: see there)
                    entry = take()
                try:
                    if type(entry) is Envelope:
                        entry.to.enqueue(entry)
                    elif type(entry) is Burst:
                        entry.env.to.enqueue(entry.env, entry.more)
                    elif entry[0] is None:
                        entry[1]()
                    else:
                        entry[0].enqueue(entry[1])
                except BaseException:  # one bad hand-off must not strand the items behind it
                    log.exception("actorlab: a call handed to the runtime thread raised")
        finally:
            self.ready.run()  # the actors just sent a message handle it now, not a loop turn later

    def run_soon(self, fn: Callable[[], Any]) -> None:
        """Run ``fn`` on the runtime thread (now if already there), in order with messages."""
        if self.on_loop_thread():
            fn()
        else:
            self.post(None, fn)

    def submit(self, coro: Awaitable[T]) -> concurrent.futures.Future[T]:
        """Schedule a coroutine on the runtime loop from any thread."""
        return asyncio.run_coroutine_threadsafe(coro, self.loop)  # type: ignore[arg-type]

    def call(
        self,
        fn: Callable[[], Awaitable[T]] | Callable[[], T],
        timeout: float | None = None,
        what: str = "this call",
    ) -> T:
        """Run ``fn`` (sync, or returning an awaitable) on the runtime thread and wait for it.

        Blocking, so refused on the runtime thread itself. Ctrl-C cancels the wait.
        """
        if self.on_loop_thread():
            raise WrongThread(
                f"{what} blocks until the runtime answers, and it was called on the runtime thread "
                f"(inside an actor), where it would deadlock. Fix: use the async form with await"
            )

        async def run() -> T:
            result = fn()
            if asyncio.iscoroutine(result) or isinstance(result, asyncio.Future):
                return await result  # type: ignore[no-any-return]
            return result  # type: ignore[return-value]

        fut = self.submit(run())
        return wait_future(fut, timeout)

    # -- bookkeeping -------------------------------------------------------------------------------
    def touch(self) -> None:
        self.version += 1

    def add_dead_letter(self, cell: ActorCell, message: Any, reason: str) -> None:
        self.dead_letters.append(DeadLetter(cell.id, cell.label, message, reason, time.time()))
        self.events.emit(
            "dead_letter",
            None,
            cell.id,
            type(message).__qualname__,
            short_repr(message),
            detail=reason,
        )

    def capture_origin(self) -> object:
        cap = _origin_capture
        if cap is None:
            return None
        cell = _current_cell.get()
        if cell is not None:
            env = cell.current
            return env.origin if env is not None else None
        try:
            return cap()
        except Exception:
            return None

    def enter_origin(self, token: object) -> contextlib.AbstractContextManager[Any]:
        """The scope a handler runs in so its output reaches the cell ``token`` names."""
        enter = _origin_enter
        if token is None or enter is None:
            return _NO_SCOPE
        try:
            return enter(token)
        except Exception:
            return _NO_SCOPE

    def report_failure(self, label: str, error: ErrorInfo, origin: object) -> None:
        try:
            with self.enter_origin(origin):
                _failure_reporter(label, error, origin)
        except Exception:
            log.exception("actorlab failure reporter raised while reporting %s", label)

    # -- shutdown ----------------------------------------------------------------------------------
    async def _stop_all(self, timeout: float | None) -> None:
        root = self.root_cell
        try:
            await asyncio.wait_for(root.terminate_children(), timeout)
        except asyncio.TimeoutError:
            stuck = [c.label for c in list(self.cells.values())]
            log.warning(
                "al.shutdown(): actors still running after %.3g s were cancelled: %s",
                timeout,
                ", ".join(stuck) or "none",
            )
        tasks = [c.task for c in list(self.cells.values()) if c.task is not None]
        self.cancelling = True
        for t in tasks:
            t.cancel()
        if tasks:
            await asyncio.gather(*tasks, return_exceptions=True)
        others = [t for t in asyncio.all_tasks(self.loop) if t is not asyncio.current_task()]
        for t in others:
            t.cancel()
        if others:
            await asyncio.gather(*others, return_exceptions=True)

    def shutdown(self, timeout: float | None = None) -> None:
        if self.closed:
            return
        if self.on_loop_thread():
            raise WrongThread(
                "al.shutdown() was called inside an actor; it would wait for itself. "
                "Fix: call it from the notebook/script, or use ctx.terminate() to stop this actor"
            )
        t = _timeouts.timeout(settings().shutdown_timeout if timeout is None else timeout)
        if self.thread.is_alive():
            fut = self.submit(self._stop_all(t))
            try:
                fut.result(None if t is None else t + 5.0)
            except Exception:
                log.exception("actorlab shutdown did not finish cleanly")
        self.closed = True
        self._stopping = True
        if self.thread.is_alive():
            self.loop.call_soon_threadsafe(self.loop.stop)
            self.thread.join(5.0)


_runtime: Runtime | None = None
_runtime_lock = threading.Lock()


def get_runtime() -> Runtime:
    """The process's runtime, started on first use (idempotent)."""
    rt = _runtime
    if rt is not None and not rt.closed:
        if rt.thread.is_alive():
            return rt
        rt.died = rt.died or "its thread is gone"  # died without a word: start afresh
        rt.closed = True
    return _start_runtime()


def _start_runtime() -> Runtime:
    global _runtime
    with _runtime_lock:
        if _runtime is None or _runtime.closed:
            _runtime = Runtime()
        return _runtime


def start_runtime(**hooks: Any) -> Runtime:
    """Shut the current runtime down and start a fresh one with ``Runtime``'s hooks."""
    global _runtime
    shutdown()
    with _runtime_lock:
        _runtime = Runtime(**hooks)
        return _runtime


def peek_runtime() -> Runtime | None:
    """The running runtime, without starting one."""
    rt = _runtime
    return rt if rt is not None and not rt.closed else None


def shutdown(timeout: float | None = None) -> None:
    """Stop every actor (children first, ``on_exit`` runs), then the runtime thread.

    Actors still running after ``timeout`` seconds are cancelled. A later ``al.root()`` starts
    a fresh runtime. ``timeout=math.inf`` waits without limit.
    """
    global _runtime
    if timeout is not None:
        _timeouts.timeout(timeout)  # refused before anything stops
    with _runtime_lock:
        rt = _runtime
        if rt is None:
            return
        rt.shutdown(timeout)
        transport = get_transport()
        if transport is not None:  # and the top-level actors it started in other processes
            transport.shutdown(timeout)
        _runtime = None


def reset(timeout: float | None = None) -> RootContext:
    """Shut down and start clean: for notebooks. Returns the new root."""
    shutdown(timeout)
    return get_runtime().root_context


@atexit.register
def _shutdown_at_exit() -> None:
    with contextlib.suppress(Exception):
        shutdown(timeout=1.0)
