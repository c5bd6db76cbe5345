"""10a/10b as a learner meets them: 10b refuses 10a's kernel, re-running 10a gives the same
balances, the inspector's picklability warning shows, and 10b migrates a new field."""

from __future__ import annotations

import pytest
from exercises import read, run, workdir
from notebook_utils import RAISES, KernelSession

pytestmark = [pytest.mark.kernel, pytest.mark.timeout(600)]

SAVE, RESPAWN = "10a_persistence_save.ipynb", "10b_persistence_respawn.ipynb"
BALANCES = "print({n: al.lookup(n).ask_sync(Balance()) for n in ('ada', 'bob')})"


def test_10b_in_10a_kernel_says_the_kernel_must_be_restarted(tmp_path):
    work = workdir(tmp_path)
    with KernelSession(work) as kernel:
        kernel.run_all(read(work / SAVE).cells)
        first = next(c for c in read(work / RESPAWN).cells if c.cell_type == "code")
        result = kernel.run(first.source, [RAISES])
    assert result.error_names == ["NeedsRestart"]
    assert "Kernel -> Restart Kernel, then run 10b" in result.errors[0]["evalue"]


def test_rerunning_10a_does_not_inflate_the_balances(tmp_path):
    work = workdir(tmp_path)
    cells = read(work / SAVE).cells
    with KernelSession(work) as kernel:
        kernel.run_all(cells)
        first = kernel.run(BALANCES).stdout
        kernel.run_all(cells)  # Run All again, same kernel
        again = kernel.run(BALANCES).stdout
    with KernelSession(work) as kernel:  # and in a new kernel, with the snapshots on disk
        kernel.run_all(cells)
        fresh = kernel.run(BALANCES).stdout
    assert first == again == fresh == "{'ada': 125, 'bob': 50}\n"


def test_10a_shows_the_picklability_warning_and_10b_migrates(tmp_path):
    work = workdir(tmp_path)
    saved = run(read(work / SAVE), work)
    shown = "".join(str(bundle) for r in saved for bundle in r.data)
    assert "warning: an actor ref points at a live actor" in shown
    assert "pickle but will not mean the same after loading" in shown
    assert any("NotPicklable" in r.error_names for r in saved)  # the lock, named with its fix

    respawned = run(read(work / RESPAWN), work)
    missing = [r for r in respawned if "AttributeError" in r.error_names]
    assert missing and "has no attribute 'limit'" in missing[0].errors[0]["evalue"]
    assert any("   limit     0" in r.stdout for r in respawned)  # the migrated statement
