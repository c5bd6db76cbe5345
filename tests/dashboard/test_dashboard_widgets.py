"""The dashboard's widgets against a real runtime, without a browser or a kernel.

No asyncio loop runs here, so the dashboard has no refresher task: tests call
``refresh_now()`` (and poll it with a deadline after clicks, since actions run on the runtime).
"""

from __future__ import annotations

import logging

import ipywidgets as W
import pytest

import actorlab as al
from actorlab.runtime import get_runtime
from actorlab.testing import wait_idle, wait_until

from .actors import NAMESPACE, Add, Counter, Get, Parent, Shout


def settle(dash, condition, what):
    """Refresh until ``condition()`` holds (actions run on the runtime thread)."""

    def check():
        dash.refresh_now()
        return condition()

    return wait_until(check, timeout=5.0, what=what)


def node(dash, ref) -> str:
    """What the tree's node of ``ref`` says (either tree: drawn or buttons)."""
    return dash.tree.text(ref.id)


def labels(dash) -> list[str]:
    return [dash.tree.text(a) for a in dash.tree.shown()]


@pytest.fixture
def counter(al_root):
    ref = al_root.spawn(Counter(), name="counter")
    wait_idle()
    return ref


def test_dashboard_is_a_displayable_widget_tree(counter, open_dashboards):
    dash = open_dashboards(namespace=NAMESPACE)
    assert isinstance(dash.widget, W.VBox)
    bundle = dash._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "actorlab-dashboard" in dash.widget._dom_classes
    assert [t for t in dash.tabs.titles] == [
        "Info",
        "Mailbox",
        "State",
        "Snapshots",
        "Messages",
        "Log",
        "Top",
        "Trace",
    ]
    assert dash.selected == counter.id  # the first actor is selected by default
    assert "counter" in dash.heading.value
    assert "Counter" in dash.info_pane.value


def test_tree_shows_parents_children_status_and_counts(al_root, open_dashboards):
    parent = al_root.spawn(Parent(2), name="parent")
    wait_idle()
    dash = open_dashboards()
    assert labels(dash) == ["● parent  idle  ✉0", "● worker-0  idle  ✉0", "● worker-1  idle  ✉0"]
    assert "2 actors" not in dash.tree.summary.value and "3 actors" in dash.tree.summary.value
    assert parent.id in dash.tree.shown()


def test_button_tree_indents_children_and_colours_nodes(al_root, open_dashboards):
    al_root.spawn(Parent(2), name="parent")
    wait_idle()
    dash = open_dashboards(tree="buttons")
    margins = [b.layout.margin for b in dash.tree.nodes.children]
    assert margins[0].endswith(" 0px") and margins[1].endswith(" 18px")
    # a translucent tint: the theme's own text colour stays readable in dark themes
    assert dash.tree.nodes.children[0].style.button_color.startswith("rgba(")


def test_labels_update_in_place_and_children_rebuild_only_on_structure_change(
    al_root, counter, open_dashboards
):
    dash = open_dashboards(namespace=NAMESPACE)
    rebuilds = dash.tree.rebuilds
    counter.pause()
    for i in range(3):
        counter.tell(Add(i))
    settle(
        dash,
        lambda: node(dash, counter) == "‖ counter  paused  ✉3",
        "the paused counter to show 3 queued messages",
    )
    assert dash.tree.rebuilds == rebuilds
    other = al_root.spawn(Counter(), name="other")
    settle(dash, lambda: other.id in dash.tree.shown(), "the new actor to appear")
    assert dash.tree.rebuilds == rebuilds + 1
    other.stop()
    settle(dash, lambda: other.id not in dash.tree.shown(), "the stopped actor to disappear")
    assert dash.tree.rebuilds == rebuilds + 2


def test_clicking_a_node_selects_it(al_root, counter, open_dashboards):
    other = al_root.spawn(Counter(), name="other")
    wait_idle()
    dash = open_dashboards()
    assert dash.selected == counter.id
    dash.tree.click(other.id)
    assert dash.selected == other.id
    assert "other" in dash.heading.value


def test_filter_hides_non_matching_actors(al_root, counter, open_dashboards):
    al_root.spawn(Counter(), name="zebra")
    wait_idle()
    dash = open_dashboards()
    dash.tree.filter.value = "zeb"
    assert [t.split()[1] for t in labels(dash)] == ["zebra"]
    assert "1 not shown" in dash.tree.summary.value


