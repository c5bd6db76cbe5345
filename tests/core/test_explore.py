"""Schedule exploration: interleavings picked by a seeded scheduler, replayable by seed."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

import actorlab as al
from actorlab.testing import explore


@dataclass
class Balance: ...


@dataclass
class SetBalance:
    value: int


@dataclass
class Deposit:
    amount: int


class Account(al.Actor):
    def __init__(self, balance: int) -> None:
        self.balance = balance

    @al.handler
    def get(self, msg: Balance) -> int:
        return self.balance

    @al.handler
    def set(self, msg: SetBalance) -> None:
        self.balance = msg.value

    @al.handler
    def deposit(self, msg: Deposit) -> None:
        self.balance += msg.amount


@dataclass
class Transfer:
    amount: int


class Teller(al.Actor):
    """Moves money from ``source`` to ``target`` by read-modify-write: a lost-update race."""

    def __init__(self, source: al.ActorRef, target: al.ActorRef) -> None:
        self.source, self.target = source, target

    @al.handler
    async def transfer(self, msg: Transfer) -> None:
        balance = await self.source.ask(Balance())
        self.source.tell(SetBalance(balance - msg.amount))
        self.target.tell(Deposit(msg.amount))


def racy_transfers(root: al.RootContext) -> tuple[al.ActorRef, al.ActorRef]:
    a = root.spawn(Account(100), name="a")
    b = root.spawn(Account(0), name="b")
    for amount in (10, 20):
        root.spawn(Teller(a, b)).tell(Transfer(amount))
    return a, b


def balances(refs: tuple[al.ActorRef, al.ActorRef]) -> tuple[int, int]:
    a, b = refs
    return a.ask_sync(Balance()), b.ask_sync(Balance())


POSSIBLE = {(70, 30), (90, 30), (80, 30)}  # right, or one of the two updates lost


@pytest.mark.parametrize("strategy", ["random", "pct"])
def test_explore_finds_the_lost_update_and_only_possible_outcomes(strategy):
    res = explore(racy_transfers, outcome=balances, runs=40, seed=1, strategy=strategy)
    assert set(res.outcomes) <= POSSIBLE
    assert (70, 30) in res.outcomes
    assert set(res.outcomes) - {(70, 30)}, f"no lost update found in 40 runs: {res}"
    assert sum(res.outcomes.values()) == 40
    assert set(res.schedules) == set(res.outcomes)


def test_replay_reproduces_a_run_every_time():
    res = explore(racy_transfers, outcome=balances, runs=40, seed=1)
    lost = next(o for o in res.outcomes if o != (70, 30))
    seed = res.schedules[lost]
    assert {res.replay(seed) for _ in range(100)} == {lost}


def test_a_scenario_without_a_race_has_one_outcome():
    def deposits(root: al.RootContext) -> al.ActorRef:
        acct = root.spawn(Account(0))
        for n in range(1, 6):
            root.spawn(Teller(acct, acct))  # spawned, never told: extra actors to schedule
            acct.tell(Deposit(n))
        return acct

    res = explore(deposits, outcome=lambda a: a.ask_sync(Balance()), runs=30, seed=3)
    assert dict(res.outcomes) == {15: 30}


def test_the_same_seed_explores_the_same_way():
    one = explore(racy_transfers, outcome=balances, runs=15, seed=7)
    two = explore(racy_transfers, outcome=balances, runs=15, seed=7)
    assert one.outcomes == two.outcomes and one.schedules == two.schedules


def test_a_replayed_run_can_be_traced_as_a_sequence_diagram():
    res = explore(racy_transfers, outcome=balances, runs=20, seed=1)
    lost = next(o for o in res.outcomes if o != (70, 30))
    t = res.trace(res.schedules[lost])
    kinds = [e.kind for e in t.events]
    assert kinds.count("ask") == 2 and "handled" in kinds
    assert "<svg" in t.to_svg()
    assert "virtual time" in t.to_text()  # its times are virtual seconds, and it says so


def test_an_async_scenario_can_await_asks():
    async def scenario(root: al.RootContext) -> int:
        acct = root.spawn(Account(5))
        acct.tell(Deposit(1))
        return await acct.ask(Balance())

    res = explore(scenario, outcome=lambda v: v, runs=5, seed=0)
    assert dict(res.outcomes) == {6: 5}


def test_explore_refuses_an_unknown_strategy():
    with pytest.raises(ValueError, match="'random' or 'pct'"):
        explore(racy_transfers, outcome=balances, strategy="dfs")
