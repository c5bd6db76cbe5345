"""What a dashboard frame draws in the details panes (a mixin of ``Dashboard``).

Only the visible tab is drawn. A stopped actor's panes say "stopped"; while the Trace tab's time
slider shows a moment, the panes show the actor as it was then.
"""

from __future__ import annotations

import dataclasses
import time
from html import escape
from typing import Any

from actorlab.info import ActorInfo, MessagePreview, Status
from actorlab.observe import dead_letters
from actorlab.views._fmt import glyph

from . import snapshots as dashboard_snapshots
from .history import sparkline
from .layout import TABS
from .model import info_html, log_html, mailbox_html, messages_html, note, state_html
from .theme import MUTED, WARN

STATE_TAB = TABS.index("State")
SNAPSHOT_TAB = TABS.index("Snapshots")
MESSAGES_TAB = TABS.index("Messages")
TOP_TAB = TABS.index("Top")


class Panes:
    """Pane rendering; the host provides the widgets and the frame's data."""

    tabs: Any
    tree: Any
    trace_tab: Any
    top_tab: Any
    history: Any
    _labels: dict[Any, str]
    _selected_info: ActorInfo | None
    _last_detail: ActorInfo | None
    _handled: Any
    _log: Any
    _quiet: Any
    _state: Any
    _update_buttons: Any
    heading: Any
    info_pane: Any
    log_pane: Any
    mailbox_pane: Any
    messages_pane: Any
    recording: Any
    snapshot_pane: Any
    snapshot_pick: Any
    state_pane: Any
    step_info: Any
    title: Any

    def _render(self, frame: Any, detail: ActorInfo | None, diff: Any) -> None:
        n_dead = len(frame.rt.dead_letters)
        extra = ""
        if self.recording:
            extra += f" · <span style='color:{WARN}'>recording messages</span>"
        if self.trace_tab.recording is not None:
            extra += (
                f" · <span style='color:{WARN}' class='actorlab-tracing'>recording a trace</span>"
            )
        self.title.value = (
            f"<b>actorlab</b> dashboard · {frame.n_actors} actors · {n_dead} dead letters{extra}"
        )
        if self.tabs.selected_index == TOP_TAB and self.top_tab.due():
            infos = [c.info() for c in list(frame.rt.cells.values()) if c.status.alive]
            self.top_tab.render(infos, self.history)
        if detail is None:
            self._render_gone()
            return
        self._selected_info = detail
        self._last_detail = detail
        self.trace_tab.sample(
            detail.id, time.perf_counter(), detail.processed, detail.state_preview
        )
        moment = self.trace_tab.moment()
        if moment is not None:
            self._render_moment(detail, moment)
            return
        queued = f"✉{detail.mailbox} queued" if detail.mailbox else "mailbox empty"
        self.step_info.value = (
            f"<span style='font-size:12px;color:{MUTED};padding-left:8px'>{queued} · "
            f"{escape(detail.status.value)}</span>"
        )
        self.heading.value = (
            f"<b class='actorlab-selected'>{glyph(detail.status)} "
            f"{escape(detail.label)}</b> <span style='color:{MUTED}'>"
            f"{escape(detail.actor_type)} · {detail.status.value}</span>"
        )
        diffs, between = self._state.observe(detail)  # every frame: keeps "previous" right
        tab = self.tabs.selected_index  # only the visible tab is drawn
        if tab == TABS.index("Info"):
            self.info_pane.value = info_html(
                detail, self._labels, spark=sparkline(self.history.of(detail.id))
            )
        elif tab == TABS.index("Mailbox"):
            dead = [d for d in dead_letters() if d.actor == detail.id]
            self.mailbox_pane.value = mailbox_html(detail, detail.mailbox_preview, dead)
        elif tab == STATE_TAB:
            self.state_pane.value = state_html(diffs, between)
        elif tab == SNAPSHOT_TAB:
            self._render_snapshots(frame, detail, diff)
        elif tab == MESSAGES_TAB:
            self.messages_pane.value = messages_html(
                list(self._handled.get(detail.id, ())), self._labels, self.recording
            )
        elif tab == TABS.index("Log"):
            self.log_pane.value = log_html(self._log.for_actor(detail.id))
        self._state.forget(self._labels)
        for gone in [a for a in list(self._handled) if a not in self._labels]:
            self._handled.pop(gone, None)
        self._update_buttons()

    def _render_gone(self) -> None:
        """No live actor selected: a stopped one's panes say "stopped", not its last status."""
        last = self._last_detail
        if self.tree.selected is not None and self.tree.selected not in self._labels:
            self.heading.value = note("The selected actor has stopped.")
            if last is not None and last.id == self.tree.selected:
                gone = dataclasses.replace(
                    last, status=Status.STOPPED, mailbox=0, current_handler=None
                )
                self.info_pane.value = info_html(gone, self._labels)
                self.mailbox_pane.value = mailbox_html(gone, (), [])
                self.step_info.value = (
                    f"<span style='font-size:12px;color:{MUTED};padding-left:8px'>stopped</span>"
                )
        elif self.tree.selected is None:
            self.heading.value = note("No actors yet: spawn one with al.root().spawn(...).")
            self.step_info.value = ""
        self._selected_info = None
        self._update_buttons()

    def _render_moment(self, detail: ActorInfo, moment: Any) -> None:
        """The selected actor as the trace saw it at the slider's moment."""
        status = moment.statuses.get(detail.id, Status.STOPPED)
        queued = moment.queued.get(detail.id, [])
        when = f"+{moment.t * 1000:.1f} ms"
        self.heading.value = (
            f"<b class='actorlab-selected'>{glyph(status)} {escape(detail.label)}</b> "
            f"<span style='color:{WARN}' class='actorlab-replaying'>replay at {when} · "
            f"{status.value}</span>"
        )
        self.step_info.value = (
            f"<span style='font-size:12px;color:{MUTED};padding-left:8px'>"
            f"✉{len(queued)} queued at {when}</span>"
        )
        at_moment = dataclasses.replace(
            detail, status=status, mailbox=len(queued), current_handler=None
        )
        tab = self.tabs.selected_index
        if tab == TABS.index("Mailbox"):
            previews = tuple(
                MessagePreview(i, "tell", r.split("(", 1)[0], r, None, time.time())
                for i, r in enumerate(queued)
            )
            self.mailbox_pane.value = mailbox_html(at_moment, previews, [])
        elif tab == STATE_TAB:
            state = self.trace_tab.state_at(detail.id, moment)
            if state is None:
                self.state_pane.value = note(
                    "No state was sampled for this actor by then (the dashboard samples the "
                    "selected actor while it records a trace)."
                )
            else:
                self.state_pane.value = state_html(*state)
        elif tab == TABS.index("Info"):
            self.info_pane.value = info_html(at_moment, self._labels)
        self._selected_info = at_moment
        self._update_buttons()

    def _render_snapshots(self, frame: Any, detail: ActorInfo, diff: Any) -> None:
        view = dashboard_snapshots.view(
            detail, frame.entries, frame.entries_error, frame.loaded, diff
        )
        self._quiet = True  # setting options moves the value: no refresh from inside a refresh
        try:
            if tuple(self.snapshot_pick.options) != view.options:
                self.snapshot_pick.options = view.options
            if frame.pick is not None and self.snapshot_pick.value != frame.pick:
                self.snapshot_pick.value = frame.pick
        finally:
            self._quiet = False
        self.snapshot_pick.disabled = not view.options
        self.snapshot_pane.value = view.html
