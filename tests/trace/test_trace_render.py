"""Golden and structural tests of the pure trace renderers (SVG, mermaid, text, Chrome JSON).

Regenerate the golden files after an intended change with
``ACTORLAB_UPDATE_GOLDENS=1 pytest tests/trace`` and review the diff.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from trace_synth import CHILD, COUNTER, LABELS, LOGGER, conversation, ev

from actorlab.ids import ActorId
from actorlab.trace import chrome as trace_chrome
from actorlab.trace import render as trace_render
from actorlab.trace import svg as trace_svg

GOLDEN = Path(__file__).parent / "golden"
SVG_NS = "{http://www.w3.org/2000/svg}"
NOTICE = "trace switched off at its limit (19 events)"


def check_golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("ACTORLAB_UPDATE_GOLDENS"):
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"missing golden {path}; run with ACTORLAB_UPDATE_GOLDENS=1"
    assert text == path.read_text(encoding="utf-8"), f"{name} differs from its golden file"


@pytest.fixture
def diagram() -> trace_render.Diagram:
    return trace_render.layout(conversation(), LABELS, notice=NOTICE)


def test_svg_matches_golden(diagram):
    check_golden("conversation.svg", trace_svg.to_svg(diagram))


def test_mermaid_matches_golden(diagram):
    check_golden("conversation.mmd", trace_render.to_mermaid(diagram))


def test_text_ladder_matches_golden(diagram):
    check_golden("conversation.txt", trace_render.to_text(diagram))


def test_svg_is_well_formed_with_stable_ids(diagram):
    svg = trace_svg.to_svg(diagram)
    root = ET.fromstring(svg)
    ids = [el.get("id") for el in root.iter() if el.get("id")]
    assert len(ids) == len(set(ids)), "duplicate ids"
    lanes = [i for i in ids if i.startswith("trace-lane-")]
    rows = [i for i in ids if i.startswith("trace-row-")]
    assert lanes == [f"trace-lane-{n}" for n in range(5)]
    assert rows == [f"trace-row-{n}" for n in range(len(diagram.rows))]
    assert trace_svg.to_svg(diagram) == svg  # deterministic
    kinds = {el.get("data-kind") for el in root.iter(f"{SVG_NS}g") if el.get("data-kind")}
    assert kinds == {
        "tell",
        "ask",
        "reply",
        "spawn",
        "fail",
        "restart",
        "stop",
        "dead_letter",
        "wait",
    }


def test_ask_arrowhead_is_filled_and_tell_is_open(diagram):
    root = ET.fromstring(trace_svg.to_svg(diagram))
    groups = {g.get("data-kind"): g for g in root.iter(f"{SVG_NS}g") if g.get("data-kind")}
    assert groups["ask"].find(f"{SVG_NS}polygon") is not None
    assert groups["tell"].find(f"{SVG_NS}polygon") is None
    assert groups["tell"].find(f"{SVG_NS}polyline") is not None
    reply_line = groups["reply"].find(f"{SVG_NS}line")
    assert reply_line.get("stroke-dasharray")
    assert groups["fail"].find(f"{SVG_NS}path").get("stroke") == trace_svg.COLOURS["fail"]


def test_lanes_self_first_and_spawned_lane_starts_at_its_row(diagram):
    labels = [lane.label for lane in diagram.lanes]
    assert labels == ["self", "counter", "logger", "child", "dead letters"]
    child = diagram.lanes[3]
    spawn_row = next(r for r in diagram.rows if r.kind == "spawn")
    stop_row = next(r for r in diagram.rows if r.kind == "stop")
    assert (child.start, child.end) == (spawn_row.index, stop_row.index)


def test_identical_consecutive_rows_collapse_with_a_count(diagram):
    last = diagram.rows[-1]
    assert (last.kind, last.label, last.count) == ("tell", "'tick'", 5)
    flat = trace_render.layout(conversation(), LABELS, max_lanes=12)
    assert len(flat.rows) == len(diagram.rows)


def test_activation_bar_spans_the_messages_sent_by_the_handler(diagram):
    counter_lane = 1
    add = next(a for a in diagram.activations if a.label.startswith("Add"))
    tell_to_logger = next(r for r in diagram.rows if r.src == counter_lane and r.kind == "tell")
    assert add.lane == counter_lane
    assert add.start < tell_to_logger.index < add.end
    div = next(a for a in diagram.activations if a.label.startswith("Div"))
    assert not div.ok


def test_message_label_hook_relabels_and_hides_rows():
    def label(e):
        return None if e.msg_type == "str" else f"<{e.msg_type}>"

    d = trace_render.layout(conversation(), LABELS, message_label=label)
    assert not [r for r in d.rows if r.kind == "tell" and "'" in r.label]
    assert next(r for r in d.rows if r.kind == "tell").label == "<Add>"
    assert "logger" not in [lane.label for lane in d.lanes[:2]]


def test_max_lanes_merges_extra_actors_into_others():
    actors = [ActorId.from_name(f"w{i}") for i in range(8)]
    events = [
        ev(i + 1, i * 0.001, "tell", None, a, msg_type="Job", msg_repr=f"Job({i})")
        for i, a in enumerate(actors)
    ]
    d = trace_render.layout(events, {a: f"w{i}" for i, a in enumerate(actors)}, max_lanes=4)
    assert [lane.label for lane in d.lanes] == ["self", "w0", "w1", "others"]
    assert [r.dst for r in d.rows][-5:] == [3] * 5


def test_unknown_actor_shows_short_id_and_empty_trace_says_so():
    stranger = ActorId.from_name("stranger")
    d = trace_render.layout([ev(1, 0.0, "tell", None, stranger, msg_type="X", msg_repr="X()")])
    assert d.lanes[1].label == f"#{stranger.short}"
    empty = trace_render.layout([])
    assert "(no events captured)" in trace_render.to_text(empty)
    assert "(no events captured)" in trace_svg.to_svg(empty)
    assert trace_render.to_mermaid(empty) == "sequenceDiagram\n    participant nb as self\n"


def test_mermaid_escapes_characters_that_break_its_parser():
    nasty = ev(1, 0.0, "tell", None, COUNTER, msg_type="S", msg_repr="S('a;b#c<d>e%f{g}')")
    text = trace_render.to_mermaid(trace_render.layout([nasty], LABELS))
    message = text.splitlines()[-1]
    assert message == "    nb-)a1: S('a#59;b#35;c#lt;d#gt;e#37;f#123;g#125;')"


def test_svg_escapes_markup_in_messages():
    nasty = ev(1, 0.0, "tell", None, COUNTER, msg_type="S", msg_repr="S('</svg><script>')")
    svg = trace_svg.to_svg(trace_render.layout([nasty], LABELS))
    assert "<script>" not in svg
    ET.fromstring(svg)


def test_self_message_is_a_loop():
    loop = ev(1, 0.0, "tell", COUNTER, COUNTER, msg_type="Tick", msg_repr="Tick()")
    d = trace_render.layout([loop], LABELS)
    assert (d.rows[0].src, d.rows[0].dst) == (1, 1)
    assert "↺" in trace_render.to_text(d)
    g = ET.fromstring(trace_svg.to_svg(d)).find(f".//{SVG_NS}g[@data-kind='tell']")
    assert g.find(f"{SVG_NS}polyline") is not None


def test_handled_info_parses_outcome_and_duration():
    h = trace_render.handled_info
    assert h(ev(1, 0, "handled", None, COUNTER, detail="ok 0.25ms")) == trace_render.HandledInfo(
        True, 0.25, "ok"
    )
    bad = h(ev(1, 0, "handled", None, COUNTER, detail="error ValueError 3 ms"))
    assert (bad.ok, bad.ms, bad.outcome) == (False, 3.0, "error ValueError")
    assert h(ev(1, 0, "handled", None, COUNTER)).ms is None


def test_chrome_trace_has_handler_slices_and_paired_flows():
    trace = trace_chrome.to_chrome_trace(conversation(), LABELS)
    json.dumps(trace)  # serialisable
    events = trace["traceEvents"]
    names = {e["tid"]: e["args"]["name"] for e in events if e["name"] == "thread_name"}
    assert names[0] == "self (notebook)"
    assert set(names.values()) >= {"counter", "logger", "child"}
    slices = [e for e in events if e["ph"] == "X" and e["cat"] == "handler"]
    assert [s["name"] for s in slices] == ["Add", "str", "Get", "Div"]
    assert all(s["ts"] >= 0 and s["dur"] > 0 for s in slices)
    add = slices[0]
    assert add["dur"] == pytest.approx(900.0) and add["args"]["outcome"] == "ok"
    starts = {e["id"]: e for e in events if e["ph"] == "s"}
    finishes = {e["id"]: e for e in events if e["ph"] == "f"}
    assert set(starts) == set(finishes) == {1, 2, 5, 9}
    for fid, f in finishes.items():
        assert f["bp"] == "e" and starts[fid]["ts"] <= f["ts"] + 1e-6
    lifecycle = sorted(e["name"] for e in events if e["ph"] == "i")
    assert lifecycle == ["dead letter Job", "fail", "restart", "spawn", "stop"]


def test_match_handled_is_fifo_per_actor_and_type():
    a = [
        ev(1, 0, "tell", None, COUNTER, msg_type="A"),
        ev(2, 0, "tell", None, COUNTER, msg_type="B"),
        ev(3, 0, "tell", None, COUNTER, msg_type="A"),
        ev(4, 0, "handled", None, COUNTER, msg_type="A"),
        ev(5, 0, "handled", None, COUNTER, msg_type="B"),
        ev(6, 0, "handled", None, COUNTER, msg_type="A"),
        ev(7, 0, "handled", None, COUNTER, msg_type="A"),
    ]
    pairs = trace_chrome.match_handled(a)
    assert {k: v.seq for k, v in pairs.items()} == {4: 1, 5: 2, 6: 3}


def test_lane_ids_ignore_child_and_logger_order_only_by_first_appearance():
    reordered = trace_render.layout(list(reversed(conversation())), LABELS)
    assert [lane.key for lane in reordered.lanes][:4] == ["self", COUNTER, LOGGER, CHILD]


def test_max_rows_cuts_the_drawing_and_says_so():
    events = [
        ev(
            i + 1,
            i * 0.001,
            "tell",
            None,
            COUNTER if i % 2 else LOGGER,
            msg_type="Job",
            msg_repr=f"Job({i})",
        )
        for i in range(30)
    ]
    d = trace_render.layout(events, LABELS, max_rows=10, notice="limit hit")
    assert len(d.rows) == 10
    assert d.notice == "limit hit; showing the first 10 of 30 rows (see to_chrome_trace())"
    assert "showing the first 10 of 30 rows" in trace_svg.to_svg(d)
    assert trace_render.layout(events, LABELS, max_rows=30).notice is None


def test_escalation_is_an_arrow_from_child_to_parent():
    e = ev(1, 0.0, "escalate", CHILD, COUNTER, detail="Escalation(child, handler, ValueError)")
    d = trace_render.layout([e], LABELS)
    row = d.rows[0]
    assert (row.kind, d.lanes[row.src].label, d.lanes[row.dst].label) == (
        "escalate",
        "child",
        "counter",
    )
    assert "escalate" in trace_render.to_mermaid(d)


# -- time: handler durations, ask waits, timeouts -------------------------------------------------

ALICE = ActorId.from_name("alice")
BOB = ActorId.from_name("bob")
PEOPLE = {ALICE: "alice", BOB: "bob"}


def ask_cycle():
    """Tutorial 04's ask cycle: alice asks bob, bob asks alice (queued behind alice's handler),
    bob times out after 1 s and answers alice; alice then answers bob's question, too late."""
    return [
        ev(1, 0.000, "ask", None, ALICE, msg_type="Start", msg_repr="Start()", ask_id=1),
        ev(2, 0.001, "ask", ALICE, BOB, msg_type="Question", msg_repr="Question()", ask_id=2),
        ev(3, 0.002, "ask", BOB, ALICE, msg_type="Detail", msg_repr="Detail()", ask_id=3),
        ev(4, 1.002, "reply", BOB, ALICE, msg_type="str", msg_repr="'Bob gave up'", ask_id=2),
        ev(5, 1.0021, "handled", ALICE, BOB, msg_type="Question", detail="ok 1001.1 ms"),
        ev(6, 1.003, "reply", ALICE, None, msg_type="str", msg_repr="'Bob gave up'", ask_id=1),
        ev(7, 1.0031, "handled", None, ALICE, msg_type="Start", detail="ok 1003.1 ms"),
        ev(8, 1.004, "reply", ALICE, BOB, msg_type="str", msg_repr="'the detail'", ask_id=3),
        ev(9, 1.0041, "handled", BOB, ALICE, msg_type="Detail", detail="ok 0.1 ms"),
    ]


