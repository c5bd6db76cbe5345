"""Tests that kill mutants of ``ready`` (``make mutation``): the ready queue's fairness budget
(how many messages one loop callback handles before the loop's other work gets a turn), and a
queued actor's signal that makes the queue hand it over to its task without running a batch.

The budget is observed from inside the loop: a handler schedules a plain ``loop.call_soon``
callback, which runs right after the queue's callback yields, and records how many messages the
rally between two idle actors had reached. The test thread waits on a ``threading.Event`` only
(no call into the loop that could slip a callback in between).
"""

from __future__ import annotations

import asyncio
import threading
from dataclasses import dataclass
from typing import Any

import pytest

import actorlab as al
from actorlab.testing import wait_idle, wait_until

RALLY = 600  # balls in all: more than two budgets' worth, so every mutant's count differs


@dataclass
class Ball:
    left: int
    to: Any


@dataclass
class Serve:
    a: Any
    b: Any
    twice: bool  # the server handles two messages in its batch (the budget's count goes odd)


@dataclass
class Go:
    a: Any
    b: Any


class Board:
    def __init__(self, total: int = RALLY) -> None:
        self.total = total  # balls to be handled in all
        self.balls = 0
        self.at_yield: list[int] = []
        self.seen = threading.Event()
        self.over = threading.Event()


class Player(al.Actor):
    def __init__(self, board: Board) -> None:
        self.board = board

    @al.handler
    def ball(self, msg: Ball) -> None:
        self.board.balls += 1
        if msg.left:
            msg.to.tell(Ball(msg.left - 1, self.ctx.this))
        if self.board.balls == self.board.total:
            self.board.over.set()


class Server(al.Actor):
    def __init__(self, board: Board) -> None:
        self.board = board

    @al.handler
    def serve(self, msg: Serve) -> None:
        if msg.twice:
            self.ctx.this.tell(Go(msg.a, msg.b))  # handled in this same batch
        else:
            self.go(Go(msg.a, msg.b))

    @al.handler
    def go(self, msg: Go) -> None:
        msg.a.tell(Ball(RALLY - 1, msg.b))
        board = self.board

        def at_yield() -> None:  # runs when the queue's callback gives the loop a turn
            board.at_yield.append(board.balls)
            board.seen.set()

        asyncio.get_running_loop().call_soon(at_yield)


@pytest.mark.parametrize(
    ("twice", "expected"),
    [
        # One callback handles 256 "units": a cell's messages + 1 per cell visited. The server's
        # visit costs 2 (or 3 with its second message), each ball's visit 2 (one ball each).
        (False, 127),  # 2 + 127 * 2 = 256: the budget is spent exactly
        (True, 127),  # 3 + 126 * 2 = 255 < 256: one more ball, 257
    ],
)
def test_the_ready_queue_yields_to_the_loop_after_its_budget(twice, expected):
    board = Board()
    a = al.root().spawn(Player(board))
    b = al.root().spawn(Player(board))
    s = al.root().spawn(Server(board))
    wait_idle()
    s.tell(Serve(a, b, twice))
    assert board.seen.wait(10), "the loop never got a turn"
    assert board.over.wait(10), "the rally never ended"
    # The loop's other work ran after exactly one budget of balls, and the rally went on.
    assert board.at_yield == [expected]
    assert board.balls == RALLY


class Quiet(al.Actor):
    def __init__(self) -> None:
        self.hits = 0

    @al.handler
    def hop(self, msg: int) -> None:
        self.hits += 1

    @al.handler
    def hits_(self, msg: str) -> int:
        return self.hits


@dataclass
class HopThenPause:
    to: Any


class Sender(al.Actor):
    @al.handler
    def send(self, msg: HopThenPause) -> None:
        msg.to.tell(1)  # queues the idle actor...
        msg.to.pause()  # ...whose signal then waits for the queue to hand it to its task


