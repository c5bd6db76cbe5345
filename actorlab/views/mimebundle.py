"""How actorlab objects display themselves: notebooks (``_repr_mimebundle_``), rich consoles
(``__rich__``) and plain text when rich is not installed.

The core classes carry three-line hooks that import this module lazily::

    def _repr_mimebundle_(self, include=None, exclude=None):
        return importlib.import_module("actorlab.views.mimebundle").mimebundle(self, include, exclude)

``View`` is the displayable result of ``al.tree()``, ``al.top()`` and friends: it holds a rich
builder and a plain-text builder and picks whichever is available.
"""

from __future__ import annotations

import io
import os
import shutil
import sys
from collections.abc import Callable, Collection
from typing import Any

from actorlab.info import ActorInfo

#: The ``<pre>`` rich's HTML goes in. A fixed ``line-height`` (not ``normal``): with ``normal``
#: each line is as tall as the tallest font on it, so lines holding a glyph from a fallback font
#: (``●``, ``✉``) grew and the panel's right border showed gaps. The bottom padding keeps the
#: last line's underscores: ``overflow-x:auto`` clips whatever hangs below the last line box
#: (``__main__.Account`` lost them).
_PRE = (
    '<pre style="white-space:pre;overflow-x:auto;line-height:1.15;padding:0 0 0.3em 0;font-size:var(--jp-code-font-size,13px);'
    "font-family:'DejaVu Sans Mono',Menlo,consolas,'Courier New',monospace\">{code}</pre>\n"
)
#: Columns in a notebook: a JupyterLab cell beside the file browser at 1280 px fits about 98 at
#: the code font size (rich's own default, 115, drew the snapshot inspector wider than the cell).
NOTEBOOK_COLUMNS = 92


def width() -> int:
    """Render width: ``JUPYTER_COLUMNS`` (rich's convention), else ``NOTEBOOK_COLUMNS`` in a
    kernel, else the terminal's width."""
    env = os.environ.get("JUPYTER_COLUMNS")
    if env and env.isdigit():
        return int(env)
    if "ipykernel" in sys.modules:
        return NOTEBOOK_COLUMNS
    return shutil.get_terminal_size((100, 24)).columns


def rich_available() -> bool:
    try:
        import rich.console  # noqa: F401
    except ImportError:
        return False
    return True


class View:
    """A rendered view: shows as HTML + text in notebooks, as itself in rich, as text in print().

    Args:
        rich: builds the rich renderable (may import rich).
        plain: builds the plain-text fallback, used when rich is not installed.
    """

    def __init__(self, rich: Callable[[], Any], plain: Callable[[], str]) -> None:
        self._rich = rich
        self._plain = plain

    def __rich__(self) -> Any:
        return self._rich()

    def _repr_mimebundle_(
        self, include: Collection[str] | None = None, exclude: Collection[str] | None = None
    ) -> dict[str, str]:
        return bundle(self._rich, self._plain, include, exclude)

    def text(self, width: int = 100) -> str:
        """Plain text (no colours) at ``width`` columns."""
        if not rich_available():
            return self._plain()
        return export_text(self._rich(), width)

    def __str__(self) -> str:
        return self.text(width())

    def __repr__(self) -> str:
        return self.text(width()).rstrip("\n")


def export_text(renderable: Any, width: int) -> str:
    """``renderable`` as plain text, no ANSI codes."""

    console = _console(width, color=False)
    console.print(renderable)
    return console.export_text()


def _console(width: int, *, color: bool) -> Any:
    from rich.console import Console

    return Console(
        record=True,
        file=io.StringIO(),
        width=width,
        color_system="truecolor" if color else None,
        force_terminal=color,
        force_jupyter=False,
        force_interactive=False,
        legacy_windows=False,
        soft_wrap=False,
    )


def bundle(
    rich: Callable[[], Any],
    plain: Callable[[], str],
    include: Collection[str] | None = None,
    exclude: Collection[str] | None = None,
) -> dict[str, str]:
    """``{"text/html", "text/plain"}`` from a rich builder; only text/plain without rich.

    text/plain carries no ANSI codes (they would end up in saved notebooks).
    """
    if not rich_available():
        data = {"text/plain": plain()}
    else:
        console = _console(width(), color=True)
        console.print(rich())
        text = console.export_text(clear=False, styles=False)
        html = console.export_html(inline_styles=True, code_format=_PRE)
        data = {"text/html": html, "text/plain": text.rstrip("\n")}
    if include:
        data = {k: v for k, v in data.items() if k in include}
    if exclude:
        data = {k: v for k, v in data.items() if k not in exclude}
    return data


