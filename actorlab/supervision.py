"""Supervision: signals, escalations and declarative restart strategies.

Any exception out of a child's handler, hook, ``initialize`` or its own ``supervise()`` (``SystemExit``,
``KeyboardInterrupt`` and a stray ``CancelledError`` included) is a failure of that child. The
message it was handling is dropped (at-most-once); the decision only chooses the child's fate.
"""

from __future__ import annotations

import collections
import enum
import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .reprs import error_text

if TYPE_CHECKING:
    from .ref import ActorRef


class Signal(str, enum.Enum):
    """A supervisor's decision for a child."""

    RESTART = "restart"  # re-initialize from the original args; id, refs and mailbox survive
    TERMINATE = "terminate"  # stop it (children first, then on_exit)
    RESUME = "resume"  # continue with the current state
    ESCALATE = "escalate"  # fail myself and let my own parent decide


class EscalationKind(str, enum.Enum):
    """Where a failure happened."""

    HANDLER = "handler"
    INITIALIZE = "initialize"
    SUPERVISE = "supervise"
    ESCALATED = "escalated"  # a child's failure handed up with Signal.ESCALATE
    INJECTED = "injected"  # ref.inject_fault()


@dataclass(frozen=True)
class Escalation:
    """What a supervisor receives when a child fails.

    ``message`` is the message the child was handling when it failed (None outside a handler).
    It is dropped, whatever the decision: not retried after a restart or resume, not a dead
    letter (at-most-once; the child's ``info().errors[-1].msg_repr`` names it too). A
    supervisor that wants it handled again can re-send it: ``esc.child.tell(esc.message)``.
    """

    child: ActorRef[Any]
    kind: EscalationKind
    error: BaseException
    message: Any = None  # the failing (dropped) message, if any

    def __str__(self) -> str:
        where = (
            f" while handling {type(self.message).__qualname__}" if self.message is not None else ""
        )
        return f"{self.child.label} failed in {self.kind.value}{where}: {type(self.error).__name__}: {error_text(self.error)}"


class Strategy:
    """Base of the declarative strategies: restart with an intensity limit, then escalate.

    ``max_restarts`` restarts within ``within`` seconds are allowed (counted over all children of
    the supervisor, as in Erlang/OTP); one more escalates to the supervisor's own parent: the
    supervisor fails with ``RestartLimitExceeded`` (in its ``info().errors`` and a top-level
    report), while its parent's ``Escalation.error`` is the child's original error.
    """

    def __init__(self, max_restarts: int = 3, within: float = 5.0) -> None:
        if not isinstance(max_restarts, int) or max_restarts < 0:
            raise ValueError(f"max_restarts must be an int >= 0, got {max_restarts!r}")
        if not isinstance(within, (int, float)) or within <= 0:
            raise ValueError(f"within must be a positive number of seconds, got {within!r}")
        self.max_restarts = max_restarts
        self.within = float(within)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(max_restarts={self.max_restarts}, within={self.within:g})"

    def decide(
        self,
        failing: Any,
        children: Sequence[Any],
        history: collections.deque[float],
        now: float | None = None,
    ) -> dict[Any, Signal]:
        """Signals per child; ``history`` holds this supervisor's recent restart times, ``now``
        the runtime clock's time (it follows virtual time in tests)."""
        if now is None:
            now = time.monotonic()
        while history and now - history[0] > self.within:
            history.popleft()
        if len(history) >= self.max_restarts:
            return {failing: Signal.ESCALATE}
        history.append(now)
        return {c: Signal.RESTART for c in self.restarted(failing, children)}

    def restarted(self, failing: Any, children: Sequence[Any]) -> Sequence[Any]:
        raise NotImplementedError


class OneForOne(Strategy):
    """Restart only the failing child."""

    def restarted(self, failing: Any, children: Sequence[Any]) -> Sequence[Any]:
        return [failing]


class OneForAll(Strategy):
    """Restart every child when one fails."""

    def restarted(self, failing: Any, children: Sequence[Any]) -> Sequence[Any]:
        return list(children)


class RestForOne(Strategy):
    """Restart the failing child and the children spawned after it."""

    def restarted(self, failing: Any, children: Sequence[Any]) -> Sequence[Any]:
        kids = list(children)
        return kids[kids.index(failing) :] if failing in kids else [failing]
