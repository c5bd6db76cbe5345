"""``envelope.Reply``: the future of a blocking ask (one waiting thread, one lock).

Each test names the behaviour it pins; each fails if that behaviour breaks (a settle that
does not wake the waiter, a timeout that does not raise, a cancel that a late reply undoes,
callbacks that do not run or run twice, a second settle that is accepted).
"""

from __future__ import annotations

import concurrent.futures
import threading
from typing import Any

import pytest

from actorlab.envelope import Reply, settle


def _settle_from_another_thread(fn: Any) -> threading.Thread:
    t = threading.Thread(target=fn)
    t.start()
    return t


# -- settle ----------------------------------------------------------------------------------------
def test_a_result_set_on_another_thread_wakes_the_waiter() -> None:
    reply = Reply()
    assert not reply.done() and not reply.cancelled() and not reply.running()
    t = _settle_from_another_thread(lambda: reply.set_result(42))
    assert reply.result(timeout=10) == 42
    t.join()
    assert reply.done() and not reply.cancelled()
    assert reply.exception(timeout=0) is None
    assert repr(reply) == "<Reply finished>"


def test_a_settle_releases_the_lock_a_waiter_blocks_on() -> None:
    """The waiter may reach ``result`` before the settle (it then blocks on the lock): the
    settle must release it, whichever exit it takes."""
    for settle_it in (lambda r: r.set_result(1), lambda r: r.set_exception(ValueError())):
        reply = Reply()
        assert reply._settled.locked()  # held from the start
        settle_it(reply)
        assert not reply._settled.locked()
        reply._state = "PENDING"  # as seen by a waiter that read the state before the settle
        reply.exception(timeout=0)  # acquires the released lock: no TimeoutError


def test_a_cancel_leaves_the_lock_held_for_a_settle_racing_it() -> None:
    reply = Reply()
    reply.cancel()
    assert reply._settled.locked()


def test_an_exception_set_is_raised_by_result_and_returned_by_exception() -> None:
    reply = Reply()
    err = ValueError("boom")
    t = _settle_from_another_thread(lambda: reply.set_exception(err))
    with pytest.raises(ValueError, match="boom") as caught:
        reply.result(timeout=10)
    t.join()
    assert caught.value is err
    assert reply.exception(timeout=0) is err
    assert reply.done()


def test_a_settled_reply_can_be_read_again_without_blocking() -> None:
    reply = Reply()
    reply.set_result("x")
    assert reply.result(timeout=0) == "x"
    assert reply.result(timeout=0) == "x"  # the lock is released once, read any number of times
    assert reply.exception(timeout=0) is None


def test_a_none_result_is_a_result() -> None:
    reply = Reply()
    reply.set_result(None)
    assert reply.done()
    assert reply.result(timeout=0) is None


def test_settle_completes_a_reply_and_ignores_one_done_already() -> None:
    reply = Reply()
    settle(reply, 7)
    assert reply.result(timeout=0) == 7
    settle(reply, 8)  # no InvalidStateError escapes; the first value stays
    settle(reply, error=RuntimeError("late"))
    assert reply.result(timeout=0) == 7


def test_settle_ignores_a_cancel_that_races_it() -> None:
    """The waiter may cancel (timeout, Ctrl-C) between settle's ``done()`` and its set."""
    reply = Reply()
    reply.done = lambda: False  # type: ignore[method-assign]  # (it read "pending" ...)
    reply.cancel()  # (... then the waiter gave up)
    settle(reply, 1)  # no InvalidStateError escapes into the runtime
    settle(reply, error=ValueError())
    assert reply.cancelled()


def test_settle_with_an_error_sets_it() -> None:
    reply = Reply()
    settle(reply, error=KeyError("k"))
    with pytest.raises(KeyError):
        reply.result(timeout=0)


# -- double set ------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "first, second",
    [
        (lambda r: r.set_result(1), lambda r: r.set_result(2)),
        (lambda r: r.set_result(1), lambda r: r.set_exception(ValueError())),
        (lambda r: r.set_exception(ValueError()), lambda r: r.set_result(2)),
        (lambda r: r.set_exception(ValueError()), lambda r: r.set_exception(KeyError())),
    ],
)
def test_a_second_set_raises_invalid_state_and_keeps_the_first(first: Any, second: Any) -> None:
    reply = Reply()
    first(reply)
    before = (reply._result, reply._exception)
    with pytest.raises(concurrent.futures.InvalidStateError, match="settled already"):
        second(reply)
    assert (reply._result, reply._exception) == before


