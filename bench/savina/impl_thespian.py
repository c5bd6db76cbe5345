"""The Savina benchmarks on thespian's ``simpleSystemBase``: every actor runs in the caller's thread.

The actors mirror ``bench.savina.impl_floor`` line for line (``receiveMessage`` dispatching on
``type(msg)``, ``self.send`` for a tell). Thespian has no ask between actors, so the logistic-map
worker sends ``Compute`` and keeps later ``NextTerm`` requests pending until the ``Computed``
reply arrives (what an ask does). Masters send their answer to the driver's ``ActorSystem.ask``.
"""

from __future__ import annotations

import random
from typing import Any

from thespian.actors import Actor, ActorExitRequest, ActorSystem, ActorSystemMessage

from bench.common import Cases, Span, Stopwatch
from bench.savina import spec
from bench.savina.messages import (
    BigDone,
    BigExit,
    BigPing,
    BigPong,
    BigReport,
    ChangeColorMsg,
    Compute,
    Computed,
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


class Base(Actor):  # type: ignore[misc]
    def refuse(self, msg: Any) -> None:
        """Ignore thespian's own messages (exit requests, children exited); refuse the rest."""
        if not isinstance(msg, ActorSystemMessage):
            raise TypeError(f"{type(self).__name__} cannot handle {type(msg).__name__}")


class Master(Base):
    p: Any = None
    driver: Any = None

    def begin(self, msg: Start, sender: Any) -> dict[str, int]:
        self.p, self.driver = msg.params, sender
        return msg.params

    def finish(self, answer: Any) -> None:
        self.send(self.driver, answer)


# S1 ping-pong ------------------------------------------------------------------------------------
class Pinger(Master):
    pongs = 0
    ponger: Any = None

    def receiveMessage(self, msg: Any, sender: Any) -> None:
        t = type(msg)
        if t is Pong:
            self.pongs += 1
            if self.pongs < self.p["n"]:
                self.send(self.ponger, Ping(self.myAddress))
            else:
                self.finish((self.pongs, msg.count))
        elif t is Start:
            self.begin(msg, sender)
            self.ponger = self.createActor(Ponger)
            self.send(self.ponger, Ping(self.myAddress))
        else:
            self.refuse(msg)


class Ponger(Base):
    count = 0

    def receiveMessage(self, msg: Any, sender: Any) -> None:
        if type(msg) is Ping:
            self.count += 1
            self.send(msg.reply_to, Pong(self.count))
        else:
            self.refuse(msg)


# S2 counting -------------------------------------------------------------------------------------
class Producer(Master):
    def receiveMessage(self, msg: Any, sender: Any) -> None:
        t = type(msg)
        if t is Start:
            n = self.begin(msg, sender)["n"]
            counter = self.createActor(Counter)
            for _ in range(n):
                self.send(counter, Increment())
            self.send(counter, Retrieve(self.myAddress))
        elif t is Count:
            self.finish(msg.value)
        else:
            self.refuse(msg)


class Counter(Base):
    count = 0

    def receiveMessage(self, msg: Any, sender: Any) -> None:
        t = type(msg)
        if t is Increment:
            self.count += 1
        elif t is Retrieve:
            self.send(msg.reply_to, Count(self.count))
        else:
            self.refuse(msg)


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
            self.finish(self.answer())

    def answer(self) -> tuple[Any, ...]:
        return (self.dones, self.total, self.acc)


class ThroughputMaster(Collector):
    def receiveMessage(self, msg: Any, sender: Any) -> None:
        t = type(msg)
        if t is WorkDone:
            self.work_done(msg)
        elif t is Start:
            p = self.begin(msg, sender)
            self.expected = p["actors"]
            workers = [self.createActor(ThroughputWorker) for _ in range(p["actors"])]
            for w in workers:
                self.send(w, Setup(self.myAddress, p["n"]))
            for _ in range(p["n"]):
                for w in workers:
                    self.send(w, Work())
        else:
            self.refuse(msg)


class ThroughputWorker(Base):
    master: Any = None
    n = 0
    count = 0
    acc = 0.0

    def receiveMessage(self, msg: Any, sender: Any) -> None:
        t = type(msg)
        if t is Work:
            self.count += 1
            self.acc += spec.fj_compute()
            if self.count == self.n:
                self.send(self.master, WorkDone(self.count, self.acc))
        elif t is Setup:
            self.master, self.n = msg.peers, msg.value
        else:
            self.refuse(msg)


class CreationMaster(Collector):
    def answer(self) -> tuple[Any, ...]:
        return (self.dones, self.acc)

    def receiveMessage(self, msg: Any, sender: Any) -> None:
        t = type(msg)
        if t is WorkDone:
            self.work_done(msg)
        elif t is Start:
            n = self.expected = self.begin(msg, sender)["n"]
            me = self.myAddress
            for _ in range(n):
                self.send(self.createActor(CreationWorker), Work(me))
        else:
            self.refuse(msg)


class CreationWorker(Base):
    def receiveMessage(self, msg: Any, sender: Any) -> None:
        if type(msg) is Work:
            self.send(msg.reply_to, WorkDone(1, spec.fj_compute()))
            self.send(self.myAddress, ActorExitRequest())
        else:
            self.refuse(msg)


# S5 thread ring ----------------------------------------------------------------------------------
class RingMaster(Master):
    def receiveMessage(self, msg: Any, sender: Any) -> None:
        t = type(msg)
        if t is RingDone:
            self.finish(msg.index)
        elif t is Start:
            p = self.begin(msg, sender)
            ring = [self.createActor(RingMember) for _ in range(p["actors"])]
            for i, member in enumerate(ring):
                self.send(member, Setup((ring[(i + 1) % len(ring)], self.myAddress), i))
            self.send(ring[0], Token(p["hops"]))
        else:
            self.refuse(msg)


class RingMember(Base):
    next: Any = None
    master: Any = None
    index = 0

    def receiveMessage(self, msg: Any, sender: Any) -> None:
        t = type(msg)
        if t is Token:
            if msg.remaining == 0:
                self.send(self.master, RingDone(self.index))
            else:
                self.send(self.next, Token(msg.remaining - 1))
        elif t is Setup:
            (self.next, self.master), self.index = msg.peers, msg.value
        else:
            self.refuse(msg)


# S6 chameneos ------------------------------------------------------------------------------------
class Mall(Master):
    left = 0
    waiting: Any = None
    faded = 0
    total = 0

    def receiveMessage(self, msg: Any, sender: Any) -> None:
        t = type(msg)
        if t is MeetMsg:
            if self.left > 0:
                if self.waiting is None:
                    self.waiting = msg
                else:
                    self.left -= 1
                    self.send(self.waiting.who, MeetMsg(msg.color, msg.who))
                    self.waiting = None
            else:
                self.send(msg.who, ExitMsg())
        elif t is MeetingCountMsg:
            self.faded += 1
            self.total += msg.count
            if self.faded == self.p["chameneos"]:
                self.finish((self.faded, self.total))
        elif t is Start:
            p = self.begin(msg, sender)
            self.left = p["meetings"]
            for i in range(p["chameneos"]):
                self.send(self.createActor(Chameneo), Setup(self.myAddress, i % 3))
        else:
            self.refuse(msg)


class Chameneo(Base):
    mall: Any = None
    color = 0
    meetings = 0

    def receiveMessage(self, msg: Any, sender: Any) -> None:
        t = type(msg)
        if t is MeetMsg:
            self.color = spec.complement(self.color, msg.color)
            self.meetings += 1
            self.send(msg.who, ChangeColorMsg(self.color, self.myAddress))
            self.send(self.mall, MeetMsg(self.color, self.myAddress))
        elif t is ChangeColorMsg:
            self.color = msg.color
            self.meetings += 1
            self.send(self.mall, MeetMsg(self.color, self.myAddress))
        elif t is ExitMsg:
            self.send(self.mall, MeetingCountMsg(self.meetings))
        elif t is Setup:
            self.mall, self.color = msg.peers, msg.value
            self.send(self.mall, MeetMsg(self.color, self.myAddress))
        else:
            self.refuse(msg)


# S7 big ------------------------------------------------------------------------------------------
class BigSink(Master):
    workers: Any = ()
    exits = 0
    reports = 0
    handled = 0
    bad = 0

    def receiveMessage(self, msg: Any, sender: Any) -> None:
        t = type(msg)
        if t is BigDone:
            self.exits += 1
            if self.exits == len(self.workers):
                for w in self.workers:
                    self.send(w, BigExit())
        elif t is BigReport:
            self.reports += 1
            self.handled += msg.handled
            self.bad += msg.bad
            if self.reports == len(self.workers):
                self.finish((self.reports, self.handled, self.bad))
        elif t is Start:
            p = self.begin(msg, sender)
            self.workers = [self.createActor(BigWorker) for _ in range(p["workers"])]
            for i, w in enumerate(self.workers):
                self.send(w, Setup((self.workers, self.myAddress, p["pings"]), i))
            for w in self.workers:
                self.send(w, BigPong(-1))
        else:
            self.refuse(msg)


class BigWorker(Base):
    workers: Any = ()
    sink: Any = None
    pings = 0
    index = 0
    rng: Any = None
    sent = 0
    expected = -1
    handled = 0
    bad = 0

    def receiveMessage(self, msg: Any, sender: Any) -> None:
        t = type(msg)
        if t is BigPing:
            self.handled += 1
            self.send(self.workers[msg.sender], BigPong(self.index))
        elif t is BigPong:
            if msg.sender != self.expected:
                self.bad += 1
            if self.sent == self.pings:
                self.send(self.sink, BigDone())
            else:
                target = self.expected = self.rng.randrange(len(self.workers))
                self.send(self.workers[target], BigPing(self.index))
                self.sent += 1
        elif t is BigExit:
            self.send(self.sink, BigReport(self.handled, self.bad))
        elif t is Setup:
            (self.workers, self.sink, self.pings), self.index = msg.peers, msg.value
            self.rng = random.Random(msg.value)
        else:
            self.refuse(msg)


# S8 logistic map series (ask-heavy) --------------------------------------------------------------
class LogMaster(Master):
    results: Any = None

    def receiveMessage(self, msg: Any, sender: Any) -> None:
        t = type(msg)
        if t is TermResult:
            self.results[msg.index] = msg.value
            if len(self.results) == self.p["series"]:
                self.finish([self.results[i] for i in range(len(self.results))])
        elif t is Start:
            p = self.begin(msg, sender)
            self.results = {}
            workers = []
            for i in range(p["series"]):
                computer = self.createActor(RateComputer)
                self.send(computer, Setup(None, i))
                worker = self.createActor(SeriesWorker)
                self.send(worker, Setup((computer, self.myAddress), i))
                workers.append(worker)
            for _ in range(p["terms"]):
                for w in workers:
                    self.send(w, NextTerm())
            for w in workers:
                self.send(w, GetTerm())
        else:
            self.refuse(msg)


class RateComputer(Base):
    rate = 0.0

    def receiveMessage(self, msg: Any, sender: Any) -> None:
        t = type(msg)
        if t is Compute:
            self.send(sender, Computed(spec.logmap_next(self.rate, msg.x)))
        elif t is Setup:
            self.rate = spec.logmap_rate(msg.value)
        else:
            self.refuse(msg)


class SeriesWorker(Base):
    computer: Any = None
    master: Any = None
    index = 0
    term = 0.0
    asking = False  # a Compute is out; NextTerm and GetTerm wait for its reply
    pending = 0
    get_pending = False

    def receiveMessage(self, msg: Any, sender: Any) -> None:
        t = type(msg)
        if t is NextTerm:
            if self.asking:
                self.pending += 1
            else:
                self.asking = True
                self.send(self.computer, Compute(self.term))
        elif t is Computed:
            self.term = msg.x
            if self.pending:
                self.pending -= 1
                self.send(self.computer, Compute(self.term))
            else:
                self.asking = False
                if self.get_pending:
                    self.send(self.master, TermResult(self.index, self.term))
        elif t is GetTerm:
            if self.asking:
                self.get_pending = True
            else:
                self.send(self.master, TermResult(self.index, self.term))
        elif t is Setup:
            (self.computer, self.master), self.index = msg.peers, msg.value
            self.term = spec.logmap_start(msg.value)
        else:
            self.refuse(msg)


# driver ------------------------------------------------------------------------------------------
def _bench(bench: str, master: type[Master], size: dict[str, Any]) -> Cases:
    system = ActorSystem("simpleSystemBase")

    def one_pass(params: dict[str, int]) -> tuple[Span, Any]:
        ref = system.createActor(master)
        sw = Stopwatch()
        answer = system.ask(ref, Start(params, None), spec.PASS_TIMEOUT)
        span = sw.stop()
        system.tell(ref, ActorExitRequest())
        return span, answer

    try:
        return spec.measure(bench, size, one_pass)
    finally:
        system.shutdown()


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
