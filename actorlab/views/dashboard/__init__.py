"""The live dashboard: ``al.dashboard()`` / ``%actor dashboard``.

Layout: the drawn actor tree on the left (an anywidget SVG: supervisors with their strategy,
workers, status colours, mailbox depth, restarts, message flow; the button tree when anywidget
is missing); on the right the selected actor: a step bar (pause / step one message / resume,
visible on every tab), its details in tabs (Info, Mailbox, State, Snapshots, Messages, Log, Top,
Trace; only the visible tab is drawn) and the controls (tell/ask an expression, restart, stop,
inject a fault, save/respawn a snapshot; destructive ones need the "allow destructive actions"
tick). The Trace tab records a trace and slides through it in time.

Thread rules (ARCHITECTURE.md): widgets are written only on the kernel's thread, by a refresher
task on the loop that was running when the dashboard was created. It wakes at most 10 times a
second and redraws only when the runtime changed. Clicks never block: actor operations run on
the runtime loop and report back through a queue. Without a running loop (plain scripts, tests)
call ``refresh_now()``.

Widget callbacks are not processed while another cell is running (ipywidgets limitation): the
drawn tree then shows "kernel busy: N actions queued" until the kernel gets to them.
"""

from __future__ import annotations

import asyncio
import collections
import dataclasses
import time
import weakref
from collections.abc import Callable
from html import escape
from typing import Any

import ipywidgets as W

from actorlab.events import Event
from actorlab.ids import ActorId
from actorlab.info import ActorInfo, MessagePreview, Status
from actorlab.observe import dead_letters
from actorlab.runtime import Runtime, get_runtime, peek_runtime

from . import log as dashboard_log
from . import snapshots as dashboard_snapshots
from .actions import ActionRunner, Outcome, in_loop
from .commands import Commands
from .feed import Feed
from .history import MailboxHistory, sparkline
from .model import (
    StateTracker,
    info_html,
    log_html,
    mailbox_html,
    messages_html,
    note,
    state_html,
)
from .replay_tab import TraceTab, moment_records
from .theme import MUTED, WARN
from .top_tab import TopTab
from .tree import TreePane

#: Short titles: ipywidgets cuts long tab titles ("State & Snapsho").
TABS = ("Info", "Mailbox", "State", "Snapshots", "Messages", "Log", "Top", "Trace")
MESSAGES_TAB = TABS.index("Messages")
STATE_TAB = TABS.index("State")
SNAPSHOT_TAB = TABS.index("Snapshots")
TOP_TAB = TABS.index("Top")
TRACE_TAB = TABS.index("Trace")
#: The kinds of event animated as message dots on the drawn tree.
FLOW_KINDS = frozenset({"tell", "ask", "reply"})
HANDLED_PER_ACTOR = 100
MIN_INTERVAL = 0.1  # seconds: never more than 10 refreshes a second


class _Frame:
    """What one refresh gathered on the kernel's thread before fetching details."""

    def __init__(self, rt: Runtime, n_actors: int, started: float) -> None:
        self.rt = rt
        self.started = started
        self.n_actors = n_actors
        self.aid: ActorId | None = None
        self.entries: list[Any] = []
        self.entries_error: str | None = None
        self.pick: Any = None
        self.loaded: Any = None


def _button(
    description: str, cls: str, tooltip: str = "", style: str = "", icon: str = ""
) -> W.Button:
    """A button with a Font Awesome ``icon`` (glyphs like ⏸ are missing from common fonts)."""
    b = W.Button(
        description=description,
        tooltip=tooltip or description,
        button_style=style,
        icon=icon,
        layout=W.Layout(width="auto", flex="0 0 auto"),
    )
    b.add_class(cls)
    b.add_class("actorlab-action")
    return b


def _set_enabled(b: W.Button, enabled: bool, style: str) -> None:
    """Disabled buttons lose their colour (a red disabled "stop" looked clickable)."""
    b.disabled = not enabled
    b.button_style = style if enabled else ""


def make_tree(kind: str, on_select: Callable[[ActorId], None], max_nodes: int) -> Any:
    """The drawn tree (``"graph"``, needs anywidget) or the button tree (``"buttons"``)."""
    if kind not in ("auto", "graph", "buttons"):
        raise ValueError(f"al.dashboard(tree={kind!r}): use 'auto', 'graph' or 'buttons'")
    if kind != "buttons":
        try:
            from .graph import GraphPane
        except ImportError:
            if kind == "graph":
                raise ImportError(
                    "al.dashboard(tree='graph') needs anywidget; pip install 'actorlab[widgets]'"
                ) from None
        else:
            return GraphPane(on_select, max_nodes)
    return TreePane(on_select, max_nodes)


