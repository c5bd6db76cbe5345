"""Route actor output into the notebook cell that caused it.

Handlers run on the "actorlab-runtime" thread. Without help, ipykernel attributes their
``print()``/logging to whatever cell ran last, or drops it (ipykernel >= 7.0.2 when idle). The
bridge plugs into the runtime's origin hooks:

- ``capture()`` runs on the sending thread at tell/ask time and returns the kernel's current
  parent message (the cell being executed);
- ``enter(token)`` wraps the handler on the runtime thread and makes that message the output
  parent of the actor's task (ipykernel 7: ``shell.set_thread_parent``, context-local; 6.x:
  ``set_parent`` on the streams and display publisher, restored afterwards), so stdout, stderr,
  logging and ``display()`` land in the sending cell, even after it finished.

A failure of a top-level actor is written to stderr under the cell that sent the failing
message, with the actor named (``report_failure``).
"""

from __future__ import annotations

import contextlib
import contextvars
import sys
import threading
from typing import Any

import actorlab as al
from actorlab import runtime  # the core's extension points: origin hooks, failure reporter
from actorlab.views import tracebacks

_lock = threading.Lock()
_shell: Any = None
_threaded = False  # ipykernel >= 7: per-thread (per-context) output parents
_get_parent: Any = None  # shell.get_parent, bound once (capture runs on every tell)


def kernel_shell() -> Any:
    """The running ipykernel shell, or None (terminal IPython, scripts, ipykernel not running)."""
    if "ipykernel" not in sys.modules:
        return None
    try:
        from IPython import get_ipython
    except ImportError:
        return None
    shell = get_ipython()
    if shell is None or getattr(shell, "kernel", None) is None:
        return None
    if not hasattr(shell, "get_parent"):
        return None
    return shell


def install() -> bool:
    """Activate output routing if this process is an ipykernel; idempotent.

    Returns True when the bridge is active.
    """
    global _shell, _threaded, _get_parent
    with _lock:
        if _shell is not None:
            return True
        shell = kernel_shell()
        if shell is None:
            return False
        _shell, _get_parent = shell, shell.get_parent
        _threaded = hasattr(shell, "set_thread_parent")
        runtime.set_origin_hooks(capture, enter)
        runtime.set_failure_reporter(report_failure)
        tracebacks.install(shell)  # actorlab's frames hidden, one traceback per failure
        return True


def uninstall() -> None:
    """Back to the runtime's defaults (no routing; failures logged)."""
    global _shell, _get_parent
    with _lock:
        _shell = _get_parent = None
        runtime.set_origin_hooks(None, None)
        runtime.set_failure_reporter(None)


def installed() -> bool:
    return _shell is not None


def capture() -> object:
    """The parent message of the cell running on this thread (None when there is none)."""
    get_parent = _get_parent
    if get_parent is None:
        return None
    return get_parent() or None


#: The parent message set for the current context (an actor's task) by ``enter``.
_active: contextvars.ContextVar[object] = contextvars.ContextVar(
    "actorlab_output_parent", default=None
)
_SAME = contextlib.nullcontext()


class _StickyParent:
    """ipykernel >= 7: make ``parent`` this context's output parent and leave it set.

    Each actor runs in its own asyncio task, i.e. its own context, so a thread parent set here
    stays with that actor only. Leaving it set lets the next message from the same cell skip
    the work entirely (``enter`` returns a no-op), which keeps a burst of tells from one cell
    as cheap as without routing. Output of a message that has no origin (a timer) then goes to
    the cell that last talked to the actor, rather than to whichever cell runs now.
    """

    __slots__ = ("_parent",)

    def __init__(self, parent: object) -> None:
        self._parent = parent

    def __enter__(self) -> None:
        shell = _shell
        if shell is not None:
            shell.set_thread_parent(self._parent)
            _active.set(self._parent)

    def __exit__(self, *exc: object) -> None:
        return None


class _GlobalParent:
    """ipykernel 6: parents are global, so set them around the handler and restore them."""

    __slots__ = ("_parent", "_undo")

    def __init__(self, parent: object) -> None:
        self._parent = parent
        self._undo: Any = None

    def __enter__(self) -> None:
        if _shell is not None:
            self._undo = _set_global_parent(_shell, self._parent)

    def __exit__(self, *exc: object) -> None:
        undo, self._undo = self._undo, None
        if undo is not None:
            undo()


def enter(token: object) -> contextlib.AbstractContextManager[Any]:
    """Around a handler on the runtime thread: route its output to the cell ``token``."""
    if _active.get() is token:
        return _SAME
    if _threaded:
        return _StickyParent(token)
    return _GlobalParent(token)


def _set_global_parent(shell: Any, parent: object) -> Any:
    targets: list[Any] = [sys.stdout, sys.stderr, getattr(shell, "display_pub", None)]
    saved = [(t, t.parent_header) for t in targets if hasattr(t, "set_parent")]
    for target, _ in saved:
        target.set_parent(parent)

    def undo() -> None:
        for target, header in saved:
            target.parent_header = header

    return undo


_WHERE = {
    "handler": "its handler",
    "initialize": "initialization",
    "supervise": "its supervise()",
    "escalated": "supervising its children",
    "injected": "an injected fault",
}


def format_failure(label: str, error: al.ErrorInfo) -> str:
    """The text shown under the cell when a top-level actor fails."""
    where = _WHERE.get(error.kind, error.kind)
    if error.msg_type is not None and error.kind == "handler":
        where = f"{where} for {error.msg_type}"
    tb = error.traceback.rstrip() or f"{error.type}: {error.message}"
    if error.kind == "escalated":
        fix = f"Fix the child's error, then spawn {label!r} again."
    else:
        fix = (
            f"Fix the error and spawn {label!r} again, or spawn it under a parent actor that "
            f"supervises it (supervisor = al.OneForOne(...)) to restart it automatically."
        )
    return (
        f"actorlab: top-level actor {label!r} failed in {where} and was stopped "
        f"({error.type}: {error.message}).\n{tb}\n{fix}\n"
    )


def report_failure(label: str, error: al.ErrorInfo, origin: object) -> None:
    """Failure reporter: the runtime calls it inside ``enter(origin)``, so stderr is the cell's."""
    stream = sys.stderr
    stream.write(tracebacks.failure_report(label, error, format_failure(label, error)))
    flush = getattr(stream, "flush", None)
    if flush is not None:
        flush()
