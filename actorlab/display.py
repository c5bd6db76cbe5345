"""How core objects display themselves, without the core knowing the views.

Layers point inward: the core (this module and everything it is used by) never imports the
views or the IPython-facing layer. Core classes mix in ``Displayable``; its
``_repr_mimebundle_`` (Jupyter) and ``__rich__`` (rich consoles) ask the renderer registered
here, which ``actorlab/__init__.py`` fills with the views layer. With no renderer (a core-only
import), objects show their plain ``repr``.
"""

from __future__ import annotations

from typing import Any, Protocol


class Renderer(Protocol):
    def mimebundle(self, obj: Any, include: Any, exclude: Any) -> dict[str, Any]: ...

    def rich(self, obj: Any) -> Any: ...


_renderer: Renderer | None = None


def set_renderer(renderer: Renderer | None) -> None:
    """Register what draws core objects (the views layer does, from ``actorlab/__init__.py``)."""
    global _renderer
    _renderer = renderer


class Displayable:
    """Mixin: display through the registered renderer, or as plain ``repr``."""

    __slots__ = ()

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> Any:
        r = _renderer
        if r is None:
            return {"text/plain": repr(self)}
        return r.mimebundle(self, include, exclude)

    def __rich__(self) -> Any:
        r = _renderer
        return repr(self) if r is None else r.rich(self)
