"""The dashboard and a trace in a real JupyterLab (headless Debian Chromium via Playwright).

A paused counter with three queued messages; clicking "step" in the browser goes browser -> comm
-> kernel callback -> runtime -> refresher -> browser, and the mailbox count and the state change.
"""

from __future__ import annotations

import re
from urllib.parse import unquote

import pytest
from labdriver import run_notebook, save_screenshot, widget_errors
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SETUP = """\
from dataclasses import dataclass
import actorlab as al

@dataclass
class Add:
    n: int

class Counter(al.Actor):
    def __init__(self):
        self.value = 0

    @al.handler
    def add(self, msg: Add) -> int:
        self.value += msg.n
        return self.value

counter = al.root().spawn(Counter(), name="counter")
counter.pause()
for n in (5, 7, 9):
    counter.tell(Add(n))"""

DASHBOARD = "dash = al.dashboard()\ndash"

TRACE = """\
other = al.root().spawn(Counter(), name="other")
with al.trace() as t:
    other.tell(Add(1))
    other.ask_sync(Add(2))
t"""


def tab(page, title: str):
    return page.locator(".actorlab-tabs .lm-TabBar-tab", has_text=title)


def test_step_in_the_browser_moves_the_mailbox_and_the_state(lab, page, artifacts_dir):
    lab.add_notebook("dashboard_e2e.ipynb", [SETUP, DASHBOARD, TRACE])
    run_notebook(page, lab, "dashboard_e2e.ipynb")
    dashboard = page.locator(".actorlab-dashboard")
    expect(dashboard).to_be_visible(timeout=30_000)
    node = page.locator(
        ".actorlab-tree g.al-node.al-s-paused", has=page.locator("text.al-label", has_text="counter")
    )
    badges = node.locator("text.al-badges")
    expect(badges).to_have_text("✉3", timeout=20_000)

    tab(page, "Mailbox").click()
    count = page.locator(".actorlab-mailbox-count")
    expect(count).to_be_visible(timeout=10_000)
    expect(count).to_contain_text("3 pending messages")

    page.locator(".actorlab-step").click()  # browser -> kernel -> runtime -> refresher -> browser
    expect(count).to_contain_text("2 pending messages", timeout=15_000)
    expect(badges).to_have_text("✉2")
    tab(page, "State").click()
    changed = page.locator(".actorlab-state-changed")
    expect(changed).to_have_text("5", timeout=10_000)
    expect(page.locator(".actorlab-status")).to_contain_text("step counter: done")

    page.locator(".actorlab-step").click()  # step mode stays visible on every tab
    expect(changed).to_have_text("12", timeout=15_000)
    expect(page.locator(".actorlab-step-info")).to_contain_text("✉1 queued")

    assert widget_errors(page) == 0
    dashboard.scroll_into_view_if_needed()
    save_screenshot(page, artifacts_dir, "dashboard_step")


def test_trace_mimebundle_renders_as_a_diagram(lab, page, artifacts_dir):
    lab.add_notebook("trace_e2e.ipynb", [SETUP, TRACE])
    run_notebook(page, lab, "trace_e2e.ipynb")
    cell = page.locator(".jp-Cell").nth(1)
    # The output widget itself carries the renderer's class (jp-RenderedMermaid / -SVG).
    rendered = cell.locator(".jp-RenderedMermaid, .jp-RenderedSVG").first
    expect(rendered).to_be_visible(timeout=30_000)
    assert cell.locator(".jp-OutputArea-output.jp-RenderedText").count() == 0, "text fallback"
    assert not re.search(r"syntax error|parse error", rendered.inner_text(), re.I)
    # The diagram is an <svg>, or an <img> whose data URL holds the SVG (JupyterLab's mermaid).
    svg = rendered.locator("svg, img").first
    expect(svg).to_be_visible()
    if svg.evaluate("e => e.tagName.toLowerCase()") == "img":
        drawn = unquote(svg.get_attribute("src") or "")
    else:
        drawn = svg.evaluate("e => e.outerHTML")
    assert "other" in drawn and "Add(n=1)" in drawn, drawn[:500]
    rendered.scroll_into_view_if_needed()
    save_screenshot(page, artifacts_dir, "trace_diagram")
