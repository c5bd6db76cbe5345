"""notebooks/02_watch_and_step.ipynb in a real kernel: it runs headless (the dashboard cell does
not wait for clicks), shows a widget and trace diagrams, and survives every cell run twice."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import nbformat
import pytest
from notebook_utils import KernelSession, execute_notebook

pytestmark = [pytest.mark.kernel, pytest.mark.timeout(300)]

NOTEBOOK = Path(__file__).resolve().parents[2] / "notebooks" / "02_watch_and_step.ipynb"
WIDGET = "application/vnd.jupyter.widget-view+json"
CHECK = """
import threading, actorlab as _al
from actorlab.views import dashboard as _d
_names = [i.name for i in _al.inspect() if i.name is not None]
assert len(_names) == len(set(_names)), f"duplicate names: {sorted(_names)}"
assert sum(t.name == "actorlab-runtime" for t in threading.enumerate()) <= 1
assert len(_d._open) <= 1, f"{len(_d._open)} dashboards still refreshing"
print(sorted(_names))
"""


def test_notebook_runs_headless_with_widget_and_diagrams(tmp_path):
    shutil.copy(NOTEBOOK, tmp_path)
    start = time.monotonic()
    results = execute_notebook(tmp_path / NOTEBOOK.name)
    assert time.monotonic() - start < 60
    assert NOTEBOOK.name and all(not r.errors for r in results if "raises-exception" not in r.tags)
    shown = [m for r in results for m in r.mimetypes]
    assert WIDGET in shown
    diagrams = [r for r in results if "image/svg+xml" in r.mimetypes]
    assert len(diagrams) >= 4  # the conversation, the crash, the limit, %%actor trace
    # SVG only: JupyterLab would show mermaid instead (it ranks mermaid above SVG), and html
    # outranks both.
    assert all(
        "text/vnd.mermaid" not in r.mimetypes and "text/html" not in r.mimetypes for r in diagrams
    )
    assert (tmp_path / "counter_trace.json").exists()


def test_notebook_is_stored_without_outputs():
    nb = nbformat.read(NOTEBOOK, as_version=4)
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code and all(not c.outputs and c.execution_count is None for c in code)


def test_every_cell_can_be_run_twice(tmp_path):
    shutil.copy(NOTEBOOK, tmp_path)
    nb = nbformat.read(tmp_path / NOTEBOOK.name, as_version=4)
    with KernelSession(tmp_path) as kernel:
        for cell in (c for c in nb.cells if c.cell_type == "code"):
            kernel.run_cell(nbformat.from_dict(dict(cell)))
            kernel.run_cell(nbformat.from_dict(dict(cell)))
            kernel.run(CHECK)
        final = kernel.run(CHECK).stdout
    assert final.strip() == "['auditor', 'boss', 'counter', 'worker']", final
