"""The ``top`` table: the busiest actors, sortable, with a message rate since the last call.

``build_top`` is a pure function of ``ActorInfo`` records (plus the previous sample for rates);
``RateMeter`` keeps that previous sample between calls of ``al.top()``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from actorlab.ids import ActorId
from actorlab.info import ActorInfo

from ._fmt import DASH, STATUS_STYLE, compact_table, duration, glyph, ms

COLUMNS = (
    "Path",
    "Class",
    "Status",
    "MBox (hwm)",
    "Done",
    "Δ/s",
    "Restarts",
    "Handler ms avg/max",
    "Last msg",
    "Age",
)
#: two-line headers keep the rich table narrow enough for a 100-column console.
_RICH_HEADER = {
    "MBox (hwm)": "MBox\n(hwm)",
    "Handler ms avg/max": "Handler ms\navg/max",
    "Last msg": "Last\nmsg",
}
_RIGHT = {"MBox (hwm)", "Done", "Δ/s", "Restarts", "Handler ms avg/max", "Last msg", "Age"}

_Key = Callable[[ActorInfo, Mapping[ActorId, float]], float]
SORT_KEYS: dict[str, _Key] = {
    "mailbox": lambda i, r: i.mailbox,
    "rate": lambda i, r: r.get(i.id, -1.0),
    "restarts": lambda i, r: i.restarts,
    "handler_time": lambda i, r: i.handler_time_mean,
    "done": lambda i, r: i.processed,
    "age": lambda i, r: i.age,
    "upgrades": lambda i, r: i.upgrades,  # live code
}
_ALIASES = {"mbox": "mailbox", "handler": "handler_time", "time": "handler_time"}
_ALIASES["processed"] = "done"


def sort_key(name: str) -> str:
    """The canonical sort key for ``name`` (accepts ``mbox``, ``handler``...)."""
    key = _ALIASES.get(name, name)
    if key not in SORT_KEYS:
        raise ValueError(f"cannot sort top by {name!r}; use one of {', '.join(SORT_KEYS)}")
    return key


@dataclass(frozen=True)
class TopModel:
    """What the table shows: header, rows of cell texts, row styles, caption."""

    columns: tuple[str, ...]
    rows: list[tuple[str, ...]]
    styles: list[str]
    caption: str


class RateMeter:
    """Remembers processed counts between calls, to give Δ/s "since the last refresh"."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._last: tuple[float, dict[ActorId, int]] | None = None

    def update(self, infos: Sequence[ActorInfo]) -> tuple[dict[ActorId, float], float | None]:
        """Rates per actor since the previous call, and that interval (None on the first call)."""
        now = self._clock()
        counts = {info.id: info.processed for info in infos}
        last, self._last = self._last, (now, counts)
        if last is None or now <= last[0]:
            return {}, None
        interval = now - last[0]
        rates = {
            aid: max(n - last[1][aid], 0) / interval for aid, n in counts.items() if aid in last[1]
        }
        return rates, interval


def build_top(
    infos: Sequence[ActorInfo],
    *,
    sort: str = "mailbox",
    n: int = 20,
    rates: Mapping[ActorId, float] | None = None,
    interval: float | None = None,
    now: float | None = None,
) -> TopModel:
    """The ``n`` top actors by ``sort`` (descending; ties by path)."""
    if n < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    key = SORT_KEYS[sort_key(sort)]
    rates = rates or {}
    now = time.time() if now is None else now
    ranked = sorted(infos, key=lambda i: i.path)
    ranked.sort(key=lambda i: key(i, rates), reverse=True)
    shown = ranked[:n]
    rows = [_row(i, rates, now) for i in shown]
    styles = [STATUS_STYLE[i.status] for i in shown]
    what = f"{len(shown)} of {len(infos)}" if len(shown) < len(infos) else f"{len(infos)}"
    noun = "actor" if len(infos) == 1 else "actors"
    caption = f"{what} {noun} by {sort_key(sort)} · "
    if interval is None:
        caption += "Δ/s: call top() again to see rates (change since the previous call)"
    else:
        caption += f"Δ/s since last refresh ({duration(interval)} ago)"
    return TopModel(COLUMNS, rows, styles, caption)


def _row(info: ActorInfo, rates: Mapping[ActorId, float], now: float) -> tuple[str, ...]:
    rate = rates.get(info.id)
    handler = (
        f"{ms(info.handler_time_mean)}/{ms(info.handler_time_max)}" if info.processed else DASH
    )
    last = DASH if info.last_message_at is None else duration(now - info.last_message_at)
    return (
        info.path,
        info.actor_type,
        f"{glyph(info.status)} {info.status.value}",
        f"{info.mailbox} ({info.mailbox_hwm})",
        str(info.processed),
        DASH if rate is None else f"{rate:.1f}",
        f"{info.restarts} ⇪{info.upgrades}" if info.upgrades else str(info.restarts),
        handler,
        last,
        duration(info.age),
    )


#: columns dropped first when the console is too narrow (Path, Status, MBox, Restarts stay).
_DROP_ORDER = ("Age", "Last msg", "Class", "Δ/s", "Handler ms avg/max", "Done")


def to_rich(model: TopModel) -> Any:  # a rich renderable
    """Draw the model as a rich table that drops low-priority columns on narrow consoles."""
    return _TopTable(model)


class _TopTable:
    def __init__(self, model: TopModel) -> None:
        self.model = model

    def __rich_console__(self, console: Any, options: Any) -> Any:
        yield _table(self.model, _fit(self.model, options.max_width))


def _fit(model: TopModel, width: int) -> list[str]:
    from rich.cells import cell_len

    def natural(col: int) -> int:
        header = _RICH_HEADER.get(model.columns[col], model.columns[col]).split("\n")
        cells = [*header, *(row[col] for row in model.rows)]
        return max(cell_len(c) for c in cells)

    widths = {col: natural(i) for i, col in enumerate(model.columns)}
    columns = list(model.columns)
    for victim in _DROP_ORDER:
        if sum(widths[c] for c in columns) + 2 * (len(columns) - 1) <= width:
            break
        columns.remove(victim)
    return columns


def _table(model: TopModel, columns: list[str]) -> Any:
    from rich.text import Text

    table = compact_table(
        caption=Text(model.caption), caption_justify="left", header_style="bold"
    )
    for col in columns:
        justify: Any = "right" if col in _RIGHT else "left"
        header = _RICH_HEADER.get(col, col)
        if col == "Path":  # the only column that may wrap, when even the minimum does not fit
            table.add_column(header, justify=justify, overflow="fold")
        else:
            table.add_column(header, justify=justify, no_wrap=True)
    index = [model.columns.index(c) for c in columns]
    status = model.columns.index("Status")
    for row, style in zip(model.rows, model.styles, strict=True):
        table.add_row(*(Text(row[i], style if i == status else "") for i in index))
    return table


def to_plain(model: TopModel) -> str:
    """Draw the model as aligned plain text."""
    cells = [model.columns, *model.rows]
    widths = [max(len(r[c]) for r in cells) for c in range(len(model.columns))]

    def fmt(row: Sequence[str]) -> str:
        out = (
            cell.rjust(w) if col in _RIGHT else cell.ljust(w)
            for cell, w, col in zip(row, widths, model.columns, strict=True)
        )
        return "  ".join(out).rstrip()

    lines = [fmt(model.columns), "  ".join("─" * w for w in widths)]
    lines += [fmt(r) for r in model.rows]
    return "\n".join([*lines, model.caption]) + "\n"
