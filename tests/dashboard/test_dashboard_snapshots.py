"""The State & Snapshot tab with the persistence layer: save, list, diff vs live, respawn."""

from __future__ import annotations

import pytest

import actorlab as al
from actorlab.testing import wait_idle, wait_until

from .actors import NAMESPACE, Add, Get

SNAPSHOT_TAB = 3

if not all(hasattr(al, n) for n in ("FileStorage", "snapshots", "diff_snapshot")):
    pytest.skip("this build has no persistence layer", allow_module_level=True)


class Saved(al.Actor, snapshot=True):
    def __init__(self) -> None:
        self.value = 0

    @al.handler
    def add(self, msg: Add) -> int:
        self.value += msg.n
        return self.value

    @al.handler
    def get(self, msg: Get) -> int:
        return self.value


def settle(dash, condition, what):
    def check():
        dash.refresh_now()
        return condition()

    return wait_until(check, timeout=5.0, what=what)


@pytest.fixture
def store(tmp_path):
    return al.FileStorage(tmp_path / "snapshots")


@pytest.fixture
def saved(al_root, store):
    ref = al_root.spawn_persistent_sync(store, al.ActorId.from_name("saved"), Saved(), name="saved")
    ref.tell(Add(3))
    wait_idle()
    return ref


def test_save_lists_the_snapshot_and_diffs_it_against_live(saved, store, open_dashboards):
    dash = open_dashboards(namespace=NAMESPACE, storage=store)
    dash.tabs.selected_index = SNAPSHOT_TAB
    assert "No snapshots of this actor yet" in dash.snapshot_pane.value
    assert not dash.save_btn.disabled
    dash.save_btn.click()
    settle(dash, lambda: "save snapshot of saved: saved" in dash.status.value, "the save")
    settle(dash, lambda: len(dash.snapshot_pick.options) == 1, "the snapshot to be listed")
    assert "The live state equals this snapshot." in dash.snapshot_pane.value
    assert "Saved" in dash.snapshot_pane.value  # the class column

    saved.tell(Add(4))
    settle(dash, lambda: "actorlab-snapshot-diff" in dash.snapshot_pane.value, "a diff")
    html = dash.snapshot_pane.value
    assert "<td style='padding:2px 8px;vertical-align:top'>value</td>" in html
    assert ">3</td>" in html and ">7</td>" in html  # saved vs live


def test_respawn_restores_the_saved_state_under_the_same_id(saved, store, open_dashboards):
    dash = open_dashboards(namespace=NAMESPACE, storage=store)
    dash.tabs.selected_index = SNAPSHOT_TAB
    dash.save_btn.click()
    settle(dash, lambda: "saved (" in dash.status.value, "the save")
    saved.tell(Add(100))
    assert saved.ask_sync(Get()) == 103
    assert dash.respawn_btn.disabled  # destructive
    dash.destructive.value = True
    dash.respawn_btn.click()
    settle(dash, lambda: "respawned as" in dash.status.value, "the respawn")
    fresh = al.lookup("saved")
    assert fresh.id == saved.id and fresh.ask_sync(Get()) == 3
    settle(
        dash,
        lambda: dash.selected == saved.id and "saved" in dash.heading.value,
        "the respawned actor to be shown",
    )


def test_save_of_a_non_persistent_actor_reports_the_error(al_root, store, open_dashboards):
    from .actors import Counter

    al_root.spawn(Counter(), name="plain")
    wait_idle()
    dash = open_dashboards(namespace=NAMESPACE, storage=store)
    dash.save_btn.click()
    settle(dash, lambda: "✖ save snapshot of plain" in dash.status.value, "the failed save")


def test_without_persistence_the_tab_says_so(monkeypatch, saved, open_dashboards):
    monkeypatch.delattr(al, "diff_snapshot")
    dash = open_dashboards(namespace=NAMESPACE)
    dash.tabs.selected_index = SNAPSHOT_TAB
    assert "Persistence is not available in this build (al.diff_snapshot() missing)" in (
        dash.snapshot_pane.value
    )
    assert dash.save_btn.disabled
    dash.destructive.value = True
    assert dash.respawn_btn.disabled
