"""The text ladder of a trace ``Diagram`` (terminals, CI logs, ``text/plain``)."""

from __future__ import annotations

from .layout import _MARK_GLYPH, Diagram, Row, shorten

_TEXT_LANE_W = 14


def _ladder_cells(d: Diagram, row: Row | None) -> list[str]:
    """One character per column position: lifelines, arrows and marks for ``row``."""
    width = (len(d.lanes) - 1) * _TEXT_LANE_W + 2
    cells = [" "] * width
    for lane in d.lanes:
        alive = True
        if row is not None:
            if lane.start is not None and row.index < lane.start:
                alive = False
            if lane.end is not None and row.index > lane.end:
                alive = False
        if alive:
            cells[lane.index * _TEXT_LANE_W + 1] = "│"
    if row is None:
        return cells
    a = row.src * _TEXT_LANE_W + 1
    if row.dst is None:
        cells[a] = _MARK_GLYPH.get(row.kind, "•")
        return cells
    b = row.dst * _TEXT_LANE_W + 1
    if a == b:
        cells[a] = "↺"
        return cells
    line = {"reply": "┄", "dead_letter": "┄", "spawn": "╌"}.get(row.kind, "─")
    head_r = {"ask": "▶", "spawn": "◇"}.get(row.kind, "▷")
    head_l = {"ask": "◀", "spawn": "◇"}.get(row.kind, "◁")
    lo, hi = min(a, b), max(a, b)
    for i in range(lo + 1, hi):
        cells[i] = line
    if b > a:
        cells[b - 1] = head_r
    else:
        cells[b + 1] = head_l
    return cells


def to_text(d: Diagram, *, width: int = 120) -> str:
    """A text ladder: lifelines on the left, one described row per line on the right."""
    header = [" "] * ((len(d.lanes) - 1) * _TEXT_LANE_W + 2)
    for lane in d.lanes:
        name = shorten(lane.label, _TEXT_LANE_W - 1)
        at = lane.index * _TEXT_LANE_W
        header[at : at + len(name)] = list(name)
    lines: list[str] = []
    if d.title:
        lines.append(d.title)
    lines.append("     " + "".join(header).rstrip())
    for row in d.rows:
        ladder = "".join(_ladder_cells(d, row))
        count = f" ×{row.count}" if row.count > 1 else ""
        desc = shorten(row.text + count, max(40, width - len(ladder) - 6))
        lines.append(f"{row.index + 1:>4} {ladder} {desc}".rstrip())
    if not d.rows:
        lines.append("     (no events captured)")
    for w in d.waits:  # ask waits and timeouts (the SVG draws them as brackets)
        mark = "⚠ " if w.outcome == "timeout" else ""
        lines.append(f"     {mark}ask {w.label} ({d.lanes[w.lane].label})")
    if d.notice:
        lines.append(f"⚠ {d.notice}")
    return "\n".join(lines)
