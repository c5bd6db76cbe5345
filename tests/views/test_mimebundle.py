"""Self-rendering: mime bundles for notebooks, __rich__ for consoles, plain text without rich."""

from __future__ import annotations

import subprocess
import sys

import pytest

from actorlab.views import mimebundle
from actorlab.views.mimebundle import View

from .synth import bank

NOT_IN_CORE = ("IPython", "rich", "ipywidgets", "traitlets", "ipykernel")


def _tree_view() -> View:
    return mimebundle.tree_view(bank())


def test_bundle_has_inline_styled_html_and_ansi_free_text(monkeypatch):
    monkeypatch.setenv("JUPYTER_COLUMNS", "100")
    data = _tree_view()._repr_mimebundle_()
    assert set(data) == {"text/html", "text/plain"}
    assert data["text/html"].startswith('<pre style="white-space:pre;overflow-x:auto;')
    red_bold = 'style="color: #800000; text-decoration-color: #800000; font-weight: bold"'
    assert f"<span {red_bold}>✖ acct-2</span>" in data["text/html"]  # the failed actor, in red
    assert "\x1b[" not in data["text/plain"]
    assert (
        data["text/plain"].splitlines()[0] == "actorlab · 5 actors: 3 idle, 1 processing, 1 failed"
    )


def test_include_and_exclude_filter_the_bundle():
    view = _tree_view()
    assert set(view._repr_mimebundle_(include={"text/plain"})) == {"text/plain"}
    assert set(view._repr_mimebundle_(exclude={"text/html"})) == {"text/plain"}


def test_view_is_a_rich_renderable_and_prints_as_plain_text():
    from rich.tree import Tree

    view = _tree_view()
    assert isinstance(view.__rich__(), Tree)
    assert view.text(100).startswith("actorlab · 5 actors")
    assert repr(view) == str(view).rstrip("\n")


def test_width_follows_jupyter_columns(monkeypatch):
    monkeypatch.setenv("JUPYTER_COLUMNS", "42")
    assert mimebundle.width() == 42


@pytest.fixture
def no_rich(monkeypatch):
    """Make `import rich...` fail, as in an install without the rich extra."""
    for name in [m for m in sys.modules if m == "rich" or m.startswith("rich.")]:
        monkeypatch.delitem(sys.modules, name)
    monkeypatch.setitem(sys.modules, "rich", None)


def test_without_rich_views_fall_back_to_plain_text(no_rich):
    view = _tree_view()
    data = view._repr_mimebundle_()
    assert set(data) == {"text/plain"}
    assert data["text/plain"].splitlines()[2] == "│   ├── ● acct-1  Account  mbox=3 done=120 ↻2"
    assert str(view) == data["text/plain"]


def test_info_view_without_runtime_or_rich(no_rich):
    text = str(mimebundle.info_view(bank()[0], labels={}))
    assert text.startswith("● bank · Bank\nmeta\n")


def test_mimebundle_of_a_broken_object_shows_repr_and_error_instead_of_raising():
    data = mimebundle.mimebundle(object())
    assert data["text/plain"].startswith("<object object at")
    assert "actorlab view failed: TypeError: actorlab has no view for object" in data["text/plain"]


def test_importing_actorlab_views_and_the_bridge_loads_no_notebook_library():
    code = (
        "import sys, actorlab, actorlab.views, actorlab.views.api, actorlab.magics, "
        "actorlab.magics.kernel_bridge\n"
        f"print(sorted(m for m in {NOT_IN_CORE!r} if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_html_pre_keeps_borders_whole_and_the_last_line_visible():
    from actorlab.views import mimebundle

    pre = mimebundle._PRE
    # line-height:normal let lines holding fallback-font glyphs (●, ✉) grow: gaps in the border
    assert "line-height:normal" not in pre and "line-height:1.15" in pre
    # overflow-x:auto clipped what hangs below the last line ("main  .Account")
    assert "padding:0 0 0.3em 0" in pre


def test_notebook_width_fits_a_cell(monkeypatch):
    import sys

    from actorlab.views import mimebundle

    monkeypatch.delenv("JUPYTER_COLUMNS", raising=False)
    monkeypatch.setitem(sys.modules, "ipykernel", sys.modules.get("ipykernel") or object())
    assert mimebundle.width() == mimebundle.NOTEBOOK_COLUMNS <= 92  # 115 overflowed the cell
