"""The kernel helpers the notebook and magics tests rely on, checked against a real kernel."""

from __future__ import annotations

import sys

import pytest
from nbclient.exceptions import CellExecutionError
from notebook_utils import run_cells

pytestmark = pytest.mark.kernel

BUNDLE = """
class Diagram:
    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"image/svg+xml": "<svg/>", "text/plain": "diagram"}
Diagram()
"""


def test_run_cells_reports_outputs_per_cell_and_honours_tags(tmp_path):
    results = run_cells(
        [
            "import os, sys; print(os.getcwd()); print(sys.executable)",
            "import sys; print('oops', file=sys.stderr)",
            BUNDLE,
            ("1 / 0", ["raises-exception"]),
            ("raise SystemExit('never runs')", ["skip-execution"]),
            "print('after the error')",
        ],
        tmp_path,
    )
    cwd, exe = results[0].stdout.splitlines()
    assert (cwd, exe) == (str(tmp_path), sys.executable)
    assert results[1].stderr == "oops\n"
    assert results[2].mimetypes == ["image/svg+xml", "text/plain"]
    assert results[3].error_names == ["ZeroDivisionError"]
    assert results[4].skipped and not results[4].errors
    assert results[5].stdout == "after the error\n"


def test_untagged_error_fails_and_tagged_clean_cell_fails(tmp_path):
    with pytest.raises(CellExecutionError, match="ZeroDivisionError"):
        run_cells(["1 / 0"], tmp_path)
    with pytest.raises(AssertionError, match="tagged 'raises-exception' ran without error"):
        run_cells([("x = 1", ["raises-exception"])], tmp_path)


def test_restart_gives_a_new_process_in_the_same_directory(kernel_session, tmp_path):
    first = kernel_session.run("import os; marker = 1; print(os.getpid())").stdout
    kernel_session.restart()
    after = kernel_session.run("import os; print(os.getpid(), os.getcwd(), 'marker' in dir())")
    pid, cwd, has_marker = after.stdout.split()
    assert pid != first.strip()
    assert cwd == str(tmp_path)
    assert has_marker == "False"


def test_interrupt_frees_a_blocked_cell_and_times_the_reply(kernel_session):
    result = kernel_session.interrupt_cell(
        "import threading\nprint('blocked', flush=True)\nthreading.Event().wait(60)",
        ready_marker="blocked",
    )
    assert result.cell.error_names == ["KeyboardInterrupt"]
    assert result.seconds_to_reply < 5
    assert kernel_session.run("print('alive')").stdout == "alive\n"
