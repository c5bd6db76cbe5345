from __future__ import annotations

import pytest

from actorlab.testing import al_root  # noqa: F401  (fixture: a fresh runtime per test)


@pytest.fixture
def ip(al_root):  # noqa: F811  (the fixture imported above)
    """The in-process IPython shell with the extension loaded and a clean user namespace."""
    from IPython.core.interactiveshell import InteractiveShell

    shell = InteractiveShell.instance()
    shell.extension_manager.load_extension("actorlab")
    saved = dict(shell.user_ns)
    shell.run_cell(SETUP, store_history=False)
    try:
        yield shell
    finally:
        shell.user_ns.clear()
        shell.user_ns.update(saved)


SETUP = '''
from dataclasses import dataclass
import actorlab as al

@dataclass
class Add:
    amount: int

@dataclass
class Get:
    pass

@dataclass
class Boom:
    pass

class Counter(al.Actor):
    def __init__(self, value=0):
        self.value = value

    @al.handler
    def add(self, msg: Add) -> None:
        self.value += msg.amount

    @al.handler
    def get(self, msg: Get) -> int:
        return self.value

    @al.handler
    def boom(self, msg: Boom) -> None:
        raise ZeroDivisionError("boom")
'''
