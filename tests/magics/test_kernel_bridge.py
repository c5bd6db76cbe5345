"""The output bridge without a kernel: idempotent install, both ipykernel generations, the
failure text. (The real thing is checked through kernels in test_kernel.py.)"""

from __future__ import annotations

import contextvars
import io
import sys

import pytest

from actorlab import runtime
from actorlab.info import ErrorInfo
from actorlab.magics import kernel_bridge as kb


@pytest.fixture
def fake_kernel(monkeypatch):
    """Pretend this process is a kernel whose shell is ``shell``; undo the hooks afterwards."""
    shell = FakeShell()
    monkeypatch.setattr(kb, "kernel_shell", lambda: shell)
    kb.uninstall()
    yield shell
    kb.uninstall()


class FakeShell:
    """ipykernel 7's shell surface used by the bridge: get_parent and thread parents."""

    kernel = object()

    def __init__(self):
        self.parent = {"header": {"msg_id": "cell-1"}}
        self.thread_parents = []

    def get_parent(self):
        return self.parent

    def set_thread_parent(self, parent):
        self.thread_parents.append(parent)
        return len(self.thread_parents)


def test_install_is_a_no_op_outside_a_kernel():
    kb.uninstall()
    assert kb.install() is False and not kb.installed()
    assert kb.capture() is None


def test_install_is_idempotent_and_sets_the_runtime_hooks(fake_kernel):
    assert kb.install() is True and kb.install() is True
    assert runtime._origin_capture is kb.capture and runtime._origin_enter is kb.enter
    assert runtime._failure_reporter is kb.report_failure
    kb.uninstall()
    assert runtime._origin_capture is None and runtime._failure_reporter is runtime._default_reporter


def test_capture_returns_the_current_cell_and_enter_sets_it_for_the_context(fake_kernel):
    kb.install()
    token = kb.capture()
    assert token == {"header": {"msg_id": "cell-1"}}
    fake_kernel.parent = {"header": {"msg_id": "cell-2"}}
    second = kb.capture()

    def actor_task():  # each actor runs in its own task, i.e. its own context
        with kb.enter(token):
            assert fake_kernel.thread_parents == [token]
        with kb.enter(token):  # the next message from the same cell: nothing to do
            pass
        assert fake_kernel.thread_parents == [token]
        with kb.enter(second):
            pass
        assert fake_kernel.thread_parents == [token, second]

    contextvars.copy_context().run(actor_task)

    def other_actor():  # a different context starts without a parent of its own
        with kb.enter(second):
            pass

    contextvars.copy_context().run(other_actor)
    assert fake_kernel.thread_parents == [token, second, second]


def test_no_parent_means_no_token(fake_kernel):
    kb.install()
    fake_kernel.parent = {}
    assert kb.capture() is None


class OldStream:
    """ipykernel 6's OutStream: a global parent header."""

    def __init__(self):
        self.parent_header = {"msg_id": "current"}

    def set_parent(self, parent):
        self.parent_header = parent["header"]


def test_ipykernel_6_fallback_sets_and_restores_global_parents(monkeypatch):
    class Shell6:
        kernel = object()
        display_pub = OldStream()

        def get_parent(self):
            return {"header": {"msg_id": "x"}}

    shell = Shell6()
    out, err = OldStream(), OldStream()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    monkeypatch.setattr(kb, "kernel_shell", lambda: shell)
    kb.uninstall()
    try:
        kb.install()
        with kb.enter({"header": {"msg_id": "origin"}}):
            assert out.parent_header == err.parent_header == {"msg_id": "origin"}
            assert shell.display_pub.parent_header == {"msg_id": "origin"}
        assert out.parent_header == err.parent_header == {"msg_id": "current"}
    finally:
        kb.uninstall()


def test_failure_report_names_the_actor_the_cause_and_the_fix(monkeypatch):
    error = ErrorInfo("handler", "ZeroDivisionError", "division by zero",
                      "Traceback (most recent call last):\n  ...\nZeroDivisionError: division by zero\n",
                      0.0, "Add")
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    kb.report_failure("c", error, None)
    assert stream.getvalue() == (
        "actorlab: top-level actor 'c' failed in its handler for Add and was stopped "
        "(ZeroDivisionError: division by zero).\n"
        "Traceback (most recent call last):\n  ...\nZeroDivisionError: division by zero\n"
        "Fix the error and spawn 'c' again, or spawn it under a parent actor that supervises it "
        "(supervisor = al.OneForOne(...)) to restart it automatically.\n"
    )


def test_failure_report_of_a_supervisor_that_gave_up_says_so(monkeypatch):
    error = ErrorInfo("escalated", "RestartLimitExceeded", "band gave up: ...",
                      "RuntimeError: dropped a stick\n\nThe above exception was the direct cause "
                      "of the following exception:\n\nRestartLimitExceeded: band gave up: ...\n",
                      0.0, None)
    stream = io.StringIO()
    monkeypatch.setattr(sys, "stderr", stream)
    kb.report_failure("band", error, None)
    assert stream.getvalue().startswith(
        "actorlab: top-level actor 'band' failed in supervising its children and was stopped "
        "(RestartLimitExceeded: band gave up: ...).\nRuntimeError: dropped a stick\n"
    )
    assert stream.getvalue().endswith(
        "Fix the child's error, then spawn 'band' again.\n"
    )