# -- timeout ---------------------------------------------------------------------------------------
def test_a_wait_that_times_out_raises_timeout_error_and_leaves_it_pending() -> None:
    reply = Reply()
    with pytest.raises(concurrent.futures.TimeoutError):
        reply.result(timeout=0)
    with pytest.raises(concurrent.futures.TimeoutError):
        reply.exception(timeout=0.01)
    assert not reply.done()
    reply.set_result("later")  # a reply after a timed-out wait is still taken
    assert reply.result(timeout=0) == "later"


# -- cancel ----------------------------------------------------------------------------------------
def test_cancel_of_a_pending_reply_cancels_it() -> None:
    reply = Reply()
    assert reply.cancel() is True
    assert reply.cancelled() and reply.done()
    assert not reply.set_running_or_notify_cancel()
    assert repr(reply) == "<Reply cancelled>"
    with pytest.raises(concurrent.futures.CancelledError):
        reply.result(timeout=0)
    with pytest.raises(concurrent.futures.CancelledError):
        reply.exception(timeout=0)


def test_a_pending_reply_may_run() -> None:
    assert Reply().set_running_or_notify_cancel() is True


def test_a_reply_settled_after_a_cancel_is_dropped() -> None:
    reply = Reply()
    reply.cancel()
    with pytest.raises(concurrent.futures.InvalidStateError):
        reply.set_result(1)
    settle(reply, 1)  # the runtime's settle ignores it
    assert reply.cancelled()
    with pytest.raises(concurrent.futures.CancelledError):
        reply.result(timeout=0)


def test_cancel_of_a_settled_reply_fails_and_keeps_the_result() -> None:
    reply = Reply()
    reply.set_result(5)
    assert reply.cancel() is False
    assert not reply.cancelled()
    assert reply.result(timeout=0) == 5


def test_a_second_cancel_still_says_cancelled() -> None:
    reply = Reply()
    assert reply.cancel() is True
    assert reply.cancel() is True


# -- callbacks -------------------------------------------------------------------------------------
def test_callbacks_added_before_the_settle_run_once_each_in_order_with_the_reply() -> None:
    reply = Reply()
    seen: list[tuple[str, Any]] = []
    reply.add_done_callback(lambda f: seen.append(("a", f)))
    reply.add_done_callback(lambda f: seen.append(("b", f)))
    assert seen == []
    reply.set_result(3)
    assert seen == [("a", reply), ("b", reply)]


def test_a_callback_added_after_the_settle_runs_at_once() -> None:
    reply = Reply()
    reply.set_exception(ValueError())
    seen: list[Any] = []
    reply.add_done_callback(seen.append)
    assert seen == [reply]


def test_callbacks_run_on_cancel_too() -> None:
    reply = Reply()
    seen: list[bool] = []
    reply.add_done_callback(lambda f: seen.append(f.cancelled()))
    reply.cancel()
    assert seen == [True]
    reply.cancel()  # a second cancel runs nothing again
    assert seen == [True]


def test_replies_do_not_share_their_callbacks() -> None:
    first, second = Reply(), Reply()
    seen: list[Any] = []
    first.add_done_callback(seen.append)
    second.set_result(0)
    assert seen == []  # (the shared empty stand-in was not appended to)
    first.set_result(0)
    assert seen == [first]


def test_wrap_future_sees_the_reply_settle() -> None:
    """``asyncio.wrap_future`` (``await ref.ask`` from another loop) goes through callbacks."""
    import asyncio

    async def main() -> Any:
        reply = Reply()
        loop = asyncio.get_running_loop()
        threading.Thread(target=lambda: loop.call_soon_threadsafe(reply.set_result, "ok")).start()
        return await asyncio.wait_for(asyncio.wrap_future(reply), 10)

    assert asyncio.run(main()) == "ok"
