"""Per-actor log capture: a logging handler keyed on ``actorlab.runtime.current_actor()``.

Installed on the root logger while a dashboard is open. ``emit`` runs on whatever thread logs
(handlers run on the runtime thread); it only appends formatted lines to bounded deques, which
the dashboard reads on the kernel's thread.
"""

from __future__ import annotations

import collections
import logging
import threading

from actorlab.ids import ActorId
from actorlab.runtime import current_actor

LINES_PER_ACTOR = 200
_FORMAT = logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s", "%H:%M:%S")


class ActorLogHandler(logging.Handler):
    """Keeps the last ``LINES_PER_ACTOR`` log lines of each actor's handlers."""

    def __init__(self) -> None:
        super().__init__(logging.NOTSET)
        self.lines: dict[ActorId, collections.deque[str]] = {}
        self.version = 0
        self.setFormatter(_FORMAT)

    def emit(self, record: logging.LogRecord) -> None:
        actor = current_actor()
        if actor is None:
            return
        try:
            line = self.format(record)
        except Exception:
            self.handleError(record)
            return
        buf = self.lines.get(actor)
        if buf is None:
            buf = self.lines.setdefault(actor, collections.deque(maxlen=LINES_PER_ACTOR))
        buf.append(line)
        self.version += 1

    def for_actor(self, actor: ActorId) -> list[str]:
        buf = self.lines.get(actor)
        return list(buf) if buf is not None else []


_lock = threading.Lock()
_shared: ActorLogHandler | None = None
_users = 0


def acquire() -> ActorLogHandler:
    """The shared handler, installed on the root logger on first use."""
    global _shared, _users
    with _lock:
        if _shared is None:
            _shared = ActorLogHandler()
            logging.getLogger().addHandler(_shared)
        _users += 1
        return _shared


def release() -> None:
    """Uninstall the shared handler when the last dashboard closes."""
    global _shared, _users
    with _lock:
        _users = max(0, _users - 1)
        if _users == 0 and _shared is not None:
            logging.getLogger().removeHandler(_shared)
            _shared = None
