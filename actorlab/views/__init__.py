"""Views of the runtime: pure functions of ``ActorInfo`` records, drawn with rich (notebooks,
terminals) or as plain text when rich is missing.

Modules: ``tree`` (supervision tree), ``top`` (busiest actors), ``info_panel`` (one actor),
``snapshot_view`` (snapshot inspector), ``mimebundle`` (how objects display themselves), and
``api`` with the public functions behind ``al.tree()``, ``al.top()``, ``%actors``...

Importing this package imports neither rich nor IPython; each view imports rich when drawn.
"""

from __future__ import annotations

from typing import Any


class _Renderer:
    """Draws core objects for ``actorlab.display`` (registered from ``actorlab/__init__.py``);
    loads the drawing code on first display."""

    def mimebundle(self, obj: Any, include: Any, exclude: Any) -> dict[str, Any]:
        from . import mimebundle

        return mimebundle.mimebundle(obj, include, exclude)

    def rich(self, obj: Any) -> Any:
        from . import mimebundle

        return mimebundle.rich(obj)


renderer = _Renderer()
