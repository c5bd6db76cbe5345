"""The Savina benchmarks on actorlab, through its public API only (``import actorlab as al``).

Each pass spawns its master from the main thread, tells it ``Start`` and waits on a
``concurrent.futures.Future`` the master sets; everything in between is actor-to-actor on the
runtime thread. Stopping the master afterwards stops every actor of the pass (children first).
"""

from __future__ import annotations

import concurrent.futures
import random
from typing import Any

import actorlab as al
from bench.common import Cases, Span, Stopwatch, expect
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


class Master(al.Actor):
    """Common start: remember the parameters, the done future and this actor's ref."""

    def __init__(self) -> None:
        self.p: Any = None
        self.done: Any = None
        self.me: Any = None

    def begin(self, msg: Start) -> dict[str, int]:
        self.p, self.done, self.me = msg.params, msg.done, self.ctx.this
        return msg.params


# S1 ping-pong ------------------------------------------------------------------------------------
class Pinger(Master):
    def __init__(self) -> None:
        super().__init__()
        self.pongs = 0
        self.ponger: Any = None

    @al.handler
    def start(self, msg: Start) -> None:
        self.begin(msg)
        self.ponger = self.ctx.spawn(Ponger())
        self.ponger.tell(Ping(self.me))

    @al.handler
    def pong(self, msg: Pong) -> None:
        self.pongs += 1
        if self.pongs < self.p["n"]:
            self.ponger.tell(Ping(self.me))
        else:
            self.done.set_result((self.pongs, msg.count))


class Ponger(al.Actor):
    def __init__(self) -> None:
        self.count = 0

    @al.handler
    def ping(self, msg: Ping) -> None:
        self.count += 1
        msg.reply_to.tell(Pong(self.count))


# S2 counting -------------------------------------------------------------------------------------
class Producer(Master):
    @al.handler
    def start(self, msg: Start) -> None:
        n = self.begin(msg)["n"]
        counter = self.ctx.spawn(Counter())
        for _ in range(n):
            counter.tell(Increment())
        counter.tell(Retrieve(self.me))

    @al.handler
    def count(self, msg: Count) -> None:
        self.done.set_result(msg.value)


class Counter(al.Actor):
    def __init__(self) -> None:
        self.count = 0

    @al.handler
    def increment(self, msg: Increment) -> None:
        self.count += 1

    @al.handler
    def retrieve(self, msg: Retrieve) -> None:
        msg.reply_to.tell(Count(self.count))


# S3 fork-join throughput, S4 fork-join creation --------------------------------------------------
class Collector(Master):
    """Sums the ``WorkDone`` of ``expected`` workers, then sets ``done``."""

    def __init__(self) -> None:
        super().__init__()
        self.expected = 0
        self.dones = 0
        self.total = 0
        self.acc = 0.0

    @al.handler
    def work_done(self, msg: WorkDone) -> None:
        self.dones += 1
        self.total += msg.count
        self.acc += msg.acc
        if self.dones == self.expected:
            self.done.set_result(self.answer())

    def answer(self) -> tuple[Any, ...]:
        return (self.dones, self.total, self.acc)


class ThroughputMaster(Collector):
    @al.handler
    def start(self, msg: Start) -> None:
        p = self.begin(msg)
        self.expected = p["actors"]
        workers = [self.ctx.spawn(ThroughputWorker()) for _ in range(p["actors"])]
        for w in workers:
            w.tell(Setup(self.me, p["n"]))
        for _ in range(p["n"]):
            for w in workers:
                w.tell(Work())


class ThroughputWorker(al.Actor):
    def __init__(self) -> None:
        self.master: Any = None
        self.n = 0
        self.count = 0
        self.acc = 0.0

    @al.handler
    def setup(self, msg: Setup) -> None:
        self.master, self.n = msg.peers, msg.value

    @al.handler
    def work(self, msg: Work) -> None:
        self.count += 1
        self.acc += spec.fj_compute()
        if self.count == self.n:
            self.master.tell(WorkDone(self.count, self.acc))


