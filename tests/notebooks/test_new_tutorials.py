"""The exercises of tutorials 05-09 and 11 answer back, checked the way a learner meets them.

One kernel per notebook, in a temp copy of notebooks/, runs the notebook as shipped up to its
exercise check (the blank exercise must get a hint, not a bare assertion), then each known wrong
answer from WRONG in the exercise cell followed by the check cells again (its misconception must
be named: re-running the cells must also undo the previous attempt, as teach.Exercise promises),
then notebooks/solutions/<name>.py (the check must pass), then the rest of the notebook.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import pytest
from notebook_utils import CellResult, KernelSession

NOTEBOOK_DIR = Path(__file__).resolve().parents[2] / "notebooks"
SOLUTIONS = NOTEBOOK_DIR / "solutions"

pytestmark = [pytest.mark.kernel, pytest.mark.timeout(300)]

# notebook -> [(wrong source for the exercise cell, words the check must say about it)]
WRONG: dict[str, list[tuple[str, str]]] = {}

WRONG["05_bank_account"] = [
    (  # takes the money only when bob confirms: check and act in two messages
        """
class TransferAccount(BankAccount):
    @al.handler
    def transfer(self, msg: Transfer) -> Ok | Refused:
        if self.frozen or self.balance < msg.amount:
            return Refused("no")
        tid, self.next_id = self.next_id, self.next_id + 1
        self.in_flight[tid] = (msg.amount, msg.to)
        msg.to.tell(Credit(tid, msg.amount, reply_to=self.ctx.this))
        return Ok(self.balance)

    @al.handler
    def credited(self, msg: Credited) -> None:
        amount, _ = self.in_flight.pop(msg.transfer_id)
        self.balance -= amount

    @al.handler
    def rejected(self, msg: Rejected) -> None:
        self.in_flight.pop(msg.transfer_id)
""",
        "race across actors is back",
    ),
    (  # never refunds a rejected transfer
        """
class TransferAccount(BankAccount):
    @al.handler
    def transfer(self, msg: Transfer) -> Ok | Refused:
        if self.frozen or self.balance < msg.amount:
            return Refused("no")
        self.balance -= msg.amount
        tid, self.next_id = self.next_id, self.next_id + 1
        self.in_flight[tid] = (msg.amount, msg.to)
        msg.to.tell(Credit(tid, msg.amount, reply_to=self.ctx.this))
        return Ok(self.balance)

    @al.handler
    def credited(self, msg: Credited) -> None:
        self.in_flight.pop(msg.transfer_id)

    @al.handler
    def rejected(self, msg: Rejected) -> None:
        self.in_flight.pop(msg.transfer_id)
""",
        "money vanished",
    ),
]


_REGISTRY = """
class Registry(al.Actor):
    def __init__(self) -> None:
        self.live: list[str] = []

    @al.handler
    def register(self, msg: Register) -> None:
        self.live.append(msg.ref.label)
{watch}
    @al.handler
    def departed(self, msg: Departed) -> None:
        self.live.remove(msg.label)

    @al.handler
    def names(self, msg: Names) -> list[str]:
        return sorted(self.live)
"""
WRONG["06_hierarchies_and_lifecycle"] = [
    (_REGISTRY.format(watch=""), "nobody told it"),  # never watches
    (  # departs on every status update, the first one included
        _REGISTRY.format(
            watch="        me, label = self.ctx.this, msg.ref.label\n"
            "        al.monitor(msg.ref, lambda update: me.tell(Departed(label)))\n"
        ),
        "calls back at once with the current status",
    ),
]


_BOOK = """
class IdempotentBook(CashBook):
    def __init__(self) -> None:
        super().__init__()
        self.seen: set = set()

    @al.handler
    def credit(self, msg: Credit) -> None:
{body}
"""
WRONG["07_faults_and_delivery"] = [
    (_BOOK.format(body="        self.total += msg.amount"), "p2 was counted twice"),
    (
        _BOOK.format(
            body="        if msg.amount not in self.seen:\n"
            "            self.seen.add(msg.amount)\n"
            "            self.total += msg.amount"
        ),
        "you deduplicated by amount",
    ),
]


_QUERY = """
class UnpluggedQuery(DeviceGroupQuery):
    @al.handler
    def device_terminated(self, msg: DeviceTerminated) -> None:
{body}
"""
WRONG["08_iot_device_group"] = [
    (  # overwrites an answer already received
        _QUERY.format(body="        self.received(msg.device_id, DeviceNotAvailable())"),
        "only a device that has not answered yet is unavailable",
    ),
    (_QUERY.format(body="        pass"), "kept waiting for a reply that could never come"),
    (  # records it but waits for the deadline to finish
        _QUERY.format(
            body="        if msg.device_id not in self.replies:\n"
            "            self.replies[msg.device_id] = DeviceNotAvailable()"
        ),
        "came only at the deadline",
    ),
]


_MASTER = """
class MyMaster(BoundedMaster):
    def top_up(self) -> None:
{body}
"""
WRONG["09_worker_pool_backpressure"] = [
    (  # asks for everything
        _MASTER.format(body="        self.producer.tell(Demand(JOBS, self.ctx.this))"),
        "push with extra steps",
    ),
    (  # forgets the jobs already requested
        _MASTER.format(
            body="        room = self.limit - len(self.queue)\n"
            "        if room > 0:\n"
            "            self.producer.tell(Demand(room, self.ctx.this))\n"
            "            self.requested += room"
        ),
        "count the jobs already requested",
    ),
]


_PLAN = """
class OrderedPhilosopher(Philosopher):
    def plan(self) -> list[al.ActorRef]:
        return {plan}
