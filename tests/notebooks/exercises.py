"""Find, fill and run the exercises of the tutorials (the convention is in actorlab/teach.py).

An exercise is a code cell with ``metadata.actorlab.exercise = name`` (the learner's blank start)
followed by cells with ``metadata.actorlab.check = name`` (tagged ``raises-exception``: the blank
start raises ``teach.NotYet``). ``notebooks/solutions/<name>.py`` is the solution;
``tests/notebooks/wrong/*.py`` are known wrong answers, each starting with
``# exercise: <name>`` and ``# expect: <text the misconception message must contain>``.
A notebook's ``metadata.actorlab.requires`` lists notebooks a learner runs first, each in its
own kernel (10b needs 10a's snapshots).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import nbformat
from nbformat import NotebookNode
from notebook_utils import RAISES, CellResult, KernelSession

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
SOLUTIONS = NOTEBOOK_DIR / "solutions"
WRONG_DIR = Path(__file__).resolve().parent / "wrong"


@dataclass
class Wrong:
    path: Path
    exercise: str
    expect: str
    source: str


def read(path: Path) -> NotebookNode:
    return nbformat.read(path, as_version=4)


def _role(cell: NotebookNode, key: str) -> str | None:
    return cell.metadata.get("actorlab", {}).get(key) if cell.cell_type == "code" else None


def exercises(nb: NotebookNode) -> dict[str, tuple[int, list[int]]]:
    """``name -> (index of the exercise cell, indices of its check cells)``."""
    found: dict[str, tuple[int, list[int]]] = {}
    for i, cell in enumerate(nb.cells):
        if (name := _role(cell, "exercise")) is not None:
            found[name] = (i, [])
        if (name := _role(cell, "check")) is not None and name in found:
            found[name][1].append(i)
    return found


def notebooks_with_exercises() -> list[Path]:
    return [p for p in sorted(NOTEBOOK_DIR.glob("*.ipynb")) if exercises(read(p))]


def wrong_answers() -> list[Wrong]:
    answers = []
    for path in sorted(WRONG_DIR.glob("*.py")):
        text = path.read_text(encoding="utf-8")
        head = dict(
            line[2:].split(": ", 1) for line in text.splitlines()[:2] if line.startswith("# ")
        )
        answers.append(Wrong(path, head["exercise"], head["expect"], text))
    return answers


def notebook_of(exercise: str) -> Path:
    for path in notebooks_with_exercises():
        if exercise in exercises(read(path)):
            return path
    raise LookupError(f"no notebook has the exercise {exercise!r}")


def fill(nb: NotebookNode, answers: dict[str, str], passing: bool) -> NotebookNode:
    """A copy of ``nb`` with ``answers`` in the exercise cells; with ``passing`` their checks
    lose the ``raises-exception`` tag (they must run cleanly)."""
    nb = nbformat.from_dict(nb)
    for name, (at, checks) in exercises(nb).items():
        if name not in answers:
            continue
        nb.cells[at].source = answers[name]
        if passing:
            for i in checks:
                tags = nb.cells[i].metadata.get("tags", [])
                nb.cells[i].metadata["tags"] = [t for t in tags if t != RAISES]
    return nb


def workdir(tmp: Path) -> Path:
    ignore = shutil.ignore_patterns(".*", "__pycache__")
    return Path(shutil.copytree(NOTEBOOK_DIR, tmp / "notebooks", ignore=ignore))


def run(nb: NotebookNode, work: Path) -> list[CellResult]:
    """Run the notebooks ``nb`` requires (one fresh kernel each), then ``nb`` in a fresh kernel;
    one result per cell of ``nb``."""
    for name in nb.metadata.get("actorlab", {}).get("requires", []):
        with KernelSession(work) as kernel:
            kernel.run_all(read(work / name).cells)
    with KernelSession(work) as kernel:
        return kernel.run_all(nb.cells)