def test_ask_waits_are_measured_and_a_timeout_is_found():
    d = trace_render.layout(ask_cycle(), PEOPLE)
    waits = {w.ask_id: w for w in d.waits}
    assert waits[1].outcome == "replied" and waits[1].ms == pytest.approx(1003.0)
    assert waits[2].outcome == "replied"  # bob answered alice (with "gave up")
    timeout = waits[3]
    assert timeout.outcome == "timeout" and timeout.ms == pytest.approx(1000.1, abs=0.01)
    assert d.lanes[timeout.lane].label == "bob"
    assert timeout.label == "#3 timed out after 1.00 s: no reply from alice"
    late = [r for r in d.rows if r.kind == "reply" and "#3" in r.label][0]
    assert late.label.endswith("(late)")  # alice's answer came after bob gave up


def test_svg_draws_durations_waits_and_the_timeout():
    svg = trace_svg.to_svg(trace_render.layout(ask_cycle(), PEOPLE))
    root = ET.fromstring(svg)
    waits = root.findall(f".//{SVG_NS}g[@data-kind='wait']")
    assert {w.get("data-outcome") for w in waits} == {"replied", "timeout"}
    timeout = root.find(f".//{SVG_NS}g[@data-outcome='timeout']")
    assert "timed out after 1.00 s" in "".join(timeout.itertext())
    durations = [
        t.text for t in root.iter(f"{SVG_NS}text") if t.get("class") == "actorlab-trace-ms"
    ]
    assert "1001.10 ms" in durations and "0.10 ms" in durations
    legend = root.find(f".//{SVG_NS}g[@class='actorlab-trace-legend']")
    words = " ".join(legend.itertext())
    for word in ("tell", "ask", "reply", "handler run (ms)", "ask wait", "timeout", "failure"):
        assert word in words


def test_text_ladder_lists_waits_and_timeouts():
    text = trace_render.to_text(trace_render.layout(ask_cycle(), PEOPLE))
    assert "⚠ ask #3 timed out after 1.00 s: no reply from alice (bob)" in text
    assert "ask #1 waited 1.00 s (self)" in text


def test_an_unanswered_ask_is_drawn_open():
    d = trace_render.layout([ev(1, 0.0, "ask", None, ALICE, msg_type="Get", ask_id=9)], PEOPLE)
    assert [w.outcome for w in d.waits] == ["open"]
    assert 'data-outcome="open"' in trace_svg.to_svg(d)


def test_highlight_marks_the_row_of_an_event():
    d = trace_render.layout(ask_cycle(), PEOPLE)
    row = trace_render.row_of_seq(d, 5)  # a handled event: no row of its own
    assert row == trace_render.row_of_seq(d, 4) == 3
    svg = trace_svg.to_svg(d, highlight=row)
    now = ET.fromstring(svg).find(f".//{SVG_NS}rect[@class='actorlab-trace-now']")
    assert now is not None and float(now.get("y")) == trace_svg._y(3) - trace_svg.ROW_H / 2
