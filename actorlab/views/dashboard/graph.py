"""The dashboard's drawn actor tree: one anywidget (an SVG drawn in the browser) for all actors.

The kernel sends plain node records (``nodes``), the browser lays them out and draws them (see
``graph_front``). One widget model however many actors; a frame only re-sends the node list when
what a node shows changed. ``GraphPane`` has the interface of the button tree (``TreePane``),
which stays as the fallback when anywidget is not installed.
"""

from __future__ import annotations

import collections
import json
from collections.abc import Callable, Iterable, Sequence
from html import escape
from typing import Any

import anywidget
import ipywidgets as W
import traitlets as T

from actorlab.ids import ActorId
from actorlab.info import Status
from actorlab.views._fmt import glyph

from .graph_front import CSS, ESM, short_strategy
from .model import TreeRow
from .theme import MUTED, small

_COMPACT: dict[str, Any] = {"separators": (",", ":"), "ensure_ascii": False}
#: At most this many message dots are sent per frame (the browser caps those in flight too).
MAX_FLOWS = 12


class ActorGraph(anywidget.AnyWidget):
    """The SVG tree widget. ``nodes``: records from ``node_record``; ``selected``: a node id."""

    _esm = ESM
    _css = CSS
    #: The node list as one JSON string: ipywidgets walks list/dict state recursively looking
    #: for binary buffers (27 ms for 1000 records); a string it passes through.
    nodes_json = T.Unicode("[]").tag(sync=True)
    #: Changed records only (``{"seq": n, "nodes": [...]}``), between two full lists.
    patch_json = T.Unicode("").tag(sync=True)
    selected = T.Unicode("").tag(sync=True)
    collapsed: T.List[Any] = T.List().tag(sync=True)
    flows = T.Dict().tag(sync=True)
    active: T.List[Any] = T.List().tag(sync=True)

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.nodes: list[dict[str, Any]] = []  # what nodes_json holds, as Python data
        self.pings = 0  # the latest click the browser counted
        self.pongs = 0  # the latest click a dashboard frame has shown the result of
        self.on_ping: Callable[[], None] | None = None
        self.on_msg(self._on_custom)

    def _on_custom(self, _widget: Any, content: Any, _buffers: Any) -> None:
        """A click's ping (any thread: ipykernel 7 handles comm messages during a running cell).

        The answer comes from the next dashboard frame (``acknowledge``), because that is when
        the click's effect shows; a running cell holds the frames back, and until the answer
        arrives the browser shows "kernel busy: N actions queued".
        """
        if isinstance(content, dict) and isinstance(content.get("ping"), int):
            self.pings = max(self.pings, content["ping"])
            if self.on_ping is not None:
                self.on_ping()

    def acknowledge(self) -> None:
        """Answer the clicks seen so far (a frame ran on the kernel's thread)."""
        if self.pings > self.pongs:
            self.pongs = self.pings
            self.send({"pong": self.pongs})


def node_record(
    row: TreeRow, sup: bool | None = None, sid: Callable[[ActorId], str] = str
) -> dict[str, Any]:
    """What the browser needs to draw one node (short keys: sent for every actor).

    ``sup``: whether it supervises children (default: it has some); ``sid``: id to text.
    """
    info = row.info
    if sup is None:
        sup = bool(info.children)
    return {
        "id": sid(info.id),
        "p": sid(info.parent) if info.parent is not None else "",
        "l": info.label,
        "t": info.actor_type,
        "path": info.path,
        "s": info.status.value,
        "m": info.mailbox,
        "r": info.restarts,
        "u": int(getattr(info, "upgrades", 0) or 0),
        "f": info.failures,
        "k": "sup" if sup else "wrk",
        "g": short_strategy(info.supervisor) if sup else "",
    }


