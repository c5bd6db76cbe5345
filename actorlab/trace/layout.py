"""Lay out a list of runtime ``Event``s as a sequence diagram: lanes, rows, activations, waits.

This module is pure and notebook-free (no rich, no IPython). ``layout`` builds a ``Diagram``;
``text.to_text``, ``mermaid.to_mermaid`` and ``svg.to_svg`` render it. Everything is a function
of ``(events, labels)``, so the output is deterministic and golden-testable.

Drawing conventions (UML / Kino.Process): the notebook is the ``self`` lane; tell = open
arrowhead, ask = filled arrowhead with ``#id``, reply = dashed arrow back, fail = red ✖,
restart = green ↻, spawn = arrow to a new lane that starts at that row, stop = lane ends with ■,
dead letter = arrow to a ``dead letters`` pseudo-lane.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from ..events import Event
from ..ids import ActorId

#: Lane key of the notebook/script (events whose ``src``/``dst`` is ``None``).
SELF = "self"
#: Lane key of the dead-letter pseudo-lane.
DEAD = "dead letters"
#: Lane key of the lane that collects actors beyond ``max_lanes``.
OTHERS = "others"

LaneKey = ActorId | str
#: Kinds drawn as an arrow between two lanes.
ARROW_KINDS = frozenset({"tell", "ask", "reply", "spawn", "dead_letter", "escalate"})
#: Kinds drawn as a mark on one lane.
MARK_KINDS = frozenset({"fail", "restart", "stop", "pause", "resume", "snapshot", "upgrade"})

_MARK_GLYPH = {
    "fail": "✖",
    "restart": "↻",
    "stop": "■",
    "pause": "‖",  # not ⏸ or 💾: stock fonts lack them (they drew as empty boxes)
    "resume": "▶",
    "snapshot": "◆",
    "upgrade": "⇪",  # live code: the actor took on its redefined class
}


@dataclass(frozen=True)
class Lane:
    """One lifeline. ``start``/``end`` are row indexes (None: from the top / to the bottom)."""

    index: int
    key: LaneKey
    label: str
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class Row:
    """One drawn line of the diagram: an arrow (``dst`` set) or a mark on lane ``src``."""

    index: int
    kind: str
    src: int
    dst: int | None
    label: str  # short text drawn on the arrow or next to the mark
    text: str  # full description (tooltip, text ladder)
    seq: int  # seq of the first event of the row
    count: int = 1  # identical consecutive rows collapsed into this one
    error: bool = False


@dataclass(frozen=True)
class Activation:
    """A handler running on ``lane`` from row position ``start`` to ``end`` (fractional rows)."""

    lane: int
    start: float
    end: float
    label: str
    ok: bool


@dataclass(frozen=True)
class Wait:
    """An asker waiting for its reply, on ``lane`` from row position ``start`` to ``end``.

    ``outcome``: ``"replied"``, ``"timeout"`` (the asker's handler ended before the reply came:
    the ask timed out; a reply after that is marked late) or ``"open"`` (no reply in the trace).
    """

    lane: int
    start: float
    end: float
    ms: float | None
    outcome: str
    label: str
    ask_id: int


@dataclass(frozen=True)
class Diagram:
    """Everything the renderers need, already laid out."""

    lanes: tuple[Lane, ...]
    rows: tuple[Row, ...]
    activations: tuple[Activation, ...] = ()
    notice: str | None = None
    events: int = 0  # how many events went in
    title: str | None = None
    waits: tuple[Wait, ...] = ()


MessageLabel = Callable[[Event], "str | None"]


@dataclass(frozen=True)
class HandledInfo:
    """What a ``handled`` event says: outcome and handler duration."""

    ok: bool
    ms: float | None
    outcome: str


_MS_RE = re.compile(r"(-?\d+(?:\.\d+)?)\s*ms")


def handled_info(ev: Event) -> HandledInfo:
    """Parse a ``handled`` event's ``detail`` (``"ok 0.12ms"``, ``"error ValueError 3.1ms"``)."""
    detail = (ev.detail or "").strip()
    m = _MS_RE.search(detail)
    ms = float(m.group(1)) if m else None
    word = detail.split(maxsplit=1)[0].lower() if detail else "ok"
    ok = word not in {"error", "failed", "fail", "err"}
    outcome = _MS_RE.sub("", detail).strip() or ("ok" if ok else "error")
    return HandledInfo(ok, ms, outcome)


def shorten(text: str, width: int) -> str:
    """``text`` cut to ``width`` characters with an ellipsis."""
    text = " ".join(text.split())
    if width <= 1:
        return text[:width]
    return text if len(text) <= width else text[: width - 1] + "…"


