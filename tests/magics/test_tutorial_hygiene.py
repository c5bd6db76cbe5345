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


@pytest.mark.parametrize("name", [n for n in MINE if n.startswith("01")])
def test_every_cell_can_be_run_twice(tmp_path, name):
    shutil.copy(NOTEBOOKS / name, tmp_path)
    with KernelSession(tmp_path) as kernel:
        for cell in _code_cells(tmp_path / name):
            kernel.run_cell(nbformat.from_dict(dict(cell)))
            again = kernel.run_cell(nbformat.from_dict(dict(cell)))
            assert not again.errors, f"re-running failed:\n{cell.source}"
            kernel.run(CHECK)
        final = kernel.run(CHECK).stdout
    assert final.startswith("1 ["), final
