"""With actorlab installed editable (``make lab``), or run from a source checkout, it lives outside
site-packages, where dill would copy a module's globals by value: a notebook class whose handler
mentions ``al`` must still save (actorlab pickled by name) and respawn in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import pytest

from .helpers import REPO

SAVER = """
import dill._dill
import actorlab as al

print(dill._dill._is_builtin_module(al))   # False: dill would copy actorlab's globals

class Counter(al.Actor, snapshot=True):
    def __init__(self, value=0):
        self.value = value

    @al.handler
    def add(self, n: int) -> str:
        self.value += n
        return f"{al.ActorId.from_name('x') == al.ActorId.from_name('x')} {self.value}"

store = al.FileStorage("snaps")
c = al.root().spawn_persistent_sync(store, al.ActorId.from_name("c"), Counter(1))
print(c.ask_sync(5))
header = al.root().save_snapshot_sync(c)
print(header.payload_len < 5000)           # actorlab by name, not a copy of its globals
al.shutdown()
"""

LOADER = """
import actorlab as al
store = al.FileStorage("snaps")
c = al.root().respawn_sync(store, al.ActorId.from_name("c"))
print(c.ask_sync(1))
al.shutdown()
"""


def _run(tmp_path, name, source, env):
    script = tmp_path / name
    script.write_text(textwrap.dedent(source))
    proc = subprocess.run(
        [sys.executable, str(script)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.split()


@pytest.mark.parametrize("install", ["editable", "checkout"])
def test_handler_mentioning_al_saves_and_respawns(tmp_path, install):
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    if install == "checkout":
        env["PYTHONPATH"] = str(REPO)
    where = subprocess.run(
        [sys.executable, "-c", "import actorlab; print(actorlab.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    if where.returncode or not where.stdout.strip().startswith(str(REPO)):
        pytest.skip(f"actorlab of this venv is not an editable install of {REPO}")
    assert _run(tmp_path, "saver.py", SAVER, env) == ["False", "True", "6", "True"]
    assert _run(tmp_path, "fresh.py", LOADER, env) == ["True", "7"]
