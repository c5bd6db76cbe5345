"""The drawn actor tree, the time slider, themes and the SVG trace in real front ends.

JupyterLab 4 (and Notebook 7 for the tree) in headless Debian Chromium. Screenshots land in
test-artifacts/ and each is checked for what it must show (node texts, readable contrast), not
only taken.
"""

from __future__ import annotations

from urllib.parse import unquote

import pytest
from labdriver import run_notebook, run_notebook7, save_screenshot, widget_errors
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

TREE = """\
from dataclasses import dataclass
import actorlab as al

@dataclass
class Add:
    n: int

class Worker(al.Actor):
    def __init__(self):
        self.total = 0

    @al.handler
    def add(self, msg: Add) -> int:
        self.total += msg.n
        return self.total

class Team(al.Actor):
    supervisor = al.OneForOne(max_restarts=3, within=60.0)

    def on_start(self):
        for i in range(2):
            self.ctx.spawn(Worker(), name=f"w-{i}")

class Boss(al.Actor):
    def on_start(self):
        self.ctx.spawn(Team(), name="team")

boss = al.root().spawn(Boss(), name="boss")"""

WAIT = """\
from actorlab.testing import wait_idle, wait_until

def bound(name):
    try:
        return al.lookup(name) is not None
    except Exception:
        return False

wait_until(lambda: bound("w-1"), what="the tree")
wait_idle()
w0, w1 = al.lookup("w-0"), al.lookup("w-1")"""

DASHBOARD = "dash = al.dashboard()\ndash"

REPLAY = """\
with al.trace() as t:
    w0.tell(Add(1))
    w0.ask_sync(Add(2))
    late = al.lookup("team")
    w1.tell(Add(5))
dash.replay(t)"""

CYCLE = """\
@dataclass
class Start:
    pass

@dataclass
class Question:
    pass

@dataclass
class Detail:
    pass

@dataclass
class Meet:
    other: al.ActorRef

class Alice(al.Actor):
    def __init__(self):
        self.bob = None

    @al.handler
    def meet(self, msg: Meet) -> None:
        self.bob = msg.other

    @al.handler
    async def start(self, msg: Start) -> str:
        return await self.bob.ask(Question(), timeout=3.0)

    @al.handler
    def detail(self, msg: Detail) -> str:
        return "the detail"

class Bob(al.Actor):
    def __init__(self, alice):
        self.alice = alice

    @al.handler
    async def question(self, msg: Question) -> str:
        try:
            return await self.alice.ask(Detail(), timeout=0.5)
        except al.AskTimeout:
            return "Bob gave up"

alice = al.root().spawn(Alice(), name="alice")
bob = al.root().spawn(Bob(alice), name="bob")
alice.tell(Meet(bob))
with al.trace([alice, bob]) as cycle:
    alice.ask_sync(Start())
cycle"""

NODE = ".actorlab-tree g.al-node"


def node(page, label: str):
    return page.locator(NODE, has=page.locator("text.al-label", has_text=label))


def check_tree(page, artifacts_dir, name: str) -> None:
    """The three-level tree: nodes, edges, supervisors with strategy, and a click selects."""
    expect(page.locator(NODE).first).to_be_visible(timeout=30_000)
    for label in ("boss", "team", "w-0", "w-1"):
        expect(node(page, label)).to_have_count(1, timeout=20_000)
    assert page.locator(".actorlab-tree path.al-edge").count() == 3  # boss-team, team-w-0, -w-1
    assert page.locator(f"{NODE}.al-sup").count() == 2  # boss and team supervise
    assert page.locator(f"{NODE}.al-worker").count() == 2
    strategy = node(page, "team").locator("text.al-strategy")
    expect(strategy).to_contain_text("OneForOne")
    node(page, "w-1").click()
    expect(page.locator(".actorlab-heading")).to_contain_text("w-1", timeout=15_000)
    expect(node(page, "w-1")).to_have_class("al-node al-s-idle al-worker al-selected")
    assert widget_errors(page) == 0
    # Tab titles are whole ("State & Snapsho" was cut) and the filter box fits its pane.
    cut = page.evaluate(
        """() => [...document.querySelectorAll('.actorlab-tabs .lm-TabBar-tabLabel')]
          .filter(l => l.scrollWidth > l.clientWidth + 1).map(l => l.textContent)"""
    )
    assert cut == [], f"tab titles cut: {cut}"
    box = page.locator(".actorlab-filter input").bounding_box()
    pane = page.locator(".actorlab-tree").bounding_box()
    assert box["x"] + box["width"] <= pane["x"] + pane["width"] + 6, (box, pane)
    page.locator(".actorlab-dashboard").scroll_into_view_if_needed()
    shot = save_screenshot(page, artifacts_dir, name)
    assert shot.stat().st_size > 10_000


