"""Pure parts of the dashboard: tree order, labels, state diffs, HTML panes (no widgets)."""

from __future__ import annotations

from dataclasses import replace

from views import synth

from actorlab.events import Event
from actorlab.ids import ActorId
from actorlab.info import ActorInfo, MessagePreview, Status
from actorlab.views.dashboard import model as m

NOW = synth.NOW


def info(name: str, parent: str | None = None, **fields) -> ActorInfo:
    """A synthetic record (tests/views/synth.py), five seconds old, with a parent by name."""
    fields = {"started_at": NOW - 5, "age": 5.0, "supervisor": "default", **fields}
    return synth.info(name, parent=parent, **fields)


def test_tree_rows_put_children_under_their_parent_depth_first():
    infos = [
        info("a"),
        info("b"),
        info("a1", "a"),
        info("b1", "b"),
        info("a2", "a"),
        info("a1x", "a1"),
    ]
    rows = m.tree_rows(infos)
    assert [(r.info.name, r.depth) for r in rows] == [
        ("a", 0),
        ("a1", 1),
        ("a1x", 2),
        ("a2", 1),
        ("b", 0),
        ("b1", 1),
    ]


def test_orphans_whose_parent_is_not_listed_become_roots():
    rows = m.tree_rows([info("x", parent="gone")])
    assert [(r.info.name, r.depth) for r in rows] == [("x", 0)]


def test_node_text_shows_status_mailbox_and_restarts():
    assert m.node_text(info("c")) == "● c  idle  ✉0"
    assert m.node_text(info("c", status=Status.PAUSED, mailbox=3, restarts=2)) == (
        "‖ c  paused  ✉3  ↻2"
    )
    assert m.node_text(info("c", failures=1)) == "● c  idle  ✉0  ✖1"


def test_structure_key_ignores_label_changes():
    rows = m.tree_rows([info("a"), info("b")])
    busy = m.tree_rows([info("a", mailbox=9), info("b", status=Status.PROCESSING)])
    assert m.structure_key(rows) == m.structure_key(busy)
    assert m.structure_key(rows) != m.structure_key(m.tree_rows([info("a")]))


def test_state_tracker_diffs_against_the_previous_message_not_the_previous_refresh():
    t = m.StateTracker()
    a0 = info("c", processed=0, state_preview={"value": "0", "name": "'c'"})
    diffs, between = t.observe(a0)
    assert between is None and {d.kind for d in diffs} == {"same"}
    assert t.observe(a0)[1] is None  # a refresh without a message changes nothing
    a1 = replace(a0, processed=1, state_preview={"value": "1", "name": "'c'", "new": "[]"})
    diffs, between = t.observe(a1)
    assert between == 1
    assert {d.name: d.kind for d in diffs} == {"value": "changed", "name": "same", "new": "added"}
    assert t.observe(a1)[1] == 1  # still the diff of that message on the next refresh
    a4 = replace(a1, processed=4, state_preview={"value": "7", "name": "'c'"})
    diffs, between = t.observe(a4)
    assert between == 3
    assert {d.name: d.kind for d in diffs} == {"value": "changed", "name": "same", "new": "removed"}


def test_state_html_highlights_changed_fields_and_shows_the_old_value():
    diffs = m.field_diff({"value": "0", "same": "1"}, {"value": "5", "same": "1"})
    html = m.state_html(diffs, 1)
    assert (
        "actorlab-state-changed'>5</span>" in html
        and "<td style='padding:2px 8px;vertical-align:top'>0</td>" in html
    )
    assert "what the last message changed" in html
    assert "after the next message" in m.state_html(m.field_diff(None, {"v": "1"}), None)


def test_state_html_escapes_reprs():
    html = m.state_html(m.field_diff(None, {"<b>": "<script>"}), None)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_mailbox_html_lists_pending_messages_and_hints_at_pausing():
    a = info("c", mailbox=2, status=Status.PAUSED)
    previews = (
        MessagePreview(0, "tell", "Add", "Add(n=1)", None, NOW - 2),
        MessagePreview(1, "ask", "Get", "Get()", "other", NOW - 1),
    )
    html = m.mailbox_html(a, previews, [], now=NOW)
    assert "<b>2</b> pending messages" in html and "Add(n=1)" in html and "other" in html
    assert "Pause the actor" not in html
    assert "Pause the actor" in m.mailbox_html(replace(a, status=Status.IDLE), (), [], now=NOW)
    assert "The mailbox is empty." in m.mailbox_html(replace(a, mailbox=0), (), [], now=NOW)


def test_messages_html_lists_newest_first_with_outcome_and_time():
    c = ActorId.from_name("c")
    evs = [
        Event(1, 0.0, "handled", None, c, "Add", "Add(n=1)", detail="ok 0.125 ms"),
        Event(2, 0.1, "handled", None, c, "Div", "Div()", detail="error ZeroDivisionError: x"),
    ]
    html = m.messages_html(evs, {}, recording=True)
    assert html.index("Div()") < html.index("Add(n=1)")
    assert "0.125 ms" in html and "✖ error ZeroDivisionError: x" in html
    assert "per message type" in html
    assert "Open this tab" in m.messages_html([], {}, recording=False)


def test_info_html_names_parent_and_children():
    parent = info("p")
    child = info("k", parent="p")
    html = m.info_html(replace(parent, children=(child.id,)), {child.id: "k", parent.id: "p"})
    assert "<td style='padding:2px 8px;vertical-align:top'>k</td>" in html
    html = m.info_html(child, {parent.id: "p"})
    assert "<td style='padding:2px 8px;vertical-align:top'>p</td>" in html


def test_age_formatting():
    assert [m.age(x) for x in (None, 0.42, 12, 302, 3780)] == ["–", "0.4s", "12s", "5m02s", "1h03m"]
