"""Plain, frozen data that the runtime publishes for views: ``ActorInfo`` and its parts."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

from .display import Displayable
from .ids import ActorId


class Status(str, enum.Enum):
    """Where an actor is in its life. ``str`` valued so views can print it directly."""

    STARTING = "starting"  # initializing (first start)
    IDLE = "idle"  # waiting for a message
    PROCESSING = "processing"  # running a handler
    PAUSED = "paused"  # held by the user (ref.pause()); messages queue up
    SUSPENDED = "suspended"  # held by its supervisor while an ancestor fails
    FAILED = "failed"  # raised; waiting for its supervisor's decision
    RESTARTING = "restarting"
    STOPPING = "stopping"
    STOPPED = "stopped"

    @property
    def glyph(self) -> str:
        return _GLYPHS[self]

    @property
    def alive(self) -> bool:
        return self is not Status.STOPPED


_GLYPHS = {
    Status.STARTING: "◌",
    Status.IDLE: "●",
    Status.PROCESSING: "▶",
    Status.PAUSED: "⏸",
    Status.SUSPENDED: "⏸",
    Status.FAILED: "✖",
    Status.RESTARTING: "↻",
    Status.STOPPING: "■",
    Status.STOPPED: "■",
}


@dataclass(frozen=True)
class ErrorInfo:
    """One failure of an actor: where (handler, initialize, supervise, hook) and what."""

    kind: str
    type: str
    message: str
    traceback: str
    at: float  # wall-clock time (time.time())
    msg_type: str | None = None
    #: Short repr of the message being handled: a handler's failing message is dropped
    #: (at-most-once: not retried, not a dead letter), so this is its last trace.
    msg_repr: str | None = None

    def __str__(self) -> str:
        return f"{self.type}: {self.message}"


@dataclass(frozen=True)
class MessagePreview:
    """A pending message in a mailbox, with its repr truncated."""

    seq: int
    kind: str  # "tell" or "ask"
    msg_type: str
    msg_repr: str
    sender: str | None  # display label of the sender, None for the notebook/script
    enqueued_at: float  # wall-clock time


@dataclass(frozen=True)
class ActorInfo(Displayable):
    """Everything a view needs to know about one actor, as plain immutable data."""

    id: ActorId
    name: str | None
    actor_type: str  # qualified class name
    module: str
    path: str  # "/bank/acct-1": names (or short ids) from the root down
    parent: ActorId | None
    children: tuple[ActorId, ...]
    status: Status
    mailbox: int
    mailbox_hwm: int
    processed: int
    failures: int
    restarts: int
    last_error: ErrorInfo | None
    errors: tuple[ErrorInfo, ...]
    current_handler: str | None
    in_handler_for: float | None  # seconds spent so far in the current handler
    handler_time_total: float  # seconds, all handled messages
    handler_time_max: float
    last_message_at: float | None  # wall-clock time of the last handled message
    started_at: float  # wall-clock time of the first start
    age: float  # seconds since started_at
    persistent: bool
    supervisor: str  # the strategy used for this actor's children, as text
    last_snapshot_at: float | None = None
    mailbox_preview: tuple[MessagePreview, ...] = ()
    state_preview: dict[str, str] = field(default_factory=dict)
    view: Any = None
    #: Attributes of an actor spawned as its own args that could not be deep-copied (a lock,
    #: a file, a connection...): shared by the pristine args and every restart, not copied.
    shared_fields: tuple[str, ...] = ()
    upgrades: int = 0  # live code: times the actor took on a redefined class (al.upgrade)
    last_upgrade_at: float | None = None  # wall-clock time of the last upgrade
    node: str | None = None  # the cluster node it runs on (remote actors only)
    host: str | None = None  # the node runtime (process) it runs in (remote actors only)

    @property
    def label(self) -> str:
        """``name`` if bound, else ``Type#shortid``."""
        return self.name or f"{self.actor_type}#{self.id.short}"

    @property
    def handler_time_mean(self) -> float:
        return self.handler_time_total / self.processed if self.processed else 0.0



@dataclass(frozen=True)
class DeadLetter:
    """A message that was never processed, and why."""

    actor: ActorId
    actor_label: str
    message: Any
    reason: str
    at: float  # wall-clock time

    def __str__(self) -> str:
        return f"{self.actor_label} <- {self.message!r}: {self.reason}"


@dataclass(frozen=True)
class StatusUpdate:
    """What ``monitor``/``watch`` deliver: a status change or a new ``view()`` value."""

    actor: ActorId
    status: Status
    view: Any
    kind: str  # "status" or "view"
