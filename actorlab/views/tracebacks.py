"""Quiet, precise errors in notebooks: actorlab's own frames hidden, one traceback per failure.

An ask whose handler raises used to print two walls of red: the top-level failure report (with
the handler's traceback) and the cell's ``HandlerError`` chained to the same exception, its
traceback running through ``ref.py``, ``runtime.py``, ``concurrent/futures`` and ``threading``.
Now:

- ``install(shell)`` registers an IPython custom exception handler for actorlab's errors that
  shows them with the runtime's frames removed (as if each had ``__tracebackhide__``): the user's
  cell and the user's handler remain;
- the failure report and the cell's exception share ``Shown``: whichever comes first shows the
  traceback, the other says in one line where it is (the two race: the asker gets its answer
  before the supervisor is told).

``plain_frames`` filters traceback *text* the same way (for the failure report).
"""

from __future__ import annotations

import collections
import re
import threading
import types
from pathlib import Path
from typing import Any

import actorlab

#: Frames from these places are the runtime's plumbing, not the user's code.
_ACTORLAB = str(Path(actorlab.__file__).resolve().parent)
_PLUMBING = ("concurrent/futures/", "/threading.py", "/asyncio/")
_FRAME_RE = re.compile(r'^  File "(?P<file>[^"]+)", line \d+, in .*$')


def internal(filename: str) -> bool:
    """True for frames of actorlab itself and of the thread/loop machinery it runs on."""
    name = filename.replace("\\", "/")
    return name.startswith(_ACTORLAB.replace("\\", "/")) or any(p in name for p in _PLUMBING)


def trimmed(tb: types.TracebackType | None) -> types.TracebackType | None:
    """``tb`` without internal frames (a new chain; the frames themselves are shared)."""
    frames: list[types.TracebackType] = []
    while tb is not None:
        if not internal(tb.tb_frame.f_code.co_filename) and not tb.tb_frame.f_locals.get(
            "__tracebackhide__"
        ):
            frames.append(tb)
        tb = tb.tb_next
    out: types.TracebackType | None = None
    for t in reversed(frames):
        out = types.TracebackType(out, t.tb_frame, t.tb_lasti, t.tb_lineno)
    return out


def quieted(exc: BaseException) -> BaseException:
    """Trim the tracebacks of ``exc`` and its causes in place (display only); returns ``exc``."""
    seen: set[int] = set()
    e: BaseException | None = exc
    while e is not None and id(e) not in seen:
        seen.add(id(e))
        e.__traceback__ = trimmed(e.__traceback__)
        e = e.__cause__ or (None if e.__suppress_context__ else e.__context__)
    return exc


def plain_frames(text: str) -> str:
    """A formatted traceback (``traceback.format_exception`` text) without internal frames."""
    out: list[str] = []
    skip = False
    for line in text.splitlines(keepends=True):
        m = _FRAME_RE.match(line.rstrip("\n"))
        if m is not None:
            skip = internal(m.group("file"))
        elif not line.startswith("    "):  # "Traceback ...", the error line, chain notes
            skip = False
        if not skip:
            out.append(line)
    return "".join(out)


class Shown:
    """Which failures have had their traceback shown (keyed by the formatted traceback)."""

    def __init__(self, keep: int = 64) -> None:
        self._lock = threading.Lock()
        self._keys: collections.OrderedDict[str, str] = collections.OrderedDict()
        self.keep = keep

    def claim(self, key: str, where: str) -> str | None:
        """Claim ``key`` for ``where``; None if it was free, else who showed it already."""
        with self._lock:
            if key in self._keys:
                return self._keys[key]
            self._keys[key] = where
            while len(self._keys) > self.keep:
                self._keys.popitem(last=False)
            return None


shown = Shown()


def cause_key(exc: BaseException) -> str | None:
    """The key of the handler exception behind ``exc`` (a ``HandlerError``'s cause)."""
    import traceback

    cause = exc.__cause__
    if cause is None:
        return None
    return plain_frames(
        "".join(traceback.format_exception(type(cause), cause, cause.__traceback__))
    )


def failure_report(label: str, error: Any, full: str) -> str:
    """What the top-level failure report prints: ``full`` with internal frames removed, or one
    line when the cell that asked already shows this failure's traceback."""
    other = shown.claim(plain_frames(error.traceback), "report")
    if other is not None:
        return (
            f"actorlab: top-level actor {label!r} failed ({error.type}: {error.message}) and was "
            f"stopped; the traceback is in the error shown by the cell that asked.\n"
        )
    return plain_frames(full)


def _handler(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None) -> Any:
    key = cause_key(value)
    if key is not None and shown.claim(key, "cell") is not None:
        # The failure report above already shows the handler's traceback: the error alone.
        try:
            brief: BaseException = etype(f"{value} (its traceback is in the failure report above)")
        except Exception:
            brief = value
        try:  # the error line alone, without IPython's "use %tb to see the full traceback"
            stb = shell.InteractiveTB.get_exception_only(etype, brief)
            shell._showtraceback(etype, brief, stb)
        except AttributeError:
            shell.showtraceback((etype, brief, None), exception_only=True)
        return None
    quieted(value)
    shell.showtraceback((etype, value, value.__traceback__), tb_offset=tb_offset)
    return None


def install(shell: Any) -> bool:
    """Show actorlab's errors quietly in this IPython ``shell``; idempotent."""
    if shell is None or not hasattr(shell, "set_custom_exc"):
        return False
    if getattr(shell, "_actorlab_quiet_errors", False):
        return True
    shell.set_custom_exc((actorlab.ActorlabError,), _handler)
    shell._actorlab_quiet_errors = True
    return True
