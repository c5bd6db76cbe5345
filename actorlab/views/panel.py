"""A titled panel of sections (``key: value`` rows, an optional table, notes): the shape shared
by the actor info panel and the snapshot inspector, drawn with rich or as plain text."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class Section:
    """A titled group of ``key: value`` rows, optionally followed by a small table and notes."""

    title: str
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # key, value, style
    columns: tuple[str, ...] = ()
    table: list[tuple[str, ...]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)  # text, style


@dataclass
class PanelModel:
    title: str
    style: str
    sections: list[Section]


def to_rich(model: PanelModel) -> Any:  # rich.panel.Panel
    """Draw the model as a ``rich.panel.Panel`` sized to its content."""
    from rich import box
    from rich.console import Group
    from rich.padding import Padding
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    width = _key_width(model)
    parts: list[Any] = []
    for section in model.sections:
        parts.append(Text(section.title, style="bold"))
        if section.rows:
            grid = Table.grid(padding=(0, 2))
            grid.add_column(style="dim", no_wrap=True, min_width=width)
            grid.add_column()
            for key, value, style in section.rows:
                grid.add_row(Text(key), Text(value, style))
            parts.append(Padding(grid, (0, 0, 0, 2)))
        if section.table:
            table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
            for col in section.columns:
                table.add_column(col, no_wrap=col not in ("message", "value", "problem"))
            for row in section.table:
                table.add_row(*(Text(c) for c in row))
            parts.append(Padding(table, (0, 0, 0, 2)))
        parts += [Padding(Text(text, style), (0, 0, 0, 2)) for text, style in section.notes]
    title = Text(model.title, style=f"bold {model.style}".strip())
    return Panel(Group(*parts), title=title, title_align="left", expand=False)


def to_plain(model: PanelModel) -> str:
    """Draw the model as plain text."""
    out = [model.title]
    width = _key_width(model)
    for section in model.sections:
        out.append(section.title)
        out += [f"  {k.ljust(width)}  {v}" for k, v, _ in section.rows]
        if section.table:
            cells = [section.columns, *section.table]
            widths = [max(len(r[c]) for r in cells) for c in range(len(section.columns))]
            for row in cells:
                padded = (c.ljust(w) for c, w in zip(row, widths, strict=True))
                out.append(("  " + "  ".join(padded)).rstrip())
        out += [f"  {text}" for text, _ in section.notes]
    return "\n".join(out) + "\n"


def _key_width(model: PanelModel) -> int:
    return max((len(k) for s in model.sections for k, _, _ in s.rows), default=0)
