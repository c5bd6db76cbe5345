"""Virtual time: a runtime whose clock moves only when the test says so.

``with virtual_time() as clock:`` starts a fresh runtime on a ``VirtualLoop``: an asyncio loop
whose ``time()`` is the virtual clock and which never sleeps towards a timer. Everything that
waits on the loop follows it (``send_after``/``send_every``, ask timeouts, autosave intervals,
``asyncio.sleep`` in handlers), and so do restart windows and event stamps (the runtime's
clock hook). ``clock.advance(s)`` runs what falls due, in time order, and returns when the
system is quiet. Work handed to other threads (``run_in_executor``) still takes real time.

"Quiet" is decided by the loop itself: when it has nothing ready to run and would wait, it
calls its idle hooks (a schedule explorer's turn-taking, ``advance``, waits for quiet).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import heapq
import selectors
import threading
import weakref
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from actorlab.errors import ActorlabError
from actorlab.runtime import Runtime, Scheduler, shutdown, start_runtime

T = TypeVar("T")

#: How long (real seconds) the system may stay busy before ``advance`` gives up.
BUSY_LIMIT = 30.0

#: Called on the loop thread when it is idle; returns True if it made something ready.
IdleHook = Callable[[], bool]


class VirtualTimeStuck(ActorlabError):
    """A blocking call under virtual time could only finish if the clock moved."""


class _IdleSelector(selectors.DefaultSelector):
    """The loop's selector: where the loop would wait, it runs the idle hooks instead, and
    never sleeps towards a timer (it waits to be woken, or with ``autojump`` moves the clock
    to the timer at once)."""

    loop: VirtualLoop

    def select(self, timeout: float | None = None) -> Any:
        if timeout is None or timeout > 0:  # nothing is ready: the loop is idle
            if self.loop.run_idle_hooks():
                timeout = 0
            elif timeout is not None:  # a timer is due later, in virtual time
                if self.loop.autojump:
                    self.loop.virtual_now += timeout  # exactly that timer's time
                    timeout = 0
                else:
                    timeout = None  # wait until someone moves the clock and wakes the loop
        return super().select(timeout)


class VirtualLoop(asyncio.SelectorEventLoop):
    """An asyncio loop on virtual time (``time()`` is whatever ``VirtualClock`` set).

    With ``autojump`` the clock jumps to the next timer whenever nothing else is ready (as
    trio's ``MockClock(autojump_threshold=0)``).
    """

    def __init__(self, autojump: bool = False) -> None:
        selector = _IdleSelector()
        super().__init__(selector)
        selector.loop = self
        self.virtual_now = 0.0
        self.autojump = autojump
        self.idle_hooks: list[IdleHook] = []

    def time(self) -> float:
        return self.virtual_now

    def run_idle_hooks(self) -> bool:
        """Offer the idle loop to each hook in turn; True once one made work."""
        return any(hook() for hook in list(self.idle_hooks))

    def next_due(self) -> float | None:
        """When the earliest live timer falls due, or None (reads asyncio's timer heap)."""
        scheduled = self._scheduled  # type: ignore[attr-defined]
        while scheduled and scheduled[0].cancelled():
            heapq.heappop(scheduled)
        return scheduled[0].when() if scheduled else None


class VirtualClock:
    """The clock of a runtime on a ``VirtualLoop`` (``now()`` is virtual seconds)."""

    virtual = True

    def __init__(self, loop: VirtualLoop) -> None:
        self.loop = loop
        self.runtime: Runtime | None = None
        self.owner = threading.get_ident()  # the thread that advances the clock
        self._armed: weakref.WeakSet[concurrent.futures.Future[Any]] = weakref.WeakSet()

    # -- the runtime's clock hook --------------------------------------------------------------
    def now(self) -> float:
        """Virtual seconds since the runtime started."""
        return self.loop.virtual_now

    def _deadline(
        self, fut: concurrent.futures.Future[Any], timeout: float | None
    ) -> Callable[[], Any] | None:
        """What gives ``fut`` its deadline, ``timeout`` virtual seconds from now, when run on
        the loop (``TimeoutError`` unless it is done by then); None if it has one or needs none."""
        if timeout is None or timeout == float("inf") or fut in self._armed:
            return None
        self._armed.add(fut)
        loop, when = self.loop, self.loop.virtual_now + timeout

        def expire() -> None:
            if not fut.done():
                fut.set_exception(concurrent.futures.TimeoutError())

        return lambda: loop.call_at(when, expire)

    def send_ask(self, runtime: Any, env: Any, fut: Any, timeout: float | None) -> None:
        """A cross-thread ask and its deadline in one inbox entry: the deadline exists before
        the handler runs, and an autojump cannot reach it before the ask has arrived."""
        arm = self._deadline(fut, timeout)
        if arm is None:
            runtime.send(env)
            return

        def deliver() -> None:
            arm()
            env.to.enqueue(env)

        runtime.send((None, deliver))

    def arm(self, fut: concurrent.futures.Future[Any], timeout: float | None) -> None:
        """Give ``fut`` its deadline (``wait`` arms a future that ``send_ask`` did not)."""
        arm = self._deadline(fut, timeout)
        if arm is None:
            return
        if self.runtime is not None:
            self.runtime.run_soon(arm)
        else:
            self.loop.call_soon_threadsafe(arm)

    def wait(self, fut: concurrent.futures.Future[T], timeout: float | None) -> T:
        """Block until ``fut`` is done; its timeout runs on virtual time (see ``arm``). On the
        thread that advances the clock, raises ``VirtualTimeStuck`` when only advancing could
        finish it; other threads wait for that thread to advance."""
        self.arm(fut, timeout)
        if threading.get_ident() == self.owner and not self.loop.autojump:
            self._when_quiet(lambda: None if fut.done() else self._stuck(fut))
        return fut.result()

    async def wait_async(self, fut: concurrent.futures.Future[T], timeout: float | None) -> T:
        self.arm(fut, timeout)
        if threading.get_ident() == self.owner and not self.loop.autojump:
            quiet = self._on_quiet(lambda: None if fut.done() else self._stuck(fut))
            await asyncio.wrap_future(quiet)
        return await asyncio.wrap_future(fut)

    def _stuck(self, fut: concurrent.futures.Future[Any]) -> None:
        due = self.loop.next_due()
        when = f"; the next timer is due at t={due:g} s" if due is not None else ""
        fut.set_exception(
            VirtualTimeStuck(
                f"this call waits on actors that are quiet at virtual t={self.now():g} s, so it "
                f"can only finish when virtual time moves{when}. Fix: call clock.advance(seconds) "
                f"from this thread first, or use virtual_time(autojump=True)"
            )
        )

    # -- quiet ---------------------------------------------------------------------------------
    def _on_quiet(self, then: Callable[[], Any]) -> concurrent.futures.Future[Any]:
        """A future set (with ``then()``) the next time the loop is idle."""
        done: concurrent.futures.Future[Any] = concurrent.futures.Future()

        def hook() -> bool:
            self.loop.idle_hooks.remove(hook)
            try:
                done.set_result(then())
            except BaseException as exc:
                done.set_exception(exc)
            return False

        self.loop.call_soon_threadsafe(self.loop.idle_hooks.append, hook)
        return done

    def _when_quiet(self, then: Callable[[], Any]) -> Any:
        fut = self._on_quiet(then)
        try:
            return fut.result(BUSY_LIMIT)
        except concurrent.futures.TimeoutError:
            raise ActorlabError(
                f"the actors never became quiet within {BUSY_LIMIT:g} s of real time at virtual "
                f"t={self.now():g} s (an endless exchange of messages?)"
            ) from None

    # -- the test's side -----------------------------------------------------------------------
    def advance(self, seconds: float) -> None:
        """Run everything due in the next ``seconds`` virtual seconds, in time order; return
        when the system is quiet (actors waiting on virtual timers count as quiet)."""
        if not isinstance(seconds, (int, float)) or isinstance(seconds, bool) or seconds < 0:
            raise ValueError(f"clock.advance() takes seconds >= 0, got {seconds!r}")
        loop = self.loop
        target = loop.virtual_now + seconds
        done: concurrent.futures.Future[None] = concurrent.futures.Future()

        def step() -> bool:  # the loop is idle: jump to the next timer, until the target
            due = loop.next_due()
            if due is not None and due <= target:
                loop.virtual_now = max(due, loop.virtual_now)
                return True  # that timer is ready now
            loop.virtual_now = max(target, loop.virtual_now)
            loop.idle_hooks.remove(step)
            done.set_result(None)
            return False

        loop.call_soon_threadsafe(loop.idle_hooks.append, step)
        try:
            done.result(BUSY_LIMIT)
        except concurrent.futures.TimeoutError:
            raise ActorlabError(
                f"clock.advance({seconds:g}): the actors never became quiet within "
                f"{BUSY_LIMIT:g} s of real time at virtual t={self.now():g} s "
                f"(an endless exchange of messages?)"
            ) from None

    def run_until_quiet(self) -> None:
        """Let everything that is ready now run (no time passes)."""
        self._when_quiet(lambda: None)

    def close(self) -> None:
        """Stop the runtime, letting virtual time run out so waiting handlers finish."""
        self.loop.autojump = True
        self.loop.call_soon_threadsafe(lambda: None)  # wake it: it may be waiting to be woken
        shutdown(timeout=2.0)


def start_virtual_runtime(
    scheduler: Scheduler | None = None, autojump: bool = False
) -> VirtualClock:
    """A fresh runtime on virtual time (the current runtime is shut down first)."""
    loop = VirtualLoop(autojump)
    clock = VirtualClock(loop)
    clock.runtime = start_runtime(loop=loop, clock=clock, scheduler=scheduler)
    return clock


@contextlib.contextmanager
def virtual_time(*, autojump: bool = False) -> Iterator[VirtualClock]:
    """A fresh runtime on a virtual clock for the block; real time (a fresh runtime on first
    use) again after it, also when the block raises.

    ``autojump=True`` moves the clock to the next timer whenever the actors are quiet, so
    blocking calls need no ``advance``. At the end of the block the clock autojumps while the
    actors stop, so handlers waiting on virtual timers finish instead of holding shutdown up.
    """
    clock = start_virtual_runtime(autojump=autojump)
    try:
        yield clock
    finally:
        clock.close()
