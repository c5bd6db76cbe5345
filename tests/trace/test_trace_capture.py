"""``al.trace()`` against the real runtime: what it records, its limit, filters and renderings."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass

import pytest

import actorlab as al
from actorlab.runtime import get_runtime
from actorlab.testing import wait_idle


@dataclass
class Add:
    n: int


@dataclass
class Get:
    pass


@dataclass
class Boom:
    pass


class Logger(al.Actor):
    def __init__(self) -> None:
        self.lines: list[str] = []

    @al.handler
    def log(self, line: str) -> None:
        self.lines.append(line)


class Counter(al.Actor):
    def __init__(self, log: al.ActorRef | None = None) -> None:
        self.value = 0
        self.log = log

    @al.handler
    async def add(self, msg: Add) -> None:
        self.value += msg.n
        if self.log is not None:
            self.log.tell(f"added {msg.n}")

    @al.handler
    def get(self, msg: Get) -> int:
        return self.value

    @al.handler
    def boom(self, msg: Boom) -> None:
        raise ZeroDivisionError("division by zero")


class Parent(al.Actor):
    supervisor = al.OneForOne(max_restarts=3, within=10.0)

    def __init__(self) -> None:
        self.child: al.ActorRef | None = None

    def on_start(self) -> None:
        self.child = self.ctx.spawn(Counter(), name="kid")

    @al.handler
    def kid(self, msg: Get) -> al.ActorRef:
        return self.child


@pytest.fixture
def pair(al_root):
    log = al_root.spawn(Logger(), name="logger")
    counter = al_root.spawn(Counter(log), name="counter")
    wait_idle()
    return counter, log


def kinds(t: al.Trace) -> list[str]:
    return [e.kind for e in t.events]


def test_trace_records_a_conversation_and_its_consequences(pair):
    counter, log = pair
    with al.trace() as t:
        counter.tell(Add(1))
        assert counter.ask_sync(Get()) == 1
    assert not t.active and not t.limit_reached
    ks = kinds(t)
    assert ks.count("tell") == 2  # Add from the notebook + the log line from the counter
    assert ks.count("ask") == 1 and ks.count("reply") == 1
    # the logger's handled event comes after the block's last statement: settling caught it
    handled_by_logger = [e for e in t.events if e.kind == "handled" and e.dst == log.id]
    assert len(handled_by_logger) == 1
    assert t.labels[counter.id] == "counter" and t.labels[log.id] == "logger"
    ask_id = next(e.ask_id for e in t.events if e.kind == "ask")  # a process-wide counter
    text = t.to_text()
    assert "tell Add(n=1)" in text and f"reply #{ask_id} 1" in text
    assert "tell 'added 1'" in text


def test_trace_stops_listening_after_the_block(pair):
    counter, _ = pair
    rt = get_runtime()
    with al.trace() as t:
        assert rt.events.message_events == 1
    assert rt.events.message_events == 0
    counter.tell(Add(5))
    wait_idle()
    assert t.events == []


def test_limit_switches_the_trace_off_visibly(pair):
    counter, _ = pair
    rt = get_runtime()
    with al.trace(limit=3) as t:
        for i in range(10):
            counter.tell(Add(i))
        wait_idle()
        assert not t.active  # switched off while the block was still running
    assert t.limit_reached and len(t.events) == 3
    assert rt.events.message_events == 0
    assert "switched off at limit=3" in repr(t)
    bundle = t._repr_mimebundle_()
    for mime in ("text/plain", "image/svg+xml"):
        assert "switched itself off after 3 events" in bundle[mime]
    t.renderer = "mermaid"
    assert "switched itself off after 3 events" in t._repr_mimebundle_()["text/vnd.mermaid"]


def test_mimebundle_is_svg_and_text_mermaid_only_on_request(pair):
    # JupyterLab ranks text/vnd.mermaid above SVG: with both in the bundle, notebooks showed
    # mermaid, without the activation bars, durations and marks the tutorials describe.
    counter, _ = pair
    with al.trace() as t:
        counter.tell(Add(1))
    bundle = t._repr_mimebundle_()
    assert set(bundle) == {"image/svg+xml", "text/plain"}
    assert bundle["image/svg+xml"].startswith("<svg ")
    mermaid = al.trace(renderer="mermaid")
    assert set(mermaid._repr_mimebundle_()) == {"text/vnd.mermaid", "text/plain"}
    assert mermaid._repr_mimebundle_()["text/vnd.mermaid"].startswith("sequenceDiagram")
    assert set(al.trace(renderer="svg")._repr_mimebundle_()) == {"image/svg+xml", "text/plain"}
    assert set(t._repr_mimebundle_(include=["text/plain"])) == {"text/plain"}
    assert set(t._repr_mimebundle_(exclude=["image/svg+xml"])) == {"text/plain"}


def test_actor_filter_by_ref_name_and_glob(al_root):
    a = al_root.spawn(Logger(), name="client-a")
    b = al_root.spawn(Logger(), name="client-b")
    other = al_root.spawn(Logger(), name="server")
    wait_idle()
    for spec, expected in (
        (a, {a.id}),
        ("client-*", {a.id, b.id}),
        ([other, "client-b"], {other.id, b.id}),
    ):
        with al.trace(actors=spec, kinds="tell") as t:
            for ref in (a, b, other):
                ref.tell("hi")
        assert {e.dst for e in t.events} == expected, spec


def test_kinds_filter_and_bad_arguments(pair):
    counter, _ = pair
    with al.trace(kinds=["ask", "reply"]) as t:
        counter.tell(Add(1))
        counter.ask_sync(Get())
    assert kinds(t) == ["ask", "reply"]
    with pytest.raises(ValueError, match=r"unknown kind 'tel'.*tell"):
        al.trace(kinds="tel")
    with pytest.raises(ValueError, match="limit"):
        al.trace(limit=0)
    with pytest.raises(TypeError, match="refs, ActorIds, names"):
        al.trace(actors=[3.5])


def test_failures_restarts_and_spawns_are_recorded(al_root):
    parent = al_root.spawn(Parent(), name="parent")
    wait_idle()
    kid = parent.ask_sync(Get())
    with al.trace() as t:
        kid.tell(Boom())
    ks = kinds(t)
    assert "fail" in ks and "escalate" in ks and "restart" in ks
    d = t.diagram()
    assert [r.kind for r in d.rows if r.kind in ("fail", "escalate", "restart")] == [
        "fail",
        "escalate",
        "restart",
    ]
    assert "↻ kid restarted" in t.to_text()


def test_stop_and_dead_letters_are_recorded(al_root):
    log = al_root.spawn(Logger(), name="pausable")
    wait_idle()
    log.pause()
    with al.trace() as t:
        log.tell("never handled")
        log.stop()
    ks = kinds(t)
    assert ks[0] == "tell" and "stop" in ks and "dead_letter" in ks
    assert "dead letter 'never handled'" in t.to_text()


def test_async_with_records_and_settles(pair):
    counter, log = pair

    async def main() -> al.Trace:
        async with al.trace() as t:
            counter.tell(Add(2))
            assert await counter.ask(Get()) == 2
        return t

    t = asyncio.run(main())
    assert [e.kind for e in t.events if e.dst == log.id] == ["tell", "handled"]


def test_exception_in_block_stops_trace_and_propagates(pair):
    counter, _ = pair
    with pytest.raises(RuntimeError, match="oops"):
        with al.trace() as t:
            counter.tell(Add(1))
            raise RuntimeError("oops")
    assert not t.active and get_runtime().events.message_events == 0


def test_chrome_trace_of_a_real_run_pairs_messages_with_handlers(pair, tmp_path):
    counter, _ = pair
    with al.trace() as t:
        counter.tell(Add(1))
        counter.ask_sync(Get())
    path = t.save_chrome_trace(tmp_path / "trace.json")
    data = json.loads(path.read_text())
    slices = [e for e in data["traceEvents"] if e["ph"] == "X" and e["cat"] == "handler"]
    assert sorted(s["name"] for s in slices) == ["Add", "Get", "str"]
    flows_s = {e["id"] for e in data["traceEvents"] if e["ph"] == "s"}
    flows_f = {e["id"] for e in data["traceEvents"] if e["ph"] == "f"}
    assert flows_s == flows_f and len(flows_s) == 3


def test_str_is_the_ladder_and_empty_trace_renders(al_root):
    with al.trace() as t:
        pass
    assert "(no events captured)" in str(t)
    assert repr(t) == "<Trace 0 events, 0 actors, stopped>"


def test_trace_and_its_renderings_import_no_notebook_libraries():
    import subprocess
    import sys

    code = (
        "import sys, actorlab as al\n"
        "r = al.root()\n"
        "with al.trace() as t: pass\n"
        "t._repr_mimebundle_(); t.to_chrome_trace()\n"
        "bad = {'IPython', 'rich', 'ipywidgets', 'traitlets'} & set(sys.modules)\n"
        "assert not bad, bad\n"
        "al.shutdown()\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
