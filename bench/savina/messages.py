"""The Savina messages, shared by every implementation so that all of them move the same objects.

References to actors travel inside messages (``reply_to``, ``who``, ``peers``): actorlab and
the floor have no implicit sender. Actors are configured by a ``Setup`` message after they are
created (thespian's ``createActor`` passes no arguments), and each message is a fresh instance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Start:
    """Start one pass: the master reads ``params`` and sets ``done`` to its answer."""

    params: dict[str, int]
    done: Any


@dataclass
class Setup:
    """Configure a freshly created actor: the actors it talks to and one number (index...)."""

    peers: Any
    value: int


# S1 ping-pong
@dataclass
class Ping:
    reply_to: Any


@dataclass
class Pong:
    count: int  # pings the ponger has handled so far


# S2 counting
@dataclass
class Increment:
    pass


@dataclass
class Retrieve:
    reply_to: Any


@dataclass
class Count:
    value: int


# S3 fork-join throughput, S4 fork-join creation
@dataclass
class Work:
    reply_to: Any = None


@dataclass
class WorkDone:
    count: int
    acc: float


# S5 thread ring
@dataclass
class Token:
    remaining: int


@dataclass
class RingDone:
    index: int


# S6 chameneos
@dataclass
class MeetMsg:
    color: int
    who: Any


@dataclass
class ChangeColorMsg:
    color: int
    who: Any


@dataclass
class ExitMsg:
    pass


@dataclass
class MeetingCountMsg:
    count: int


# S7 big
@dataclass
class BigPing:
    sender: int


@dataclass
class BigPong:
    sender: int


@dataclass
class BigDone:
    """A worker has sent all its pings and had them answered (to the sink)."""


@dataclass
class BigExit:
    """The sink to every worker, once all are done: report your counts."""


@dataclass
class BigReport:
    handled: int
    bad: int


# S8 logistic map series (ask-heavy)
@dataclass
class NextTerm:
    pass


@dataclass
class GetTerm:
    pass


@dataclass
class Compute:
    x: float


@dataclass
class TermResult:
    index: int
    value: float


@dataclass
class Computed:
    """The reply to ``Compute`` where the library has no actor-to-actor ask (thespian)."""

    x: float
