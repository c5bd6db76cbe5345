"""The Savina benchmarks on the asyncio floor: ``bench.floors.DequeActor`` (one task, one deque
and one waking Future per actor), every actor and the driver on one loop in the main thread.

Behaviours dispatch on ``type(msg)`` as in ``bench.behaviors``; ``self.me`` is the actor and
``self.spawn`` creates one on the same loop (and records it, so the pass can stop them all).
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import random
from collections.abc import Callable
from typing import Any

from bench.common import Cases, Span, Stopwatch, expect
from bench.floors import DequeActor
from bench.savina import spec
from bench.savina.messages import (
    BigDone,
    BigExit,
    BigPing,
    BigPong,
    BigReport,
    ChangeColorMsg,
    Compute,
    Count,
    ExitMsg,
    GetTerm,
    Increment,
    MeetingCountMsg,
    MeetMsg,
    NextTerm,
    Ping,
    Pong,
    Retrieve,
    RingDone,
    Setup,
    Start,
    TermResult,
    Token,
    Work,
    WorkDone,
)

Spawn = Callable[["Behavior"], "ExitingActor"]


class Behavior:
    is_async = False
    me: Any = None

    def __init__(self, spawn: Spawn) -> None:
        self.spawn = spawn

    def receive(self, msg: Any) -> Any:
        raise NotImplementedError

    def refuse(self, msg: Any) -> Exception:
        return TypeError(f"{type(self).__name__} cannot handle {type(msg).__name__}")


class Master(Behavior):
    p: Any = None
    done: Any = None

    def begin(self, msg: Start) -> dict[str, int]:
        self.p, self.done = msg.params, msg.done
        return msg.params


# S1 ping-pong ------------------------------------------------------------------------------------
class Pinger(Master):
    pongs = 0
    ponger: Any = None

    def receive(self, msg: Any) -> Any:
        t = type(msg)
        if t is Pong:
            self.pongs += 1
            if self.pongs < self.p["n"]:
                self.ponger.tell(Ping(self.me))
            else:
                self.done.set_result((self.pongs, msg.count))
        elif t is Start:
            self.begin(msg)
            self.ponger = self.spawn(Ponger(self.spawn))
            self.ponger.tell(Ping(self.me))
        else:
            raise self.refuse(msg)


class Ponger(Behavior):
    count = 0

    def receive(self, msg: Any) -> Any:
        if type(msg) is Ping:
            self.count += 1
            msg.reply_to.tell(Pong(self.count))
        else:
            raise self.refuse(msg)


# S2 counting -------------------------------------------------------------------------------------
class Producer(Master):
    def receive(self, msg: Any) -> Any:
        t = type(msg)
        if t is Start:
            n = self.begin(msg)["n"]
            counter = self.spawn(Counter(self.spawn))
            for _ in range(n):
                counter.tell(Increment())
            counter.tell(Retrieve(self.me))
        elif t is Count:
            self.done.set_result(msg.value)
        else:
            raise self.refuse(msg)


class Counter(Behavior):
    count = 0

    def receive(self, msg: Any) -> Any:
        t = type(msg)
        if t is Increment:
            self.count += 1
        elif t is Retrieve:
            msg.reply_to.tell(Count(self.count))
        else:
            raise self.refuse(msg)


# S3 fork-join throughput, S4 fork-join creation --------------------------------------------------
class Collector(Master):
    expected = 0
    dones = 0
    total = 0
    acc = 0.0

    def work_done(self, msg: WorkDone) -> None:
        self.dones += 1
        self.total += msg.count
        self.acc += msg.acc
        if self.dones == self.expected:
            self.done.set_result(self.answer())

    def answer(self) -> tuple[Any, ...]:
        return (self.dones, self.total, self.acc)


class ThroughputMaster(Collector):
    def receive(self, msg: Any) -> Any:
        t = type(msg)
        if t is WorkDone:
            self.work_done(msg)
        elif t is Start:
            p = self.begin(msg)
            self.expected = p["actors"]
            workers = [self.spawn(ThroughputWorker(self.spawn)) for _ in range(p["actors"])]
            for w in workers:
                w.tell(Setup(self.me, p["n"]))
            for _ in range(p["n"]):
                for w in workers:
                    w.tell(Work())
        else:
            raise self.refuse(msg)


class ThroughputWorker(Behavior):
    master: Any = None
    n = 0
    count = 0
    acc = 0.0

    def receive(self, msg: Any) -> Any:
        t = type(msg)
        if t is Work:
            self.count += 1
            self.acc += spec.fj_compute()
            if self.count == self.n:
                self.master.tell(WorkDone(self.count, self.acc))
        elif t is Setup:
            self.master, self.n = msg.peers, msg.value
        else:
            raise self.refuse(msg)


class CreationMaster(Collector):
    def answer(self) -> tuple[Any, ...]:
        return (self.dones, self.acc)

    def receive(self, msg: Any) -> Any:
        t = type(msg)
        if t is WorkDone:
            self.work_done(msg)
        elif t is Start:
            n = self.expected = self.begin(msg)["n"]
            spawn, me = self.spawn, self.me
            for _ in range(n):
                spawn(CreationWorker(spawn)).tell(Work(me))
        else:
            raise self.refuse(msg)


class CreationWorker(Behavior):
    def receive(self, msg: Any) -> Any:
        if type(msg) is Work:
            msg.reply_to.tell(WorkDone(1, spec.fj_compute()))
            self.me.exit()
        else:
            raise self.refuse(msg)


# S5 thread ring ----------------------------------------------------------------------------------
class RingMaster(Master):
    def receive(self, msg: Any) -> Any:
        t = type(msg)
        if t is RingDone:
            self.done.set_result(msg.index)
        elif t is Start:
            p = self.begin(msg)
            ring = [self.spawn(RingMember(self.spawn)) for _ in range(p["actors"])]
            for i, member in enumerate(ring):
                member.tell(Setup((ring[(i + 1) % len(ring)], self.me), i))
            ring[0].tell(Token(p["hops"]))
        else:
            raise self.refuse(msg)


class RingMember(Behavior):
    next: Any = None
    master: Any = None
    index = 0

    def receive(self, msg: Any) -> Any:
        t = type(msg)
        if t is Token:
            if msg.remaining == 0:
                self.master.tell(RingDone(self.index))
            else:
                self.next.tell(Token(msg.remaining - 1))
        elif t is Setup:
            (self.next, self.master), self.index = msg.peers, msg.value
        else:
            raise self.refuse(msg)


# S6 chameneos ------------------------------------------------------------------------------------
class Mall(Master):
    left = 0
    waiting: Any = None
    faded = 0
    total = 0

    def receive(self, msg: Any) -> Any:
        t = type(msg)
        if t is MeetMsg:
            if self.left > 0:
                if self.waiting is None:
                    self.waiting = msg
                else:
                    self.left -= 1
                    self.waiting.who.tell(MeetMsg(msg.color, msg.who))
                    self.waiting = None
            else:
                msg.who.tell(ExitMsg())
        elif t is MeetingCountMsg:
            self.faded += 1
            self.total += msg.count
            if self.faded == self.p["chameneos"]:
                self.done.set_result((self.faded, self.total))
        elif t is Start:
            p = self.begin(msg)
            self.left = p["meetings"]
            for i in range(p["chameneos"]):
                self.spawn(Chameneo(self.spawn)).tell(Setup(self.me, i % 3))
        else:
            raise self.refuse(msg)


class Chameneo(Behavior):
    mall: Any = None
    color = 0
    meetings = 0

    def receive(self, msg: Any) -> Any:
        t = type(msg)
        if t is MeetMsg:
            self.color = spec.complement(self.color, msg.color)
            self.meetings += 1
            msg.who.tell(ChangeColorMsg(self.color, self.me))
            self.mall.tell(MeetMsg(self.color, self.me))
        elif t is ChangeColorMsg:
            self.color = msg.color
            self.meetings += 1
            self.mall.tell(MeetMsg(self.color, self.me))
        elif t is ExitMsg:
            self.mall.tell(MeetingCountMsg(self.meetings))
        elif t is Setup:
            self.mall, self.color = msg.peers, msg.value
            self.mall.tell(MeetMsg(self.color, self.me))
        else:
            raise self.refuse(msg)


# S7 big ------------------------------------------------------------------------------------------
class BigSink(Master):
    workers: list[Any] = []
    exits = 0
    reports = 0
    handled = 0
    bad = 0

    def receive(self, msg: Any) -> Any:
        t = type(msg)
        if t is BigDone:
            self.exits += 1
            if self.exits == len(self.workers):
                for w in self.workers:
                    w.tell(BigExit())
        elif t is BigReport:
            self.reports += 1
            self.handled += msg.handled
            self.bad += msg.bad
            if self.reports == len(self.workers):
                self.done.set_result((self.reports, self.handled, self.bad))
        elif t is Start:
            p = self.begin(msg)
            self.workers = [self.spawn(BigWorker(self.spawn)) for _ in range(p["workers"])]
            for i, w in enumerate(self.workers):
                w.tell(Setup((self.workers, self.me, p["pings"]), i))
            for w in self.workers:
                w.tell(BigPong(-1))
        else:
            raise self.refuse(msg)


class BigWorker(Behavior):
    workers: list[Any] = []
    sink: Any = None
    pings = 0
    index = 0
    rng: Any = None
    sent = 0
    expected = -1
    handled = 0
    bad = 0

    def receive(self, msg: Any) -> Any:
        t = type(msg)
        if t is BigPing:
            self.handled += 1
            self.workers[msg.sender].tell(BigPong(self.index))
        elif t is BigPong:
            if msg.sender != self.expected:
                self.bad += 1
            if self.sent == self.pings:
                self.sink.tell(BigDone())
            else:
                target = self.expected = self.rng.randrange(len(self.workers))
                self.workers[target].tell(BigPing(self.index))
                self.sent += 1
        elif t is BigExit:
            self.sink.tell(BigReport(self.handled, self.bad))
        elif t is Setup:
            (self.workers, self.sink, self.pings), self.index = msg.peers, msg.value
            self.rng = random.Random(msg.value)
        else:
            raise self.refuse(msg)


# S8 logistic map series (ask-heavy) --------------------------------------------------------------
class LogMaster(Master):
    def __init__(self, spawn: Spawn) -> None:
        super().__init__(spawn)
        self.results: dict[int, float] = {}

    def receive(self, msg: Any) -> Any:
        t = type(msg)
        if t is TermResult:
            self.results[msg.index] = msg.value
            if len(self.results) == self.p["series"]:
                self.done.set_result([self.results[i] for i in range(len(self.results))])
        elif t is Start:
            p = self.begin(msg)
            workers = []
            for i in range(p["series"]):
                computer = self.spawn(RateComputer(self.spawn))
                computer.tell(Setup(None, i))
                worker = self.spawn(SeriesWorker(self.spawn))
                worker.tell(Setup((computer, self.me), i))
                workers.append(worker)
            for _ in range(p["terms"]):
                for w in workers:
                    w.tell(NextTerm())
            for w in workers:
                w.tell(GetTerm())
        else:
            raise self.refuse(msg)


class RateComputer(Behavior):
    rate = 0.0

    def receive(self, msg: Any) -> Any:
        t = type(msg)
        if t is Compute:
            return spec.logmap_next(self.rate, msg.x)
        if t is Setup:
            self.rate = spec.logmap_rate(msg.value)
            return None
        raise self.refuse(msg)


class SeriesWorker(Behavior):
    is_async = True
    computer: Any = None
    master: Any = None
    index = 0
    term = 0.0

    async def receive(self, msg: Any) -> Any:
        t = type(msg)
        if t is NextTerm:
            self.term = await self.computer.ask(Compute(self.term))
        elif t is GetTerm:
            self.master.tell(TermResult(self.index, self.term))
        elif t is Setup:
            (self.computer, self.master), self.index = msg.peers, msg.value
            self.term = spec.logmap_start(msg.value)
        else:
            raise self.refuse(msg)


# driver ------------------------------------------------------------------------------------------
class ExitingActor(DequeActor):
    """``DequeActor`` plus ``exit()``: a behaviour stops its own actor after this message."""

    __slots__ = ()

    def exit(self) -> None:
        self._post_stop()


def _bench(bench: str, master: type[Master], size: dict[str, Any]) -> Cases:
    async def one_pass(params: dict[str, int]) -> tuple[Span, Any]:
        created: list[ExitingActor] = []

        def spawn(behavior: Behavior) -> ExitingActor:
            actor = ExitingActor(behavior)
            created.append(actor)
            return actor

        ref = spawn(master(spawn))
        done: concurrent.futures.Future[Any] = concurrent.futures.Future()
        sw = Stopwatch()
        ref.tell(Start(params, done))
        answer = await asyncio.wait_for(asyncio.wrap_future(done), spec.PASS_TIMEOUT)
        span = sw.stop()
        for actor in created:
            if not actor.task.done():
                await actor.stop()
        expect(len(asyncio.all_tasks()), 1, f"{bench}: tasks left after the pass (the driver)")
        return span, answer

    loop = asyncio.new_event_loop()
    try:
        return spec.measure(bench, size, lambda p: loop.run_until_complete(one_pass(p)))
    finally:
        loop.close()


def pingpong(size: dict[str, Any]) -> Cases:
    return _bench("S1", Pinger, size)


def counting(size: dict[str, Any]) -> Cases:
    return _bench("S2", Producer, size)


def fjthroughput(size: dict[str, Any]) -> Cases:
    return _bench("S3", ThroughputMaster, size)


def fjcreation(size: dict[str, Any]) -> Cases:
    return _bench("S4", CreationMaster, size)


def threadring(size: dict[str, Any]) -> Cases:
    return _bench("S5", RingMaster, size)


def chameneos(size: dict[str, Any]) -> Cases:
    return _bench("S6", Mall, size)


def big(size: dict[str, Any]) -> Cases:
    return _bench("S7", BigSink, size)


def logmap(size: dict[str, Any]) -> Cases:
    return _bench("S8", LogMaster, size)
