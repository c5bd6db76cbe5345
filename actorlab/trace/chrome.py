"""Export trace events as Chrome Trace Event JSON (opens in Perfetto and ``chrome://tracing``).

One thread per lane (the notebook is ``self``), an ``"X"`` slice per handled message (the
handler's run time), a zero-length ``"X"`` slice per send, ``"s"``/``"f"`` flow arrows from each
send to the handler that processed it, and ``"i"`` instants for lifecycle events.
"""

from __future__ import annotations

from collections import defaultdict, deque
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from ..events import Event
from ..ids import ActorId
from .render import DEAD, SELF, LaneKey, actor_of, handled_info, lane_label

PID = 1
_Tid = Callable[[ActorId | None], int]
_Us = Callable[[float], float]


def match_handled(events: Sequence[Event]) -> dict[int, Event]:
    """Pair each ``handled`` event (by seq) with the tell/ask that caused it.

    Asks pair by ``ask_id``. Tells pair first-in-first-out per receiving actor and message type
    (a mailbox is FIFO); a handled message sent before the trace started has no pair.
    """
    asks: dict[int, Event] = {}
    pending: dict[ActorId | None, deque[Event]] = defaultdict(deque)
    out: dict[int, Event] = {}
    for ev in sorted(events, key=lambda e: e.seq):
        if ev.kind == "ask" and ev.ask_id is not None:
            asks[ev.ask_id] = ev
        elif ev.kind == "tell":
            pending[ev.dst].append(ev)
        elif ev.kind == "dead_letter":
            _take(pending[actor_of(ev)], ev.msg_type)
        elif ev.kind == "handled":
            actor = ev.dst if ev.dst is not None else ev.src
            if ev.ask_id is not None and ev.ask_id in asks:
                out[ev.seq] = asks.pop(ev.ask_id)
                continue
            sent = _take(pending[actor], ev.msg_type)
            if sent is not None:
                out[ev.seq] = sent
    return out


def _take(queue: deque[Event], msg_type: str | None) -> Event | None:
    for i, ev in enumerate(queue):
        if ev.msg_type == msg_type:
            del queue[i]
            return ev
    return None


def to_chrome_trace(
    events: Sequence[Event], labels: Mapping[ActorId, str] | None = None
) -> dict[str, Any]:
    """The events as a Chrome Trace Event JSON object (``json.dump`` it to a ``.json`` file)."""
    labels = labels or {}
    evs = sorted(events, key=lambda e: e.seq)
    tids: dict[LaneKey, int] = {SELF: 0}

    def tid(key: ActorId | None) -> int:
        k: LaneKey = SELF if key is None else key
        if k not in tids:
            tids[k] = len(tids)
        return tids[k]

    starts = [ev.t - (handled_info(ev).ms or 0.0) / 1000.0 for ev in evs if ev.kind == "handled"]
    t0 = min([ev.t for ev in evs] + starts) if evs else 0.0

    def us(t: float) -> float:
        return round((t - t0) * 1e6, 3)

    pairs = match_handled(evs)
    flow_of_send: dict[int, int] = {}
    out: list[dict[str, Any]] = []
    for ev in evs:
        if ev.kind == "handled":
            out.extend(_handled(ev, tid, us, pairs, flow_of_send))
        elif ev.kind in ("tell", "ask", "reply"):
            out.append(_send(ev, tid, us, labels))
        else:
            out.append(_instant(ev, tid, us, labels))
    # a flow starts at its send slice: emit "s" for every send that got paired
    for ev in evs:
        if ev.seq in flow_of_send:
            out.append(
                {
                    "ph": "s",
                    "id": flow_of_send[ev.seq],
                    "name": "message",
                    "cat": "message",
                    "pid": PID,
                    "tid": tid(ev.src),
                    "ts": us(ev.t),
                }
            )
    meta: list[dict[str, Any]] = [
        {"ph": "M", "name": "process_name", "pid": PID, "tid": 0, "args": {"name": "actorlab"}}
    ]
    for key, n in tids.items():
        name = lane_label(key, labels) if key != SELF else "self (notebook)"
        meta.append(
            {"ph": "M", "name": "thread_name", "pid": PID, "tid": n, "args": {"name": name}}
        )
        meta.append(
            {
                "ph": "M",
                "name": "thread_sort_index",
                "pid": PID,
                "tid": n,
                "args": {"sort_index": n},
            }
        )
    return {"traceEvents": meta + out, "displayTimeUnit": "ms"}


def _handled(
    ev: Event, tid: _Tid, us: _Us, pairs: dict[int, Event], flow_of_send: dict[int, int]
) -> list[dict[str, Any]]:
    info = handled_info(ev)
    dur = (info.ms or 0.0) * 1000.0
    actor = ev.dst if ev.dst is not None else ev.src
    start = us(ev.t) - dur
    args: dict[str, Any] = {"outcome": info.outcome, "seq": ev.seq}
    if ev.msg_repr:
        args["message"] = ev.msg_repr
    out: list[dict[str, Any]] = [
        {
            "ph": "X",
            "name": ev.msg_type or "handler",
            "cat": "handler",
            "pid": PID,
            "tid": tid(actor),
            "ts": round(start, 3),
            "dur": round(dur, 3),
            "args": args,
        }
    ]
    sent = pairs.get(ev.seq)
    if sent is not None:
        flow_of_send[sent.seq] = sent.seq
        out.append(
            {
                "ph": "f",
                "bp": "e",
                "id": sent.seq,
                "name": "message",
                "cat": "message",
                "pid": PID,
                "tid": tid(actor),
                "ts": round(start, 3),
            }
        )
    return out


def _send(ev: Event, tid: _Tid, us: _Us, labels: Mapping[ActorId, str]) -> dict[str, Any]:
    name = f"{ev.kind} {ev.msg_type or ''}".strip()
    if ev.ask_id is not None:
        name += f" #{ev.ask_id}"
    args: dict[str, Any] = {"to": lane_label(ev.dst or SELF, labels), "seq": ev.seq}
    if ev.msg_repr:
        args["message"] = ev.msg_repr
    if ev.detail:
        args["detail"] = ev.detail
    return {
        "ph": "X",
        "name": name,
        "cat": ev.kind,
        "pid": PID,
        "tid": tid(ev.src),
        "ts": us(ev.t),
        "dur": 0,
        "args": args,
    }


def _instant(ev: Event, tid: _Tid, us: _Us, labels: Mapping[ActorId, str]) -> dict[str, Any]:
    actor = actor_of(ev)
    args: dict[str, Any] = {"seq": ev.seq}
    for key in ("msg_type", "msg_repr", "detail"):
        value = getattr(ev, key)
        if value:
            args[key] = value
    if ev.kind == "spawn" and ev.src is not None:
        args["parent"] = lane_label(ev.src, labels)
    lane = tid(actor)
    if ev.kind == "dead_letter":
        args["actor"] = lane_label(actor or SELF, labels)
        lane = tid(None) if actor is None else lane
        name = f"dead letter {ev.msg_type or ''}".strip()
        return {
            "ph": "i",
            "s": "t",
            "name": name,
            "cat": DEAD,
            "pid": PID,
            "tid": lane,
            "ts": us(ev.t),
            "args": args,
        }
    return {
        "ph": "i",
        "s": "t",
        "name": ev.kind,
        "cat": "lifecycle",
        "pid": PID,
        "tid": lane,
        "ts": us(ev.t),
        "args": args,
    }
