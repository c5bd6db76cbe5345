"""Quiet errors: actorlab's frames are hidden from user-facing tracebacks, and a failing ask
gives one traceback, not two (the failure report and the cell's HandlerError share it)."""

from __future__ import annotations

import re
import traceback

import pytest

import actorlab as al
from actorlab.views import tracebacks as tb

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _raise_through_actorlab():
    """An exception whose traceback runs through actorlab's runtime and concurrent.futures."""
    import concurrent.futures

    def user_handler():
        return 1 / 0

    fut = concurrent.futures.Future()
    try:
        user_handler()
    except ZeroDivisionError as exc:
        fut.set_exception(exc)
    try:
        fut.result()
    except ZeroDivisionError as exc:
        return exc


def test_internal_frames_are_actorlab_and_the_thread_machinery():
    assert tb.internal(al.__file__)
    assert tb.internal("/usr/lib/python3.11/concurrent/futures/_base.py")
    assert tb.internal("/usr/lib/python3.11/threading.py")
    assert not tb.internal("/tmp/ipykernel_1/3.py") and not tb.internal(__file__)


def test_trimmed_keeps_user_frames_only():
    exc = _raise_through_actorlab()
    full = "".join(traceback.format_exception(exc))
    assert "concurrent/futures" in full
    tb.quieted(exc)
    quiet = "".join(traceback.format_exception(exc))
    assert "concurrent/futures" not in quiet
    assert "user_handler" in quiet and "ZeroDivisionError: division by zero" in quiet


def test_plain_frames_filters_formatted_text():
    exc = _raise_through_actorlab()
    full = "".join(traceback.format_exception(exc))
    text = tb.plain_frames(full)
    assert "concurrent/futures" not in text and "result" not in text.split("user_handler")[0][-80:]
    assert text.startswith("Traceback (most recent call last):")
    assert text.rstrip().endswith("ZeroDivisionError: division by zero")
    assert "in user_handler\n    return 1 / 0\n" in text


def test_shown_gives_the_traceback_to_whoever_comes_first():
    shown = tb.Shown(keep=2)
    assert shown.claim("k", "cell") is None
    assert shown.claim("k", "report") == "cell"
    shown.claim("a", "x")
    shown.claim("b", "x")
    assert shown.claim("k", "report") is None  # forgotten after `keep` newer ones


class FakeShell:
    def __init__(self):
        self.shown = []

    def set_custom_exc(self, types, handler):
        self.custom = (types, handler)

    def showtraceback(self, exc_tuple, tb_offset=None, exception_only=False):
        self.shown.append((exc_tuple, exception_only))

    def _showtraceback(self, etype, value, stb):
        self.shown.append(((etype, value, None), True))


def test_the_second_of_report_and_cell_error_is_one_line(monkeypatch):
    monkeypatch.setattr(tb, "shown", tb.Shown())
    cause = _raise_through_actorlab()
    err = al.HandlerError("actor x raised ZeroDivisionError")
    err.__cause__ = cause
    error = al.ErrorInfo(
        kind="handler",
        type="ZeroDivisionError",
        message="division by zero",
        traceback="".join(traceback.format_exception(cause)),
        at=0.0,
    )
    full = "actorlab: top-level actor 'x' failed\n" + error.traceback
    report = tb.failure_report("x", error, full)
    assert "concurrent/futures" not in report and "user_handler" in report  # first: the lot
    shell = FakeShell()
    assert tb.install(shell) and tb.install(shell)
    types, handler = shell.custom
    assert types == (al.ActorlabError,)
    handler(shell, al.HandlerError, err, err.__traceback__)
    (etype, value, trace), only = shell.shown[-1]
    assert only and trace is None and "traceback is in the failure report above" in str(value)


def test_a_cell_error_first_keeps_the_traceback_and_the_report_is_one_line(monkeypatch):
    monkeypatch.setattr(tb, "shown", tb.Shown())
    cause = _raise_through_actorlab()
    text = "".join(traceback.format_exception(cause))
    err = al.HandlerError("actor x raised ZeroDivisionError")
    err.__cause__ = cause
    shell = FakeShell()
    tb._handler(shell, al.HandlerError, err, None)
    (etype, value, trace), only = shell.shown[-1]
    assert not only and value is err  # shown whole (internal frames trimmed)
    assert "concurrent/futures" not in "".join(traceback.format_exception(cause))
    error = al.ErrorInfo("handler", "ZeroDivisionError", "division by zero", text, 0.0)
    line = tb.failure_report("x", error, "actorlab: ...\n" + text)
    assert line.count("\n") == 1 and "in the error shown by the cell that asked" in line


CELL_SETUP = """\
from dataclasses import dataclass
import actorlab as al
%load_ext actorlab

@dataclass
class Div:
    by: int

class Calc(al.Actor):
    @al.handler
    def div(self, msg: Div) -> float:
        return 1 / msg.by

calc = al.root().spawn(Calc(), name="calc")"""


@pytest.mark.kernel
def test_a_failing_ask_in_a_kernel_shows_one_quiet_traceback(kernel_session):
    kernel_session.run(CELL_SETUP)
    result = kernel_session.run("calc.ask_sync(Div(0))", tags=["raises-exception"])
    kernel_session.run("import time; time.sleep(0.5)")  # the report lands after the error
    late = kernel_session.run("print('done')")
    lines = [
        e["traceback"] if isinstance(e["traceback"], str) else "\n".join(e["traceback"])
        for e in result.errors
    ]
    error_text = ANSI.sub("", "\n".join(lines))
    everything = error_text + result.stderr + result.stdout + late.stderr
    assert result.errors and result.errors[0]["ename"] == "HandlerError"
    assert everything.count("ZeroDivisionError: division by zero") >= 1
    assert everything.count("return 1 / msg.by") == 1, everything  # one traceback, not two
    assert "use %tb" not in error_text
    assert "HandlerError: actor calc raised ZeroDivisionError" in error_text
    for internal in ("ref.py", "runtime.py", "concurrent/futures", "threading.py"):
        assert internal not in everything, (internal, everything)
