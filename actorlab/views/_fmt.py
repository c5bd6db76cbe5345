"""Small formatting helpers shared by every view (durations, ages, status styles)."""

from __future__ import annotations

from typing import Any

from actorlab.info import Status

#: rich style per status; the plain renderers use only the glyph.
STATUS_STYLE: dict[Status, str] = {
    Status.STARTING: "cyan",
    Status.IDLE: "green",
    Status.PROCESSING: "bold cyan",
    Status.PAUSED: "yellow",
    Status.SUSPENDED: "yellow",
    Status.FAILED: "bold red",
    Status.RESTARTING: "magenta",
    Status.STOPPING: "dim",
    Status.STOPPED: "dim",
}

DASH = "–"

#: Status marks for views. Like ``Status.glyph`` but ``‖`` for paused/suspended: ``⏸`` (U+23F8)
#: is missing from DejaVu and other stock fonts and rendered as an empty box.
_SAFE = {Status.PAUSED: "‖", Status.SUSPENDED: "‖"}


def glyph(status: Status) -> str:
    """The mark drawn before a status (every one of them is in DejaVu Sans / Sans Mono)."""
    return _SAFE.get(status, status.glyph)


def duration(seconds: float | None) -> str:
    """``0.4s``, ``12s``, ``5m02s``, ``1h03m``; ``–`` for None."""
    if seconds is None:
        return DASH
    seconds = max(seconds, 0.0)
    if seconds < 10:
        return f"{seconds:.1f}s"
    if seconds < 60:
        return f"{seconds:.0f}s"
    minutes, secs = divmod(int(seconds), 60)
    if minutes < 60:
        return f"{minutes}m{secs:02d}s"
    hours, minutes = divmod(minutes, 60)
    if hours < 48:
        return f"{hours}h{minutes:02d}m"
    return f"{hours // 24}d{hours % 24:02d}h"


def ago(at: float | None, now: float) -> str:
    """Time since the wall-clock instant ``at``, as ``3.2s ago``; ``–`` for None."""
    return DASH if at is None else f"{duration(now - at)} ago"


def ms(seconds: float) -> str:
    """Milliseconds with sensible precision: ``0.05``, ``1.2``, ``340``."""
    value = seconds * 1000.0
    if value < 1:
        return f"{value:.2f}"
    if value < 100:
        return f"{value:.1f}"
    return f"{value:.0f}"


def shorten(text: str, width: int) -> str:
    """Cut ``text`` to ``width`` characters with an ellipsis."""
    text = " ".join(text.split()) if "\n" in text else text
    return text if len(text) <= width else text[: max(width - 1, 0)] + "…"


def compact_table(**options: Any) -> Any:
    """A rich ``Table`` in the views' compact style (a header rule, no edges, one space
    between columns); ``options`` adds to it (caption, header style...)."""
    from rich import box
    from rich.table import Table

    return Table(
        box=box.SIMPLE_HEAD,
        show_edge=False,
        pad_edge=False,
        padding=(0, 1),
        collapse_padding=True,
        **options,
    )
