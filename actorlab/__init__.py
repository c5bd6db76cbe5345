"""actorlab: theta's actor model for Python, at home in Jupyter.

import actorlab as al

class Counter(al.Actor):
    def __init__(self, value: int = 0) -> None:
        self.value = value

    @al.handler
    def add(self, n: int) -> int:
        self.value += n
        return self.value

c = al.root().spawn(Counter(), name="c")
c.tell(1)
c.ask_sync(2)   # -> 3  (or `await c.ask(2)` in async code)

The layers, outermost first (arrows point inward only; tests/test_layers.py checks it)::

    __init__.py, cli.py   the top: the public API, and the only place the layers are wired
    magics/               IPython-facing: output routing into cells (kernel_bridge), %actor magics
    views/                rich renderables, the ipywidgets dashboard; testing.py, teach.py
    core                  actor, messages, ref, context, spawning, cell (the message loop),
                          mailbox, signals, supervision/supervising, monitoring, runtime (the
                          thread and its loop), timers, names, events, display (the registry
                          views fill), trace/ (capture and diagrams), persistence/ (snapshots)

The core imports no IPython, rich or ipywidgets, and never the layers above it.
"""

from __future__ import annotations

from typing import Any

from . import cluster
from . import display as _display
from . import magics as _magics
from . import views as _views
from .actor import Actor, ActorArgs, ExitCode
from .cluster.placement import Remote
from .config import Settings, configure, settings
from .context import Context, RootContext, root
from .errors import (
    ActorClosed,
    ActorlabError,
    ActorNotFound,
    AskTimeout,
    Deadlock,
    DuplicateActorId,
    HandlerDefinitionError,
    HandlerError,
    InjectedFault,
    NameTaken,
    NotPicklable,
    RestartLimitExceeded,
    SnapshotError,
    SnapshotNotFound,
    TypeMismatch,
    UnhandledMessage,
    WrongThread,
)
from .events import Event
from .ids import ActorId
from .info import ActorInfo, DeadLetter, ErrorInfo, MessagePreview, Status, StatusUpdate
from .messages import handler
from .observe import dead_letters, events, inspect, monitor, watch
from .persistence.actor import PersistentActor, snapshot_of
from .persistence.autosave import Every, OnStop
from .persistence.browse import diff_snapshot, load_snapshot, snapshots
from .persistence.storage import (
    FileStorage,
    MemoryStorage,
    PersistentStorage,
    SQLiteStorage,
    default_storage,
)
from .persistence.trust import trust_snapshot
from .ref import ActorRef, WeakActorRef
from .runtime import reset, shutdown
from .supervision import (
    Escalation,
    EscalationKind,
    OneForAll,
    OneForOne,
    RestForOne,
    Signal,
    Strategy,
)
from .timers import TimerHandle
from .trace import Trace, trace
from .upgrade import UpgradeError, upgrade

__version__ = "0.1.0"


def lookup(name: str, actor_type: Any = None) -> ActorRef[Any]:
    """The live actor bound to ``name`` (``ActorNotFound``; ``TypeMismatch`` if not ``actor_type``)."""
    return root().lookup(name, actor_type)


def dashboard(**options: Any) -> Any:
    """The live ipywidgets dashboard (``actorlab.views.dashboard.Dashboard``; needs ipywidgets)."""
    from .views import dashboard as _dashboard

    return _dashboard.dashboard(**options)


def tree(*, show: str = "compact", depth: int | None = None, collapse_over: int = 20) -> Any:
    """The supervision tree of every live actor (``actorlab.views.api.tree``; rich optional)."""
    from .views import api

    return api.tree(show=show, depth=depth, collapse_over=collapse_over)


def top(sort: str = "mailbox", n: int = 20) -> Any:
    """The ``n`` busiest actors by ``sort`` (mailbox, rate, restarts, handler_time, done, age)."""
    from .views import api

    return api.top(sort=sort, n=n)


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext actorlab``: registers the ``%actor``/``%actors`` magics."""
    from . import magics

    magics.load_ipython_extension(ipython)


def unload_ipython_extension(ipython: Any) -> None:
    from . import magics

    magics.unload_ipython_extension(ipython)


# The outer layers plug into the core here, and only here (see the layer map above).
_display.set_renderer(_views.renderer)
_magics.install()

__all__ = [
    "Actor",
    "ActorArgs",
    "ActorClosed",
    "ActorId",
    "ActorInfo",
    "ActorNotFound",
    "ActorRef",
    "ActorlabError",
    "AskTimeout",
    "Context",
    "DeadLetter",
    "Deadlock",
    "DuplicateActorId",
    "ErrorInfo",
    "Escalation",
    "EscalationKind",
    "Event",
    "Every",
    "ExitCode",
    "FileStorage",
    "HandlerDefinitionError",
    "HandlerError",
    "InjectedFault",
    "MemoryStorage",
    "MessagePreview",
    "NameTaken",
    "NotPicklable",
    "OnStop",
    "OneForAll",
    "OneForOne",
    "PersistentActor",
    "PersistentStorage",
    "Remote",
    "RestForOne",
    "RestartLimitExceeded",
    "RootContext",
    "SQLiteStorage",
    "Settings",
    "Signal",
    "SnapshotError",
    "SnapshotNotFound",
    "Status",
    "StatusUpdate",
    "Strategy",
    "TimerHandle",
    "Trace",
    "TypeMismatch",
    "UnhandledMessage",
    "UpgradeError",
    "WeakActorRef",
    "WrongThread",
    "cluster",
    "configure",
    "dashboard",
    "dead_letters",
    "default_storage",
    "diff_snapshot",
    "events",
    "handler",
    "inspect",
    "load_ipython_extension",
    "load_snapshot",
    "lookup",
    "monitor",
    "reset",
    "root",
    "settings",
    "shutdown",
    "snapshot_of",
    "snapshots",
    "top",
    "trace",
    "tree",
    "trust_snapshot",
    "unload_ipython_extension",
    "upgrade",
    "watch",
]