def default_message_label(ev: Event) -> str:
    """The repr of the message when it is short, else its type name."""
    repr_ = ev.msg_repr or ""
    if repr_ and len(repr_) <= 40:
        return repr_
    return ev.msg_type or repr_ or ev.kind


def actor_of(ev: Event) -> ActorId | None:
    """The actor a single-actor event (fail, restart, stop, ...) is about."""
    return ev.dst if ev.dst is not None else ev.src


def lane_label(key: LaneKey, labels: Mapping[ActorId, str]) -> str:
    """Display label of a lane key."""
    if isinstance(key, ActorId):
        return labels.get(key) or f"#{key.short}"
    return key


class _Builder:
    """Turns events into a ``Diagram`` (one pass; see ``layout``)."""

    def __init__(
        self,
        labels: Mapping[ActorId, str],
        message_label: MessageLabel | None,
        max_lanes: int,
    ) -> None:
        self.labels = labels
        self.message_label = message_label
        self.max_lanes = max(2, max_lanes)
        self.lane_keys: list[LaneKey] = []
        self.lane_index: dict[LaneKey, int] = {}
        self.lane_start: dict[int, int] = {}
        self.lane_end: dict[int, int] = {}
        self.rows: list[Row] = []
        self.row_times: list[float] = []  # time of the first event of each row
        self.row_last_kind_handled = False
        self.handled: list[tuple[Event, int]] = []  # (event, number of rows before it)
        self.asks: dict[int, tuple[Event, int]] = {}  # ask_id -> (ask event, its row)
        self.replies: dict[int, tuple[Event, int]] = {}  # ask_id -> (reply event, its row)

    # -- lanes -------------------------------------------------------------------------------
    def lane(self, key: LaneKey) -> int:
        if key in self.lane_index:
            return self.lane_index[key]
        if len(self.lane_keys) >= self.max_lanes - 1 and key not in (SELF, DEAD):
            key = OTHERS
            if key in self.lane_index:
                return self.lane_index[key]
        idx = len(self.lane_keys)
        self.lane_keys.append(key)
        self.lane_index[key] = idx
        return idx

    def actor_lane(self, actor: ActorId | None) -> int:
        return self.lane(SELF if actor is None else actor)

    # -- rows --------------------------------------------------------------------------------
    def add(
        self,
        ev: Event,
        kind: str,
        src: int,
        dst: int | None,
        label: str,
        text: str,
        error: bool = False,
    ) -> None:
        prev = self.rows[-1] if self.rows else None
        if (
            prev is not None
            and prev.kind == kind
            and prev.src == src
            and prev.dst == dst
            and prev.label == label
            and prev.text == text
            and kind not in ("spawn", "stop")
        ):
            self.rows[-1] = Row(
                prev.index,
                kind,
                src,
                dst,
                label,
                text,
                prev.seq,
                prev.count + 1,
                prev.error or error,
            )
            return
        self.rows.append(Row(len(self.rows), kind, src, dst, label, text, ev.seq, 1, error))
        self.row_times.append(ev.t)

    def feed(self, ev: Event) -> None:
        kind = ev.kind
        if kind == "handled":
            self.handled.append((ev, len(self.rows)))
            return
        if kind in ("tell", "ask", "reply"):
            self.message(ev)
        elif kind == "spawn":
            self.spawn(ev)
        elif kind == "dead_letter":
            self.dead_letter(ev)
        elif kind == "escalate":
            self.escalate(ev)
        elif kind in MARK_KINDS:
            self.mark(ev)

    def message(self, ev: Event) -> None:
        custom = self.message_label(ev) if self.message_label else default_message_label(ev)
        if custom is None:
            return
        src, dst = self.actor_lane(ev.src), self.actor_lane(ev.dst)
        tag = f"#{ev.ask_id} " if ev.ask_id is not None and ev.kind != "tell" else ""
        if ev.kind == "reply":
            error = (ev.detail or "").lower().startswith("error")
            body = custom if not error else (ev.detail or custom)
            label = f"{tag}{body}"
        else:
            error = False
            label = f"{tag}{custom}"
        full = ev.msg_repr or ev.msg_type or ""
        if ev.kind == "reply" and error:
            full = ev.detail or full
        text = f"{ev.kind} {tag}{full}".strip()
        self.add(ev, ev.kind, src, dst, label, text, error)
        if ev.ask_id is not None and ev.kind == "ask":
            self.asks[ev.ask_id] = (ev, len(self.rows) - 1)
        elif ev.ask_id is not None and ev.kind == "reply":
            self.replies[ev.ask_id] = (ev, len(self.rows) - 1)

    def spawn(self, ev: Event) -> None:
        if ev.dst is None:
            return
        src = self.actor_lane(ev.src)
        before = len(self.lane_keys)
        dst = self.actor_lane(ev.dst)
        if len(self.lane_keys) > before:
            self.lane_start[dst] = len(self.rows)
        what = ev.msg_type or "actor"
        name = lane_label(ev.dst, self.labels)
        self.add(ev, "spawn", src, dst, "spawn", f"spawn {name} ({what})")

    def dead_letter(self, ev: Event) -> None:
        src = self.actor_lane(actor_of(ev))
        dst = self.lane(DEAD)
        msg = ev.msg_repr or ev.msg_type or "message"
        reason = f": {ev.detail}" if ev.detail else ""
        self.add(ev, "dead_letter", src, dst, shorten(msg, 40), f"dead letter {msg}{reason}", True)

    def escalate(self, ev: Event) -> None:
        src, dst = self.actor_lane(ev.src), self.actor_lane(ev.dst)
        detail = f": {ev.detail}" if ev.detail else ""
        self.add(ev, "escalate", src, dst, "escalate", f"escalate to supervisor{detail}", True)

    def mark(self, ev: Event) -> None:
        actor = actor_of(ev)
        lane = self.actor_lane(actor)
        kind = ev.kind
        detail = ev.detail or ""
        if kind == "fail":
            what = detail or ev.msg_type or "failed"
            label = what
        elif kind == "restart":
            label = f"restarted ({detail})" if detail else "restarted"
        elif kind == "stop":
            label = detail if "stop" in detail else f"stopped ({detail})" if detail else "stopped"
        elif kind == "upgrade":  # detail: "ok: upgrade #n to ..." or "failed, kept the old code: ..."
            failed = detail.startswith("failed")
            label = f"upgrade failed ({detail.split(': ', 1)[-1]})" if failed else "upgraded"
        else:
            past = {"pause": "paused", "resume": "resumed", "snapshot": "snapshot saved"}[kind]
            label = f"{past} ({detail})" if detail else past
        text = f"{_MARK_GLYPH[kind]} {lane_label(actor or SELF, self.labels)} {label}"
        bad = kind == "fail" or (kind == "upgrade" and label.startswith("upgrade failed"))
        self.add(ev, kind, lane, None, f"{_MARK_GLYPH[kind]} {label}", text, bad)
        if kind == "stop":
            self.lane_end[lane] = len(self.rows) - 1

    # -- activations -------------------------------------------------------------------------
    def activations(self) -> list[Activation]:
        out: list[Activation] = []
        for ev, rows_before in self.handled:
            if ev.dst is None and ev.src is None:
                continue
            actor = ev.dst if ev.dst is not None else ev.src
            if actor not in self.lane_index and len(self.lane_keys) >= self.max_lanes - 1:
                lane = self.lane_index.get(OTHERS)
                if lane is None:
                    continue
            else:
                lane = self.actor_lane(actor)
            info = handled_info(ev)
            end = rows_before - 0.5
            start = end
            if info.ms is not None:
                t0 = ev.t - info.ms / 1000.0
                first = bisect.bisect_left(self.row_times, t0, 0, rows_before)
                start = min(end, first - 0.5) if first < rows_before else end
            label = f"{ev.msg_type or 'handler'}: {info.outcome}"
            if info.ms is not None:
                label += f" {info.ms:.2f} ms"
            out.append(Activation(lane, start, end, label, info.ok))
        return out

    # -- ask waits ---------------------------------------------------------------------------
    def waits(self) -> list[Wait]:
        """How long each ask waited, and which ones timed out.

        An actor asks from inside a handler; if that handler ended before the reply arrived
        (``handled`` on the asker before the ``reply``), the asker stopped waiting: a timeout
        (its ``AskTimeout`` was raised or caught). The reply, if it came at all, came late.
        """
        ends: dict[ActorId, list[tuple[float, int]]] = {}
        for ev, rows_before in self.handled:
            if ev.dst is not None:
                ends.setdefault(ev.dst, []).append((ev.t, rows_before))
        out: list[Wait] = []
        last_row = len(self.rows) - 0.5
        for ask_id, (ask, row) in self.asks.items():
            lane = self.row_lane(row)
            reply = self.replies.get(ask_id)
            handler_end: tuple[float, int] | None = None
            if ask.src is not None:
                handler_end = next((e for e in ends.get(ask.src, []) if e[0] > ask.t), None)
            who = lane_label(ask.dst, self.labels) if ask.dst is not None else "?"
            if handler_end is not None and (reply is None or handler_end[0] < reply[0].t):
                ms = (handler_end[0] - ask.t) * 1000.0
                out.append(
                    Wait(
                        lane,
                        row,
                        handler_end[1] - 0.5,
                        ms,
                        "timeout",
                        f"#{ask_id} timed out after {_secs(ms)}: no reply from {who}",
                        ask_id,
                    )
                )
            elif reply is not None:
                ms = (reply[0].t - ask.t) * 1000.0
                out.append(
                    Wait(
                        lane, row, reply[1], ms, "replied", f"#{ask_id} waited {_secs(ms)}", ask_id
                    )
                )
            else:
                out.append(
                    Wait(lane, row, last_row, None, "open", f"#{ask_id} no reply yet", ask_id)
                )
        return out

    def row_lane(self, row: int) -> int:
        return self.rows[row].src

    def diagram(
        self, n_events: int, notice: str | None, title: str | None, max_rows: int | None
    ) -> Diagram:
        acts = self.activations()
        waits = self.waits()
        late = {w.ask_id for w in waits if w.outcome == "timeout"}
        if late:  # a reply after its asker gave up: nobody was waiting any more
            for ask_id in late & set(self.replies):
                i = self.replies[ask_id][1]
                r = self.rows[i]
                self.rows[i] = Row(
                    r.index,
                    r.kind,
                    r.src,
                    r.dst,
                    r.label + " (late)",
                    r.text + " (late: the asker had timed out)",
                    r.seq,
                    r.count,
                    r.error,
                )
        rows = self.rows
        if max_rows is not None and len(rows) > max_rows:
            cut = f"showing the first {max_rows} of {len(rows)} rows (see to_chrome_trace())"
            notice = f"{notice}; {cut}" if notice else cut
            rows = rows[:max_rows]
            acts = [a for a in acts if a.start < max_rows]
            acts = [
                Activation(a.lane, a.start, min(a.end, max_rows - 0.5), a.label, a.ok) for a in acts
            ]
            waits = [w for w in waits if w.start < max_rows]
            waits = [
                Wait(
                    w.lane, w.start, min(w.end, max_rows - 0.5), w.ms, w.outcome, w.label, w.ask_id
                )
                for w in waits
            ]
        used = {r.src for r in rows} | {r.dst for r in rows if r.dst is not None}
        used |= {a.lane for a in acts} | {w.lane for w in waits} | {0}
        n_lanes = max(used) + 1  # lanes are numbered by first appearance: keep a prefix
        lanes = tuple(
            Lane(i, key, lane_label(key, self.labels), self.lane_start.get(i), self.lane_end.get(i))
            for i, key in enumerate(self.lane_keys[:n_lanes])
        )
        return Diagram(lanes, tuple(rows), tuple(acts), notice, n_events, title, tuple(waits))