class CreationMaster(Collector):
    def answer(self) -> tuple[Any, ...]:
        return (self.dones, self.acc)

    @al.handler
    def start(self, msg: Start) -> None:
        n = self.expected = self.begin(msg)["n"]
        spawn, me = self.ctx.spawn, self.me
        for _ in range(n):
            spawn(CreationWorker()).tell(Work(me))


class CreationWorker(al.Actor):
    @al.handler
    def work(self, msg: Work) -> None:
        msg.reply_to.tell(WorkDone(1, spec.fj_compute()))
        self.ctx.terminate()


# S5 thread ring ----------------------------------------------------------------------------------
class RingMaster(Master):
    @al.handler
    def start(self, msg: Start) -> None:
        p = self.begin(msg)
        ring = [self.ctx.spawn(RingMember()) for _ in range(p["actors"])]
        for i, member in enumerate(ring):
            member.tell(Setup((ring[(i + 1) % len(ring)], self.me), i))
        ring[0].tell(Token(p["hops"]))

    @al.handler
    def ring_done(self, msg: RingDone) -> None:
        self.done.set_result(msg.index)


class RingMember(al.Actor):
    def __init__(self) -> None:
        self.next: Any = None
        self.master: Any = None
        self.index = 0

    @al.handler
    def setup(self, msg: Setup) -> None:
        (self.next, self.master), self.index = msg.peers, msg.value

    @al.handler
    def token(self, msg: Token) -> None:
        if msg.remaining == 0:
            self.master.tell(RingDone(self.index))
        else:
            self.next.tell(Token(msg.remaining - 1))


# S6 chameneos ------------------------------------------------------------------------------------
class Mall(Master):
    def __init__(self) -> None:
        super().__init__()
        self.left = 0
        self.waiting: Any = None
        self.faded = 0
        self.total = 0

    @al.handler
    def start(self, msg: Start) -> None:
        p = self.begin(msg)
        self.left = p["meetings"]
        for i in range(p["chameneos"]):
            self.ctx.spawn(Chameneo()).tell(Setup(self.me, i % 3))

    @al.handler
    def meet(self, msg: MeetMsg) -> None:
        if self.left > 0:
            if self.waiting is None:
                self.waiting = msg
            else:
                self.left -= 1
                self.waiting.who.tell(MeetMsg(msg.color, msg.who))
                self.waiting = None
        else:
            msg.who.tell(ExitMsg())

    @al.handler
    def meeting_count(self, msg: MeetingCountMsg) -> None:
        self.faded += 1
        self.total += msg.count
        if self.faded == self.p["chameneos"]:
            self.done.set_result((self.faded, self.total))


class Chameneo(al.Actor):
    def __init__(self) -> None:
        self.mall: Any = None
        self.me: Any = None
        self.color = 0
        self.meetings = 0

    @al.handler
    def setup(self, msg: Setup) -> None:
        self.mall, self.color, self.me = msg.peers, msg.value, self.ctx.this
        self.mall.tell(MeetMsg(self.color, self.me))

    @al.handler
    def meet(self, msg: MeetMsg) -> None:
        self.color = spec.complement(self.color, msg.color)
        self.meetings += 1
        msg.who.tell(ChangeColorMsg(self.color, self.me))
        self.mall.tell(MeetMsg(self.color, self.me))

    @al.handler
    def change_color(self, msg: ChangeColorMsg) -> None:
        self.color = msg.color
        self.meetings += 1
        self.mall.tell(MeetMsg(self.color, self.me))

    @al.handler
    def exit(self, msg: ExitMsg) -> None:
        self.mall.tell(MeetingCountMsg(self.meetings))


# S7 big ------------------------------------------------------------------------------------------
class BigSink(Master):
    def __init__(self) -> None:
        super().__init__()
        self.workers: list[Any] = []
        self.exits = 0
        self.reports = 0
        self.handled = 0
        self.bad = 0

    @al.handler
    def start(self, msg: Start) -> None:
        p = self.begin(msg)
        self.workers = [self.ctx.spawn(BigWorker()) for _ in range(p["workers"])]
        for i, w in enumerate(self.workers):
            w.tell(Setup((self.workers, self.me, p["pings"]), i))
        for w in self.workers:
            w.tell(BigPong(-1))

    @al.handler
    def worker_done(self, msg: BigDone) -> None:
        self.exits += 1
        if self.exits == len(self.workers):
            for w in self.workers:
                w.tell(BigExit())

    @al.handler
    def report(self, msg: BigReport) -> None:
        self.reports += 1
        self.handled += msg.handled
        self.bad += msg.bad
        if self.reports == len(self.workers):
            self.done.set_result((self.reports, self.handled, self.bad))


