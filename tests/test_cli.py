"""`actorlab tutorial` and `actorlab snapshot inspect` (JupyterLab is never really started)."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from actorlab import cli
from actorlab.ids import ActorId
from actorlab.persistence import codec

REPO = Path(__file__).resolve().parent.parent


class Launched(Exception):
    """Raised by the fake os.execv: what `actorlab tutorial` would have run."""


@pytest.fixture
def tutorials(tmp_path, monkeypatch):
    src = tmp_path / "src"
    for folder in (
        "images",
        "solutions",
        ".ipynb_checkpoints",
        "tutorial_snapshots",
        "__pycache__",
    ):
        (src / folder).mkdir(parents=True)
    for name in ("00_intro.ipynb", "01_quickstart.ipynb", "images/tree.png", "solutions/tally.py"):
        (src / name).write_text(f"original {name}")
    # what running the notebooks in place leaves behind: never copied
    (src / ".ipynb_checkpoints" / "01_quickstart-checkpoint.ipynb").write_text("stale")
    (src / "tutorial_snapshots" / "ada.snap").write_text("a snapshot")
    (src / "__pycache__" / "x.pyc").write_text("cache")
    (src / "counter_trace.json").write_text("{}")
    monkeypatch.setattr(cli, "tutorials_source", lambda: src)
    monkeypatch.setattr(cli, "_is_root", lambda: False)
    return src


@pytest.fixture
def execv(monkeypatch):
    def fake(path, args):
        raise Launched(path, list(args))

    monkeypatch.setattr(cli.os, "execv", fake)


def test_editable_checkout_uses_the_repo_notebooks():
    assert cli.tutorials_source() == REPO / "notebooks"


def test_dry_run_prints_the_plan_and_changes_nothing(tutorials, tmp_path, capsys):
    dest = tmp_path / "mine"
    assert cli.main(["tutorial", str(dest), "--dry-run", "--no-browser", "--", "--port=9"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out == [
        f"would copy {dest / '00_intro.ipynb'}",
        f"would copy {dest / '01_quickstart.ipynb'}",
        f"would copy {dest / 'images' / 'tree.png'}",
        f"would copy {dest / 'solutions' / 'tally.py'}",
        f"would run: {sys.executable} -m jupyterlab {dest / '01_quickstart.ipynb'} "
        "--no-browser --port=9",
    ]
    assert not dest.exists()


def test_copies_then_keeps_edited_notebooks_unless_forced(tutorials, tmp_path, capsys, execv):
    dest = tmp_path / "mine"
    with pytest.raises(Launched) as launched:
        cli.main(["tutorial", str(dest)])
    assert launched.value.args == (
        sys.executable,
        [sys.executable, "-m", "jupyterlab", str(dest / "01_quickstart.ipynb")],
    )
    assert sorted(str(p.relative_to(dest)) for p in dest.rglob("*") if p.is_file()) == [
        "00_intro.ipynb",
        "01_quickstart.ipynb",
        "images/tree.png",
        "solutions/tally.py",
    ]
    capsys.readouterr()

    (dest / "01_quickstart.ipynb").write_text("my notes")
    with pytest.raises(Launched):
        cli.main(["tutorial", str(dest)])
    out = capsys.readouterr().out
    assert f"keep {dest / '01_quickstart.ipynb'} (yours differs; --force overwrites it)" in out
    assert f"unchanged {dest / '00_intro.ipynb'}" in out
    assert (dest / "01_quickstart.ipynb").read_text() == "my notes"

    with pytest.raises(Launched):
        cli.main(["tutorial", str(dest), "--force"])
    assert f"overwrite {dest / '01_quickstart.ipynb'}" in capsys.readouterr().out
    assert (dest / "01_quickstart.ipynb").read_text() == "original 01_quickstart.ipynb"


def test_default_dir_and_first_notebook_when_there_is_no_quickstart(
    tutorials, tmp_path, monkeypatch, capsys
):
    (tutorials / "01_quickstart.ipynb").unlink()
    monkeypatch.chdir(tmp_path)
    assert cli.main(["tutorial", "--dry-run"]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == f"would run: {sys.executable} -m jupyterlab actorlab-tutorials/00_intro.ipynb"


def test_as_root_jupyterlab_gets_allow_root_once(tutorials, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(cli, "_is_root", lambda: True)
    assert cli.main(["tutorial", str(tmp_path / "a"), "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "running as root: passing --allow-root" in out
    assert out.splitlines()[-1].endswith("01_quickstart.ipynb --allow-root")
    assert cli.main(["tutorial", str(tmp_path / "b"), "--dry-run", "--", "--allow-root"]) == 0
    assert capsys.readouterr().out.count("--allow-root") == 1


def test_is_root_follows_the_effective_uid(monkeypatch):
    monkeypatch.setattr(cli.os, "geteuid", lambda: 0)
    assert cli._is_root()
    monkeypatch.setattr(cli.os, "geteuid", lambda: 1000)
    assert not cli._is_root()


def test_from_copies_another_folder_and_refuses_a_missing_one(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "_is_root", lambda: False)
    src = tmp_path / "nbs"
    src.mkdir()
    (src / "01_quickstart.ipynb").write_text("{}")
    assert cli.main(["tutorial", str(tmp_path / "work"), "--from", str(src), "--dry-run"]) == 0
    assert f"would copy {tmp_path / 'work' / '01_quickstart.ipynb'}" in capsys.readouterr().out
    assert cli.main(["tutorial", str(tmp_path / "work"), "--from", str(tmp_path / "nope")]) == 1
    assert "no such folder" in capsys.readouterr().err


def test_missing_tutorials_is_a_clear_error(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(cli, "tutorials_source", lambda: None)
    assert cli.main(["tutorial", str(tmp_path), "--dry-run"]) == 1
    assert "tutorial notebooks are not installed" in capsys.readouterr().err


@pytest.fixture
def snapshot_file(tmp_path):
    data = codec.dump({"count": 3}, actor_id=ActorId.from_name("counter"), actor_path="/counter")
    path = tmp_path / "counter.snapshot"
    path.write_bytes(data)
    return path


def test_inspect_prints_the_header(snapshot_file, capsys):
    assert cli.main(["snapshot", "inspect", str(snapshot_file)]) == 0
    out = capsys.readouterr().out
    actor_id = ActorId.from_name("counter")
    assert out.startswith(f"{snapshot_file}: actorlab snapshot of builtins.dict (actor id ")
    assert f"  actor id         {actor_id}\n" in out
    assert f"  python tag       cp{sys.version_info[0]}{sys.version_info[1]}" in out
    assert "  contains code    no\n" in out


class _Touch:
    """Unpickling this creates a file: the proof that `inspect` never unpickles."""

    def __init__(self, path):
        self.path = path

    def __reduce__(self):
        return (Path.touch, (self.path,))


def test_inspect_never_unpickles(snapshot_file, tmp_path, capsys):
    data = snapshot_file.read_bytes()
    payload_len = codec.format.read_header(data).payload_len
    marker = tmp_path / "unpickled"
    bait = pickle.dumps(_Touch(marker))
    snapshot_file.write_bytes(data[:-payload_len] + bait)
    assert cli.main(["snapshot", "inspect", "--json", str(snapshot_file)]) == 0
    header = json.loads(capsys.readouterr().out)
    assert header["actor"]["id"] == str(ActorId.from_name("counter"))
    assert not marker.exists()
    pickle.loads(bait)  # the bait does work when unpickled

    assert marker.exists()


def test_inspect_errors(tmp_path, monkeypatch, capsys):
    bogus = tmp_path / "notes.txt"
    bogus.write_text("hello")
    assert cli.main(["snapshot", "inspect", str(bogus)]) == 1
    assert "not an actorlab snapshot" in capsys.readouterr().err

    assert cli.main(["snapshot", "inspect", str(tmp_path / "nope")]) == 1
    assert "cannot read" in capsys.readouterr().err

    monkeypatch.setitem(sys.modules, "actorlab.persistence.format", None)
    assert cli.main(["snapshot", "inspect", str(bogus)]) == 1
    assert "cannot read snapshots" in capsys.readouterr().err


def test_console_script_runs():
    result = subprocess.run(
        [Path(sys.executable).parent / "actorlab", "snapshot", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "inspect" in result.stdout
