"""Notebook hygiene of the tutorials: running any cell twice in a row (a learner's habit) never
starts a second runtime or leaves two live actors with one name, and the notebook still runs to
its final assert."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat
import pytest
from notebook_utils import KernelSession

pytestmark = [pytest.mark.kernel, pytest.mark.timeout(600)]

NOTEBOOKS = Path(__file__).resolve().parents[2] / "notebooks"
MINE = ["01_quickstart.ipynb", "10a_persistence_save.ipynb", "10b_persistence_respawn.ipynb"]

CHECK = """
import threading, actorlab as _al
_threads = [t.name for t in threading.enumerate() if t.name == "actorlab-runtime"]
_names = [i.name for i in _al.inspect() if i.name is not None]
assert len(_threads) <= 1, f"{len(_threads)} runtime threads"
assert len(_names) == len(set(_names)), f"duplicate names: {sorted(_names)}"
print(len(_threads), sorted(_names))
"""


def _code_cells(path: Path):
    nb = nbformat.read(path, as_version=4)
    return [c for c in nb.cells if c.cell_type == "code" and "skip-execution" not in c.metadata.get("tags", [])]


def _run_twice(kernel: KernelSession, path: Path) -> str:
    """Run every cell twice in a row (a cell that fails raises), checking after each pair."""
    for cell in _code_cells(path):
        kernel.run_cell(nbformat.from_dict(dict(cell)))
        kernel.run_cell(nbformat.from_dict(dict(cell)))
        kernel.run(CHECK)
    return kernel.run(CHECK).stdout


def test_quickstart_cells_can_each_be_run_twice(tmp_path):
    shutil.copy(NOTEBOOKS / MINE[0], tmp_path)
    with KernelSession(tmp_path) as kernel:
        final = _run_twice(kernel, tmp_path / MINE[0])
    assert final.startswith("1 ["), final


def test_persistence_pair_cells_can_each_be_run_twice_across_a_restart(tmp_path):
    for name in MINE[1:]:
        shutil.copy(NOTEBOOKS / name, tmp_path)
    with KernelSession(tmp_path) as kernel:
        assert _run_twice(kernel, tmp_path / MINE[1]) == "1 ['ada', 'bob']\n"
        kernel.restart()
        assert _run_twice(kernel, tmp_path / MINE[2]) == "1 ['ada', 'bob']\n"
