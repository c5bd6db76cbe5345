"""Control signals: what supervisors, refs and the runtime tell an actor's cell to do.

Signals are handled before messages, at message boundaries. Their kinds are an enum, so a
misspelt kind fails where it is made instead of being acknowledged and ignored.
"""

from __future__ import annotations

import enum
from typing import Any

from .envelope import settle


class Kind(enum.Enum):
    RESTART = "restart"  # re-initialize from the original args
    TERMINATE = "terminate"  # stop: children first, then on_exit
    RESUME = "resume"  # a failed actor continues with its state
    ESCALATION = "escalation"  # a child failed: decide (payload: child, Escalation, ...)
    FAULT = "fault"  # fail as if a handler raised (payload: the error)
    SUSPEND = "suspend"  # a failing ancestor waits for its supervisor: hold everything
    UNSUSPEND = "unsuspend"
    PAUSE = "pause"  # step mode: hold the mailbox
    UNPAUSE = "unpause"
    STEP = "step"  # handle one message of a paused actor
    UPGRADE = "upgrade"  # live code: take on a redefined class (payload: upgrade._Request)


class Sig:
    """One control signal; ``ack`` (a future or callback) is settled when it has taken effect."""

    __slots__ = ("ack", "kind", "payload")

    def __init__(self, kind: Kind, ack: Any = None, payload: Any = None) -> None:
        if not isinstance(kind, Kind):
            raise TypeError(
                f"unknown signal kind {kind!r}; the kinds are {', '.join(k.name for k in Kind)}"
            )
        self.kind = kind
        self.ack = ack
        self.payload = payload

    def settle(self, value: Any = None, error: BaseException | None = None) -> None:
        """Tell the sender the signal took effect (or failed with ``error``)."""
        settle(self.ack, value, error)

    def __repr__(self) -> str:
        return f"Sig({self.kind.value})"