class Dashboard(Commands):
    """The live view of every actor. Create it with ``al.dashboard()``.

    It displays as its ``widget`` (an ``ipywidgets.VBox``; embed that in your own layouts).

    ``refresh_now()`` redraws immediately (for scripts and tests); ``close()`` stops the
    refresher and unsubscribes from the runtime. ``select(ref_or_name)`` picks an actor.
    """

    def __init__(
        self,
        *,
        interval: float = MIN_INTERVAL,
        max_nodes: int = 1000,
        namespace: dict[str, Any] | None = None,
        storage: Any = None,
        tree: str = "auto",
    ) -> None:
        self.widget = W.VBox()
        self.widget.add_class("actorlab-dashboard")
        self.max_nodes = max_nodes
        self.tree_kind = tree
        self.interval = max(MIN_INTERVAL, float(interval))
        self.namespace = namespace
        self.refreshes = 0  # redraws done (tests, benchmark)
        self.last_frame_seconds = 0.0  # kernel-thread time of the last redraw
        self._closed = False
        self._dirty = True
        self._quiet = False
        self._full_tree = True
        self.feed = Feed()
        self.snapshots = dashboard_snapshots.SnapshotPanel(storage)
        self._seen: tuple[Any, ...] | None = None
        self._queued = -1
        self._selected_info: ActorInfo | None = None
        self._last_detail: ActorInfo | None = None
        self._labels: dict[ActorId, str] = {}
        self._state = StateTracker()
        self._handled: dict[ActorId, collections.deque[Event]] = {}
        self._rt: Runtime | None = None
        self._unsubscribe: Callable[[], None] | None = None
        self._messages_on = False
        self.history = MailboxHistory()
        self._log = dashboard_log.acquire()
        self._loop = in_loop()
        self._kick: asyncio.Event | None = asyncio.Event() if self._loop is not None else None
        self._task: asyncio.Task[None] | None = None
        self.actions = ActionRunner(self._wake)
        self._build()
        self._bind(get_runtime())
        self.refresh_now()
        if self._loop is not None:
            self._task = self._loop.create_task(self._run(), name="actorlab-dashboard")

    # -- layout -------------------------------------------------------------------------------
    def _build(self) -> None:
        self.title = W.HTML("<b>actorlab</b> dashboard")
        self.title.add_class("actorlab-title")
        self.tree = make_tree(self.tree_kind, self._on_select_id, self.max_nodes)
        self.tree.filter.observe(self._on_filter, names="value")
        if hasattr(self.tree, "graph"):
            self.tree.graph.on_ping = self._wake
        self.animate = W.Checkbox(
            value=False,
            description="animate messages",
            indent=False,
            layout=W.Layout(width="auto"),
            tooltip="draw messages moving between actors (records message events: a little slower)",
        )
        self.animate.add_class("actorlab-animate")
        self.animate.observe(lambda _c: self._relisten(), names="value")
        self.heading = W.HTML()
        self.heading.add_class("actorlab-heading")
        self.info_pane = W.HTML()
        self.info_pane.add_class("actorlab-info-pane")
        self.mailbox_pane = W.HTML()
        self.mailbox_pane.add_class("actorlab-mailbox-pane")
        self.state_pane = W.HTML()
        self.state_pane.add_class("actorlab-state-pane")
        self.snapshot_pane = W.HTML(layout=W.Layout(max_width="100%", overflow="auto"))
        self.snapshot_pane.add_class("actorlab-snapshot-pane")
        self.snapshot_pick = W.Dropdown(
            options=[], description="snapshot", layout=W.Layout(width="min(320px, 100%)")
        )
        self.snapshot_pick.observe(self._on_pick, names="value")
        self.messages_pane = W.HTML()
        self.messages_pane.add_class("actorlab-messages-pane")
        self.log_pane = W.HTML()
        self.log_pane.add_class("actorlab-log-pane")
        self.top_tab = TopTab(self._mark_dirty)
        self.trace_tab = TraceTab(self._on_trace_change)

        self.pause_btn = _button("pause", "actorlab-pause", "hold the mailbox", icon="pause")
        self.step_btn = _button(
            "step", "actorlab-step", "process exactly one message", icon="step-forward"
        )
        self.resume_btn = _button("resume", "actorlab-resume", "continue processing", icon="play")
        self.pause_btn.on_click(lambda _b: self._control("pause"))
        self.step_btn.on_click(lambda _b: self._control("step"))
        self.resume_btn.on_click(lambda _b: self._control("resume"))

        self.tabs = W.Tab(
            children=[
                self.info_pane,
                self.mailbox_pane,
                self.state_pane,
                W.VBox([self.snapshot_pick, self.snapshot_pane]),
                self.messages_pane,
                self.log_pane,
                self.top_tab.widget,
                self.trace_tab.widget,
            ],
            layout=W.Layout(max_width="100%"),
        )
        self.tabs.titles = TABS
        self.tabs.add_class("actorlab-tabs")
        self.tabs.observe(self._on_tab, names="selected_index")

        self.expr = W.Text(
            placeholder="message expression, e.g. Add(1)",
            layout=W.Layout(width="260px", max_width="100%"),
        )
        self.expr.add_class("actorlab-expr")
        self.tell_btn = _button(
            "tell", "actorlab-tell", "send the message, don't wait", icon="paper-plane"
        )
        self.ask_btn = _button(
            "ask", "actorlab-ask", "send the message and show the reply", icon="question"
        )
        self.tell_btn.on_click(lambda _b: self._send("tell"))
        self.ask_btn.on_click(lambda _b: self._send("ask"))
        self.restart_btn = _button("restart", "actorlab-restart", style="warning", icon="refresh")
        self.stop_btn = _button("stop", "actorlab-stop", style="danger", icon="stop")
        self.fault_btn = _button("inject fault", "actorlab-fault", style="danger", icon="bolt")
        self.save_btn = _button("save snapshot", "actorlab-save", icon="save")
        self.respawn_btn = _button(
            "respawn from snapshot",
            "actorlab-respawn",
            "stop it, then respawn it from its latest snapshot",
            style="warning",
            icon="history",
        )
        self._styles = {
            self.restart_btn: "warning",
            self.stop_btn: "danger",
            self.fault_btn: "danger",
            self.respawn_btn: "warning",
        }
        self.restart_btn.on_click(lambda _b: self._control("restart"))
        self.stop_btn.on_click(lambda _b: self._control("stop"))
        self.fault_btn.on_click(lambda _b: self._control("inject_fault"))
        self.save_btn.on_click(lambda _b: self._save_snapshot())
        self.respawn_btn.on_click(lambda _b: self._respawn())
        self.destructive = W.Checkbox(
            value=False,
            description="allow destructive actions",
            indent=False,
            layout=W.Layout(width="auto"),
        )
        self.destructive.add_class("actorlab-destructive")
        self.destructive.observe(lambda _c: self._update_buttons(), names="value")
        self.status = W.HTML()
        self.status.add_class("actorlab-status")

        wrap = W.Layout(flex_flow="row wrap")  # buttons wrap instead of being squeezed
        controls = W.VBox(
            [
                W.HBox([self.expr, self.tell_btn, self.ask_btn], layout=wrap),
                W.HBox(
                    [
                        self.restart_btn,
                        self.stop_btn,
                        self.fault_btn,
                        self.save_btn,
                        self.respawn_btn,
                    ],
                    layout=wrap,
                ),
                W.HBox([self.destructive, self.animate], layout=wrap),
            ]
        )
        self.step_info = W.HTML()
        self.step_info.add_class("actorlab-step-info")
        # Step mode stays visible whichever tab is open: step, then watch State change.
        step_bar = W.HBox(
            [self.pause_btn, self.step_btn, self.resume_btn, self.step_info], layout=wrap
        )
        details = W.VBox(
            [self.heading, step_bar, self.tabs, controls],
            layout=W.Layout(flex="1 1 0", min_width="0", padding="0 0 0 12px"),
        )
        self.widget.children = (
            self.title,
            W.HBox([self.tree.widget, details], layout=W.Layout(width="100%")),
            self.status,
        )

    @property
    def destructive_buttons(self) -> tuple[W.Button, ...]:
        return (self.restart_btn, self.stop_btn, self.fault_btn, self.respawn_btn)

    def _update_buttons(self) -> None:
        info = self._selected_info
        alive = info is not None and info.status is not Status.STOPPED and not self.replaying
        allow = bool(self.destructive.value)
        for b in (self.pause_btn, self.step_btn, self.resume_btn, self.tell_btn, self.ask_btn):
            b.disabled = not alive
        self.save_btn.disabled = not (alive and dashboard_snapshots.available())
        for b in self.destructive_buttons:
            _set_enabled(b, alive and allow, self._styles[b])
        _set_enabled(
            self.respawn_btn,
            alive and allow and dashboard_snapshots.available(),
            self._styles[self.respawn_btn],
        )

    @property
    def replaying(self) -> bool:
        """True while the Trace tab's time slider shows a moment of a trace (not the live view)."""
        return self.trace_tab.replaying

    def replay(self, trace: Any) -> None:
        """Slide through ``trace`` (an ``al.trace()`` result) in the Trace tab."""
        from .replay_tab import parents_from_runtime

        self.trace_tab.load(trace, parents_from_runtime())
        self.tabs.selected_index = TRACE_TAB
        self._on_trace_change()

    def _on_trace_change(self) -> None:
        self._full_tree = True
        self._relisten()
        self._mark_dirty()

    # -- runtime binding ----------------------------------------------------------------------
    def _bind(self, rt: Runtime) -> None:
        self._unlisten()
        self._rt = rt
        self._handled.clear()
        for ev in rt.events.snapshot():  # handled messages already in the ring (e.g. a trace)
            self._on_event(ev)
        self._listen(self._wants_messages())

    def _wants_messages(self) -> bool:
        """Per-message events are on while the Messages tab is open or messages are animated."""
        return self.tabs.selected_index == MESSAGES_TAB or bool(self.animate.value)

    def _relisten(self) -> None:
        if self._rt is not None and self._wants_messages() != self._messages_on:
            self._unlisten()
            self._listen(self._wants_messages())

    def _listen(self, messages: bool) -> None:
        """Subscribe to the event ring; ``messages`` also turns per-message events on."""
        assert self._rt is not None
        self._unsubscribe = self._rt.events.subscribe(self._on_event, messages=messages)
        self._messages_on = messages

    def _unlisten(self) -> None:
        unsubscribe, self._unsubscribe = self._unsubscribe, None
        if unsubscribe is not None:
            unsubscribe()
        self._messages_on = False

    def _runtime(self) -> Runtime | None:
        rt = peek_runtime()
        if rt is not None and rt is not self._rt:  # al.reset() made a new runtime
            self._bind(rt)
            self.tree.select(None)
            self._selected_info = None
            self._dirty = True
        return rt

    def _on_event(self, ev: Event) -> None:
        # Any thread (mostly the runtime's): only appends to a bounded deque.
        if ev.kind == "handled" and ev.dst is not None:
            buf = self._handled.get(ev.dst)
            if buf is None:
                buf = self._handled.setdefault(ev.dst, collections.deque(maxlen=HANDLED_PER_ACTOR))
            buf.append(ev)
        elif ev.kind in FLOW_KINDS and self._animating:
            self.tree.add_flow(ev.src, ev.dst)

    @property
    def _animating(self) -> bool:
        return bool(self.animate.value) and hasattr(self.tree, "add_flow")

    @property
    def recording(self) -> bool:
        """True while per-message events are on (the Messages tab is open, or animation)."""
        return self._messages_on

    # -- events from the widgets (kernel's thread) -----------------------------------------------
    def _wake(self) -> None:
        """Ask for a redraw soon; callable from any thread."""
        self._dirty = True
        loop, kick = self._loop, self._kick
        if loop is not None and kick is not None and not loop.is_closed():
            try:
                loop.call_soon_threadsafe(kick.set)
            except RuntimeError:
                pass

    def _mark_dirty(self) -> None:
        self._dirty = True
        if self._loop is None:
            self.refresh_now()
        else:
            self._wake()

    def _on_select_id(self, actor: ActorId) -> None:
        self.tree.select(actor)
        self._selected_info = None
        self._mark_dirty()

    def _on_filter(self, _change: dict[str, Any]) -> None:
        self._full_tree = True
        self._mark_dirty()

    def _on_pick(self, _change: dict[str, Any]) -> None:
        if not self._quiet:
            self._mark_dirty()

    def _on_tab(self, _change: dict[str, Any]) -> None:
        self._relisten()
        self._mark_dirty()

    def select(self, actor: Any) -> None:
        """Show ``actor`` (a ref, an ``ActorId`` or a name) in the details pane."""
        if isinstance(actor, str):
            from actorlab import lookup

            actor = lookup(actor)
        aid = actor if isinstance(actor, ActorId) else actor.id
        self._on_select_id(aid)

    @property
    def selected(self) -> ActorId | None:
        return self.tree.selected

    # -- actions -------------------------------------------------------------------------------
    # -- refresh -------------------------------------------------------------------------------
    async def _run(self) -> None:
        """The refresher: at most every ``interval`` seconds, and only when something changed."""
        kick = self._kick
        assert kick is not None
        last = cost = 0.0
        loop = asyncio.get_running_loop()
        while not self._closed:
            try:
                await asyncio.wait_for(kick.wait(), self.interval)
            except asyncio.TimeoutError:
                pass
            kick.clear()
            # At most every `interval`, and slower when frames are expensive (a frame may use
            # at most ~5% of the kernel's time: the actors share the GIL with it).
            gap = last + max(self.interval, 20 * cost) - loop.time()
            if gap > 0:
                await asyncio.sleep(gap)  # rate limit, not synchronisation
            if self._closed:
                break
            last = loop.time()
            try:
                await self._refresh()
            except Exception as exc:  # keep refreshing; show what went wrong
                self._show(Outcome("dashboard refresh", False, f"{type(exc).__name__}: {exc}"))
            cost = self.last_frame_seconds

    def _changed(self, rt: Runtime) -> bool:
        """Cheap: did the runtime's version, dead letters, logs or queued messages change?

        (The core's ``version`` does not count enqueued messages, so when it is unchanged the
        queued total is compared too: a paused actor's mailbox growing must show up.)
        """
        sig = (id(rt), rt.version, len(rt.dead_letters), self._log.version)
        queued = sum([len(c.mailbox) for c in list(rt.cells.values())])
        if sig != self._seen or queued != self._queued:
            self._seen, self._queued = sig, queued
            return True
        return False

    def refresh_now(self) -> None:
        """Redraw now, on the calling thread (blocks briefly for the selected actor's details)."""
        self._dirty = True
        frame = self._begin()
        if frame is not None:
            self._finish(frame, self._detail_sync(frame))

    async def _refresh(self) -> None:
        frame = self._begin()
        if frame is not None:
            self._finish(frame, await self._detail_async(frame))

    def _begin(self) -> _Frame | None:
        """Show finished actions; redraw the tree if something changed (else return None)."""
        for outcome in self.actions.drain():
            self._show(outcome)
            self._dirty = True
        rt = self._runtime()
        if self._closed:
            return None
        if rt is None:
            self.heading.value = note("The actorlab runtime is not running (al.root() starts it).")
            return None
        started = time.perf_counter()
        if self._animating:
            self.tree.send_flows()
        if hasattr(self.tree, "acknowledge"):
            self.tree.acknowledge()  # the browser's "kernel busy" ends with this frame
        if not self._changed(rt) and not self._dirty:
            return None
        self._dirty = False
        feed = self.feed
        changed = feed.poll(rt)
        if changed is None or changed:
            self._labels = feed.labels()
        rows = feed.rows
        if self.tree.selected is None and rows:
            self.tree.select(rows[0].id)
        self.history.sample(rows)
        moment = self.trace_tab.moment()
        with self.widget.hold_sync():
            if moment is not None and hasattr(self.tree, "show_records"):
                labels = {**self.trace_tab.replay.labels, **self._labels}  # type: ignore[union-attr]
                self.tree.show_records(moment_records(moment, labels, feed.infos))
                self._full_tree = True  # back to live: redraw everything
            elif changed is None or self._full_tree:
                self.tree.update(rows)
                self._full_tree = False
            else:
                self.tree.update_changed([feed.row(a) for a in changed], feed.row)
            if moment is None and hasattr(self.tree, "note_activity"):
                self.tree.note_activity({c.id: c.processed for c in list(rt.cells.values())})
        frame = _Frame(rt, len(rows), started)
        aid = self.tree.selected
        if aid is not None and aid in self._labels:
            frame.aid = aid
            if self.tabs.selected_index == SNAPSHOT_TAB and dashboard_snapshots.available():
                self._snapshot_frame(frame, feed.infos[aid])
        return frame

    def _snapshot_frame(self, frame: _Frame, info: ActorInfo) -> None:
        """List the snapshots and load the one picked (kernel thread, cached)."""
        cell = frame.rt.cells.get(info.id)
        entries, error = self.snapshots.entries(cell, info)
        frame.entries, frame.entries_error = entries, error
        options = dashboard_snapshots.options_for(entries)
        values = [v for _label, v in options]
        pick = self.snapshot_pick.value if self.snapshot_pick.value in values else None
        if pick is None and values:
            pick = values[0]
        frame.pick = pick
        if pick is not None:
            frame.loaded = self.snapshots.load(cell, info, pick)

    def _finish(self, frame: _Frame, fetched: tuple[ActorInfo | None, Any]) -> None:
        detail = fetched[0]
        with self.widget.hold_sync():
            if detail is not None and not self._closed:
                fresher = self.feed.adopt(detail)
                if fresher is not None:
                    self.tree.update_changed([fresher], self.feed.row)
            self._render(frame, *fetched)
        self.refreshes += 1
        self.last_frame_seconds = time.perf_counter() - frame.started

    def _detail_sync(self, frame: _Frame) -> tuple[ActorInfo | None, Any]:
        if frame.aid is None:
            return None, None
        try:
            return frame.rt.call(lambda: self._fetch(frame), timeout=2.0, what="dashboard refresh")
        except Exception:
            return None, None

    async def _detail_async(self, frame: _Frame) -> tuple[ActorInfo | None, Any]:
        if frame.aid is None:
            return None, None

        async def fetch() -> tuple[ActorInfo | None, Any]:
            return self._fetch(frame)

        try:
            return await asyncio.wait_for(asyncio.wrap_future(frame.rt.submit(fetch())), 1.0)
        except Exception:  # runtime busy (a blocking handler) or shutting down
            return None, None

    @staticmethod
    def _fetch(frame: _Frame) -> tuple[ActorInfo | None, Any]:
        """Runtime thread: the selected actor's info with previews, and the snapshot diff."""
        cell = frame.rt.cells.get(frame.aid) if frame.aid is not None else None
        if cell is None:
            return None, None
        diff = dashboard_snapshots.live_diff(frame.loaded, cell.actor)
        return cell.info(detail=True), diff

    def _render(self, frame: _Frame, detail: ActorInfo | None, diff: Any) -> None:
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
            f"<b class='actorlab-selected'>{detail.status.glyph} "
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
            f"<b class='actorlab-selected'>{status.glyph} {escape(detail.label)}</b> "
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

    def _render_snapshots(self, frame: _Frame, detail: ActorInfo, diff: Any) -> None:
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

    # -- shutdown ------------------------------------------------------------------------------
    def close(self) -> None:
        """Stop the refresher, unsubscribe from the runtime and close every widget."""
        if self._closed:
            return
        self._closed = True
        _open.discard(self)
        task, self._task = self._task, None
        if task is not None and not task.done():
            task.cancel()
        if self._kick is not None and self._loop is not None and not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._kick.set)
        self._unlisten()
        dashboard_log.release()
        self.trace_tab.close()
        self.tree.close()
        for w in _descendants(self.widget):
            w.close()
        self.widget.close()

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def _descendants(widget: W.Widget) -> list[W.Widget]:
    out: list[W.Widget] = []
    for child in getattr(widget, "children", ()):
        out.append(child)
        out.extend(_descendants(child))
    return out


_open: weakref.WeakSet[Dashboard] = weakref.WeakSet()


def dashboard(*, replace: bool = True, **options: Any) -> Dashboard:
    """The live dashboard of every actor (``al.dashboard()``); display it as a cell's result.

    One live dashboard per kernel by default: opening one closes the ones opened before (so
    re-running the cell never leaves old refreshers running); ``replace=False`` keeps them.
    Options: ``interval`` (seconds between refreshes, at least 0.1), ``max_nodes`` (tree size
    cap, default 1000), ``namespace`` (where tell/ask expressions are evaluated; default the
    notebook's), ``storage`` (where snapshots are listed and saved; default each actor's own).
    """
    if replace:
        for old in list(_open):
            old.close()
    dash = Dashboard(**options)
    _open.add(dash)
    return dash


__all__ = ["Dashboard", "dashboard"]
