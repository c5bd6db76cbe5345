"""Live code through a real kernel (and in-process IPython): re-running cells upgrades the live
actors they define."""

from __future__ import annotations

import pytest
from notebook_utils import KernelSession

MESSAGES = """
from dataclasses import dataclass
import actorlab as al

@dataclass
class Add:
    n: int

@dataclass
class Get:
    pass
"""

COUNTER = """
class Counter(al.Actor):
    def __init__(self, start=0):
        self.n = start

    @al.handler
    def add(self, msg: Add) -> None:
        self.n += msg.n

    @al.handler
    def get(self, msg: Get):
        return self.n
"""

COUNTER_V2 = """
@dataclass
class Reset:
    pass

class Counter(al.Actor):
    def __init__(self, start=0):
        self.n = start
        self.initial = start

    @al.handler
    def add(self, msg: Add) -> None:
        self.n += 10 * msg.n

    @al.handler
    def get(self, msg: Get):
        return ("v2", self.n, self.initial)

    @al.handler
    def reset(self, msg: Reset) -> None:
        self.n = self.initial
"""

FAILING = """
class Counter(al.Actor):
    def on_upgrade(self, old_class):
        raise ValueError("cannot migrate")

    @al.handler
    def get(self, msg: Get):
        return "v3"

print("still", c.ask_sync(Get()))
"""


@pytest.fixture
def kernel(tmp_path):
    with KernelSession(tmp_path) as session:
        session.run(MESSAGES)
        session.run(COUNTER)
        session.run("c = al.root().spawn(Counter(start=5), name='c')\nfirst_id = c.id")
        yield session


def _out(session: KernelSession, source: str) -> str:
    return session.run(source).stdout.strip()


@pytest.mark.kernel
def test_rerunning_cells_upgrades_the_live_actor(kernel):
    assert _out(kernel, "c.tell(Add(1))\nprint(c.ask_sync(Get()))") == "6"
    kernel.run(MESSAGES)  # the message cell again: the live actor still accepts Add
    assert _out(kernel, "c.tell(Add(2))\nprint(c.ask_sync(Get()))") == "8"
    kernel.run("c.pause()\nold = Add(3)\nc.tell(old)")  # queued across the upgrade
    kernel.run(MESSAGES + COUNTER_V2)  # the actor cell again, with a changed handler
    out = _out(kernel, "c.resume()\nprint(c.ask_sync(Get()), c.id == first_id, c.info().upgrades)")
    assert out == "('v2', 38, 5) True 1"  # state kept, new field from the args, new code
    assert _out(kernel, "c.tell(Reset())\nprint(c.ask_sync(Get()))") == "('v2', 5, 5)"
    assert _out(kernel, "c.tell(Add(1))\nprint(c.ask_sync(Get()))") == "('v2', 15, 5)"
    assert _out(kernel, "c.restart()\nprint(c.ask_sync(Get()))") == "('v2', 5, 5)"  # new code
    out = _out(kernel, "print([e.detail[:2] for e in al.events() if e.kind == 'upgrade'])")
    assert out == "['ok']"


@pytest.mark.kernel
def test_a_failing_on_upgrade_reports_in_the_defining_cell(kernel):
    result = kernel.run(FAILING)
    assert result.stdout.strip() == "still 5"  # the old code runs on
    assert "actorlab: c keeps its old code: Counter.on_upgrade() raised ValueError" in result.stderr
    assert "Fix on_upgrade" in result.stderr
    assert _out(kernel, "print(c.info().upgrades, c.info().last_error.kind)") == "0 upgrade"


@pytest.mark.kernel
def test_live_upgrade_off_and_local_classes(kernel):
    kernel.run("al.configure(live_upgrade=False)\n" + COUNTER_V2)
    assert _out(kernel, "print(c.ask_sync(Get()))") == "5"
    assert _out(kernel, "print(al.upgrade(Counter) == [c], c.ask_sync(Get()))") == "True ('v2', 5, 5)"
    kernel.run("al.configure(live_upgrade=True)")
    local = """
def make(tag):
    class Counter(al.Actor):
        @al.handler
        def get(self, msg: Get):
            return tag
    return Counter

one = al.root().spawn(make("one")())
two = make("two")
print(one.ask_sync(Get()), one.info().upgrades)
"""
    assert _out(kernel, local) == "one 0"


def test_terminal_ipython_rerun_upgrades(ip):
    """The in-process shell (terminal IPython, %run): cells run in __main__ too."""
    assert ip.run_cell(MESSAGES + COUNTER).success
    assert ip.run_cell("c = al.root().spawn(Counter(2))\nc.tell(Add(1))\nc.ask_sync(Get())").result == 3
    assert ip.run_cell(MESSAGES + COUNTER_V2).success
    assert ip.run_cell("c.tell(Reset())\nc.ask_sync(Get())").result == ("v2", 2, 2)
    assert ip.run_cell("c.info().upgrades").result == 1
