"""Properties of delivery, checked on generated workloads (hypothesis, derandomized):

- per-sender FIFO and no loss, whatever mix of threads and actors sends;
- across restarts: every message but the ones that crashed the actor arrives, once, in each
  sender's order (the crashing message is dropped: at most once).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import actorlab as al
from actorlab.testing import wait_until

PROPERTY = settings(
    max_examples=25,
    deadline=None,
    derandomize=True,  # the same examples every run: a CI failure reproduces
    suppress_health_check=[HealthCheck.function_scoped_fixture],
    database=None,
)


@dataclass(frozen=True)
class Item:
    sender: int
    seq: int
    poison: bool = False


@dataclass
class Items: ...


@dataclass
class Burst:
    target: al.ActorRef
    sender: int
    count: int


class Sink(al.Actor):
    def __init__(self) -> None:
        self.items: list[Item] = []

    @al.handler
    def item(self, msg: Item) -> None:
        self.items.append(msg)

    @al.handler
    def all(self, msg: Items) -> list[Item]:
        return list(self.items)


class Sender(al.Actor):
    @al.handler
    def burst(self, msg: Burst) -> None:
        for i in range(msg.count):
            msg.target.tell(Item(msg.sender, i))


def collect(sink: al.ActorRef, n: int) -> list[Item]:
    """The sink's items once it has at least ``n`` (polled with asks: no sleeps)."""
    got: list[list[Item]] = [[]]

    def enough() -> bool:
        got[0] = sink.ask_sync(Items())
        return len(got[0]) >= n

    wait_until(enough, what=f"{n} messages at the sink")
    return got[0]


def _in_order_per_sender(items: list[Item], counts: dict[int, int]) -> None:
    for sender, count in counts.items():
        seqs = [i.seq for i in items if i.sender == sender]
        assert seqs == list(range(count)), f"sender {sender}: {seqs[:20]}..."


# one entry per sender: (is it a thread rather than an actor, how many messages it sends)
SENDERS = st.lists(st.tuples(st.booleans(), st.integers(0, 300)), min_size=1, max_size=6)


@PROPERTY
@given(senders=SENDERS)
def test_per_sender_fifo_and_no_loss_from_threads_and_actors(al_root, senders):
    sink = al_root.spawn(Sink())
    counts = {n: count for n, (_, count) in enumerate(senders)}
    threads = []
    for n, (from_thread, count) in enumerate(senders):
        if from_thread:

            def send(n: int = n, count: int = count) -> None:
                for i in range(count):
                    sink.tell(Item(n, i))

            threads.append(threading.Thread(target=send))
        else:
            al_root.spawn(Sender()).tell(Burst(sink, n, count))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    total = sum(counts.values())
    items = collect(sink, total)
    assert len(items) == total
    _in_order_per_sender(items, counts)


class Relay(al.Actor):
    """Passes each message on to the sink, and crashes on a poison one (dropping it)."""

    def __init__(self, sink: al.ActorRef) -> None:
        self.sink = sink

    @al.handler
    def item(self, msg: Item) -> None:
        if msg.poison:
            raise RuntimeError(f"poison {msg}")
        self.sink.tell(msg)


@dataclass
class Child: ...


class Keeper(al.Actor):
    supervisor = al.OneForOne(max_restarts=1000, within=60.0)

    def __init__(self, sink: al.ActorRef) -> None:
        self.sink = sink

    def on_start(self) -> None:
        self.relay = self.ctx.spawn(Relay(self.sink))

    @al.handler
    def child(self, msg: Child) -> al.ActorRef:
        return self.relay


# per sender: the positions (among its messages) that are poison
POISONED = st.lists(
    st.tuples(st.integers(1, 60), st.sets(st.integers(0, 59), max_size=4)), min_size=1, max_size=4
)


@PROPERTY
@given(plan=POISONED)
def test_across_restarts_only_the_crashing_messages_are_lost(al_root, plan):
    sink = al_root.spawn(Sink())
    keeper = al_root.spawn(Keeper(sink))
    relay = keeper.ask_sync(Child())
    sent: dict[int, list[Item]] = {}
    threads = []
    for n, (count, poison) in enumerate(plan):
        sent[n] = [Item(n, i, poison=i in poison) for i in range(count)]

        def send(items: list[Item] = sent[n]) -> None:
            for item in items:
                relay.tell(item)

        threads.append(threading.Thread(target=send))
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    crashes = sum(1 for items in sent.values() for i in items if i.poison)
    survivors = sum(1 for items in sent.values() for i in items if not i.poison)
    wait_until(lambda: relay.info().restarts == crashes, what=f"{crashes} restarts")
    items = collect(sink, survivors)
    assert not any(i.poison for i in items)  # a crashing message is dropped, never retried
    for n, mine in sent.items():  # everything else arrives once, in the sender's order
        assert [i for i in items if i.sender == n] == [i for i in mine if not i.poison]