def test_step_processes_one_message_and_the_state_diff_shows_it(counter, open_dashboards):
    dash = open_dashboards(namespace=NAMESPACE)
    dash.select(counter)
    dash.tabs.selected_index = 1  # Mailbox
    dash.pause_btn.click()
    settle(dash, lambda: counter.info().status is al.Status.PAUSED, "the counter to pause")
    for n in (5, 7, 9):
        counter.tell(Add(n))
    settle(dash, lambda: "<b>3</b> pending" in dash.mailbox_pane.value, "3 pending messages")
    assert "Add(n=5)" in dash.mailbox_pane.value and "Add(n=9)" in dash.mailbox_pane.value
    dash.tabs.selected_index = 2  # State
    assert "value" in dash.state_pane.value and ">0</span>" in dash.state_pane.value

    dash.step_btn.click()  # the step bar stays visible on every tab
    settle(dash, lambda: "✉2 queued" in dash.step_info.value, "one message stepped")
    assert counter.info().state_preview["value"] == "5"
    assert "actorlab-state-changed'>5</span>" in dash.state_pane.value  # value 0 -> 5
    assert "what the last message changed" in dash.state_pane.value
    assert node(dash, counter) == "‖ counter  paused  ✉2"

    dash.resume_btn.click()
    settle(dash, lambda: "mailbox empty" in dash.step_info.value, "the rest processed")
    assert counter.ask_sync(Get()) == 21
    assert "over the last 2 messages" in dash.state_pane.value


def test_tell_and_ask_evaluate_the_expression_in_the_namespace(counter, open_dashboards):
    dash = open_dashboards(namespace=NAMESPACE)
    dash.expr.value = "Add(2 + 3)"
    dash.tell_btn.click()
    assert "tell counter Add(n=5): sent" in dash.status.value
    dash.expr.value = "Get()"
    dash.ask_btn.click()
    assert "waiting for the reply" in dash.status.value
    settle(dash, lambda: "→ 5" in dash.status.value, "the ask's reply")
    assert "ask counter Get(): → 5" in dash.status.value


def test_bad_expressions_and_unhandled_messages_are_reported_not_raised(counter, open_dashboards):
    dash = open_dashboards(namespace=NAMESPACE)
    dash.expr.value = "Add("
    dash.tell_btn.click()
    assert "is not a Python expression" in dash.status.value
    dash.expr.value = "Nope()"
    dash.ask_btn.click()
    assert "NameError" in dash.status.value and "Nope" in dash.status.value
    dash.expr.value = "3.5"
    dash.tell_btn.click()
    assert "UnhandledMessage" in dash.status.value and "float" in dash.status.value
    dash.expr.value = ""
    dash.tell_btn.click()
    assert "type a message expression first" in dash.status.value


def test_destructive_actions_are_disabled_until_allowed(counter, open_dashboards):
    dash = open_dashboards(namespace=NAMESPACE)
    for b in dash.destructive_buttons:
        assert b.disabled, b.description
    assert not dash.step_btn.disabled and not dash.tell_btn.disabled
    dash.destructive.value = True
    for b in (dash.restart_btn, dash.stop_btn, dash.fault_btn):
        assert not b.disabled, b.description
    dash.destructive.value = False
    dash._control("stop")  # a stale click after unticking
    assert "tick 'allow destructive actions' first" in dash.status.value
    assert not counter.is_closed()


def test_stop_button_stops_the_actor(counter, open_dashboards):
    dash = open_dashboards(namespace=NAMESPACE)
    dash.destructive.value = True
    dash.stop_btn.click()
    settle(dash, lambda: "stop counter: done" in dash.status.value, "the stop to finish")
    assert counter.is_closed()
    assert counter.id not in dash.tree.shown()
    assert "has stopped" in dash.heading.value
    assert dash.tell_btn.disabled and dash.stop_btn.disabled


def test_inject_fault_and_restart_show_up_as_restarts(al_root, open_dashboards):
    parent = al_root.spawn(Parent(1), name="parent")
    wait_idle()
    worker = al.lookup("worker-0")
    worker.tell(Add(4))
    dash = open_dashboards(namespace=NAMESPACE)
    dash.select(worker)
    dash.destructive.value = True
    dash.fault_btn.click()
    settle(dash, lambda: "↻1" in node(dash, worker), "a restart after the fault")
    assert "InjectedFault" in dash.info_pane.value
    assert worker.ask_sync(Get()) == 0  # re-initialised from its original args
    dash.restart_btn.click()
    settle(dash, lambda: "↻2" in node(dash, worker), "a second restart")
    assert parent.info().status is al.Status.IDLE


