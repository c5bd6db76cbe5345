"""Shared helpers of the persistence tests: subprocess runners and a marker payload."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import dill

REPO = Path(__file__).resolve().parents[2]


class Touch:
    """Unpickling this creates ``path``: proof that a payload was (or was not) unpickled."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __reduce__(self):
        return (Path.touch, (Path(self.path),))


def run_script(
    tmp_path: Path,
    source: str,
    *,
    python: str = sys.executable,
    name: str = "script.py",
    env: dict[str, str] | None = None,
    timeout: float = 60,
) -> str:
    """Run ``source`` as ``__main__`` in a fresh interpreter; return stdout (fail on error)."""
    script = tmp_path / name
    script.write_text(textwrap.dedent(source))
    full_env = {**os.environ, "PYTHONPATH": str(REPO), **(env or {})}
    proc = subprocess.run(
        [python, str(script)],
        cwd=tmp_path,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    assert proc.returncode == 0, f"{name} failed (rc {proc.returncode}):\n{proc.stderr}"
    return proc.stdout


def other_python() -> tuple[str, str] | None:
    """(path, minor) of a CPython 3.12/3.13 other than the running one, if installed."""
    candidates = []
    for minor in ("3.12", "3.13"):
        if sys.version.startswith(minor):
            continue
        candidates += sorted(Path("/root/.pyenv/versions").glob(f"{minor}*/bin/python{minor}"))
        found = shutil.which(f"python{minor}")
        if found:
            candidates.append(Path(found))
    for c in candidates:
        if c.exists():
            return str(c), c.name.removeprefix("python")
    return None


def dill_site(tmp_path: Path) -> Path:
    """A directory holding a copy of dill (pure Python), for another interpreter's sys.path."""
    site = tmp_path / "site"
    if not site.exists():
        shutil.copytree(Path(dill.__file__).parent, site / "dill")
    return site
