"""Every tutorial exercise, three ways: the blank start gets a hint (not a bare assertion), each
known wrong answer gets its misconception named, and the solution passes. See exercises.py."""

from __future__ import annotations

import pytest
from exercises import (
    SOLUTIONS,
    exercises,
    fill,
    notebook_of,
    notebooks_with_exercises,
    read,
    run,
    workdir,
    wrong_answers,
)
from notebook_utils import RAISES

pytestmark = [pytest.mark.kernel, pytest.mark.timeout(600)]

NOTEBOOKS = notebooks_with_exercises()
WRONG = wrong_answers()


def _ids(paths):
    return [p.stem for p in paths]


def test_every_exercise_has_a_solution_and_tagged_checks():
    assert NOTEBOOKS, "no notebook has an exercise"
    for path in NOTEBOOKS:
        nb = read(path)
        for name, (_, checks) in exercises(nb).items():
            assert (SOLUTIONS / f"{name}.py").is_file(), f"{path.name}: no solutions/{name}.py"
            assert checks, f"{path.name}: exercise {name!r} has no check cell after it"
            for i in checks:
                assert RAISES in nb.cells[i].metadata.get("tags", []), (path.name, name, i)
                assert "teach.Exercise(" in nb.cells[i].source or "ex.check(" in nb.cells[i].source
    for wrong in WRONG:
        notebook_of(wrong.exercise)  # raises if the exercise does not exist


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_blank_start_gets_a_hint(path, tmp_path):
    nb = read(path)
    results = run(nb, workdir(tmp_path))
    for name, (_, checks) in exercises(nb).items():
        errors = [e for i in checks for e in results[i].errors]
        assert errors, f"{name}: the blank start passed its check"
        first = errors[0]
        assert first["ename"] == "NotYet", f"{name}: {first['ename']}: {first['evalue']}"
        assert first["evalue"].startswith(f"✗ {name}: "), first["evalue"]
        assert "\nHint: " in first["evalue"], f"{name}: no hint in {first['evalue']!r}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_solutions_pass(path, tmp_path):
    nb = read(path)
    names = exercises(nb)
    answers = {name: (SOLUTIONS / f"{name}.py").read_text(encoding="utf-8") for name in names}
    results = run(fill(nb, answers, passing=True), workdir(tmp_path))
    for name, (_, checks) in names.items():
        out = "".join(results[i].stdout for i in checks)
        assert f"✓ {name}: right." in out, f"{name}: {out!r}"


@pytest.mark.parametrize("wrong", WRONG, ids=[w.path.stem for w in WRONG])
def test_wrong_answer_names_its_misconception(wrong, tmp_path):
    nb = read(notebook_of(wrong.exercise))
    results = run(fill(nb, {wrong.exercise: wrong.source}, passing=False), workdir(tmp_path))
    _, checks = exercises(nb)[wrong.exercise]
    errors = [e for i in checks for e in results[i].errors]
    assert errors, f"{wrong.path.name} passed the check"
    assert errors[0]["ename"] == "NotYet", f"{errors[0]['ename']}: {errors[0]['evalue']}"
    assert wrong.expect in errors[0]["evalue"], errors[0]["evalue"]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=_ids(NOTEBOOKS))
def test_rerun_with_the_solution_passes_after_a_failed_attempt(path, tmp_path):
    """A learner's path: run the notebook (each blank check fails), then fix one exercise cell and
    run it and its checks again in the same kernel: what the failed attempt left (paused
    actors, queued messages, spawned names) must not make the right answer fail."""
    from notebook_utils import KernelSession

    nb = read(path)
    work = workdir(tmp_path)
    names = exercises(nb)
    fixed = fill(nb, {n: (SOLUTIONS / f"{n}.py").read_text(encoding="utf-8") for n in names}, True)
    for name in nb.metadata.get("actorlab", {}).get("requires", []):
        with KernelSession(work) as kernel:
            kernel.run_all(read(work / name).cells)
    with KernelSession(work) as kernel:
        done = 0
        for name, (at, checks) in names.items():  # Run All stops at the first failing check
            kernel.run_all(nb.cells[done : checks[-1] + 1])
            kernel.run_cell(fixed.cells[at])
            out = "".join(kernel.run_cell(fixed.cells[i]).stdout for i in checks)
            assert f"✓ {name}: right." in out, f"{name} after a failed attempt: {out!r}"
            done = checks[-1] + 1
