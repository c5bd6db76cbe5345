"""The exercises of tutorials 05-09 and 11 answer back, checked the way a learner meets them.

One kernel per notebook, in a temp copy of notebooks/, runs the notebook as shipped up to its
exercise check (the blank exercise must get a hint, not a bare assertion), then each known wrong
answer (tests/notebooks/wrong/<exercise>-*.py) in the exercise cell followed by the check cells
again (its misconception must be named), then notebooks/solutions/<exercise>.py (the check must
pass), then the rest of the notebook. All in the same kernel, as a learner retries: so this also
tests that re-running an exercise undoes the previous attempt (teach.Exercise).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from exercises import wrong_answers
from notebook_utils import CellResult, KernelSession

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
SOLUTIONS = NOTEBOOK_DIR / "solutions"

pytestmark = [pytest.mark.kernel, pytest.mark.timeout(300)]

# The new tutorials; their known wrong answers are tests/notebooks/wrong/<exercise>-*.py
# (shared with test_exercises.py, which runs each in a fresh kernel instead).
NEW = [
    "05_bank_account",
    "06_hierarchies_and_lifecycle",
    "07_faults_and_delivery",
    "08_iot_device_group",
    "09_worker_pool_backpressure",
    "11_capstone_dining_philosophers",
]


@dataclass
class Exercise:
    name: str
    before: list[nbformat.NotebookNode]  # cells up to the exercise cell
    checks: list[nbformat.NotebookNode]  # the check cells (raises-exception tagged)
    after: list[nbformat.NotebookNode]  # everything after the last check cell
    results: dict[str, list[CellResult]] = field(default_factory=dict)
    wrong: list[tuple[str, str]] = field(default_factory=list)  # (source, expected words)


def _split(nb: nbformat.NotebookNode) -> Exercise:
    cells = nb.cells
    meta = [c.metadata.get("actorlab", {}) for c in cells]
    (at,) = [i for i, m in enumerate(meta) if "exercise" in m]
    name = meta[at]["exercise"]
    checks = [i for i, m in enumerate(meta) if m.get("check") == name]
    assert checks and checks[0] > at, f"exercise {name!r} has no check cell after it"
    return Exercise(name, cells[: at + 1], [cells[i] for i in checks], cells[checks[-1] + 1 :])


def _cell(source: str, tags: list[str] | None = None) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = tags
    return cell


def _untagged(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return _cell(cell.source)


def _not_yet(results: list[CellResult]) -> str:
    errors = [e for r in results for e in r.errors]
    assert errors, "the check passed, but it should have said what is wrong"
    assert [e["ename"] for e in errors] == ["NotYet"], errors
    return errors[0]["evalue"]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    ignore = shutil.ignore_patterns(".*", "__pycache__")
    return Path(shutil.copytree(NOTEBOOK_DIR, tmp_path_factory.mktemp("nb") / "nb", ignore=ignore))


@pytest.fixture(scope="module", params=NEW)
def exercise(request, workdir) -> Exercise:
    ex = _split(nbformat.read(workdir / f"{request.param}.ipynb", as_version=4))
    ex.wrong = [(w.source, w.expect) for w in wrong_answers() if w.exercise == ex.name]
    solution = (SOLUTIONS / f"{ex.name}.py").read_text(encoding="utf-8")
    with KernelSession(workdir) as kernel:
        kernel.run_all(ex.before)
        ex.results["blank"] = kernel.run_all(ex.checks)
        for i, (wrong, _) in enumerate(ex.wrong):
            kernel.run(wrong)
            ex.results[f"wrong{i}"] = kernel.run_all(ex.checks)
        kernel.run(solution)
        ex.results["solution"] = kernel.run_all([_untagged(c) for c in ex.checks])
        ex.results["after"] = kernel.run_all(ex.after)
    return ex


def test_blank_exercise_gets_a_hint(exercise):
    text = _not_yet(exercise.results["blank"])
    assert "not answered yet" in text and "Hint:" in text, text


def test_wrong_answers_get_their_misconception_named(exercise):
    assert exercise.wrong, f"no tests/notebooks/wrong/{exercise.name}-*.py"
    for i, (_, words) in enumerate(exercise.wrong):
        text = _not_yet(exercise.results[f"wrong{i}"])
        assert words in text and "Hint:" in text, text


def test_solution_passes(exercise):
    results = exercise.results["solution"]
    assert not [e for r in results for e in r.errors]
    assert any(f"✓ {exercise.name}" in r.stdout for r in results), [r.stdout for r in results]
