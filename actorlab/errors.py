"""Every error actorlab raises. Messages name the actor, say what happened and how to fix it."""

from __future__ import annotations


class ActorlabError(Exception):
    """Base class of all actorlab errors."""


class ActorClosed(ActorlabError):
    """The actor has stopped: it accepts no more messages, and pending asks fail with this."""


class AskTimeout(ActorlabError, TimeoutError):
    """No reply arrived within the ask timeout. The message is not withdrawn."""


class HandlerError(ActorlabError):
    """A handler raised while answering an ask; the original exception is ``__cause__``."""


class UnhandledMessage(ActorlabError, TypeError):
    """No handler of the actor accepts this message type (refused at send time)."""


class HandlerDefinitionError(ActorlabError, TypeError):
    """A handler is declared wrongly (missing annotation, duplicate type, ...)."""


class WrongThread(ActorlabError, RuntimeError):
    """A blocking call was made on the runtime thread, where it would deadlock."""


class NameTaken(ActorlabError):
    """The name is already bound to a live actor."""


class ActorNotFound(ActorlabError, LookupError):
    """No live actor is bound to that name or id."""


class TypeMismatch(ActorlabError, TypeError):
    """The actor found is not of the requested type."""


class DuplicateActorId(ActorlabError):
    """A live actor already has this id (theta leaves this undefined; actorlab refuses)."""


class SnapshotError(ActorlabError):
    """A snapshot cannot be written, read or decoded."""


class SnapshotNotFound(SnapshotError, LookupError):
    """The storage holds no snapshot for that actor id."""


class NotPicklable(SnapshotError, TypeError):
    """Part of an actor's state cannot be pickled; the message names the attribute path."""


__all__ = [
    "ActorClosed",
    "ActorNotFound",
    "ActorlabError",
    "AskTimeout",
    "DuplicateActorId",
    "HandlerDefinitionError",
    "HandlerError",
    "NameTaken",
    "NotPicklable",
    "SnapshotError",
    "SnapshotNotFound",
    "TypeMismatch",
    "UnhandledMessage",
    "WrongThread",
]


class InjectedFault(ActorlabError):
    """The failure raised inside an actor by ``ref.inject_fault()`` (teaching, dashboards)."""


class Deadlock(ActorlabError):
    """A call that can never complete, refused up front (e.g. an actor asking itself)."""


class RestartLimitExceeded(ActorlabError):
    """A supervisor's strategy ran out of restarts (``max_restarts`` within ``within`` seconds)
    and escalated the child's failure (its ``__cause__``) to its own parent."""


__all__ += ["Deadlock", "InjectedFault", "RestartLimitExceeded"]