# -- views of actorlab objects ------------------------------------------------------------------


def view_of(obj: Any) -> View:
    """The view an actorlab object shows itself as."""
    if isinstance(obj, ActorInfo):
        return info_view(obj)
    from actorlab.context import RootContext
    from actorlab.ref import ActorRef

    if isinstance(obj, RootContext):
        return tree_view()
    if isinstance(obj, ActorRef):
        return ref_view(obj)
    if _is_snapshot_header(obj):
        return snapshot_view(obj)
    if _is_snapshot_header(getattr(obj, "header", None)):  # al.snapshots() / al.load_snapshot()
        state = getattr(obj, "state", None)
        report = None if state is None else _picklability(state)
        return snapshot_view(obj.header, state, report=report)
    raise TypeError(f"actorlab has no view for {type(obj).__qualname__}")


def _picklability(state: Any) -> Any:
    """``picklability_report(state)`` when the persistence diagnostics are available."""
    try:
        from actorlab.persistence.diagnose import picklability_report
    except ImportError:
        return None
    return picklability_report(state)


def _is_snapshot_header(obj: Any) -> bool:
    return obj is not None and all(hasattr(obj, a) for a in ("actor_class", "python_tag"))


def mimebundle(
    obj: Any, include: Collection[str] | None = None, exclude: Collection[str] | None = None
) -> dict[str, str]:
    """``_repr_mimebundle_`` of an actorlab object. Never raises: a view that fails shows the
    object's ``repr`` and the error instead of breaking the display."""
    try:
        return view_of(obj)._repr_mimebundle_(include, exclude)
    except Exception as exc:
        return {"text/plain": f"{obj!r}\n(actorlab view failed: {type(exc).__name__}: {exc})"}


def rich(obj: Any) -> Any:
    """``__rich__`` of an actorlab object."""
    return view_of(obj).__rich__()


def tree_view(
    infos: list[ActorInfo] | None = None,
    *,
    show: str = "compact",
    depth: int | None = None,
    collapse_over: int = 20,
    root: Any = None,
) -> View:
    """The supervision tree of ``infos`` (default: every live actor, read now)."""
    from . import tree

    if infos is None:
        import actorlab

        infos = actorlab.inspect()
    model = tree.build_tree(infos, show=show, depth=depth, collapse_over=collapse_over, root=root)
    return View(lambda: tree.to_rich(model), lambda: tree.to_plain(model))


def ref_view(ref: Any) -> View:
    """An actor ref shows its subtree: itself (status, counts) and its children."""
    from . import tree

    if ref.is_closed():
        text = f"■ {ref.label}  {ref.actor_type.__qualname__}  stopped"
        model = tree.Line([tree.Part(text, "dim")])
    else:
        import actorlab

        model = tree.build_tree(actorlab.inspect(), root=ref.id)
    return View(lambda: tree.to_rich(model), lambda: tree.to_plain(model))


def info_view(info: ActorInfo, labels: dict[Any, str] | None = None) -> View:
    """The info panel of one actor."""
    from . import info_panel

    if labels is None:
        labels = _labels()
    model = info_panel.build_info(info, labels=labels)
    return View(lambda: info_panel.to_rich(model), lambda: info_panel.to_plain(model))


def _labels() -> dict[Any, str]:
    """Labels of live actors (for parent/children links); empty when no runtime is running."""
    from actorlab import runtime

    if runtime.peek_runtime() is None:
        return {}
    import actorlab

    return {i.id: i.label for i in actorlab.inspect()}


def snapshot_view(
    header: Any, state: Any = None, *, report: Any = None, source: str | None = None
) -> View:
    """The snapshot inspector (``state=None`` shows the header only)."""
    from . import snapshot_view as sv

    if state is None:
        model = sv.build_snapshot(header, report=report, source=source)
    else:
        model = sv.build_snapshot(header, state, report=report, source=source)
    return View(lambda: sv.to_rich(model), lambda: sv.to_plain(model))
