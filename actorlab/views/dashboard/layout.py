"""The dashboard's widgets and how they are laid out (``build``), and the tree it uses.

Layout: the drawn actor tree on the left; on the right the selected actor's heading, the step
bar, the tabs and the controls; the status line below. Buttons carry Font Awesome icons.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import ipywidgets as W

from actorlab.ids import ActorId

from .replay_tab import TraceTab
from .top_tab import TopTab
from .tree import TreePane

#: Short titles: ipywidgets cuts long tab titles ("State & Snapsho").
TABS = ("Info", "Mailbox", "State", "Snapshots", "Messages", "Log", "Top", "Trace")


def button(
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


def set_enabled(b: W.Button, enabled: bool, style: str) -> None:
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


def build(dash: Any) -> None:
    """Create ``dash``'s widgets (as attributes) and lay them out in ``dash.widget``."""
    dash.title = W.HTML("<b>actorlab</b> dashboard")
    dash.title.add_class("actorlab-title")
    dash.tree = make_tree(dash.tree_kind, dash._on_select_id, dash.max_nodes)
    dash.tree.filter.observe(dash._on_filter, names="value")
    if hasattr(dash.tree, "graph"):
        dash.tree.graph.on_ping = dash._wake
    dash.animate = W.Checkbox(
        value=False,
        description="animate messages",
        indent=False,
        layout=W.Layout(width="auto"),
        tooltip="draw messages moving between actors (records message events: a little slower)",
    )
    dash.animate.add_class("actorlab-animate")
    dash.animate.observe(lambda _c: dash._relisten(), names="value")
    dash.heading = W.HTML()
    dash.heading.add_class("actorlab-heading")
    dash.info_pane = W.HTML()
    dash.info_pane.add_class("actorlab-info-pane")
    dash.mailbox_pane = W.HTML()
    dash.mailbox_pane.add_class("actorlab-mailbox-pane")
    dash.state_pane = W.HTML()
    dash.state_pane.add_class("actorlab-state-pane")
    dash.snapshot_pane = W.HTML(layout=W.Layout(max_width="100%", overflow="auto"))
    dash.snapshot_pane.add_class("actorlab-snapshot-pane")
    dash.snapshot_pick = W.Dropdown(
        options=[], description="snapshot", layout=W.Layout(width="min(320px, 100%)")
    )
    dash.snapshot_pick.observe(dash._on_pick, names="value")
    dash.messages_pane = W.HTML()
    dash.messages_pane.add_class("actorlab-messages-pane")
    dash.log_pane = W.HTML()
    dash.log_pane.add_class("actorlab-log-pane")
    dash.top_tab = TopTab(dash._mark_dirty)
    dash.trace_tab = TraceTab(dash._on_trace_change)

    dash.pause_btn = button("pause", "actorlab-pause", "hold the mailbox", icon="pause")
    dash.step_btn = button(
        "step", "actorlab-step", "process exactly one message", icon="step-forward"
    )
    dash.resume_btn = button("resume", "actorlab-resume", "continue processing", icon="play")
    dash.pause_btn.on_click(lambda _b: dash._control("pause"))
    dash.step_btn.on_click(lambda _b: dash._control("step"))
    dash.resume_btn.on_click(lambda _b: dash._control("resume"))

    dash.tabs = W.Tab(
        children=[
            dash.info_pane,
            dash.mailbox_pane,
            dash.state_pane,
            W.VBox([dash.snapshot_pick, dash.snapshot_pane]),
            dash.messages_pane,
            dash.log_pane,
            dash.top_tab.widget,
            dash.trace_tab.widget,
        ],
        layout=W.Layout(max_width="100%"),
    )
    dash.tabs.titles = TABS
    dash.tabs.add_class("actorlab-tabs")
    dash.tabs.observe(dash._on_tab, names="selected_index")

    dash.expr = W.Text(
        placeholder="message expression, e.g. Add(1)",
        layout=W.Layout(width="260px", max_width="100%"),
    )
    dash.expr.add_class("actorlab-expr")
    dash.tell_btn = button(
        "tell", "actorlab-tell", "send the message, don't wait", icon="paper-plane"
    )
    dash.ask_btn = button(
        "ask", "actorlab-ask", "send the message and show the reply", icon="question"
    )
    dash.tell_btn.on_click(lambda _b: dash._send("tell"))
    dash.ask_btn.on_click(lambda _b: dash._send("ask"))
    dash.restart_btn = button("restart", "actorlab-restart", style="warning", icon="refresh")
    dash.stop_btn = button("stop", "actorlab-stop", style="danger", icon="stop")
    dash.fault_btn = button("inject fault", "actorlab-fault", style="danger", icon="bolt")
    dash.save_btn = button("save snapshot", "actorlab-save", icon="save")
    dash.respawn_btn = button(
        "respawn from snapshot",
        "actorlab-respawn",
        "stop it, then respawn it from its latest snapshot",
        style="warning",
        icon="history",
    )
    dash._styles = {
        dash.restart_btn: "warning",
        dash.stop_btn: "danger",
        dash.fault_btn: "danger",
        dash.respawn_btn: "warning",
    }
    dash.restart_btn.on_click(lambda _b: dash._control("restart"))
    dash.stop_btn.on_click(lambda _b: dash._control("stop"))
    dash.fault_btn.on_click(lambda _b: dash._control("inject_fault"))
    dash.save_btn.on_click(lambda _b: dash._save_snapshot())
    dash.respawn_btn.on_click(lambda _b: dash._respawn())
    dash.destructive = W.Checkbox(
        value=False,
        description="allow destructive actions",
        indent=False,
        layout=W.Layout(width="auto"),
    )
    dash.destructive.add_class("actorlab-destructive")
    dash.destructive.observe(lambda _c: dash._update_buttons(), names="value")
    dash.status = W.HTML()
    dash.status.add_class("actorlab-status")

    wrap = W.Layout(flex_flow="row wrap")  # buttons wrap instead of being squeezed
    controls = W.VBox(
        [
            W.HBox([dash.expr, dash.tell_btn, dash.ask_btn], layout=wrap),
            W.HBox(
                [
                    dash.restart_btn,
                    dash.stop_btn,
                    dash.fault_btn,
                    dash.save_btn,
                    dash.respawn_btn,
                ],
                layout=wrap,
            ),
            W.HBox([dash.destructive, dash.animate], layout=wrap),
        ]
    )
    dash.step_info = W.HTML()
    dash.step_info.add_class("actorlab-step-info")
    # Step mode stays visible whichever tab is open: step, then watch State change.
    step_bar = W.HBox([dash.pause_btn, dash.step_btn, dash.resume_btn, dash.step_info], layout=wrap)
    details = W.VBox(
        [dash.heading, step_bar, dash.tabs, controls],
        layout=W.Layout(flex="1 1 0", min_width="0", padding="0 0 0 12px"),
    )
    dash.widget.children = (
        dash.title,
        W.HBox([dash.tree.widget, details], layout=W.Layout(width="100%")),
        dash.status,
    )
