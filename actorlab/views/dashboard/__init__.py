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
import time
import weakref
from collections.abc import Callable
from typing import Any

import ipywidgets as W

from actorlab.events import Event
from actorlab.ids import ActorId
from actorlab.info import ActorInfo, Status
from actorlab.runtime import Runtime, get_runtime, peek_runtime

from . import log as dashboard_log
from . import snapshots as dashboard_snapshots
from .actions import ActionRunner, Outcome, in_loop
from .commands import Commands
from .feed import Feed
from .history import MailboxHistory
from .layout import TABS, build, set_enabled
from .model import StateTracker, note
from .panes import Panes
from .replay_tab import moment_records

MESSAGES_TAB = TABS.index("Messages")
STATE_TAB = TABS.index("State")
SNAPSHOT_TAB = TABS.index("Snapshots")
TOP_TAB = TABS.index("Top")
TRACE_TAB = TABS.index("Trace")
#: The kinds of event animated as message dots on the drawn tree.
FLOW_KINDS = frozenset({"tell", "ask", "reply"})
HANDLED_PER_ACTOR = 100
MIN_INTERVAL = 0.1  # seconds: never more than 10 refreshes a second
SCAN_INTERVAL = 0.25  # seconds between whole-tree scans (sparklines, activity pulses)


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


class Dashboard(Commands, Panes):
    """The live view of every actor. Create it with ``al.dashboard()``.

    It displays as its ``widget`` (an ``ipywidgets.VBox``; embed that in your own layouts).

    ``refresh_now()`` redraws immediately (for scripts and tests); ``close()`` stops the
    refresher and unsubscribes from the runtime. ``select(ref_or_name)`` picks an actor.
    """

    # Widgets, made by layout.build().
    _styles: Any
    animate: Any
    ask_btn: Any
    destructive: Any
    expr: Any
    fault_btn: Any
    heading: Any
    info_pane: Any
    log_pane: Any
    mailbox_pane: Any
    messages_pane: Any
    pause_btn: Any
    respawn_btn: Any
    restart_btn: Any
    resume_btn: Any
    save_btn: Any
    snapshot_pane: Any
    snapshot_pick: Any
    state_pane: Any
    status: Any
    step_btn: Any
    step_info: Any
    stop_btn: Any
    tabs: Any
    tell_btn: Any
    title: Any
    top_tab: Any
    trace_tab: Any
    tree: Any

    def __init__(
        self,
        *,
        interval: float = MIN_INTERVAL,
        max_nodes: int = 1000,
        namespace: dict[str, Any] | None = None,
        storage: Any = None,
        tree: str = "auto",
    ) -> None:
        if tree not in ("auto", "graph", "buttons"):
            raise ValueError(f"al.dashboard(tree={tree!r}): use 'auto', 'graph' or 'buttons'")
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
        self._scanned_at = float("-inf")
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
        build(self)

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
            set_enabled(b, alive and allow, self._styles[b])
        set_enabled(
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
        if changed is None or (changed and feed.relabelled):
            self._labels = feed.labels()
        rows = feed.rows
        if self.tree.selected is None and rows:
            self.tree.select(rows[0].id)
        # Per-actor scans of the whole tree (mailbox history, activity pulses) at most 4 times a
        # second: with 1000 actors each costs about a millisecond of the kernel's time.
        scan = started - self._scanned_at >= SCAN_INTERVAL or changed is None
        if scan:
            self._scanned_at = started
            self.history.sample(rows)
        moment = self.trace_tab.moment()
        with self.widget.hold_sync():
            if moment is not None and hasattr(self.tree, "show_records"):
                labels = {**self.trace_tab.replay.labels, **self._labels}
                self.tree.show_records(moment_records(moment, labels, feed.infos))
                self._full_tree = True  # back to live: redraw everything
            elif changed is None or self._full_tree:
                self.tree.update(rows)
                self._full_tree = False
            else:
                self.tree.update_changed([feed.row(a) for a in changed], feed.row)
            if scan and moment is None and hasattr(self.tree, "note_activity"):
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
    cap, default 1000), ``tree`` (``"auto"``: the drawn tree when anywidget is installed, else
    ``"buttons"``; or ``"graph"``), ``namespace`` (where tell/ask expressions are evaluated; default the
    notebook's), ``storage`` (where snapshots are listed and saved; default each actor's own).
    """
    tree = options.get("tree", "auto")
    if tree not in ("auto", "graph", "buttons"):  # before closing the open ones
        raise ValueError(f"al.dashboard(tree={tree!r}): use 'auto', 'graph' or 'buttons'")
    if replace:
        for old in list(_open):
            old.close()
    dash = Dashboard(**options)
    _open.add(dash)
    return dash


__all__ = ["Dashboard", "dashboard"]
