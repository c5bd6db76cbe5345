"""Every tutorial in notebooks/ runs top to bottom in a fresh kernel, and the persistence pair
10a -> kernel restart -> 10b restores its actors.

Notebooks run in a temp copy of notebooks/ (snapshots and autosaves never touch the repo), in
sorted order in one shared copy, as a learner runs them. Cell tags: `skip-execution` is skipped,
`raises-exception` must raise.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import nbformat
import pytest
from exercises import read, run
from notebook_utils import KernelSession

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
SAVE = sorted(NOTEBOOK_DIR.glob("10a_*.ipynb"))
RESPAWN = sorted(NOTEBOOK_DIR.glob("10b_*.ipynb"))
PERSISTENT_IDS = (
    "import actorlab\nprint(sorted(str(a.id) for a in actorlab.inspect() if a.persistent))"
)
PID = "print(__import__('os').getpid())"

pytestmark = [pytest.mark.kernel, pytest.mark.timeout(600)]


def _copy_notebooks(dest: Path) -> Path:
    ignore = shutil.ignore_patterns(".*", "__pycache__")
    return Path(shutil.copytree(NOTEBOOK_DIR, dest, ignore=ignore))


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    return _copy_notebooks(tmp_path_factory.mktemp("notebooks") / "notebooks")


@pytest.mark.parametrize(
    "name",
    [p.name for p in NOTEBOOKS]
    or [pytest.param(None, marks=pytest.mark.skip(reason="notebooks/ holds no .ipynb yet"))],
)
def test_notebook_runs(name, workdir):
    """Each in a fresh kernel; a notebook's `metadata.actorlab.requires` run first (10b: 10a)."""
    results = run(read(workdir / name), workdir)
    assert any(not r.skipped for r in results), f"{name} has no code cell to execute"


@pytest.mark.skipif(not (SAVE and RESPAWN), reason="needs notebooks/10a_*.ipynb and 10b_*.ipynb")
def test_persistence_survives_kernel_restart(tmp_path):
    work = _copy_notebooks(tmp_path / "notebooks")
    before = _files(work)
    with KernelSession(work) as kernel:
        kernel.run_all(nbformat.read(work / SAVE[0].name, as_version=4).cells)
        saved_ids = _printed(kernel.run(PERSISTENT_IDS))
        old_pid = _printed(kernel.run(PID))
        assert saved_ids, f"{SAVE[0].name} must leave its persistent actors running at the end"
        assert _files(work) - before, f"{SAVE[0].name} wrote no snapshot under its directory"

        kernel.restart()
        assert _printed(kernel.run(PID)) != old_pid, "the kernel process was not restarted"
        assert _printed(kernel.run(PERSISTENT_IDS)) == []

        kernel.run_all(nbformat.read(work / RESPAWN[0].name, as_version=4).cells)
        respawned = _printed(kernel.run(PERSISTENT_IDS))
    assert set(saved_ids) <= set(respawned), f"{RESPAWN[0].name} did not respawn {saved_ids}"


@pytest.mark.skipif(not RESPAWN, reason="needs notebooks/10b_*.ipynb")
def test_respawn_notebook_asserts_restored_state():
    """10b must check what it restored, so the restart test above catches a wrong state."""
    from IPython.core.inputtransformer2 import TransformerManager

    nb = nbformat.read(RESPAWN[0], as_version=4)
    to_python = TransformerManager().transform_cell
    asserts = [
        node
        for cell in nb.cells
        if cell.cell_type == "code" and "skip-execution" not in cell.metadata.get("tags", [])
        for node in ast.walk(ast.parse(to_python(cell.source)))
        if isinstance(node, ast.Assert)
    ]
    assert asserts, f"{RESPAWN[0].name}: add an `assert` on the respawned actor's state"


def _files(root: Path) -> set[Path]:
    return {p for p in root.rglob("*") if p.is_file() and ".ipynb_checkpoints" not in p.parts}


def _printed(result):
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])
