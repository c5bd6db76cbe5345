"""Route actor output into the notebook cell that caused it.

Handlers run on the "actorlab-runtime" thread. Without help, ipykernel attributes their
``print()``/logging to whatever cell ran last, or drops it (ipykernel >= 7.0.2 when idle). The
bridge plugs into the runtime's origin hooks:

- ``capture()`` runs on the sending thread at tell/ask time and returns the kernel's current
  parent message (the cell being executed);
- ``enter(token)`` wraps the handler on the runtime thread and makes that message the *thread's*
  parent (ipykernel 7: ``shell.set_thread_parent``; 6.x: ``set_parent`` on the streams and
  display publisher, restored afterwards), so stdout, stderr, logging and ``display()`` land in
  the sending cell, even after it finished.

A failure of a top-level actor is written to stderr under the cell that sent the failing
message, with the actor named (``report_failure``).
"""

from __future__ import annotations

import sys
import threading
from typing import Any

from actorlab import runtime
from actorlab.info import ErrorInfo

_lock = threading.Lock()
_shell: Any = None


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
    global _shell
    with _lock:
        if _shell is not None:
            return True
        shell = kernel_shell()
        if shell is None:
            return False
        _shell = shell
        runtime.set_origin_hooks(capture, enter)
        runtime.set_failure_reporter(report_failure)
        return True


def uninstall() -> None:
    """Back to the runtime's defaults (no routing; failures logged)."""
    global _shell
    with _lock:
        _shell = None
        runtime.set_origin_hooks(None, None)
        runtime.set_failure_reporter(None)


def installed() -> bool:
    return _shell is not None


def capture() -> object:
    """The parent message of the cell running on this thread (None when there is none)."""
    shell = _shell
    if shell is None:
        return None
    parent = shell.get_parent()
    return parent or None


class _ThreadParent:
    """Context manager: make ``parent`` the current thread's output parent, then restore."""

    __slots__ = ("_parent", "_undo")

    def __init__(self, parent: object) -> None:
        self._parent = parent
        self._undo: Any = None

    def __enter__(self) -> None:
        shell = _shell
        if shell is None:
            return
        if hasattr(shell, "set_thread_parent"):  # ipykernel >= 7
            self._undo = (shell.reset_thread_parent, shell.set_thread_parent(self._parent))
        else:  # ipykernel 6: global parents; restore the previous ones on exit
            self._undo = _set_global_parent(shell, self._parent)

    def __exit__(self, *exc: object) -> None:
        undo, self._undo = self._undo, None
        if undo is None:
            return
        if isinstance(undo, tuple):
            reset, tokens = undo
            reset(tokens)
        else:
            undo()


def enter(token: object) -> _ThreadParent:
    return _ThreadParent(token)


def _set_global_parent(shell: Any, parent: object) -> Any:
    targets: list[Any] = [sys.stdout, sys.stderr, getattr(shell, "display_pub", None)]
    saved = [(t, t.parent_header) for t in targets if hasattr(t, "set_parent")]
    for target, _ in saved:
        target.set_parent(parent)

    def undo() -> None:
        for target, header in saved:
            target.parent_header = header

    return undo


def format_failure(label: str, error: ErrorInfo) -> str:
    """The text shown under the cell when a top-level actor fails."""
    where = error.kind if error.msg_type is None else f"{error.kind} for {error.msg_type}"
    tb = error.traceback.rstrip() or f"{error.type}: {error.message}"
    return (
        f"actorlab: top-level actor {label!r} failed in its {where} and was stopped "
        f"({error.type}: {error.message}).\n{tb}\n"
        f"Fix the error and spawn {label!r} again, or spawn it under a parent actor that "
        f"supervises it (supervisor = al.OneForOne(...)) to restart it automatically.\n"
    )


def report_failure(label: str, error: ErrorInfo, origin: object) -> None:
    """Failure reporter: the runtime calls it inside ``enter(origin)``, so stderr is the cell's."""
    stream = sys.stderr
    stream.write(format_failure(label, error))
    flush = getattr(stream, "flush", None)
    if flush is not None:
        flush()
