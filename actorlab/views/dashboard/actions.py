"""Run dashboard actions without ever blocking the kernel.

A click evaluates what it needs on the kernel's thread (the message expression), then hands the
actor operation to the runtime loop (``runtime.submit``). The runtime thread only puts the outcome
into a queue and wakes the dashboard; the dashboard's refresher, on the kernel's thread, shows it.
"""

from __future__ import annotations

import asyncio
import inspect
import queue
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from actorlab.reprs import short_repr


@dataclass(frozen=True)
class Outcome:
    """How one action ended."""

    label: str  # "ask counter Get()"
    ok: bool
    text: str  # result repr or error message


class ActionRunner:
    """Submits actions to the runtime and collects their outcomes for the kernel's thread."""

    def __init__(self, wake: Callable[[], None]) -> None:
        self._wake = wake
        self._outcomes: queue.SimpleQueue[Outcome] = queue.SimpleQueue()
        self.pending = 0

    def submit(
        self,
        runtime: Any,
        label: str,
        fn: Callable[[], Any],
        describe: Callable[[Any], str] | None = None,
    ) -> None:
        """Run ``fn()`` on the runtime loop (awaiting it if it returns an awaitable)."""

        async def run() -> Any:
            result = fn()
            if inspect.isawaitable(result):
                result = await result
            return result

        self.pending += 1
        fut = runtime.submit(run())
        fut.add_done_callback(lambda f: self._done(label, f, describe))

    def _done(self, label: str, fut: Any, describe: Callable[[Any], str] | None) -> None:
        # Runtime thread: no widget is touched here.
        if fut.cancelled():
            out = Outcome(label, False, "cancelled (the runtime shut down)")
        elif fut.exception() is not None:
            exc = fut.exception()
            out = Outcome(label, False, f"{type(exc).__name__}: {exc}")
        else:
            value = fut.result()
            out = Outcome(label, True, describe(value) if describe else "done")
        self._outcomes.put(out)
        self._wake()

    def drain(self) -> list[Outcome]:
        """Outcomes that arrived since the last call (kernel's thread)."""
        out = []
        while True:
            try:
                out.append(self._outcomes.get_nowait())
            except queue.Empty:
                break
        self.pending = max(0, self.pending - len(out))
        return out


def user_namespace(namespace: dict[str, Any] | None = None) -> dict[str, Any]:
    """Where message expressions are evaluated: the IPython user namespace when there is one."""
    if namespace is not None:
        return namespace
    ipython_mod = sys.modules.get("IPython")
    if ipython_mod is not None:
        ip = ipython_mod.get_ipython()
        if ip is not None:
            return ip.user_ns
    return vars(sys.modules["__main__"])


def evaluate(expr: str, namespace: dict[str, Any]) -> Any:
    """Evaluate a message expression like ``Add(1)``; raises ValueError with a clear text."""
    expr = expr.strip()
    if not expr:
        raise ValueError("type a message expression first, e.g. Add(1)")
    try:
        return eval(compile(expr, "<dashboard message>", "eval"), namespace)
    except SyntaxError as exc:
        raise ValueError(f"{expr!r} is not a Python expression: {exc.msg}") from None
    except Exception as exc:
        raise ValueError(f"evaluating {expr!r} raised {type(exc).__name__}: {exc}") from None


def short(value: Any, width: int = 120) -> str:
    """A reply or value as one line of at most ``width`` characters (never raises)."""
    return short_repr(value, width)


def in_loop() -> asyncio.AbstractEventLoop | None:
    """The asyncio loop running on this thread (the kernel's), if any."""
    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        return None
