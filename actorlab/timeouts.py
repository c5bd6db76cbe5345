"""Checking the seconds users pass: ask/stop/shutdown timeouts and timer delays.

One rule everywhere, checked before anything is sent: a positive number of seconds, with
``math.inf`` meaning "no limit" for a timeout. ``True``, strings, ``nan``, zero and negatives
are refused with a ``TypeError``/``ValueError`` that names the argument.
"""

from __future__ import annotations

import math
import numbers
import threading


def _number(value: object, what: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(
            f"{where}{what} must be a number of seconds, got {value!r} "
            f"({type(value).__name__}). Fix: pass a number, e.g. {what}=5"
        )
    v = float(value)
    if math.isnan(v):
        raise ValueError(f"{where}{what} must be a number of seconds, got nan. Fix: e.g. {what}=5")
    return v


def timeout(value: object, what: str = "timeout", where: str = "") -> float | None:
    """``value`` as seconds to wait, or None for no limit (``math.inf``, or longer than a
    thread can block). ``where`` prefixes the error (e.g. ``"c.ask(): "``)."""
    v = _number(value, what, where)
    if v <= 0:
        raise ValueError(
            f"{where}{what} must be a positive number of seconds, got {value!r}. "
            f"Fix: e.g. {what}=5, or {what}=math.inf to wait without limit"
        )
    return None if v > threading.TIMEOUT_MAX else v


def delay(value: object, what: str = "delay", where: str = "", *, zero: bool = True) -> float:
    """A timer's delay (``zero``: 0 allowed, i.e. now) or period: finite, not negative."""
    v = _number(value, what, where)
    if math.isinf(v) or v < 0 or (v == 0 and not zero):
        need = "a number of seconds >= 0" if zero else "a positive number of seconds"
        raise ValueError(
            f"{where}{what} must be {need} and finite (a timer at math.inf never fires), "
            f"got {value!r}"
        )
    return v
