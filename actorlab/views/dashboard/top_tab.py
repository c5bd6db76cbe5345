"""The dashboard's Top tab: ``al.top()`` as a sortable HTML table with a mailbox sparkline.

Reading every actor's full ``ActorInfo`` costs tens of milliseconds with 1000 actors, so the tab
redraws at most once a second, and only while it is the visible tab.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from html import escape
from typing import Any

import ipywidgets as W

from actorlab.info import ActorInfo
from actorlab.views import top as top_mod

from .history import MailboxHistory, sparkline
from .model import note
from .theme import LINE, MUTED

SORTS = (
    ("mailbox", "mailbox"),
    ("messages/s", "rate"),
    ("restarts", "restarts"),
    ("handler time", "handler_time"),
    ("processed", "done"),
    ("age", "age"),
)
MIN_GAP = 1.0  # seconds between redraws
ROWS = 25


def top_html(
    infos: Sequence[ActorInfo],
    history: MailboxHistory,
    *,
    sort: str = "mailbox",
    descending: bool = True,
    rates: Any = None,
    interval: float | None = None,
    n: int = ROWS,
    now: float | None = None,
) -> str:
    """The table: ``al.top()``'s columns plus a mailbox sparkline per actor."""
    if not infos:
        return note("No actors.")
    model = top_mod.build_top(
        infos, sort=sort, n=len(infos), rates=rates, interval=interval, now=now
    )
    ranked = sorted(infos, key=lambda i: i.path)
    key = top_mod.SORT_KEYS[top_mod.sort_key(sort)]
    ranked.sort(key=lambda i: key(i, rates or {}), reverse=True)
    pairs = list(zip(ranked, model.rows, strict=True))
    if not descending:
        pairs.reverse()
    pairs = pairs[:n]
    head = "".join(
        f"<th style='text-align:left;padding:2px 6px;border-bottom:1px solid {LINE}'>"
        f"{escape(c)}{' ▼' if c == _column(sort) and descending else ''}"
        f"{' ▲' if c == _column(sort) and not descending else ''}</th>"
        for c in (*model.columns, "mailbox over time")
    )
    body = "".join(
        "<tr>"
        + "".join(f"<td style='padding:1px 6px'>{escape(v)}</td>" for v in row)
        + f"<td style='padding:1px 6px'>{sparkline(history.of(info.id))}</td></tr>"
        for info, row in pairs
    )
    order = "highest first" if descending else "lowest first"
    caption = (
        f"<div style='font-size:12px;color:{MUTED};padding:2px 0'>"
        f"{escape(model.caption.split(' · ')[0])} ({order}) · Δ/s since the previous redraw</div>"
    )
    return (
        caption
        + "<div style='overflow-x:auto;max-width:100%'>"
        + f"<table class='actorlab-top' style='border-collapse:collapse;font-size:12px'>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table></div>"
    )


def _column(sort: str) -> str:
    return {
        "mailbox": "MBox (hwm)",
        "rate": "Δ/s",
        "restarts": "Restarts",
        "handler_time": "Handler ms avg/max",
        "done": "Done",
        "age": "Age",
    }[top_mod.sort_key(sort)]


class TopTab:
    """Sort controls and the table; ``render(rt, history)`` redraws (throttled)."""

    def __init__(self, on_change: Any) -> None:
        self.sort = W.Dropdown(
            options=SORTS, value="mailbox", description="sort by", layout=W.Layout(width="220px")
        )
        self.sort.add_class("actorlab-top-sort")
        self.order = W.ToggleButtons(
            options=(("highest first", True), ("lowest first", False)),
            value=True,
            style={"button_width": "auto"},
        )
        self.order.add_class("actorlab-top-order")
        self.table = W.HTML()
        self.table.add_class("actorlab-top-pane")
        self.widget = W.VBox([W.HBox([self.sort, self.order]), self.table])
        self.meter = top_mod.RateMeter()
        self._last = 0.0
        self.sort.observe(lambda _c: self.invalidate(on_change), names="value")
        self.order.observe(lambda _c: self.invalidate(on_change), names="value")

    def invalidate(self, on_change: Any) -> None:
        self._last = 0.0
        on_change()

    def due(self) -> bool:
        return time.monotonic() - self._last >= MIN_GAP

    def render(self, infos: Sequence[ActorInfo], history: MailboxHistory) -> None:
        self._last = time.monotonic()
        rates, interval = self.meter.update(infos)
        self.table.value = top_html(
            infos,
            history,
            sort=self.sort.value,
            descending=bool(self.order.value),
            rates=rates,
            interval=interval,
        )
