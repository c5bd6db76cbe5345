"""Output stays in the cell that printed it while actors save snapshots (issue 10, item 16).

The cause found: dill's globals scan (``dill.detect.nestedglobals``, run for every function it
pickles by value) swapped the process-wide ``sys.stdout`` for a ``StringIO`` around
``dis.dis``. An autosave (``al.Every(messages=1)``) on the runtime thread therefore swallowed
whatever a cell printed at that moment. These tests catch any process-wide stream swap during
a snapshot, first in-process, then through a real kernel with the race forced deterministically.
"""

from __future__ import annotations

import sys

import pytest

import actorlab as al
from actorlab.persistence import dill_compat

NOTEBOOK_ACTOR = '''
class Account(al.Actor, snapshot=True):
    def __init__(self, owner, balance=0):
        self.owner = owner
        self.balance = balance

    @al.handler
    def deposit(self, msg: Add) -> None:
        self.balance += round(msg.amount)   # a global (round) and a nested code object below
        self.log = [lambda: len(self.owner)]

    @al.handler
    def get(self, msg: Get) -> int:
        return self.balance
'''


class StreamWatch(al.Actor):
    """Installs a trace function on the runtime thread that notes every call made while
    ``sys.stdout``/``sys.stderr`` are not the streams the test started with."""

    def __init__(self):
        self.streams: tuple[object, object] = (None, None)
        self.swapped: list[str] = []

    def _trace(self, frame, event, arg):
        if (sys.stdout, sys.stderr) != self.streams:
            self.swapped.append(f"{frame.f_code.co_filename}:{frame.f_code.co_name}")
        return None

    @al.handler
    def watch(self, msg: tuple) -> None:
        self.streams = msg
        sys.settrace(self._trace if msg else None)

    @al.handler
    def report(self, msg: int) -> list[str]:
        return list(self.swapped)


def test_saving_a_notebook_actor_never_swaps_the_process_streams(ip, tmp_path):
    ip.run_cell(NOTEBOOK_ACTOR)
    ip.user_ns["store"] = al.FileStorage(tmp_path / "snaps")
    ada = ip.run_line_magic("actor", "respawn -s store -a al.Every(messages=1) ada = Account('ada')")
    watch = al.root().spawn(StreamWatch(), name="watch")
    watch.ask_sync((sys.stdout, sys.stderr))
    try:
        ada.tell(ip.ev("Add(5)"))  # autosaved: the class and its functions pickled by value
        assert ada.ask_sync(ip.ev("Get()")) == 5
        ip.run_line_magic("actor", "save ada")
    finally:
        watch.ask_sync(())
    header = al.load_snapshot(ip.user_ns["store"], al.ActorId.from_name("ada"))
    assert header.state.balance == 5 and header.header.contains_code
    assert watch.ask_sync(0) == []  # nobody replaced sys.stdout/sys.stderr meanwhile


GLOBAL_A = GLOBAL_B = 1


def _uses_globals(x):
    inner = lambda: GLOBAL_B + x  # noqa: E731  (a nested code object)
    return GLOBAL_A + len(str(inner()))


def test_the_stdout_free_globals_scan_finds_what_dills_finds():
    import dill

    names = set(dill_compat.nestedglobals(_uses_globals))
    assert names == {"GLOBAL_A", "GLOBAL_B", "len", "str"}
    assert set(dill_compat.nestedglobals(_uses_globals.__code__, recurse=False)) == names
    assert dill_compat.nestedglobals(42) == []
    dill_compat.install(dill)
    assert dill.detect.nestedglobals is dill_compat.nestedglobals
    assert set(dill.detect.globalvars(_uses_globals)) == {"GLOBAL_A", "GLOBAL_B"}


# -- through a real kernel ----------------------------------------------------------------------

KERNEL_SETUP = '''
import sys, threading
from dataclasses import dataclass
import actorlab as al
%load_ext actorlab

@dataclass
class Deposit:
    amount: int

@dataclass
class Balance:
    pass

class Account(al.Actor, snapshot=True):
    def __init__(self, owner, balance=0):
        self.owner, self.balance = owner, balance

    @al.handler
    def deposit(self, msg: Deposit) -> None:
        self.balance += msg.amount

    @al.handler
    def get_balance(self, msg: Balance) -> int:
        return self.balance

kernel_out = sys.stdout
swapped, resume, saved, either = (threading.Event() for _ in range(4))

def hold_while_swapped(frame, event, arg):
    """On the runtime thread: the first call made while sys.stdout is not the kernel's stream
    waits until the cell has printed. That is exactly the race, made certain."""
    if sys.stdout is not kernel_out and not swapped.is_set():
        swapped.set()
        either.set()
        resume.wait(10)
    return None

class Gate(al.Actor):
    @al.handler
    def set_trace(self, on: bool) -> None:
        sys.settrace(hold_while_swapped if on else None)

store = al.FileStorage("snaps")
%actor respawn -s store -a al.Every(messages=1) ada = Account("ada")
gate = al.root().spawn(Gate(), name="gate")
gate.ask_sync(True)
'''

RACE = '''
ada.tell(Deposit(5))            # autosave: Account pickled by value on the runtime thread
threading.Thread(target=lambda: (ada.ask_sync(Balance()), saved.set(), either.set())).start()
assert either.wait(30)          # the autosave is either stuck with stdout swapped, or done
print("printed by the cell during the autosave")
resume.set()
print("balance", ada.ask_sync(Balance()))
'''


@pytest.mark.kernel
def test_a_cell_print_during_an_autosave_lands_in_the_cell(kernel_session):
    kernel_session.run(KERNEL_SETUP)
    result = kernel_session.run(RACE)
    assert result.stdout == "printed by the cell during the autosave\nbalance 5\n"
    kernel_session.run("gate.ask_sync(False)")
