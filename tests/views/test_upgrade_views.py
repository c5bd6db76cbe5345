"""Live code is visible: an upgraded actor shows its upgrades in the tree, top, its info panel
and traces (the dashboard's drawn tree has its own test)."""

from __future__ import annotations

from dataclasses import replace

from actorlab.events import Event
from actorlab.trace import layout, text
from actorlab.views import info_panel, top, tree

from .synth import NOW, aid, bank


def _upgraded():
    base = bank()[1]
    return base, replace(base, upgrades=2, last_upgrade_at=NOW - 3.0)


def test_the_tree_node_shows_upgrades_only_once_there_are_some():
    base, upgraded = _upgraded()
    assert "⇪2" in "".join(p.text for p in tree.actor_parts(upgraded))
    assert "⇪" not in "".join(p.text for p in tree.actor_parts(base))


def test_the_info_panel_says_how_often_and_when():
    base, upgraded = _upgraded()
    text_ = info_panel.to_plain(info_panel.build_info(upgraded, now=NOW))
    assert "upgrades" in text_ and "2, last 3.0s ago" in text_
    assert "upgrades" not in info_panel.to_plain(info_panel.build_info(base, now=NOW))


def test_top_shows_and_sorts_by_upgrades():
    base, upgraded = _upgraded()
    assert f"{upgraded.restarts} ⇪2" in top._row(upgraded, {}, NOW)
    model = top.build_top([base, upgraded], sort="upgrades", n=1, rates={}, interval=1.0, now=NOW)
    assert "⇪2" in top.to_plain(model)


def test_a_trace_marks_an_upgrade_and_a_failed_one():
    a = aid("counter")
    events = [
        Event(1, 0.0, "upgrade", None, a, "Counter", None, None, None, "ok: upgrade #1 to the new __main__.Counter"),
        Event(2, 1.0, "upgrade", None, a, "Counter", None, None, None, "failed, kept the old code: KeyError: 'x'"),
    ]
    out = text.to_text(layout.layout(events, {a: "counter"}))
    assert "⇪ counter upgraded" in out
    assert "⇪ counter upgrade failed (KeyError: 'x')" in out