def contrast(page, label: str) -> float:
    """WCAG contrast ratio between a node's label text and its box, as the browser paints them."""
    return page.evaluate(
        """(label) => {
      const g = [...document.querySelectorAll('.actorlab-tree g.al-node')]
        .find(n => n.querySelector('text.al-label').textContent === label);
      const rgb = (c) => {
        const m = c.match(/[\\d.]+/g).map(Number);
        const a = m.length > 3 ? m[3] : 1;
        return m.slice(0, 3).map(v => v * a + (1 - a) * 128);  // translucent: over mid-grey
      };
      const lum = (c) => {
        const [r, g2, b] = rgb(c).map(v => { v /= 255;
          return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); });
        return 0.2126 * r + 0.7152 * g2 + 0.0722 * b;
      };
      const fg = getComputedStyle(g.querySelector('text.al-label')).fill;
      const bg = getComputedStyle(g.querySelector('rect.al-box')).fill;
      const [a, b] = [lum(fg), lum(bg)].sort((x, y) => y - x);
      return (a + 0.05) / (b + 0.05);
    }""",
        label,
    )


def set_theme(page, theme: str) -> None:
    page.evaluate(
        "(theme) => window.jupyterapp.commands.execute('apputils:change-theme', {theme})", theme
    )
    expect(page.locator("body")).to_have_attribute("data-jp-theme-name", theme, timeout=20_000)


FRONT_ENDS = {"lab": run_notebook, "notebook7": run_notebook7}
front_ends = pytest.mark.parametrize("front", list(FRONT_ENDS))


@front_ends
def test_drawn_tree_selection_and_themes(lab, page, artifacts_dir, front):
    name = f"views_tree_{front}.ipynb"
    lab.add_notebook(name, [TREE, WAIT, DASHBOARD])
    FRONT_ENDS[front](page, lab, name)
    check_tree(page, artifacts_dir, f"tree_light_{front}")
    light = contrast(page, "team")
    assert light >= 4.5, f"light theme: node text contrast {light:.2f}"

    set_theme(page, "JupyterLab Dark")
    expect(node(page, "team")).to_be_visible()
    dark = contrast(page, "team")
    assert dark >= 4.5, f"dark theme: node text contrast {dark:.2f}"
    page.locator(".actorlab-dashboard").scroll_into_view_if_needed()
    shot = save_screenshot(page, artifacts_dir, f"tree_dark_{front}")
    assert shot.stat().st_size > 10_000
    # Icons are Font Awesome (ipywidgets' icon=), not glyphs missing from the fonts.
    assert page.locator(".actorlab-step i.fa-step-forward").count() == 1
    assert page.locator(".actorlab-save i.fa-save").count() == 1
    # Disabled destructive buttons are drawn without their warning colour.
    stop = page.locator(".actorlab-stop")
    assert stop.is_disabled() and "mod-danger" not in (stop.get_attribute("class") or "")
    set_theme(page, "JupyterLab Light")


def test_collapse_and_kernel_busy_state(lab, page, artifacts_dir):
    lab.add_notebook("views_busy.ipynb", [TREE, WAIT, DASHBOARD])
    run_notebook(page, lab, "views_busy.ipynb")
    expect(node(page, "w-0")).to_have_count(1, timeout=30_000)
    node(page, "team").locator(".al-toggle").click()
    expect(node(page, "w-0")).to_have_count(0, timeout=10_000)
    expect(node(page, "team").locator("text.al-hidden")).to_have_text("2 hidden")
    node(page, "team").locator(".al-toggle").click()
    expect(node(page, "w-0")).to_have_count(1, timeout=10_000)

    # A running cell holds back widget messages: the click waits, and the tree says so.
    page.evaluate(
        """() => {
      const panel = [...window.jupyterapp.shell.widgets('main')]
        .find(w => w.context?.path === 'views_busy.ipynb');
      panel.sessionContext.session.kernel.requestExecute({code: 'import time; time.sleep(6)'});
    }"""
    )
    expect(page.locator(".jp-Notebook-ExecutionIndicator[data-status='busy']")).to_have_count(
        1, timeout=10_000
    )
    node(page, "w-0").click()
    busy = page.locator(".actorlab-busy")
    expect(busy).to_be_visible(timeout=5_000)
    expect(busy).to_contain_text("kernel busy: 1 action queued")
    save_screenshot(page, artifacts_dir, "tree_kernel_busy")
    expect(busy).to_be_hidden(timeout=20_000)  # the cell ended: the click ran
    expect(page.locator(".actorlab-heading")).to_contain_text("w-0", timeout=10_000)


