"""The dashboard's Trace tab: record a trace, then slide through it in time.

"record" starts an ``al.trace()``; "stop" ends it and loads it (``Dashboard.replay(trace)`` loads
any captured trace). Moving the time slider redraws the tree, the selected actor's mailbox and
its state diff as they were at that moment (``replay.Replay``); "back to live" leaves the replay.
The diagram below the slider marks the row of the chosen moment.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as W

from actorlab.ids import ActorId

from .graph_front import short_strategy
from .model import note
from .replay import Moment, Replay, StateSamples, describe
from .theme import MUTED


class TraceTab:
    """Widgets of the Trace tab; ``on_change()`` asks the dashboard to redraw."""

    def __init__(self, on_change: Callable[[], None]) -> None:
        self.on_change = on_change
        self.record_btn = W.ToggleButton(
            value=False, description="record", icon="circle", tooltip="record a trace"
        )
        self.record_btn.add_class("actorlab-record")
        self.live_btn = W.Button(
            description="back to live", icon="play", tooltip="leave the replay", disabled=True
        )
        self.live_btn.add_class("actorlab-live")
        self.slider = W.IntSlider(
            value=0,
            min=0,
            max=0,
            description="time",
            disabled=True,
            continuous_update=True,
            readout=False,
            layout=W.Layout(width="min(520px, 100%)"),
        )
        self.slider.add_class("actorlab-time-slider")
        self.readout = W.HTML(note("Record a trace (or dash.replay(t)) to slide through it."))
        self.readout.add_class("actorlab-time-readout")
        self.diagram = W.HTML()
        self.diagram.add_class("actorlab-trace-pane")
        self.widget = W.VBox(
            [
                W.HBox([self.record_btn, self.live_btn]),
                self.slider,
                self.readout,
                self.diagram,
            ]
        )
        self.replay: Replay | None = None
        self.trace: Any = None
        self.samples = StateSamples()
        self.recording: Any = None  # the al.trace() being recorded
        self.replaying = False
        self.record_btn.observe(self._on_record, names="value")
        self.live_btn.on_click(lambda _b: self.leave())
        self.slider.observe(self._on_slide, names="value")

    # -- recording -----------------------------------------------------------------------------
    def _on_record(self, change: dict[str, Any]) -> None:
        import actorlab as al

        if change["new"]:
            self.samples = StateSamples()
            self.recording = al.trace(settle=0).start()
            self.record_btn.description = "stop"
            self.record_btn.icon = "stop"
            self.readout.value = note("Recording: every message the actors exchange is kept.")
        else:
            trace, self.recording = self.recording, None
            self.record_btn.description = "record"
            self.record_btn.icon = "circle"
            if trace is not None:
                trace.stop()
                self.load(trace, parents_from_runtime())
        self.on_change()

    def sample(self, actor: ActorId, t: float, processed: int, preview: Any) -> None:
        """A state preview seen by a dashboard frame (kept while recording)."""
        if self.recording is not None:
            self.samples.add(actor, t, processed, preview)

    # -- replay --------------------------------------------------------------------------------
    def load(self, trace: Any, parents: dict[ActorId, ActorId | None]) -> None:
        """Slide over ``trace`` (an ``al.trace()`` result)."""
        self.trace = trace
        self.replay = Replay(trace.events, trace.labels, parents)
        steps = self.replay.steps
        self.slider.max = max(steps - 1, 0)
        self.slider.disabled = steps == 0
        self.live_btn.disabled = steps == 0
        self.replaying = steps > 0
        if self.slider.value != self.slider.max:
            self.slider.value = self.slider.max  # starts at the end: what the trace left
        self._draw()

    def _on_slide(self, _change: dict[str, Any]) -> None:
        if self.replay is not None:
            self.replaying = True
            self.live_btn.disabled = False
            self._draw()
            self.on_change()

    def leave(self) -> None:
        self.replaying = False
        self.live_btn.disabled = True
        self.on_change()

    def moment(self) -> Moment | None:
        if not self.replaying or self.replay is None:
            return None
        return self.replay.at(self.slider.value)

    def state_at(self, actor: ActorId, moment: Moment) -> Any:
        assert self.replay is not None
        return self.samples.at(actor, self.replay.t0 + moment.t)

    def _draw(self) -> None:
        from actorlab.trace import render, svg

        replay = self.replay
        if replay is None:
            return
        if not replay.steps:
            self.readout.value = note("The trace recorded no events.")
            self.diagram.value = ""
            return
        m = replay.at(self.slider.value)
        self.readout.value = (
            f"<div style='font-size:12px;color:{MUTED}'>t = +{m.t * 1000:.1f} ms · event "
            f"{m.step + 1}/{replay.steps}: <b>{escape(describe(m.event, replay.labels))}</b></div>"
        )
        diagram = self.trace.diagram()
        row = render.row_of_seq(diagram, m.event.seq) if m.event is not None else None
        self.diagram.value = (
            "<div style='overflow:auto;max-height:360px;max-width:100%'>"
            + svg.to_svg(diagram, prefix="replay", highlight=row)
            + "</div>"
        )

    def close(self) -> None:
        if self.recording is not None:
            self.recording.stop()
            self.recording = None


def parents_from_runtime() -> dict[ActorId, ActorId | None]:
    from actorlab.runtime import peek_runtime

    rt = peek_runtime()
    if rt is None:
        return {}
    return {c.id: c.parent.id for c in list(rt.cells.values())}


def moment_records(
    moment: Moment, labels: dict[ActorId, str], infos: dict[ActorId, Any]
) -> list[dict[str, Any]]:
    """Node records (``graph.node_record``'s shape) of the tree at ``moment``, depth-first."""
    kids: dict[ActorId | None, list[ActorId]] = {}
    for actor, parent in moment.parents.items():
        kids.setdefault(parent if parent in moment.parents else None, []).append(actor)
    out: list[dict[str, Any]] = []
    stack = list(reversed(kids.get(None, [])))
    while stack:
        actor = stack.pop()
        info = infos.get(actor)
        children = kids.get(actor, [])
        parent = moment.parents.get(actor)
        status = moment.statuses.get(actor)
        out.append(
            {
                "id": str(actor),
                "p": str(parent) if parent is not None else "",
                "l": labels.get(actor, f"#{actor.short}"),
                "t": info.actor_type if info is not None else "?",
                "path": info.path if info is not None else labels.get(actor, ""),
                "s": status.value if status is not None else "idle",
                "m": moment.mailboxes.get(actor, 0),
                "r": 0,
                "u": 0,
                "f": 0,
                "k": "sup" if children else "wrk",
                "g": short_strategy(info.supervisor) if info is not None and children else "",
            }
        )
        stack.extend(reversed(children))
    return out
