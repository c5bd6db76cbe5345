"""The runtime behaves the same inside IPython (terminal / InteractiveShell) as in scripts."""

from __future__ import annotations

import pytest

import actorlab as al

IPython = pytest.importorskip("IPython")


@pytest.fixture
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    al.shutdown(timeout=2.0)
    sh = InteractiveShell.instance()
    yield sh
    al.shutdown(timeout=2.0)


def run(shell, code: str):
    result = shell.run_cell(code)
    result.raise_error()
    return result.result


def test_sync_and_top_level_await_cells(shell):
    run(
        shell,
        """
import actorlab as al
class Counter(al.Actor):
    def __init__(self, n=0): self.n = n
    @al.handler
    async def add(self, m: int) -> int:
        self.n += m
        return self.n
root = al.root()
c = root.spawn(Counter(), name="c")
""",
    )
    for _ in range(3):
        run(shell, "c.tell(1)")
    assert run(shell, "c.ask_sync(0)") == 3
    assert run(shell, "await c.ask(1)") == 4
    # re-running the setup cell's first lines never makes a second runtime
    assert run(shell, "al.root() is root") is True