def test_messages_tab_records_handled_messages_only_while_open(counter, open_dashboards):
    rt = get_runtime()
    dash = open_dashboards(namespace=NAMESPACE)
    assert rt.events.message_events == 0 and not dash.recording
    dash.tabs.selected_index = 4  # Messages
    assert dash.recording and rt.events.message_events == 1
    counter.tell(Add(1))
    counter.ask_sync(Get())
    settle(dash, lambda: "Get()" in dash.messages_pane.value, "handled messages to be listed")
    html = dash.messages_pane.value
    assert "Add(n=1)" in html and " ms" in html and "per message type" in html
    dash.tabs.selected_index = 0
    assert not dash.recording and rt.events.message_events == 0


def test_log_tab_shows_logging_from_this_actors_handlers_only(al_root, counter, open_dashboards):
    other = al_root.spawn(Counter(), name="other")
    dash = open_dashboards(namespace=NAMESPACE)
    dash.tabs.selected_index = 5  # Log
    counter.tell(Shout("hello"))
    other.tell(Shout("not me"))
    logging.getLogger("tests.dashboard").warning("outside any actor")
    settle(dash, lambda: "shouting hello" in dash.log_pane.value, "the counter's log line")
    assert "not me" not in dash.log_pane.value
    assert "outside any actor" not in dash.log_pane.value
    dash.tree.click(other.id)
    assert "shouting not me" in dash.log_pane.value


def test_close_unsubscribes_and_removes_the_log_handler(counter):
    rt = get_runtime()
    listeners = len(rt.events._listeners)
    handlers = len(logging.getLogger().handlers)
    dash = al.dashboard()
    dash.tabs.selected_index = 4  # Messages
    assert len(rt.events._listeners) == listeners + 1 and rt.events.message_events == 1
    assert len(logging.getLogger().handlers) == handlers + 1
    dash.close()
    assert len(rt.events._listeners) == listeners and rt.events.message_events == 0
    assert len(logging.getLogger().handlers) == handlers
    assert dash.widget.comm is None and dash.step_btn.comm is None
    dash.close()  # idempotent


def test_reset_rebinds_the_dashboard_to_the_new_runtime(counter, open_dashboards):
    dash = open_dashboards()
    old = get_runtime()
    al.reset(timeout=2.0)
    new = al.root().spawn(Counter(), name="fresh")
    wait_idle()
    dash.refresh_now()
    assert get_runtime() is not old
    assert [t.split()[1] for t in labels(dash)] == ["fresh"]
    assert dash.selected == new.id


def test_thousand_actors_build_once_and_relabel_in_place(al_root, open_dashboards):
    refs = [al_root.spawn(Counter()) for _ in range(1000)]
    wait_idle()
    dash = open_dashboards(namespace=NAMESPACE)
    assert len(dash.tree.shown()) == 1000
    rebuilds = dash.tree.rebuilds
    refs[500].pause()
    refs[500].tell(Add(1))
    settle(dash, lambda: "✉1" in node(dash, refs[500]), "actor 500 to show mail")
    assert dash.tree.rebuilds == rebuilds


def test_opening_a_dashboard_closes_the_previous_one_unless_told_not_to(counter):
    first = al.dashboard()
    second = al.dashboard()
    assert first._closed and first.widget.comm is None and not second._closed
    third = al.dashboard(replace=False)
    assert not second._closed and not third._closed
    second.close()
    third.close()


def test_the_selected_node_agrees_with_the_details_read_later_in_the_same_frame(
    counter, open_dashboards
):
    # The tree is read on the kernel's thread, the details on the runtime's: a message
    # processed in between must not leave the node saying ✉3 next to a pane saying ✉2.
    dash = open_dashboards(namespace=NAMESPACE)
    counter.pause()
    for n in (1, 2, 3):
        counter.tell(Add(n))
    settle(dash, lambda: node(dash, counter).endswith("✉3"), "3 queued")
    dash._dirty = True
    frame = dash._begin()  # the tree's reading of this frame: ✉3
    assert frame is not None and node(dash, counter).endswith("✉3")
    counter.step()  # processed before the details are fetched
    wait_until(lambda: counter.info().mailbox == 2, what="one message stepped")
    dash._finish(frame, dash._detail_sync(frame))
    assert "✉2 queued" in dash.step_info.value
    assert node(dash, counter) == "‖ counter  paused  ✉2"
