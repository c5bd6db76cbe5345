"""Shared helpers of the persistence tests: subprocess runners, a marker payload and an
async-only storage."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import dill

import actorlab as al

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


class AsyncOnly:
    """A storage with only the protocol's async methods (not a built-in storage). It records
    the ids it is asked to read; its writes fail (disk full) when ``fail`` is set."""

    def __init__(self, fail: bool = False) -> None:
        self.memory = al.MemoryStorage()
        self.fail = fail
        self.read_ids: list[al.ActorId] = []

    async def try_read(self, actor_id):
        self.read_ids.append(actor_id)
        return self.memory.read(actor_id)

    async def try_write(self, actor_id, data):
        if self.fail:
            raise OSError(28, "No space left on device")
        self.memory.write(actor_id, data)

    def __repr__(self) -> str:
        return "AsyncOnly()"
