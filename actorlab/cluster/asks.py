"""The two kinds of pending remote ask: one to a node runtime (``_Ask``), one through the
notebook's relay (``_RelayedAsk``)."""

from __future__ import annotations

import asyncio
import concurrent.futures
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .transport import RayTransport


def _ray() -> Any:
    import ray

    return ray


class _Ask:
    """One remote ask: started in the destination's message order, its reply in that same Ray
    call when the handler is quick, else from a second call that waits for it."""

    __slots__ = ("first", "handle", "timeout", "token")

    def __init__(self, handle: Any, token: str, timeout: float | None, first: Any) -> None:
        self.handle, self.token, self.timeout, self.first = handle, token, timeout, first

    def get(self, wait: float | None) -> tuple[str, Any]:
        reply = _ray().get(self.first, timeout=wait)
        if reply is None:
            reply = _ray().get(self.handle.ask_result.remote(self.token, self.timeout), timeout=wait)
        return reply

    async def wait(self) -> tuple[str, Any]:
        reply = await asyncio.wrap_future(self.first.future())
        if reply is None:
            later = self.handle.ask_result.remote(self.token, self.timeout)
            reply = await asyncio.wrap_future(later.future())
        return reply


class _RelayedAsk:
    """An ask to an actor in the notebook's process: its reply comes back as a call here."""

    __slots__ = ("fut", "token", "transport")

    def __init__(
        self, transport: RayTransport, token: str, fut: concurrent.futures.Future[tuple[str, Any]]
    ) -> None:
        self.transport, self.token, self.fut = transport, token, fut

    def get(self, wait: float | None) -> tuple[str, Any]:
        try:
            return self.fut.result(wait)
        except concurrent.futures.TimeoutError:
            raise _ray().exceptions.GetTimeoutError() from None
        finally:
            self.transport._replies.pop(self.token, None)

    async def wait(self) -> tuple[str, Any]:
        try:
            return await asyncio.wrap_future(self.fut)
        finally:
            self.transport._replies.pop(self.token, None)
