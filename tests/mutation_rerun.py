"""Re-run surviving mutants against chosen test files (tests/MUTATION.md, "How these numbers were measured").

mutmut measures a whole export once; a kill test written afterwards is checked against the
survivors with this script instead of a second full run. It does what a mutmut worker does,
without the fork server: in a scratch copy of ``EXPORT/mutants`` (never the export itself: a new
test file there makes a mutmut run in it re-collect its stats, and stop if the file fails) it
runs pytest on the given test files, copied in from this checkout, with
``MUTANT_UNDER_TEST=<name>``, one mutant at a time, with a hard time limit. A run with no mutant
active must pass first, or every "kill" would be false.

    python tests/mutation_rerun.py /tmp/mut tests/core/test_x.py ... --names NAME... | --names-file F

Prints one line per mutant (``killed``, ``survived`` or ``timeout``) and a summary; writes the
survivors' names to ``--left FILE`` when given.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import tomllib

PYTEST_ARGS = [
    "-x",
    "-q",
    # With a few files selected, pytest imports hypothesis' plugin late and CPython 3.11.7
    # fails at the summary ("AST constructor recursion depth mismatch"): keep it out.
    "-p",
    "no:hypothesispytest",
]


def mutmut_args(export: Path) -> list[str]:
    """The pytest arguments ``[tool.mutmut]`` gives mutmut's own runs (markers, deselections)."""
    config = tomllib.loads((export / "pyproject.toml").read_text())
    return list(config["tool"]["mutmut"].get("pytest_add_cli_args", []))


def run_one(export: Path, work: Path, tests: list[str], name: str, limit: float) -> str:
    python = export / ".venv-mutation" / "bin" / "python"
    env = dict(os.environ, MUTANT_UNDER_TEST=name, PYTHONDONTWRITEBYTECODE="1")
    try:
        done = subprocess.run(
            [str(python), "-m", "pytest", *PYTEST_ARGS, *mutmut_args(export), *tests],
            cwd=work,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=limit,
        )
    except subprocess.TimeoutExpired:
        return "timeout"
    return "survived" if done.returncode == 0 else "killed"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("export", type=Path, help="the export mutmut ran in (holds mutants/)")
    parser.add_argument("tests", nargs="+", help="test files, relative to this checkout's root")
    group = parser.add_mutually_exclusive_group(required=True)
    group.add_argument("--names", nargs="+", default=[])
    group.add_argument("--names-file", type=Path)
    parser.add_argument("--limit", type=float, default=120.0, help="seconds per mutant")
    parser.add_argument("--left", type=Path, help="write the survivors' names here")
    args = parser.parse_args(argv)

    root = Path(__file__).resolve().parent.parent
    work = Path(tempfile.mkdtemp(prefix="mutation-rerun-")) / "mutants"
    shutil.copytree(args.export / "mutants", work, symlinks=True)
    for test in args.tests:
        target = work / test
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(root / test, target)
    names = args.names or [
        line.split(":")[0].strip()
        for line in args.names_file.read_text().splitlines()
        if line.strip()
    ]
    try:
        if run_one(args.export, work, args.tests, "", args.limit) != "survived":
            print("the tests fail with no mutant active: fix them first", file=sys.stderr)
            return 2
        counts: dict[str, int] = {}
        left = []
        for name in names:
            verdict = run_one(args.export, work, args.tests, name, args.limit)
            counts[verdict] = counts.get(verdict, 0) + 1
            if verdict == "survived":
                left.append(name)
            print(f"{verdict:8} {name}", flush=True)
        print(", ".join(f"{k} {v}" for k, v in sorted(counts.items())), f"of {len(names)}")
        if args.left:
            args.left.write_text("".join(n + "\n" for n in left))
    finally:
        shutil.rmtree(work.parent)
    return 0


if __name__ == "__main__":
    sys.exit(main())
