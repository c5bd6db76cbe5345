"""Short, safe text of user objects for views, events and error messages (the one copy)."""

from __future__ import annotations

import reprlib
from typing import Any

_preview = reprlib.Repr()
_preview.maxstring = 200
_preview.maxother = 200
_preview.maxlist = _preview.maxdict = _preview.maxset = _preview.maxtuple = 10
_preview.maxlevel = 4

#: Attributes the runtime keeps on an actor instance; never part of its state.
RUNTIME_PREFIX = "_al_"


def short_repr(obj: object, limit: int = 120) -> str:
    """``repr(obj)`` cut to ``limit`` characters (with …); never raises."""
    try:
        text = repr(obj)
    except Exception as exc:
        text = f"<unrepresentable {type(obj).__qualname__}: {exc}>"
    return text if len(text) <= limit else text[: limit - 1] + "…"


def error_text(exc: BaseException) -> str:
    """``str(exc)``, never raising (a user's exception may have a broken ``__str__``)."""
    try:
        return str(exc)
    except Exception as err:
        return f"<str() of {type(exc).__qualname__} raised {type(err).__name__}>"


def preview_repr(obj: object) -> str:
    """A repr with long containers and strings abbreviated at every level; never raises."""
    try:
        return _preview.repr(obj)
    except Exception as exc:
        return f"<repr failed: {type(exc).__name__}>"


def state_fields(actor: object) -> dict[str, Any]:
    """An actor's state: its instance attributes without the runtime's own."""
    d = getattr(actor, "__dict__", None)
    if not d:
        return {}
    return {k: v for k, v in d.items() if not k.startswith(RUNTIME_PREFIX)}


def state_preview(actor: object) -> dict[str, str]:
    """Field name -> abbreviated repr of an actor's state."""
    return {k: preview_repr(v) for k, v in state_fields(actor).items()}
