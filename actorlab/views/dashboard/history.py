"""Mailbox depth over time, per actor, and its sparkline (a tiny inline SVG).

``MailboxHistory.sample(rows)`` runs once per dashboard frame (kernel's thread) and appends each
actor's current mailbox depth to a bounded ring; ``sparkline`` draws one ring.
"""

from __future__ import annotations

import collections
from collections.abc import Iterable, Sequence

from actorlab.ids import ActorId

from .model import TreeRow
from .theme import BRAND, LINE

SAMPLES = 60  # samples kept per actor (15 s: the dashboard samples 4 times a second)


class MailboxHistory:
    """The last ``SAMPLES`` mailbox depths of every live actor."""

    def __init__(self, samples: int = SAMPLES) -> None:
        self.samples = samples
        self._rings: dict[ActorId, collections.deque[int]] = {}

    def sample(self, rows: Sequence[TreeRow]) -> None:
        rings = self._rings
        live = set()
        for row in rows:
            info = row.info
            ring = rings.get(info.id)
            if ring is None:
                ring = rings[info.id] = collections.deque(maxlen=self.samples)
            ring.append(info.mailbox)
            live.add(info.id)
        if len(rings) > len(live):
            for gone in [a for a in rings if a not in live]:
                del rings[gone]

    def of(self, actor: ActorId) -> list[int]:
        return list(self._rings.get(actor, ()))


def sparkline(values: Iterable[int], *, width: int = 90, height: int = 18) -> str:
    """An inline SVG polyline of ``values`` (theme colours; the peak is in the tooltip)."""
    vals = list(values)
    if not vals:
        vals = [0]
    peak = max(vals)
    top = max(peak, 1)
    n = len(vals)
    step = width / max(n - 1, 1)
    pts = " ".join(
        f"{i * step:.1f},{height - 1 - (v / top) * (height - 3):.1f}" for i, v in enumerate(vals)
    )
    return (
        f"<svg class='actorlab-spark' width='{width}' height='{height}' "
        f"viewBox='0 0 {width} {height}' style='vertical-align:middle'>"
        f"<title>mailbox depth, last {n} samples (peak {peak}, now {vals[-1]})</title>"
        f"<line x1='0' y1='{height - 1}' x2='{width}' y2='{height - 1}' stroke='{LINE}'/>"
        f"<polyline points='{pts}' fill='none' stroke='{BRAND}' stroke-width='1.5'/></svg>"
    )