def _secs(ms: float) -> str:
    """A wait as text: ``0.42 ms``, ``12.5 ms``, ``1.00 s``."""
    return f"{ms / 1000:.2f} s" if ms >= 1000 else f"{ms:.2f} ms" if ms < 10 else f"{ms:.1f} ms"


def row_of_seq(d: Diagram, seq: int) -> int | None:
    """The row showing the event ``seq`` (the last row that starts at or before it)."""
    seqs = [r.seq for r in d.rows]
    i = bisect.bisect_right(seqs, seq) - 1
    return d.rows[i].index if i >= 0 else None


def layout(
    events: Sequence[Event],
    labels: Mapping[ActorId, str] | None = None,
    *,
    notice: str | None = None,
    title: str | None = None,
    message_label: MessageLabel | None = None,
    max_lanes: int = 12,
    max_rows: int | None = None,
) -> Diagram:
    """Lay out ``events`` (in ``seq`` order) as a sequence diagram.

    Args:
        events: what a trace captured.
        labels: display names of actors (missing ones show as ``#shortid``).
        notice: a line shown under the diagram (e.g. "trace switched off at its limit").
        title: a line shown above the diagram.
        message_label: ``fn(event) -> str | None`` labels message arrows; ``None`` hides the
            row (Kino.Process's ``message_label`` hook). Default: short repr, else type name.
        max_lanes: lanes beyond this are merged into one ``others`` lane.
        max_rows: draw at most this many rows (the notice says how many were left out).
    """
    b = _Builder(labels or {}, message_label, max_lanes)
    b.lane(SELF)
    for ev in sorted(events, key=lambda e: e.seq):
        b.feed(ev)
    return b.diagram(len(events), notice, title, max_rows)
