"""The refresher task on a running asyncio loop (what the kernel provides between cells)."""

from __future__ import annotations

import asyncio
import threading

import ipywidgets as W
import pytest

import actorlab as al
from actorlab.testing import wait_idle

from .actors import NAMESPACE, Add, Counter, Get


async def until(condition, what, timeout=5.0):
    """Poll ``condition`` on the loop (so the refresher runs in between) with a deadline."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        if loop.time() > deadline:
            raise AssertionError(f"timed out after {timeout} s waiting for {what}")
        await asyncio.sleep(0.01)


@pytest.fixture
def counter(al_root):
    ref = al_root.spawn(Counter(), name="counter")
    wait_idle()
    return ref


@pytest.fixture
def widget_threads(monkeypatch):
    """The thread of every widget trait change made during the test."""
    seen: set[str] = set()
    original = W.Widget.notify_change

    def record(self, change):
        seen.add(threading.current_thread().name)
        return original(self, change)

    monkeypatch.setattr(W.Widget, "notify_change", record)
    return seen


def test_refresher_follows_the_runtime_on_the_loop_thread_only(counter, widget_threads):
    async def scenario():
        dash = al.dashboard(namespace=NAMESPACE)
        task = dash._task
        try:
            assert task is not None and not task.done()
            counter.pause()
            for i in range(4):
                counter.tell(Add(i))
            text = lambda: dash.tree.text(counter.id)  # noqa: E731
            await until(lambda: text() == "‖ counter  paused  ✉4", "4 queued")
            dash.step_btn.click()
            await until(lambda: text() == "‖ counter  paused  ✉3", "a step")
            dash.tabs.selected_index = 1  # Mailbox
            await until(lambda: "<b>3</b> pending" in dash.mailbox_pane.value, "the mailbox")
            dash.resume_btn.click()
            await until(lambda: "<b>0</b> pending" in dash.mailbox_pane.value, "drained")
            assert "→" not in dash.status.value
        finally:
            dash.close()
        await until(task.done, "the refresher to end")

    asyncio.run(scenario())
    assert widget_threads == {"MainThread"}, widget_threads


def test_clicks_never_wait_for_the_actor(counter):
    async def scenario():
        dash = al.dashboard(namespace=NAMESPACE)
        try:
            counter.pause()
            dash.expr.value = "Get()"
            dash.ask_btn.click()  # the reply cannot come while the counter is paused
            assert "waiting for the reply" in dash.status.value
            counter.resume()  # only possible because the click returned at once
            await until(lambda: "→ 0" in dash.status.value, "the reply after resuming")
        finally:
            dash.close()

    asyncio.run(scenario())


def test_refresh_rate_is_capped_at_ten_per_second(counter):
    async def scenario():
        dash = al.dashboard(namespace=NAMESPACE)
        loop = asyncio.get_running_loop()
        try:
            start_refreshes, start = dash.refreshes, loop.time()
            end = start + 0.6
            while loop.time() < end:  # the runtime changes all the time
                for _ in range(50):
                    counter.tell(Add(1))
                await asyncio.sleep(0.005)
            elapsed = loop.time() - start
            done = dash.refreshes - start_refreshes
            assert 1 <= done <= elapsed / 0.1 + 1, (done, elapsed)
        finally:
            dash.close()

    asyncio.run(scenario())


def test_no_redraw_when_nothing_changed(counter):
    async def scenario():
        dash = al.dashboard(namespace=NAMESPACE)
        try:
            dash._task.cancel()  # drive the refresh by hand
            await dash._refresh()
            n = dash.refreshes
            await dash._refresh()
            await dash._refresh()
            assert dash.refreshes == n
            counter.tell(Add(1))
            assert await counter.ask(Get()) == 1
            await dash._refresh()
            assert dash.refreshes == n + 1
        finally:
            dash.close()

    asyncio.run(scenario())


def test_close_stops_the_refresher_task(counter):
    async def scenario():
        dash = al.dashboard()
        task = dash._task
        dash.close()
        await until(task.done, "the refresher to end")
        assert task.cancelled() or task.exception() is None

    asyncio.run(scenario())
