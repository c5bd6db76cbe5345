"""Tests that kill mutants of ``envelope`` (``make mutation``): the fields of tell, ask and
forward envelopes and of a run's member, an envelope's kind, and ``settle`` on every kind of
target (asyncio and concurrent futures, forwards, callbacks), done ones included."""

from __future__ import annotations

import asyncio
import concurrent.futures

import pytest

from actorlab.envelope import (
    Envelope,
    Forward,
    Reply,
    envelope_of,
    member,
    reply_envelope,
    settle,
    tell_envelope,
)
from actorlab.messages import HandlerSpec

SPEC = HandlerSpec("h", lambda self, msg: None, False, (int,))


def test_a_tell_envelope_holds_what_it_was_given():
    env = tell_envelope("m", SPEC, "sender", "origin", 1.5, 7, "to")
    assert tuple(env) == ("m", SPEC, None, "sender", "origin", 1.5, 7, None, "to")
    assert type(env) is Envelope and env.kind == "tell"
    plain = tell_envelope("m", SPEC, None, None, 2.0)
    assert (plain.corr_id, plain.ask_id, plain.to) == (None, None, None)


def test_reply_envelopes_of_asks_and_forwards():
    fut: concurrent.futures.Future = concurrent.futures.Future()
    env = reply_envelope("m", SPEC, fut, "sender", "origin", 1.5, 7, 9, "to")
    assert tuple(env) == ("m", SPEC, fut, "sender", "origin", 1.5, 7, 9, "to")
    assert env.kind == "ask"
    fwd = reply_envelope("m", SPEC, Forward(print), None, None, 0.0)
    assert fwd.kind == "forward" and (fwd.corr_id, fwd.ask_id, fwd.to) == (None, None, None)


def test_envelopes_are_compared_by_identity():
    a = tell_envelope("m", SPEC, None, None, 1.0)
    b = tell_envelope("m", SPEC, None, None, 1.0)
    assert a == a and a != b and len({a, b}) == 2


def test_a_member_of_a_run_takes_the_heads_fields_but_no_reply_or_trace():
    head = reply_envelope("first", SPEC, "reply", "sender", "origin", 3.0, 7, 9, "to")
    m = member(head, "second")
    assert tuple(m) == ("second", SPEC, None, "sender", "origin", 3.0, None, None, None)
    assert envelope_of(head, head.msg) is head
    other = envelope_of(head, "second")
    assert other is not head and tuple(other) == tuple(m)


def test_envelope_of_tells_the_heads_message_by_identity():
    msg = [1]
    head = tell_envelope(msg, SPEC, "s", "o", 1.0, 5)
    assert envelope_of(head, msg) is head
    twin = [1]  # equal, not the same message
    env = envelope_of(head, twin)
    assert env is not head and env.msg is twin and env.corr_id is None


def test_settle_an_asyncio_future_with_a_value_or_an_error_once():
    async def main():
        loop = asyncio.get_running_loop()
        ok, bad, done, cancelled = (loop.create_future() for _ in range(4))
        settle(ok, 5)
        settle(bad, 5, KeyError("k"))
        done.set_result("first")
        settle(done, "second")
        settle(done, None, KeyError("late"))
        cancelled.cancel()
        settle(cancelled, 1)
        assert ok.result() == 5
        assert isinstance(bad.exception(), KeyError)
        assert done.result() == "first" and cancelled.cancelled()
        default = loop.create_future()
        settle(default)
        assert default.result() is None

    asyncio.run(main())


@pytest.mark.parametrize("make", [concurrent.futures.Future, Reply], ids=["Future", "Reply"])
def test_settle_a_concurrent_future_with_a_value_or_an_error_once(make):
    ok, bad, done, cancelled = make(), make(), make(), make()
    settle(ok, 5)
    settle(bad, 5, KeyError("k"))
    done.set_result("first")
    settle(done, "second")
    settle(done, None, KeyError("late"))
    cancelled.cancel()
    settle(cancelled, 1)
    assert ok.result(0) == 5
    assert isinstance(bad.exception(0), KeyError)
    assert done.result(0) == "first" and cancelled.cancelled()


def test_settle_a_concurrent_future_racing_another_settle_keeps_the_first():
    class Racing(concurrent.futures.Future):
        def done(self):  # says pending, though another thread settled it meanwhile
            return False

    f = Racing()
    concurrent.futures.Future.set_result(f, "first")
    settle(f, "second")  # InvalidStateError inside: ignored
    settle(f, None, KeyError("late"))
    assert f.result(0) == "first"


def test_settle_a_forward_delivers_values_only():
    got = []
    fwd = Forward(got.append)
    settle(fwd, 3)
    settle(fwd, 4, KeyError("not delivered"))
    settle(fwd)
    assert got == [3, None]


def test_settle_a_callback_passes_the_value_and_the_error():
    calls = []
    err = KeyError("k")
    settle(lambda value, error: calls.append((value, error)), 1)
    settle(lambda value, error: calls.append((value, error)), None, err)
    assert calls == [(1, None), (None, err)]
    settle(None, 1)  # nothing to settle


def test_a_reply_waited_for_without_a_timeout_gets_a_late_result():
    import threading

    reply = Reply()
    threading.Timer(1.2, reply.set_result, ("late",)).start()  # longer than a second
    assert reply.result(None) == "late"
    quick = Reply()
    threading.Timer(0.01, quick.set_result, ("quick",)).start()
    assert quick.result() == "quick" and quick.exception(None) is None
