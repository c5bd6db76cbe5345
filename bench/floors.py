"""Floor actors: the least an asyncio actor can cost, to measure actorlab against.

``QueueActor`` is the textbook design (an ``asyncio.Queue`` and a task per actor); ``DequeActor``
is the tuned one (a ``deque`` mailbox and a single waiter future, drained in bursts). Both run a
*behaviour*: an object with ``receive(msg)`` (a coroutine function when ``is_async`` is true). Asks
carry a future (asyncio or ``concurrent.futures``) that receives the reply or the exception.
"""

from __future__ import annotations

import asyncio
import collections
import logging
import sys
from typing import Any

ASK_TIMEOUT = 5.0  # the same default timeout actorlab applies to every ask
STOP = object()
log = logging.getLogger("bench.floors")

if sys.version_info >= (3, 11):

    async def await_with_timeout(fut: Any, timeout: float) -> Any:
        async with asyncio.timeout(timeout):
            return await fut

else:  # pragma: no cover - Python 3.10

    async def await_with_timeout(fut: Any, timeout: float) -> Any:
        return await asyncio.wait_for(fut, timeout)


class FloorActor:
    """Common surface: ``tell``, ``post`` (message + reply future), ``ask``, ``stop``."""

    __slots__ = ("_b", "_loop", "_task")

    def __init__(self, behavior: Any, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._b = behavior
        behavior.me = self
        self._loop = loop or asyncio.get_running_loop()
        self._task = self._loop.create_task(self._run())

    def tell(self, msg: Any) -> None:
        self.post(msg, None)

    def post(self, msg: Any, fut: Any) -> None:
        raise NotImplementedError

    async def ask(self, msg: Any, timeout: float = ASK_TIMEOUT) -> Any:
        fut = self._loop.create_future()
        self.post(msg, fut)
        return await await_with_timeout(fut, timeout)

    async def stop(self) -> None:
        self._post_stop()
        await self._task

    def _post_stop(self) -> None:
        raise NotImplementedError

    @property
    def task(self) -> asyncio.Task[None]:
        return self._task

    async def _run(self) -> None:
        raise NotImplementedError


class QueueActor(FloorActor):
    """The raw floor: one ``asyncio.Queue`` and one task per actor."""

    __slots__ = ("_q",)

    def __init__(self, behavior: Any, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._q: asyncio.Queue[tuple[Any, Any]] = asyncio.Queue()
        super().__init__(behavior, loop)

    def post(self, msg: Any, fut: Any) -> None:
        self._q.put_nowait((msg, fut))

    def _post_stop(self) -> None:
        self._q.put_nowait((STOP, None))

    async def _run(self) -> None:
        b = self._b
        is_async = b.is_async
        get = self._q.get
        while True:
            msg, fut = await get()
            if msg is STOP:
                return
            try:
                result = b.receive(msg)
                if is_async:
                    result = await result
            except Exception as exc:
                if fut is not None and not fut.done():
                    fut.set_exception(exc)
                else:
                    log.exception("floor actor failed on %r", msg)
                continue
            if fut is not None and not fut.done():
                fut.set_result(result)


class DequeActor(FloorActor):
    """The tuned floor: a ``deque`` mailbox and one waiter future, set only when the actor sleeps."""

    __slots__ = ("_mb", "_waiter")

    def __init__(self, behavior: Any, loop: asyncio.AbstractEventLoop | None = None) -> None:
        self._mb: collections.deque[tuple[Any, Any]] = collections.deque()
        self._waiter: asyncio.Future[None] | None = None
        super().__init__(behavior, loop)

    def post(self, msg: Any, fut: Any) -> None:
        self._mb.append((msg, fut))
        w = self._waiter
        if w is not None:
            self._waiter = None
            if not w.done():
                w.set_result(None)

    def _post_stop(self) -> None:
        self._mb.appendleft((STOP, None))  # stop does not drain the mailbox (as actorlab)
        w = self._waiter
        if w is not None:
            self._waiter = None
            w.set_result(None)

    async def _run(self) -> None:
        b = self._b
        is_async = b.is_async
        mb = self._mb
        popleft = mb.popleft
        create_future = self._loop.create_future
        while True:
            if not mb:
                w = self._waiter = create_future()
                await w
                continue
            msg, fut = popleft()
            if msg is STOP:
                return
            try:
                result = b.receive(msg)
                if is_async:
                    result = await result
            except Exception as exc:
                if fut is not None and not fut.done():
                    fut.set_exception(exc)
                else:
                    log.exception("floor actor failed on %r", msg)
                continue
            if fut is not None and not fut.done():
                fut.set_result(result)


ACTORS: dict[str, type[FloorActor]] = {"queue": QueueActor, "deque": DequeActor}
