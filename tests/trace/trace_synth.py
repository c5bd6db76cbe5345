"""Synthetic trace events with stable ids and times (no runtime needed) for golden tests."""

from __future__ import annotations

from typing import Any

from actorlab.events import Event
from actorlab.ids import ActorId

COUNTER = ActorId.from_name("counter")
LOGGER = ActorId.from_name("logger")
CHILD = ActorId.from_name("child")
LABELS = {COUNTER: "counter", LOGGER: "logger", CHILD: "child"}


def ev(seq: int, t: float, kind: str, src: ActorId | None, dst: ActorId | None, **kw: Any) -> Event:
    return Event(seq, t, kind, src, dst, **kw)


def conversation() -> list[Event]:
    """Every kind a diagram draws: tell, ask/reply, spawn, fail, restart, stop, dead letter."""
    return [
        ev(1, 0.000, "tell", None, COUNTER, msg_type="Add", msg_repr="Add(amount=1)"),
        ev(2, 0.001, "tell", COUNTER, LOGGER, msg_type="str", msg_repr="'added 1'"),
        ev(3, 0.0015, "handled", None, COUNTER, msg_type="Add", detail="ok 0.9ms"),
        ev(4, 0.002, "handled", COUNTER, LOGGER, msg_type="str", detail="ok 0.2ms"),
        ev(5, 0.003, "ask", None, COUNTER, msg_type="Get", msg_repr="Get()", ask_id=1),
        ev(6, 0.0035, "reply", COUNTER, None, msg_type="int", msg_repr="1", ask_id=1),
        ev(7, 0.0036, "handled", None, COUNTER, msg_type="Get", ask_id=1, detail="ok 0.5ms"),
        ev(8, 0.004, "spawn", COUNTER, CHILD, msg_type="Worker"),
        ev(9, 0.005, "tell", None, COUNTER, msg_type="Div", msg_repr="Div(by=0)"),
        ev(
            10,
            0.0055,
            "fail",
            None,
            COUNTER,
            msg_type="ZeroDivisionError",
            detail="ZeroDivisionError: division by zero",
        ),
        ev(
            11,
            0.0056,
            "handled",
            None,
            COUNTER,
            msg_type="Div",
            detail="error ZeroDivisionError 0.4ms",
        ),
        ev(12, 0.006, "restart", None, COUNTER, detail="1/3"),
        ev(13, 0.007, "stop", None, CHILD, detail="normal"),
        ev(
            14,
            0.008,
            "dead_letter",
            None,
            CHILD,
            msg_type="Job",
            msg_repr="Job(n=3)",
            detail="actor stopped",
        ),
    ] + [
        ev(15 + i, 0.009 + i * 0.0001, "tell", None, LOGGER, msg_type="str", msg_repr="'tick'")
        for i in range(5)
    ]