"""
WRONG["11_capstone_dining_philosophers"] = [
    (_PLAN.format(plan="[self.forks[self.right], self.forks[self.left]]"), "deadlock again"),
    (_PLAN.format(plan="[self.forks[self.left]]"), "two neighbours ate at the same time"),
]


@dataclass
class Exercise:
    name: str
    before: list[nbformat.NotebookNode]  # cells up to the exercise cell
    checks: list[nbformat.NotebookNode]  # the check cells (raises-exception tagged)
    after: list[nbformat.NotebookNode]  # everything after the last check cell
    results: dict[str, list[CellResult]] = field(default_factory=dict)


def _split(nb: nbformat.NotebookNode) -> Exercise:
    cells = nb.cells
    meta = [c.metadata.get("actorlab", {}) for c in cells]
    (at,) = [i for i, m in enumerate(meta) if "exercise" in m]
    name = meta[at]["exercise"]
    checks = [i for i, m in enumerate(meta) if m.get("check") == name]
    assert checks and checks[0] > at, f"exercise {name!r} has no check cell after it"
    return Exercise(name, cells[: at + 1], [cells[i] for i in checks], cells[checks[-1] + 1 :])


def _cell(source: str, tags: list[str] | None = None) -> nbformat.NotebookNode:
    cell = nbformat.v4.new_code_cell(source)
    if tags:
        cell.metadata["tags"] = tags
    return cell


def _untagged(cell: nbformat.NotebookNode) -> nbformat.NotebookNode:
    return _cell(cell.source)


def _not_yet(results: list[CellResult]) -> str:
    errors = [e for r in results for e in r.errors]
    assert errors, "the check passed, but it should have said what is wrong"
    assert [e["ename"] for e in errors] == ["NotYet"], errors
    return errors[0]["evalue"]


@pytest.fixture(scope="module")
def workdir(tmp_path_factory) -> Path:
    ignore = shutil.ignore_patterns(".*", "__pycache__")
    return Path(shutil.copytree(NOTEBOOK_DIR, tmp_path_factory.mktemp("nb") / "nb", ignore=ignore))


@pytest.fixture(scope="module", params=sorted(WRONG))
def exercise(request, workdir) -> Exercise:
    name = request.param
    ex = _split(nbformat.read(workdir / f"{name}.ipynb", as_version=4))
    solution = (SOLUTIONS / f"{ex.name}.py").read_text(encoding="utf-8")
    with KernelSession(workdir) as kernel:
        kernel.run_all(ex.before)
        ex.results["blank"] = kernel.run_all(ex.checks)
        for i, (wrong, _) in enumerate(WRONG[name]):
            kernel.run(wrong)
            ex.results[f"wrong{i}"] = kernel.run_all(ex.checks)
        kernel.run(solution)
        ex.results["solution"] = kernel.run_all([_untagged(c) for c in ex.checks])
        ex.results["after"] = kernel.run_all(ex.after)
    ex.results["_name"] = name  # type: ignore[assignment]
    return ex


def test_blank_exercise_gets_a_hint(exercise):
    text = _not_yet(exercise.results["blank"])
    assert "not answered yet" in text and "Hint:" in text, text


def test_wrong_answers_get_their_misconception_named(exercise):
    for i, (_, words) in enumerate(WRONG[exercise.results["_name"]]):  # type: ignore[index]
        text = _not_yet(exercise.results[f"wrong{i}"])
        assert words in text and "Hint:" in text, text


def test_solution_passes(exercise):
    results = exercise.results["solution"]
    assert not [e for r in results for e in r.errors]
    assert any(f"✓ {exercise.name}" in r.stdout for r in results), [r.stdout for r in results]
