"""`make lab`'s path leaves `git status` clean: its recipe copies notebooks/ into tutorials-work/
(gitignored) with `actorlab tutorial`, and every tutorial run there writes only there.

Runs in a temp git repository holding this tree's notebooks/ and .gitignore (tracked and new
files), so the check never depends on what else is going on in the real checkout."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from pathlib import Path

import pytest
from exercises import read, run

from actorlab import cli

pytestmark = [pytest.mark.kernel, pytest.mark.slow, pytest.mark.timeout(1800)]

REPO = Path(__file__).resolve().parents[2]


class Launched(Exception):
    """What the fake os.execv raises instead of starting JupyterLab."""


def _git(cwd: Path, *args: str) -> str:
    identity = ["-c", "user.name=test", "-c", "user.email=test@example.invalid"]
    done = subprocess.run(["git", *identity, *args], cwd=cwd, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    return done.stdout


def make_lab_args() -> list[str]:
    """The `actorlab tutorial` arguments of `make lab`'s recipe (read with `make -n`)."""
    if shutil.which("make") is None:
        pytest.skip("needs `make`")
    dry = subprocess.run(["make", "-n", "--no-print-directory", "lab"], cwd=REPO,
                         capture_output=True, text=True, check=True)  # fmt: skip
    words = shlex.split(dry.stdout.strip().splitlines()[-1])
    assert words[1:3] == ["-m", "actorlab.cli"], words
    return words[3:]


def test_make_lab_works_on_a_gitignored_copy():
    args = make_lab_args()
    assert args[:2] == ["tutorial", "tutorials-work"] and args[2:] == ["--from", "notebooks"]
    ignored = _git(REPO, "check-ignore", "tutorials-work/01_quickstart.ipynb")
    assert ignored.strip() == "tutorials-work/01_quickstart.ipynb"


def test_every_tutorial_run_through_make_lab_leaves_git_clean(tmp_path, monkeypatch):
    repo = tmp_path / "repo"
    listed = _git(REPO, "ls-files", "-z", "--cached", "--others", "--exclude-standard", "--",
                  "notebooks", ".gitignore")  # fmt: skip
    for rel in filter(None, listed.split("\0")):
        if (REPO / rel).is_file():
            (repo / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(REPO / rel, repo / rel)
    _git(repo, "init", "-q")
    _git(repo, "add", ".gitignore", "notebooks")
    _git(repo, "commit", "-q", "-m", "tutorials")

    def fake_execv(path, argv):
        raise Launched(argv)

    monkeypatch.chdir(repo)
    monkeypatch.setattr(cli.os, "execv", fake_execv)
    with pytest.raises(Launched):
        cli.main([*make_lab_args(), "--no-browser"])
    work = repo / "tutorials-work"
    notebooks = sorted(work.glob("*.ipynb"))
    assert [p.name for p in notebooks] == sorted(
        p.name for p in (repo / "notebooks").glob("*.ipynb")
    )
    for path in notebooks:
        run(read(path), work)
    assert _git(repo, "status", "--porcelain") == ""
    assert any(work.rglob("*.snap")), "the persistence tutorials wrote no snapshot in the copy"
