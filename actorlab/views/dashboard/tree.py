"""The dashboard's actor tree: one ``Button`` per actor, updated in place.

Labels and colours change in place; the children tuple is only reassigned when actors appear,
disappear or move. Layouts and styles are shared between buttons (one per depth, one per
status), so 1000 actors cost about 1000 widget models, not 3000.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import ipywidgets as W

from actorlab.ids import ActorId
from actorlab.info import Status

from .model import STATUS_COLOURS, TreeRow, node_text, structure_key
from .theme import MUTED

INDENT_PX = 18


class TreePane:
    """A filterable tree of actors; ``on_select(actor_id)`` runs when a node is clicked."""

    def __init__(self, on_select: Callable[[ActorId], None], max_nodes: int = 1000) -> None:
        self.on_select = on_select
        self.max_nodes = max_nodes
        self.selected: ActorId | None = None
        self.filter = W.Text(
            placeholder="filter: name, path or type", layout=W.Layout(width="100%")
        )
        self.filter.add_class("actorlab-filter")
        self.summary = W.HTML()
        self.summary.add_class("actorlab-tree-summary")
        self.nodes = W.VBox(
            layout=W.Layout(
                overflow="auto", max_height="460px", width="100%", align_items="flex-start"
            )
        )
        self.nodes.add_class("actorlab-tree")
        self.widget = W.VBox(
            [self.filter, self.summary, self.nodes], layout=W.Layout(width="36%", min_width="260px")
        )
        self.buttons: dict[ActorId, W.Button] = {}
        self._state: dict[ActorId, tuple[str, Status, int, bool]] = {}
        self._key: tuple[tuple[ActorId, int], ...] | None = None
        self._layouts: dict[int, W.Layout] = {}
        self._styles: dict[tuple[Status, bool], W.ButtonStyle] = {}
        self._pending: set[ActorId] = set()  # nodes to restyle (selection moved)
        self.rebuilds = 0  # how often the children tuple was replaced (tests, benchmark)

    # -- shared layout/style objects ---------------------------------------------------------
    def _layout(self, depth: int) -> W.Layout:
        lay = self._layouts.get(depth)
        if lay is None:
            lay = self._layouts[depth] = W.Layout(
                width="auto", height="26px", margin=f"1px 0 1px {depth * INDENT_PX}px"
            )
        return lay

    def _style(self, status: Status, selected: bool) -> W.ButtonStyle:
        key = (status, selected)
        style = self._styles.get(key)
        if style is None:
            style = self._styles[key] = W.ButtonStyle(
                button_color=STATUS_COLOURS[status],
                font_weight="bold" if selected else "normal",
                text_decoration="underline" if selected else "none",
            )
        return style

    # -- updates -------------------------------------------------------------------------------
    def _button(self, actor: ActorId, depth: int, status: Status, selected: bool) -> W.Button:
        btn = self.buttons.get(actor)
        if btn is None:  # pass layout and style: no per-button default Layout/Style models
            btn = W.Button(layout=self._layout(depth), style=self._style(status, selected))
            btn.add_class("actorlab-node")
            btn.on_click(lambda _b, a=actor: self.on_select(a))
            self.buttons[actor] = btn
        return btn

    def visible_rows(self, rows: Sequence[TreeRow]) -> list[TreeRow]:
        text = self.filter.value.strip().lower()
        if text:
            rows = [
                r
                for r in rows
                if text in r.info.label.lower()
                or text in r.info.path.lower()
                or text in r.info.actor_type.lower()
            ]
        return list(rows[: self.max_nodes])

    def _apply(self, row: TreeRow) -> None:
        """Relabel/restyle one node if what it shows changed."""
        info = row.info
        sel = info.id == self.selected
        state = (node_text(info), info.status, row.depth, sel)
        old = self._state.get(info.id)
        if old == state:
            return
        btn = self._button(info.id, row.depth, info.status, sel)
        if old is None or old[0] != state[0]:
            btn.description = state[0]
            btn.tooltip = f"{info.path} ({info.actor_type})"
        if old is None or old[1:] != state[1:]:
            btn.style = self._style(info.status, sel)
            btn.layout = self._layout(row.depth)
        self._state[info.id] = state

    def update(self, rows: Sequence[TreeRow]) -> None:
        """Show ``rows``: relabel changed nodes, rebuild the children only on structure change."""
        shown = self.visible_rows(rows)
        for row in shown:
            self._apply(row)
        self._pending.clear()
        key = structure_key(shown)
        if key != self._key:
            self._key = key
            self.nodes.children = tuple(self.buttons[r.id] for r in shown)
            self.rebuilds += 1
            live = {r.id for r in rows}
            for actor in [a for a in self.buttons if a not in live]:
                self.buttons.pop(actor).close()
                self._state.pop(actor, None)
        hidden = len(rows) - len(shown)
        more = f" · {hidden} not shown (filter)" if hidden else ""
        self.summary.value = (
            f"<span style='font-size:12px;color:{MUTED}'>{len(rows)} actors{more}</span>"
        )

    def update_changed(self, changed: Sequence[TreeRow], row_of: Any) -> None:
        """Relabel only ``changed`` nodes (and a new/old selection); the shape is unchanged."""
        for row in changed:
            if row.id in self._state:  # shown
                self._apply(row)
        for aid in list(self._pending):
            if aid in self.buttons:
                self._apply(row_of(aid))
        self._pending.clear()

    def text(self, actor: ActorId) -> str:
        """What the node of ``actor`` says."""
        return str(self.buttons[actor].description)

    def shown(self) -> list[ActorId]:
        """Ids of the shown nodes, top to bottom."""
        by_button = {id(b): a for a, b in self.buttons.items()}
        return [by_button[id(b)] for b in self.nodes.children]

    def click(self, actor: ActorId) -> None:
        """What a click on ``actor``'s node does (tests)."""
        self.buttons[actor].click()

    def select(self, actor: ActorId | None) -> None:
        """Mark ``actor`` as selected (restyles the old and new node on the next update)."""
        for a in (self.selected, actor):
            if a is not None:
                self._pending.add(a)
        self.selected = actor

    def close(self) -> None:
        for btn in self.buttons.values():
            btn.close()
        self.buttons.clear()
        for w in [
            *self._layouts.values(),
            *self._styles.values(),
            self.filter,
            self.summary,
            self.nodes,
            self.widget,
        ]:
            w.close()
