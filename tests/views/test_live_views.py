"""Views over a real runtime: al.tree(), al.top(), and objects that display themselves."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

import actorlab as al
from actorlab.testing import wait_idle, wait_until


@dataclass
class Add:
    amount: int


@dataclass
class Get:
    pass


class Counter(al.Actor):
    def __init__(self, value: int = 0) -> None:
        self.value = value

    @al.handler
    def add(self, msg: Add) -> None:
        self.value += msg.amount

    @al.handler
    def get(self, msg: Get) -> int:
        return self.value


class Team(al.Actor):
    def on_start(self) -> None:
        for i in range(2):
            self.ctx.spawn(Counter(i), name=f"member-{i}")

    @al.handler
    def ping(self, msg: str) -> str:
        return msg


def test_tree_shows_the_live_hierarchy_with_counts(al_root):
    team = al_root.spawn(Team(), name="team")
    c = al_root.spawn(Counter(), name="c")
    for _ in range(3):
        c.tell(Add(1))
    assert c.ask_sync(Get()) == 3
    wait_until(lambda: len(al.inspect()) == 4, what="both team members")
    assert team.ask_sync("hi") == "hi"
    wait_idle()  # a reply can arrive before the actor marks itself idle again
    text = al.tree().text(100)
    assert text == (
        "actorlab · 4 actors: 4 idle\n"
        "├── ● team  Team  mbox=0 done=1\n"
        "│   ├── ● member-0  Counter  mbox=0 done=0\n"
        "│   └── ● member-1  Counter  mbox=0 done=0\n"
        "└── ● c  Counter  mbox=0 done=4\n"
    )


def test_top_gives_rates_from_the_second_call(al_root):
    c = al_root.spawn(Counter(), name="c")
    assert c.ask_sync(Get()) == 0
    first = al.top(sort="rate").text(120)
    assert "call top() again to see rates" in first
    for _ in range(10):
        c.tell(Add(1))
    assert c.ask_sync(Get()) == 10
    wait_idle()
    second = al.top(sort="rate").text(120)
    assert "Δ/s since last refresh" in second
    row = next(line for line in second.splitlines() if line.startswith("/c "))
    assert row.split()[2:4] == ["●", "idle"]


def test_top_refuses_an_unknown_sort_key_before_reading_the_runtime(al_root):
    with pytest.raises(ValueError, match="cannot sort top by 'speed'"):
        al.top(sort="speed")


def test_ref_root_and_info_render_in_notebooks(al_root):
    c = al_root.spawn(Counter(), name="c")
    c.ask_sync(Get())
    wait_idle()
    ref_bundle = c._repr_mimebundle_()
    assert set(ref_bundle) == {"text/html", "text/plain"}
    assert ref_bundle["text/plain"] == "● c  Counter  mbox=0 done=1"
    root_bundle = al_root._repr_mimebundle_()
    assert root_bundle["text/plain"].splitlines() == [
        "actorlab · 1 actor: 1 idle",
        "└── ● c  Counter  mbox=0 done=1",
    ]
    info_text = c.info()._repr_mimebundle_()["text/plain"]
    assert "parent           root (top-level actor)" in info_text
    assert "value            0" in info_text  # the state preview of ref.info()


def test_objects_are_rich_renderables(al_root):
    from rich.panel import Panel
    from rich.tree import Tree

    c = al_root.spawn(Counter(), name="c")
    assert isinstance(c.__rich__(), Tree)
    assert isinstance(al_root.__rich__(), Tree)
    assert isinstance(c.info().__rich__(), Panel)


def test_stopped_ref_renders_as_stopped(al_root):
    c = al_root.spawn(Counter(), name="c")
    c.stop()
    assert c._repr_mimebundle_()["text/plain"] == "■ c  Counter  stopped"


def test_info_panel_names_parent_and_children_by_label(al_root):
    team = al_root.spawn(Team(), name="team")
    wait_until(lambda: len(al.inspect()) == 3, what="both team members")
    text = str(al.lookup("member-0").info()._repr_mimebundle_()["text/plain"])
    assert "parent           team" in text
    team_text = team.info()._repr_mimebundle_()["text/plain"]
    assert "children         2: member-0, member-1" in team_text

