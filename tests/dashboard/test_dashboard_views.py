"""The drawn tree's data, the Top and Trace tabs, the time slider, theme colours, and the
inconsistencies issue 13 listed (each has a test here that fails without its fix)."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace

import pytest
from views.synth import bank, error, info

import actorlab as al
from actorlab.events import Event
from actorlab.ids import ActorId
from actorlab.info import ActorInfo, Status
from actorlab.testing import wait_idle, wait_until
from actorlab.views.dashboard import TABS, graph_front, history, model, replay, theme, top_tab

from .actors import NAMESPACE, Add, Counter, Parent

HEX = re.compile(r"#[0-9a-fA-F]{6}\b")


def settle(dash, condition, what):
    def check():
        dash.refresh_now()
        return condition()

    return wait_until(check, timeout=5.0, what=what)


@pytest.fixture
def tree(al_root):
    parent = al_root.spawn(Parent(2), name="parent")
    wait_idle()
    return parent


# -- the drawn tree ---------------------------------------------------------------------------


def test_graph_records_carry_edges_kind_strategy_and_counts(tree, open_dashboards):
    dash = open_dashboards()
    pane = dash.tree
    assert type(pane).__name__ == "GraphPane"  # the drawn tree is the default
    shown = pane.shown()
    parent = pane.record(shown[0])
    kids = [pane.record(a) for a in shown[1:]]
    assert (parent["l"], parent["k"], parent["p"]) == ("parent", "sup", "")
    assert parent["g"]  # a supervisor shows its strategy
    assert [k["l"] for k in kids] == ["worker-0", "worker-1"]
    assert all(k["k"] == "wrk" and k["p"] == parent["id"] and k["g"] == "" for k in kids)
    assert {"s", "m", "r", "u", "f"} <= set(parent)
    assert dash.tree.graph.nodes == [pane.record(a) for a in shown]


def test_upgrades_come_from_actor_info_when_it_has_them():
    from actorlab.views.dashboard.graph import node_record

    @dataclass(frozen=True)
    class Upgraded(ActorInfo):  # the field another change adds to ActorInfo
        upgrades: int = 0

    row = model.TreeRow(info("a"), 0)
    assert node_record(row)["u"] == int(getattr(row.info, "upgrades", 0))
    upgraded = Upgraded(**{f.name: getattr(info("a"), f.name) for f in fields(ActorInfo)})
    assert node_record(model.TreeRow(replace(upgraded, upgrades=2), 0))["u"] == 2


def test_strategy_is_shortened_for_the_node():
    assert graph_front.short_strategy("OneForOne(max_restarts=3, within=60)") == (
        "OneForOne(3 in 60s)"
    )
    assert graph_front.short_strategy("terminate failing child (default)") == "default: terminate"


def test_clicking_a_drawn_node_selects_and_collapse_is_kept(tree, open_dashboards):
    dash = open_dashboards()
    worker = al.lookup("worker-1")
    dash.tree.click(worker.id)  # what the browser's click does: sets `selected`
    assert dash.selected == worker.id and "worker-1" in dash.heading.value
    dash.tree.collapse(tree.id)
    assert dash.tree.graph.collapsed == [str(tree.id)]
    dash.tree.collapse(tree.id, False)
    assert dash.tree.graph.collapsed == []


def test_a_frame_sends_the_nodes_only_when_what_they_show_changed(tree, open_dashboards):
    dash = open_dashboards(namespace=NAMESPACE)
    sends = dash.tree.sends
    dash._dirty = True
    dash.refresh_now()
    assert dash.tree.sends == sends  # nothing changed: nothing re-sent
    w = al.lookup("worker-0")
    w.pause()
    w.tell(Add(1))
    settle(dash, lambda: dash.tree.record(w.id)["m"] == 1, "the queued message")
    assert dash.tree.sends > sends


def test_activity_pulses_and_message_flow_is_sampled(al_root, open_dashboards):
    counter = al_root.spawn(Counter(), name="counter")
    wait_idle()
    dash = open_dashboards(namespace=NAMESPACE)
    counter.tell(Add(1))
    wait_idle()
    settle(dash, lambda: str(counter.id) in dash.tree.graph.active, "a pulse")
    rt = al.runtime.get_runtime() if hasattr(al, "runtime") else None
    dash.animate.value = True  # turns message events on; tells become dots
    assert dash.recording
    for i in range(30):
        counter.tell(Add(i))
    wait_idle()
    dash._dirty = True
    dash.refresh_now()
    flows = dash.tree.graph.flows
    assert flows["items"] and flows["items"][0][:2] == ["", str(counter.id)]
    assert len(flows["items"]) <= 12  # rate limit: a sample per frame, not every message
    dash.animate.value = False
    assert not dash.recording
    del rt


def test_kernel_busy_ping_is_answered_by_the_next_frame(al_root, open_dashboards):
    al_root.spawn(Counter(), name="counter")
    wait_idle()
    dash = open_dashboards()
    sent = []
    dash.tree.graph.send = lambda content, buffers=None: sent.append(content)
    dash.tree.graph._on_custom(None, {"ping": 3}, [])
    assert sent == []  # not answered by the comm handler itself
    dash.refresh_now()
    assert sent == [{"pong": 3}]
    dash.refresh_now()
    assert sent == [{"pong": 3}]  # answered once


def test_button_tree_is_the_fallback(tree, open_dashboards):
    dash = open_dashboards(tree="buttons")
    assert type(dash.tree).__name__ == "TreePane"
    assert [dash.tree.text(a).split()[1] for a in dash.tree.shown()] == [
        "parent",
        "worker-0",
        "worker-1",
    ]
    with pytest.raises(ValueError, match="tree='graph' or 'buttons'|use 'auto'"):
        al.dashboard(tree="pretty")


# -- theme and icons ----------------------------------------------------------------------------


def test_front_end_colours_are_jupyterlab_variables():
    css_colours = [c for c in HEX.findall(graph_front.CSS)]
    fallbacks = re.findall(r"var\(--jp-[\w-]+, (#[0-9a-fA-F]{6})\)", graph_front.CSS)
    assert css_colours and sorted(css_colours) == sorted(fallbacks)  # every hex is a fallback
    assert "--jp-ui-font-color1" in graph_front.CSS and "--jp-layout-color1" in graph_front.CSS


def test_dashboard_html_uses_theme_variables_not_fixed_colours(tree, open_dashboards):
    dash = open_dashboards(namespace=NAMESPACE)
    for i in range(len(TABS)):
        dash.tabs.selected_index = i
        dash._dirty = True
        dash.refresh_now()
    panes = [dash.heading, dash.step_info, dash.title, dash.info_pane, dash.state_pane]
    for pane in panes:
        html = re.sub(r"var\(--jp-[\w-]+, #[0-9a-fA-F]{6}\)", "var()", pane.value)
        hexes = HEX.findall(html)
        assert not hexes, f"{pane._dom_classes}: fixed colours {hexes}"
    assert theme.MUTED in dash.step_info.value


def test_buttons_use_font_awesome_icons_not_glyphs(tree, open_dashboards):
    dash = open_dashboards()
    buttons = [dash.pause_btn, dash.step_btn, dash.resume_btn, dash.save_btn, dash.stop_btn]
    assert [b.icon for b in buttons] == ["pause", "step-forward", "play", "save", "stop"]
    for b in buttons:
        assert not set(b.description) & set("‖⏭▶💾■↻⚡⤴"), b.description


def test_snapshot_hint_names_the_button_not_a_glyph():
    from actorlab.views.dashboard import snapshots

    if not snapshots.available():
        pytest.skip("persistence not in this build")
    html = snapshots.view(info("a"), [], None, None, None).html
    assert "💾" not in html and "save snapshot&#x27; button" in html


# -- the listed inconsistencies --------------------------------------------------------------------


def test_info_tab_counts_every_failure_it_lists():
    # One crash and three injected faults: 4 restarts and 4 errors listed, but the core's
    # failures counter saw only the handler crash. The tab said "failures / restarts 1 / 4".
    errors = (error(), *(error(kind="fault", type_="InjectedFault") for _ in range(3)))
    rec = info("acct", failures=1, restarts=4, errors=errors)
    html = model.info_html(rec, {})
    assert "<td style='padding:2px 8px;vertical-align:top'>failures</td>" in html
    assert re.search(r">failures</td><td[^>]*>4</td>", html)
    assert re.search(r">restarts</td><td[^>]*>4</td>", html)
    assert "last errors" in html and html.count("InjectedFault") == 3


def test_a_stopped_actors_panes_say_stopped_not_idle(al_root, open_dashboards):
    counter = al_root.spawn(Counter(), name="counter")
    wait_idle()
    dash = open_dashboards(namespace=NAMESPACE)
    dash.select(counter)
    dash.refresh_now()
    assert "idle" in dash.info_pane.value
    counter.stop()
    settle(dash, lambda: "has stopped" in dash.heading.value, "the stop")
    assert "■ stopped" in dash.info_pane.value and "● idle" not in dash.info_pane.value
    assert "stopped" in dash.step_info.value and "idle" not in dash.step_info.value


def test_disabled_destructive_buttons_lose_their_colour(al_root, open_dashboards):
    al_root.spawn(Counter(), name="counter")
    wait_idle()
    dash = open_dashboards()
    for b in dash.destructive_buttons:
        assert b.disabled and b.button_style == "", b.description
    dash.destructive.value = True
    assert dash.stop_btn.button_style == "danger" and dash.restart_btn.button_style == "warning"
    dash.destructive.value = False
    assert dash.stop_btn.button_style == ""


def test_log_pane_opens_at_the_newest_line():
    html = model.log_html([f"line {i}" for i in range(500)])
    assert "flex-direction:column-reverse" in html  # a scrolled box pinned to its end
    assert html.index("line 499") > html.index("line 300")  # still oldest to newest, top down


def test_tab_titles_are_short_enough_not_to_be_cut():
    assert all(len(t) <= 9 for t in TABS), TABS
    assert "flex-wrap: wrap" in graph_front.CSS  # and they wrap rather than shrink


def test_filter_box_is_not_wider_than_its_pane(al_root, open_dashboards):
    dash = open_dashboards()
    assert dash.tree.filter.layout.width == "auto"
    assert "box-sizing: border-box" in graph_front.CSS


def test_snapshot_pane_stays_inside_the_cell(al_root, open_dashboards):
    dash = open_dashboards()
    assert dash.snapshot_pane.layout.max_width == "100%"
    assert dash.snapshot_pane.layout.overflow == "auto"


# -- Top tab and sparklines ---------------------------------------------------------------------


def test_top_table_sorts_both_ways_and_has_sparklines():
    infos = bank()
    hist = history.MailboxHistory()
    rows = [model.TreeRow(replace(i, mailbox=n), 0) for n, i in enumerate(infos)]
    for _ in range(3):
        hist.sample(rows)
    busiest = max(rows, key=lambda r: r.info.mailbox).info
    infos = [r.info for r in rows]
    down = top_tab.top_html(infos, hist, sort="mailbox", descending=True)
    up = top_tab.top_html(infos, hist, sort="mailbox", descending=False)
    assert down.index(busiest.path) < down.index(infos[0].path)
    assert up.index(busiest.path) > up.index(infos[0].path)
    assert "MBox (hwm) ▼" in down and "MBox (hwm) ▲" in up
    assert down.count("actorlab-spark") == len(infos)


def test_top_tab_redraws_on_sort_change(tree, open_dashboards):
    dash = open_dashboards()
    dash.tabs.selected_index = TABS.index("Top")
    settle(dash, lambda: "actorlab-top" in dash.top_tab.table.value, "the table")
    dash.top_tab.sort.value = "restarts"
    settle(dash, lambda: "Restarts ▼" in dash.top_tab.table.value, "the new sort")


def test_sparkline_scales_to_the_peak():
    svg = history.sparkline([0, 2, 4, 2])
    assert "peak 4, now 2" in svg
    pts = re.search(r"points='([^']+)'", svg).group(1).split()
    ys = [float(p.split(",")[1]) for p in pts]
    assert ys[2] == min(ys) and ys[0] == max(ys)


def test_mailbox_history_forgets_stopped_actors():
    hist = history.MailboxHistory(samples=3)
    a, b = model.TreeRow(info("a", mailbox=1), 0), model.TreeRow(info("b", mailbox=2), 0)
    for _ in range(5):
        hist.sample([a, b])
    assert hist.of(a.id) == [1, 1, 1]
    hist.sample([a])
    assert hist.of(b.id) == []


# -- the time slider ------------------------------------------------------------------------------

A, B = ActorId.from_name("a"), ActorId.from_name("b")


def ev(seq, t, kind, src, dst, **kw):
    return Event(seq, t, kind, src, dst, **kw)


def moments():
    events = [
        ev(1, 0.000, "tell", None, A, msg_type="Add", msg_repr="Add(n=1)"),
        ev(2, 0.001, "tell", None, A, msg_type="Add", msg_repr="Add(n=2)"),
        ev(3, 0.010, "handled", None, A, msg_type="Add", detail="ok 5.0 ms"),
        ev(4, 0.011, "spawn", A, B, msg_type="Counter"),
        ev(5, 0.012, "fail", None, A, detail="ValueError: x"),
        ev(6, 0.013, "restart", None, A, detail="1/3"),
        ev(7, 0.014, "stop", A, B, detail="normal"),
    ]
    return replay.Replay(events, {A: "a", B: "b"}, {A: None})


def test_replay_rebuilds_mailboxes_statuses_and_the_tree():
    r = moments()
    assert r.steps == 7
    m = r.at(1)
    assert m.mailboxes[A] == 2 and m.queued[A] == ["Add(n=1)", "Add(n=2)"]
    assert B not in m.parents  # not spawned yet
    assert r.at(2).mailboxes[A] == 1
    assert r.at(3).parents[B] == A and r.at(3).statuses[B] is Status.IDLE
    assert r.at(4).statuses[A] is Status.FAILED
    assert r.at(5).statuses[A] is Status.IDLE
    assert r.at(6).statuses[B] is Status.STOPPED
    assert r.at(99).step == 6 and r.at(-5).step == 0
    assert replay.describe(r.events[0], r.labels) == "tell notebook → a: Add(n=1)"
    assert replay.describe(r.events[2], r.labels) == "a handled Add: ok in 5.00 ms"


def test_an_actor_is_processing_while_a_handler_ran():
    events = [
        ev(1, 0.000, "tell", None, A, msg_type="Add", msg_repr="Add(n=1)"),
        ev(2, 0.004, "tell", None, B, msg_type="Add", msg_repr="Add(n=2)"),
        ev(3, 0.010, "handled", None, A, msg_type="Add", detail="ok 8.0 ms"),
    ]
    r = replay.Replay(events, {}, {A: None, B: None})
    assert r.at(1).statuses[A] is Status.PROCESSING  # t=4 ms, inside 2..10 ms
    assert r.at(0).statuses[A] is Status.IDLE  # t=0: before the run started


def test_state_samples_give_the_diff_at_a_moment():
    s = replay.StateSamples()
    s.add(A, 1.0, 0, {"value": "0"})
    s.add(A, 1.1, 0, {"value": "0"})  # same: not kept twice
    s.add(A, 2.0, 1, {"value": "5"})
    s.add(A, 3.0, 2, {"value": "12"})
    assert s.count == 3
    assert s.at(A, 0.5) is None
    diffs, between = s.at(A, 1.5)
    assert between is None and diffs[0].new == "0"
    diffs, between = s.at(A, 2.5)
    assert (diffs[0].old, diffs[0].new, between) == ("0", "5", 1)


def test_dashboard_replays_a_trace_with_the_slider(al_root, open_dashboards):
    counter = al_root.spawn(Counter(), name="counter")
    wait_idle()
    dash = open_dashboards(namespace=NAMESPACE)
    with al.trace() as t:
        counter.tell(Add(1))
        counter.tell(Add(2))
        counter.ask_sync(Add(3))
    dash.select(counter)
    dash.replay(t)
    assert dash.replaying and dash.tabs.selected_index == TABS.index("Trace")
    tab = dash.trace_tab
    assert tab.slider.max == len(t.events) - 1 and tab.slider.value == tab.slider.max
    tab.slider.value = 0
    dash.refresh_now()
    assert "event 1/" in tab.readout.value and "tell notebook → counter" in tab.readout.value
    assert "replay at +0.0 ms" in dash.heading.value
    assert dash.tree.record(counter.id)["m"] == 1  # the tree as it was: one message queued
    assert "actorlab-trace-now" in tab.diagram.value
    assert dash.step_btn.disabled  # no stepping the past
    dash.tabs.selected_index = TABS.index("Mailbox")
    dash.refresh_now()
    assert "Add(n=1)" in dash.mailbox_pane.value
    tab.leave()
    dash.refresh_now()
    assert not dash.replaying and "replay at" not in dash.heading.value
    assert dash.tree.record(counter.id)["m"] == 0


def test_record_button_records_a_trace_and_loads_it(al_root, open_dashboards):
    counter = al_root.spawn(Counter(), name="counter")
    wait_idle()
    dash = open_dashboards(namespace=NAMESPACE)
    dash.select(counter)
    tab = dash.trace_tab
    tab.record_btn.value = True
    assert tab.recording is not None and tab.record_btn.icon == "stop"
    counter.tell(Add(4))
    wait_idle()
    dash._dirty = True
    dash.refresh_now()  # samples the selected actor's state while recording
    assert "recording a trace" in dash.title.value
    tab.record_btn.value = False
    assert tab.recording is None and tab.replay is not None and tab.replay.steps >= 2
    assert tab.samples.count >= 1