class GraphPane:
    """A filterable drawn tree; ``on_select(actor_id)`` runs when a node is clicked."""

    def __init__(self, on_select: Callable[[ActorId], None], max_nodes: int = 1000) -> None:
        self.on_select = on_select
        self.max_nodes = max_nodes
        self.selected: ActorId | None = None
        # width auto + box-sizing: a 100% wide Text with padding overflowed its box (clipped).
        self.filter = W.Text(
            placeholder="filter: name, path or type", layout=W.Layout(width="auto", flex="0 0 auto")
        )
        self.filter.add_class("actorlab-filter")
        self.summary = W.HTML()
        self.summary.add_class("actorlab-tree-summary")
        self.graph = ActorGraph()
        self.graph.add_class("actorlab-tree")
        self.graph.observe(self._on_graph_select, names="selected")
        self.widget = W.VBox(
            [self.filter, self.summary, self.graph],
            layout=W.Layout(width="40%", min_width="300px", padding="0 4px 0 0"),
        )
        self._records: dict[ActorId, dict[str, Any]] = {}
        self._ids: dict[str, ActorId] = {}
        self._shown: list[ActorId] = []
        self._key: tuple[Any, ...] | None = None
        self._processed: dict[ActorId, int] = {}
        self._flows: collections.deque[tuple[str, str]] = collections.deque(maxlen=200)
        self._flow_seq = 0
        self._sids: dict[ActorId, str] = {}  # str(ActorId) formats a UUID: ~8 us, so cached
        self._parents: set[ActorId] = set()  # actors with children among the rows
        self._patch_seq = 0
        self.rebuilds = 0  # structure changes (actors appeared, disappeared or moved)
        self.sends = 0  # node lists sent to the browser

    # -- what is shown -------------------------------------------------------------------------
    def visible_rows(self, rows: Sequence[TreeRow]) -> list[TreeRow]:
        """Rows matching the filter, plus their ancestors (so the edges still lead somewhere)."""
        text = self.filter.value.strip().lower()
        if not text:
            return list(rows[: self.max_nodes])
        by_id = {r.id: r for r in rows}
        keep: set[ActorId] = set()
        for r in rows:
            info = r.info
            if (
                text in info.label.lower()
                or text in info.path.lower()
                or text in info.actor_type.lower()
            ):
                aid: ActorId | None = r.id
                while aid is not None and aid not in keep and aid in by_id:
                    keep.add(aid)
                    aid = by_id[aid].info.parent
        return [r for r in rows if r.id in keep][: self.max_nodes]

    def matches(self, rows: Sequence[TreeRow]) -> int:
        text = self.filter.value.strip().lower()
        if not text:
            return len(rows)
        return sum(
            1
            for r in rows
            if text in r.info.label.lower()
            or text in r.info.path.lower()
            or text in r.info.actor_type.lower()
        )

    def shown(self) -> list[ActorId]:
        """Ids of the nodes the browser draws, depth-first."""
        return list(self._shown)

    def record(self, actor: ActorId) -> dict[str, Any]:
        """The record sent for ``actor`` (tests)."""
        return self._records[actor]

    def text(self, actor: ActorId) -> str:
        """What the node of ``actor`` says, as one line (the button tree's label)."""
        r = self._records[actor]
        out = f"{glyph(Status(r['s']))} {r['l']}  {r['s']}  ✉{r['m']}"
        if r["r"]:
            out += f"  ↻{r['r']}"
        if r["f"] and not r["r"]:
            out += f"  ✖{r['f']}"
        return out

    # -- updates -------------------------------------------------------------------------------
    def _sid(self, actor: ActorId) -> str:
        sid = self._sids.get(actor)
        if sid is None:
            sid = self._sids[actor] = str(actor)
        return sid

    def _record(self, row: TreeRow) -> dict[str, Any]:
        return node_record(row, row.id in self._parents, self._sid)

    def update(self, rows: Sequence[TreeRow]) -> None:
        """Show ``rows`` (all of them: the structure may have changed)."""
        shown = self.visible_rows(rows)
        self._parents = {r.info.parent for r in rows if r.info.parent is not None}
        live = {r.id for r in rows}
        if len(self._sids) > 2 * len(live) + 100:
            self._sids = {a: s for a, s in self._sids.items() if a in live}
        self._records = {r.id: self._record(r) for r in shown}
        self._ids = {self._sid(a): a for a in self._records}
        key = tuple((r.id, r.info.parent) for r in shown)
        if key != self._key:
            self._key = key
            self.rebuilds += 1
        self._shown = [r.id for r in shown]
        self._send()
        self._summary(rows, shown)

    def update_changed(self, changed: Iterable[TreeRow], row_of: Any) -> None:
        """Re-send only if what a shown node displays changed (same structure)."""
        dirty: list[dict[str, Any]] = []
        records = self._records
        for row in changed:
            old = records.get(row.id)
            if old is not None:
                info = row.info
                rec = dict(old)  # the same actor in the same place: only the counts move
                rec["s"] = info.status.value
                rec["m"] = info.mailbox
                rec["r"] = info.restarts
                rec["f"] = info.failures
                rec["u"] = int(getattr(info, "upgrades", 0) or 0)
                rec["l"] = info.label
                if rec != old:
                    records[row.id] = rec
                    dirty.append(rec)
        if not dirty:
            return
        if len(dirty) * 3 > len(self._shown):  # most of the tree: one full list is cheaper
            self._send()
            return
        self.graph.nodes = [records[a] for a in self._shown]
        self._patch_seq += 1
        self.graph.patch_json = json.dumps({"seq": self._patch_seq, "nodes": dirty}, **_COMPACT)
        self.sends += 1

    def show_records(self, records: list[dict[str, Any]]) -> None:
        """Draw ``records`` as they are (a replayed moment); the next ``update`` goes back."""
        for r in records:
            if r["id"] not in self._ids:
                self._ids[r["id"]] = ActorId(r["id"])
        self._records = {self._ids[r["id"]]: r for r in records}
        self._shown = [self._ids[r["id"]] for r in records]
        self._key = None
        self._send()

    def _send(self) -> None:
        nodes = [self._records[a] for a in self._shown]
        self.graph.nodes = nodes
        self.graph.nodes_json = json.dumps(nodes, **_COMPACT)
        self.sends += 1

    def _summary(self, rows: Sequence[TreeRow], shown: Sequence[TreeRow]) -> None:
        n = len(rows)
        text = f"{n} actor{'s' if n != 1 else ''}"
        hidden = n - len(shown)
        if hidden > 0:
            why = "filter" if self.filter.value.strip() else f"max_nodes={self.max_nodes}"
            text += f" · {hidden} not shown ({why})"
        if self.filter.value.strip():
            text += f" · {self.matches(rows)} match"
        self.summary.value = small(escape(text), colour=MUTED)

    def note_activity(self, processed: dict[ActorId, int]) -> None:
        """Pulse the nodes whose processed count grew since the previous frame."""
        prev = self._processed
        active = [
            str(a) for a, n in processed.items() if a in self._records and prev.get(a, n) != n
        ]
        self._processed = processed
        if active:
            self.graph.active = active[:200]

    def add_flow(self, src: ActorId | None, dst: ActorId | None) -> None:
        """Queue a message dot from ``src`` (None: the notebook) to ``dst``; any thread."""
        if dst is not None:
            self._flows.append((str(src) if src is not None else "", str(dst)))

    def send_flows(self) -> None:
        """Animate the queued messages (at most ``MAX_FLOWS`` distinct pairs per frame)."""
        if not self._flows:
            return
        pairs: dict[tuple[str, str], int] = {}
        while self._flows and len(pairs) < MAX_FLOWS:
            pair = self._flows.popleft()
            pairs[pair] = pairs.get(pair, 0) + 1
        self._flows.clear()  # the rest is dropped: a frame animates a sample, not every message
        self._flow_seq += 1
        self.graph.flows = {
            "seq": self._flow_seq,
            "items": [[s, d, n] for (s, d), n in pairs.items()],
        }

    # -- selection -----------------------------------------------------------------------------
    def _on_graph_select(self, change: dict[str, Any]) -> None:
        aid = self._ids.get(change["new"])
        if aid is not None and aid != self.selected:
            self.on_select(aid)

    def click(self, actor: ActorId) -> None:
        """What a click on ``actor``'s node does (tests)."""
        self.graph.selected = str(actor)

    def select(self, actor: ActorId | None) -> None:
        self.selected = actor
        value = str(actor) if actor is not None else ""
        if self.graph.selected != value:
            self.graph.selected = value

    def collapse(self, actor: ActorId, collapsed: bool = True) -> None:
        ids = [i for i in self.graph.collapsed if i != str(actor)]
        self.graph.collapsed = [*ids, str(actor)] if collapsed else ids

    def acknowledge(self) -> None:
        self.graph.acknowledge()

    def close(self) -> None:
        for w in (self.filter, self.summary, self.graph, self.widget):
            w.close()
