"""The public view functions: ``al.tree()``, ``al.top()``, ``info(ref)``, ``snapshot(...)``.

Each returns a ``View`` that displays in notebooks, rich consoles and ``print()``.
"""

from __future__ import annotations

import threading
from typing import Any

from .mimebundle import View, info_view, snapshot_view, tree_view
from .top import RateMeter

__all__ = ["info", "snapshot", "top", "tree"]

_meter = RateMeter()
_meter_lock = threading.Lock()


def tree(*, show: str = "compact", depth: int | None = None, collapse_over: int = 20) -> View:
    """The supervision tree of every live actor: status glyphs, ``mbox=3 done=120 ↻2``.

    Args:
        show: ``"compact"`` or ``"full"`` (adds ids, ages, current handler, last error).
        depth: draw at most this many levels below the root.
        collapse_over: siblings of one class beyond this count are drawn as one line.
    """
    return tree_view(show=show, depth=depth, collapse_over=collapse_over)


def top(sort: str = "mailbox", n: int = 20) -> View:
    """The ``n`` top actors by ``sort``: ``"mailbox"``, ``"rate"``, ``"restarts"``,
    ``"handler_time"`` (mean ms), ``"done"`` or ``"age"``. Δ/s is the change in processed
    messages since the previous ``top()`` call."""
    import actorlab

    from . import top as top_mod  # the module, not this function

    top_mod.sort_key(sort)  # a bad key fails here, before reading the runtime
    infos = actorlab.inspect()
    with _meter_lock:
        rates, interval = _meter.update(infos)
    model = top_mod.build_top(infos, sort=sort, n=n, rates=rates, interval=interval)
    return View(lambda: top_mod.to_rich(model), lambda: top_mod.to_plain(model))


def info(ref: Any) -> View:
    """The info panel of ``ref`` (an ``ActorRef`` or an ``ActorInfo``)."""
    data = ref if not hasattr(ref, "info") else ref.info()
    return info_view(data)


def snapshot(header: Any, state: Any = None, *, report: Any = None) -> View:
    """The snapshot inspector for ``header`` (and the decoded ``state`` when given)."""
    return snapshot_view(header, state, report=report)


def reset_rates() -> None:
    """Forget the previous ``top()`` sample (after ``al.reset()``)."""
    global _meter
    with _meter_lock:
        _meter = RateMeter()
