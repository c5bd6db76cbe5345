"""%actor save / respawn / snapshots, and snapshot objects rendering themselves."""

from __future__ import annotations

import pytest
from IPython.core.error import UsageError

import actorlab as al

PERSISTENT = '''
class Account(al.Actor, snapshot=True):
    def __init__(self, owner, balance=0):
        self.owner = owner
        self.balance = balance

    @al.handler
    def deposit(self, msg: Add) -> None:
        self.balance += msg.amount

    @al.handler
    def get(self, msg: Get) -> int:
        return self.balance

store = al.FileStorage("snaps")
'''


@pytest.fixture
def shell(ip, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    ip.run_cell(PERSISTENT)
    return ip


def line(ip, text):
    return ip.run_line_magic("actor", text)


def test_respawn_spawns_the_default_then_restores_the_saved_state(shell):
    first = line(shell, "respawn -s store ada = Account('ada', 10)")
    assert first.id == al.ActorId.from_name("ada") and first.name == "ada"
    assert shell.user_ns["ada"] is first
    line(shell, "tell ada Add(5)")
    header = line(shell, "save ada store")
    assert header.actor_class == "__main__.Account"
    assert "class pickled by value (notebook)" in header._repr_mimebundle_()["text/plain"]
    again = line(shell, "respawn -s store ada = Account('ada', 10)")  # re-run: replaces, restores
    assert again is shell.user_ns["ada"] and again == first  # same stable id; old refs follow it
    assert line(shell, "ask ada Get()") == 15
    assert [i.name for i in al.inspect()] == ["ada"]


def test_save_without_storage_uses_the_storage_the_actor_came_from(shell, tmp_path):
    line(shell, "respawn -s store ada = Account('ada', 3)")
    line(shell, "save ada")
    assert [e.actor_id for e in al.snapshots(shell.user_ns["store"])] == [al.ActorId.from_name("ada")]


def test_snapshots_lists_headers_as_a_table(shell):
    line(shell, "respawn -s store ada = Account('ada')")
    line(shell, "save ada")
    text = line(shell, "snapshots store").text(120)
    lines = text.splitlines()
    assert lines[0].startswith("1 snapshot in FileStorage(")
    row = next(r for r in lines if r.strip().startswith(al.ActorId.from_name("ada").short))
    assert row.split()[1:3] == ["/ada", "__main__.Account"] and row.rstrip().endswith("by value")


def test_loaded_snapshot_renders_the_inspector_with_state_and_report(shell):
    line(shell, "respawn -s store ada = Account('ada', 7)")
    line(shell, "save ada")
    loaded = shell.ev("al.load_snapshot(store, al.ActorId.from_name('ada'))")
    text = loaded._repr_mimebundle_()["text/plain"]
    assert "  owner     str    'ada'" in text and "  balance   int    7" in text
    assert "every field pickles" in text
    entry = al.snapshots(shell.user_ns["store"])[0]
    assert "class source    by value (notebook)" in entry._repr_mimebundle_()["text/plain"]


def test_respawn_misuse(shell):
    with pytest.raises(UsageError, match=r"%actor respawn: expected NAME = \.\.\., got 'Account\(\)'"):
        line(shell, "respawn Account()")
    with pytest.raises(UsageError, match=r"%actor respawn: option --storage needs a value"):
        line(shell, "respawn -s")
    with pytest.raises(UsageError, match=r"%actor respawn: cannot copy|%actor respawn: .*snapshot"):
        line(shell, "respawn c = Counter(0)")  # Counter is not a persistent actor


def test_respawn_with_autosave_keeps_the_snapshot_current(shell):
    line(shell, "respawn -s store -a al.Every(messages=1) ada = Account('ada')")
    line(shell, "tell ada Add(12)")
    assert line(shell, "ask ada Get()") == 12  # the Add's autosave finished before Get ran
    loaded = shell.ev("al.load_snapshot(store, al.ActorId.from_name('ada'))")
    assert loaded.state.balance == 12
