"""JupyterLab in headless Chromium: widget round trips and rich mimebundles render (no actorlab
feature needed; the dashboard and trace tests build on the same fixtures)."""

from __future__ import annotations

import pytest
from labdriver import PANEL, run_notebook, save_screenshot, widget_errors
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

BUTTON_CELLS = [
    "import ipywidgets as w",
    """\
label = w.Label("clicks: 0")
label.add_class("e2e-label")
button = w.Button(description="Count")
button.add_class("e2e-button")

def on_click(_):
    label.value = f"clicks: {int(label.value.split()[-1]) + 1}"

button.on_click(on_click)
w.VBox([button, label])""",
]

SEQUENCE_CELL = """\
class Sequence:
    def _repr_mimebundle_(self, include=None, exclude=None):
        svg = ('<svg xmlns="http://www.w3.org/2000/svg" width="220" height="60">'
               '<text class="e2e-svg" x="10" y="30">alice ping bob</text></svg>')
        return {
            "image/svg+xml": svg,
            "text/vnd.mermaid": "sequenceDiagram\\n  alice->>bob: ping\\n  bob-->>alice: pong",
            "text/plain": "alice -> bob: ping",
        }

Sequence()"""


def test_button_click_updates_label_through_the_kernel(lab, page, artifacts_dir):
    lab.add_notebook("widget_button.ipynb", BUTTON_CELLS)
    run_notebook(page, lab, "widget_button.ipynb")
    label = page.locator(".e2e-label")
    expect(label).to_have_text("clicks: 0", timeout=20_000)

    page.locator(".e2e-button").click()  # browser -> comm -> kernel callback -> browser
    expect(label).to_have_text("clicks: 1", timeout=10_000)
    page.locator(".e2e-button").click()
    expect(label).to_have_text("clicks: 2", timeout=10_000)

    assert widget_errors(page) == 0
    save_screenshot(page, artifacts_dir, "widget_button")


def test_sequence_mimebundle_renders_as_a_diagram(lab, page, artifacts_dir):
    lab.add_notebook("mimebundle.ipynb", [SEQUENCE_CELL])
    run_notebook(page, lab, "mimebundle.ipynb")
    outputs = page.locator(PANEL).locator(".jp-OutputArea-output")
    # Lab >= 4.1 ranks its mermaid renderer above SVG; both draw the diagram as an <img>.
    diagram = outputs.locator(":scope:is(.jp-RenderedMermaid, .jp-RenderedSVG) img")
    expect(diagram).to_be_visible(timeout=20_000)
    page.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=diagram.element_handle()
    )
    drawn = diagram.evaluate("img => decodeURIComponent(img.src)")
    assert "ping" in drawn and "bob" in drawn
    assert outputs.locator(":scope.jp-RenderedText").count() == 0, "fell back to text/plain"
    save_screenshot(page, artifacts_dir, "mimebundle")