def test_a_queued_actor_paused_before_its_turn_never_looks_busy_to_a_monitor():
    q = al.root().spawn(Quiet())
    sender = al.root().spawn(Sender())
    assert q.ask_sync("x") == 0
    wait_idle()
    seen: list = []
    al.monitor(q, seen.append)
    sender.tell(HopThenPause(q))
    wait_until(lambda: al.Status.PAUSED in [u.status for u in seen if u.kind == "status"])
    # The pause came first: the queue woke the task, which paused before the message, and no
    # batch started (no PROCESSING while paused, the message still waiting).
    paused = [u.status for u in seen if u.kind == "status"]
    assert al.Status.PROCESSING not in paused
    assert paused[-1] is al.Status.PAUSED
    q.resume()
    assert q.ask_sync("x") == 1
    assert [u.status for u in seen if u.kind == "status"][-1] is al.Status.IDLE


@dataclass
class TwoRallies:
    a: Any
    b: Any
    c: Any


class Starter(al.Actor):
    def __init__(self, board: Board) -> None:
        self.board = board

    @al.handler
    async def start(self, msg: TwoRallies) -> None:  # async: runs on its task, not the queue
        msg.a.tell(Ball(RALLY - 1, msg.b))  # the queue's first cell: one callback scheduled
        msg.c.tell(Ball(0, msg.c))  # joins the queue: no second callback
        board = self.board

        def at_yield() -> None:
            board.at_yield.append(board.balls)
            board.seen.set()

        asyncio.get_running_loop().call_soon(at_yield)


def test_two_tells_from_a_task_schedule_one_budget_of_the_queue_before_the_loop_moves_on():
    board = Board(total=RALLY + 1)
    a = al.root().spawn(Player(board))
    b = al.root().spawn(Player(board))
    c = al.root().spawn(Player(board))
    s = al.root().spawn(Starter(board))
    wait_idle()
    s.tell(TwoRallies(a, b, c))
    assert board.seen.wait(10), "the loop never got a turn"
    assert board.over.wait(10), "the rally never ended"
    # a's first ball and c's (2 units each), then 126 more of the rally: 256, one budget.
    assert board.at_yield == [128]
    assert board.balls == RALLY + 1


class Counter(al.Actor):
    def __init__(self) -> None:
        self.in_task: list[bool] = []

    @al.handler
    def count(self, msg: int) -> None:
        self.in_task.append(asyncio.current_task() is not None)

    @al.handler
    def log(self, msg: str) -> list[bool]:
        return self.in_task


@dataclass
class Flood:
    to: Any
    poker: Any


@dataclass
class Poke:
    to: Any


class Flooder(al.Actor):
    @al.handler
    def flood(self, msg: Flood) -> None:
        for i in range(300):  # more than a batch: the actor goes to the back of the queue
            msg.to.tell(i)
        msg.poker.tell(Poke(msg.to))  # queued after it: tells it once more meanwhile


class Poker(al.Actor):
    @al.handler
    def poke(self, msg: Poke) -> None:
        msg.to.tell(300)


def test_an_actor_back_in_the_queue_after_a_full_batch_is_not_woken_by_a_new_message():
    counter = al.root().spawn(Counter())
    poker = al.root().spawn(Poker())
    flooder = al.root().spawn(Flooder())
    wait_idle()
    flooder.tell(Flood(counter, poker))
    wait_until(lambda: counter._cell.processed == 301)
    # All 301 handled from the ready queue (no task step), the last one after the 300.
    assert counter.ask_sync("log", timeout=5) == [False] * 301


@dataclass
class ServeAndPause:
    a: Any
    b: Any
    x: Any


class PausingServer(Server):
    @al.handler
    def serve_and_pause(self, msg: ServeAndPause) -> None:
        self.go(Go(msg.a, msg.b))
        msg.x.tell(1)  # queued after the rally's first player...
        msg.x.pause()  # ...and handed to its task on its turn: 1 unit of the budget, no batch


def test_an_actor_the_queue_hands_to_its_task_costs_one_unit_of_the_budget():
    board = Board()
    a = al.root().spawn(Player(board))
    b = al.root().spawn(Player(board))
    x = al.root().spawn(Quiet())
    s = al.root().spawn(PausingServer(board))
    wait_idle()
    s.tell(ServeAndPause(a, b, x))
    assert board.seen.wait(10), "the loop never got a turn"
    assert board.over.wait(10), "the rally never ended"
    # server 2 + a's first ball 2 + x 1, then 126 balls at 2: 257.
    assert board.at_yield == [127]
    assert board.balls == RALLY
    x.resume()
    assert x.ask_sync("hits", timeout=5) == 1
