"""Tests that kill mutants of ``deadlines`` (``make mutation``), on a fake loop whose time the test
sets: when the one timer is armed and re-armed, what a firing expires (deadlines due at that
very moment included), and when answered asks are compacted out of the heap."""

from __future__ import annotations

import pytest

from actorlab.deadlines import Deadlines, Expired


class _Handle:
    def __init__(self, when, callback) -> None:
        self.when, self.callback, self.cancelled = when, callback, False

    def cancel(self) -> None:
        self.cancelled = True


class _Loop:
    def __init__(self) -> None:
        self.now = 100.0
        self.handles: list[_Handle] = []

    def time(self) -> float:
        return self.now

    def call_at(self, when, callback) -> _Handle:
        h = _Handle(when, callback)
        self.handles.append(h)
        return h

    def armed(self) -> list[float]:
        return [h.when for h in self.handles if not h.cancelled]

    def fire(self) -> None:
        (h,) = [h for h in self.handles if not h.cancelled]
        h.cancelled = True  # (a fired handle is spent)
        h.callback()


class _Fut:
    """A future without ordering (tuples must never compare two of them)."""

    expired: list[str] = []

    def __init__(self, name: str) -> None:
        self.name, self.error, self.answered = name, None, False

    def done(self) -> bool:
        return self.answered or self.error is not None

    def set_exception(self, error) -> None:
        assert self.error is None
        self.error = error
        _Fut.expired.append(self.name)

    __lt__ = __gt__ = __le__ = __ge__ = None


@pytest.fixture(autouse=True)
def _clear():
    _Fut.expired = []


def test_the_timer_is_armed_for_the_earliest_deadline_only():
    loop = _Loop()
    d = Deadlines(loop)
    a, b, c = _Fut("a"), _Fut("b"), _Fut("c")
    d.add(a, 5.0)
    assert loop.armed() == [105.0]
    d.add(b, 10.0)  # later: the armed timer stays
    assert loop.armed() == [105.0] and len(loop.handles) == 1
    d.add(c, 1.0)  # earlier: re-armed, the old timer cancelled
    assert loop.armed() == [101.0] and len(loop.handles) == 2
    assert len(d) == 3


def test_a_firing_expires_what_is_due_now_and_re_arms_for_the_next():
    loop = _Loop()
    d = Deadlines(loop)
    due, also_due, later = _Fut("due"), _Fut("also_due"), _Fut("later")
    d.add(due, 1.0)
    d.add(also_due, 2.0)
    d.add(later, 4.0)
    loop.now = 102.0  # exactly also_due's deadline
    loop.fire()
    assert _Fut.expired == ["due", "also_due"]
    assert isinstance(due.error, Expired) and later.error is None
    assert len(d) == 1 and loop.armed() == [104.0]


def test_ties_expire_in_the_order_the_asks_were_made():
    loop = _Loop()
    d = Deadlines(loop)
    futs = [_Fut(str(i)) for i in range(5)]
    for f in futs:
        d.add(f, 3.0)  # the same deadline: never compare the futures
    loop.now = 103.0
    loop.fire()
    assert _Fut.expired == ["0", "1", "2", "3", "4"]
    assert len(d) == 0 and loop.armed() == []


def test_answered_asks_at_the_head_are_dropped_without_an_error():
    loop = _Loop()
    d = Deadlines(loop)
    answered, pending = _Fut("answered"), _Fut("pending")
    d.add(answered, 1.0)
    d.add(pending, 5.0)
    answered.answered = True
    loop.now = 101.0
    loop.fire()
    assert _Fut.expired == [] and answered.error is None
    assert len(d) == 1 and loop.armed() == [105.0]
    loop.now = 104.9
    loop.fire()
    assert _Fut.expired == [] and loop.armed() == [105.0]  # not due yet: armed again
    loop.now = 105.0
    loop.fire()
    assert _Fut.expired == ["pending"] and len(d) == 0


def test_after_a_firing_a_new_deadline_arms_the_timer_again():
    loop = _Loop()
    d = Deadlines(loop)
    d.add(_Fut("first"), 1.0)
    loop.now = 101.0
    loop.fire()
    assert loop.armed() == []
    d.add(_Fut("second"), 50.0)  # later than the fired timer was: armed all the same
    assert loop.armed() == [151.0]


def _answered(d: Deadlines, n: int) -> None:
    for i in range(n):
        f = _Fut(f"x{i}")
        d.add(f, 60.0)
        f.answered = True
        d.done()


def test_a_heap_of_over_64_answered_asks_is_compacted_at_the_next_add():
    loop = _Loop()
    d = Deadlines(loop)
    _answered(d, 64)
    assert len(d) == 64
    d.add(_Fut("next"), 60.0)  # 64 entries: not over the bound yet
    assert len(d) == 65
    d.done()
    d.add(_Fut("after"), 60.0)  # 65 entries, 1 pending... over twice the pending: compacted
    assert len(d) == 2  # the two unanswered ones


def test_a_heap_with_many_pending_asks_is_not_compacted():
    loop = _Loop()
    d = Deadlines(loop)
    pending = [_Fut(f"p{i}") for i in range(40)]
    for f in pending:
        d.add(f, 60.0)
    _answered(d, 30)  # 70 entries, 40 pending
    for f in pending[:5]:
        f.answered = True
        d.done()
    d.add(_Fut("edge"), 60.0)  # 70 entries, 35 pending: 70 is not over 2 * 35, kept
    assert len(d) == 71
    pending[5].answered = True
    d.done()
    d.add(_Fut("last"), 60.0)  # 71 entries, 35 pending: over 70, compacted
    assert len(d) == 34 + 2  # the 34 pending of the first 40, "edge" and "last"