@front_ends
def test_time_slider_replays_a_trace(lab, page, artifacts_dir, front):
    name = f"views_replay_{front}.ipynb"
    lab.add_notebook(name, [TREE, WAIT, DASHBOARD, REPLAY])
    FRONT_ENDS[front](page, lab, name)
    readout = page.locator(".actorlab-time-readout")
    expect(readout).to_contain_text("event ", timeout=30_000)
    total = int(readout.inner_text().split("event ")[1].split("/")[1].split(":")[0])
    assert total >= 4
    expect(readout).to_contain_text(f"event {total}/{total}")
    handle = page.locator(".actorlab-time-slider .noUi-handle")
    handle.focus()
    handle.press("Home")  # the first moment of the trace
    expect(readout).to_contain_text(f"event 1/{total}", timeout=15_000)
    expect(readout).to_contain_text("tell notebook → w-0: Add(n=1)")
    # the tree shows that moment: w-0 has the message queued
    expect(node(page, "w-0").locator("text.al-badges")).to_contain_text("✉1", timeout=15_000)
    expect(page.locator(".actorlab-heading")).to_contain_text("replay at")
    now = page.locator(".actorlab-trace-pane svg rect.actorlab-trace-now")
    expect(now).to_have_count(1)
    page.locator(".actorlab-dashboard").scroll_into_view_if_needed()
    save_screenshot(page, artifacts_dir, f"time_slider_{front}")
    page.locator(".actorlab-live").click()
    expect(page.locator(".actorlab-heading")).not_to_contain_text("replay at", timeout=15_000)


@front_ends
def test_svg_trace_marks_the_timeout(lab, page, artifacts_dir, front):
    name = f"views_cycle_{front}.ipynb"
    lab.add_notebook(name, [TREE, CYCLE])
    FRONT_ENDS[front](page, lab, name)
    cell = page.locator(".jp-Cell").nth(1)
    rendered = cell.locator(".jp-RenderedSVG").first
    expect(rendered).to_be_visible(timeout=30_000)
    assert cell.locator(".jp-RenderedMermaid").count() == 0  # SVG, not mermaid
    img = rendered.locator("svg, img").first
    if img.evaluate("e => e.tagName.toLowerCase()") == "img":
        drawn = unquote(img.get_attribute("src") or "")
    else:
        drawn = img.evaluate("e => e.outerHTML")
    assert "timed out after" in drawn and 'data-outcome="timeout"' in drawn, drawn[:400]
    assert "(late)" in drawn and "handler run (ms)" in drawn
    rendered.scroll_into_view_if_needed()
    save_screenshot(page, artifacts_dir, f"trace_timeout_{front}")


RICH = """\
import tempfile
import actorlab as al
from actorlab.testing import wait_idle

class Account(al.Actor, snapshot=True):
    def __init__(self, owner: str, balance: int = 0) -> None:
        self.owner = owner
        self.balance = balance

store = al.FileStorage(tempfile.mkdtemp())
acct = al.root().spawn(Account("ada", 10), name="acct")
wait_idle()
al.root().save_snapshot_sync(acct, store)
acct.info()"""

SNAPSHOT = """\
saved = al.load_snapshot(store, acct.id)
saved"""


def test_rich_panels_fit_the_cell_and_keep_their_last_line(lab, page, artifacts_dir):
    lab.add_notebook("views_rich.ipynb", [RICH, SNAPSHOT])
    run_notebook(page, lab, "views_rich.ipynb")
    panel = page.locator(".jp-Cell").nth(0).locator(".jp-RenderedHTMLCommon pre").first
    expect(panel).to_contain_text("acct", timeout=30_000)
    save_screenshot(page, artifacts_dir, "rich_info_panel")
    for pre in page.locator(".jp-RenderedHTMLCommon pre").all():
        box = pre.evaluate(
            "e => ({sw: e.scrollWidth, cw: e.clientWidth, sh: e.scrollHeight, ch: e.clientHeight})"
        )
        assert box["sh"] <= box["ch"] + 1, f"last line clipped: {box}"
        assert box["sw"] <= box["cw"] + 1, f"wider than the cell: {box}"