class BigWorker(al.Actor):
    def __init__(self) -> None:
        self.workers: list[Any] = []
        self.sink: Any = None
        self.pings = 0
        self.index = 0
        self.rng: Any = None
        self.sent = 0
        self.expected = -1
        self.handled = 0
        self.bad = 0

    @al.handler
    def setup(self, msg: Setup) -> None:
        (self.workers, self.sink, self.pings), self.index = msg.peers, msg.value
        self.rng = random.Random(msg.value)

    @al.handler
    def ping(self, msg: BigPing) -> None:
        self.handled += 1
        self.workers[msg.sender].tell(BigPong(self.index))

    @al.handler
    def pong(self, msg: BigPong) -> None:
        if msg.sender != self.expected:
            self.bad += 1
        if self.sent == self.pings:
            self.sink.tell(BigDone())
        else:
            target = self.expected = self.rng.randrange(len(self.workers))
            self.workers[target].tell(BigPing(self.index))
            self.sent += 1

    @al.handler
    def exit(self, msg: BigExit) -> None:
        self.sink.tell(BigReport(self.handled, self.bad))


# S8 logistic map series (ask-heavy) --------------------------------------------------------------
class LogMaster(Master):
    def __init__(self) -> None:
        super().__init__()
        self.results: dict[int, float] = {}

    @al.handler
    def start(self, msg: Start) -> None:
        p = self.begin(msg)
        workers = []
        for i in range(p["series"]):
            computer = self.ctx.spawn(RateComputer())
            computer.tell(Setup(None, i))
            worker = self.ctx.spawn(SeriesWorker())
            worker.tell(Setup((computer, self.me), i))
            workers.append(worker)
        for _ in range(p["terms"]):
            for w in workers:
                w.tell(NextTerm())
        for w in workers:
            w.tell(GetTerm())

    @al.handler
    def term(self, msg: TermResult) -> None:
        self.results[msg.index] = msg.value
        if len(self.results) == self.p["series"]:
            self.done.set_result([self.results[i] for i in range(len(self.results))])


class RateComputer(al.Actor):
    def __init__(self) -> None:
        self.rate = 0.0

    @al.handler
    def setup(self, msg: Setup) -> None:
        self.rate = spec.logmap_rate(msg.value)

    @al.handler
    def compute(self, msg: Compute) -> float:
        return spec.logmap_next(self.rate, msg.x)


class SeriesWorker(al.Actor):
    def __init__(self) -> None:
        self.computer: Any = None
        self.master: Any = None
        self.index = 0
        self.term = 0.0

    @al.handler
    def setup(self, msg: Setup) -> None:
        (self.computer, self.master), self.index = msg.peers, msg.value
        self.term = spec.logmap_start(msg.value)

    @al.handler
    async def next_term(self, msg: NextTerm) -> None:
        self.term = await self.computer.ask(Compute(self.term))

    @al.handler
    def get_term(self, msg: GetTerm) -> None:
        self.master.tell(TermResult(self.index, self.term))


# driver ------------------------------------------------------------------------------------------
def _bench(bench: str, master: type[Master], size: dict[str, Any]) -> Cases:
    root = al.root()

    def one_pass(params: dict[str, int]) -> tuple[Span, Any]:
        ref = root.spawn(master())
        done: concurrent.futures.Future[Any] = concurrent.futures.Future()
        sw = Stopwatch()
        ref.tell(Start(params, done))
        answer = done.result(spec.PASS_TIMEOUT)
        span = sw.stop()
        ref.stop()
        expect(len(al.inspect()), 0, f"{bench}: live actors after the pass")
        return span, answer

    try:
        return spec.measure(bench, size, one_pass)
    finally:
        al.shutdown()


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
