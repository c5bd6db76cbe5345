"""Render a trace ``Diagram`` as a standalone SVG sequence diagram (no dependencies).

Stable output: element ids (``{prefix}-lane-N``, ``{prefix}-row-N``) and positions depend only
on the diagram, so golden tests can compare the text. Arrowheads are drawn as paths (no
``<marker>`` ids that could clash between several diagrams on one page), styles are presentation
attributes (no ``<style>`` block), and each row carries a ``<title>`` tooltip with the full text.
"""

from __future__ import annotations

from html import escape

from .layout import DEAD, SELF, Diagram, Lane, Row, Wait, shorten

LANE_W = 160  # distance between lifelines
ROW_H = 30
LEFT = 30  # left margin (row numbers live here)
HEAD_Y = 10  # top of the lane header boxes
HEAD_H = 26
BOX_W = 136
TOP = HEAD_Y + HEAD_H + 24  # y of the first row
NOTE_MARGIN = 260  # room right of the last lane for notes and self-message labels
FONT = 'font-family="DejaVu Sans, Helvetica, Arial, sans-serif"'

COLOURS = {
    "tell": "#333333",
    "ask": "#1f5fbf",
    "reply": "#555555",
    "spawn": "#7a3db8",
    "dead_letter": "#b35900",
    "fail": "#d1242f",
    "restart": "#1a7f37",
    "stop": "#333333",
    "pause": "#9a6700",
    "resume": "#1a7f37",
    "snapshot": "#0969da",
    "upgrade": "#1a7f37",
    "escalate": "#cf222e",
    "wait": "#1f5fbf",
    "timeout": "#d1242f",
}
LEGEND_H = 24
#: A white outline under small labels drawn across lines (durations, waits): stays legible.
HALO = 'stroke="#ffffff" stroke-width="3" paint-order="stroke"'


def _x(lane: int) -> float:
    return LEFT + LANE_W / 2 + lane * LANE_W


def _y(row: float) -> float:
    return TOP + row * ROW_H


def _n(v: float) -> str:
    """A coordinate as short, stable text."""
    return f"{v:.1f}".rstrip("0").rstrip(".")


def _t(text: str) -> str:
    return escape(text, quote=True)


def _head(x: float, y: float, direction: int, filled: bool, colour: str) -> str:
    """An arrowhead at (x, y) pointing right (direction=1) or left (-1)."""
    bx = x - 9 * direction
    pts = f"{_n(bx)},{_n(y - 4.5)} {_n(x)},{_n(y)} {_n(bx)},{_n(y + 4.5)}"
    if filled:
        return f'<polygon points="{pts}" fill="{colour}" stroke="{colour}"/>'
    return f'<polyline points="{pts}" fill="none" stroke="{colour}" stroke-width="1.4"/>'


def _lane_box(lane: Lane, y: float, prefix: str) -> str:
    x = _x(lane.index)
    fill = (
        {SELF: "#eef6ee", DEAD: "#fbefe6"}.get(lane.key, "#eef2fa")
        if isinstance(lane.key, str)
        else "#eef2fa"
    )
    label = shorten(lane.label, 20)
    return (
        f'<g id="{prefix}-lane-{lane.index}"><title>{_t(lane.label)}</title>'
        f'<rect x="{_n(x - BOX_W / 2)}" y="{_n(y)}" width="{BOX_W}" height="{HEAD_H}" rx="4" '
        f'fill="{fill}" stroke="#7a869a"/>'
        f'<text x="{_n(x)}" y="{_n(y + HEAD_H / 2 + 4)}" text-anchor="middle" font-size="12" '
        f'{FONT} fill="#1b1f24">{_t(label)}</text></g>'
    )


def _lifeline(lane: Lane, bottom: float) -> str:
    x = _x(lane.index)
    top = HEAD_Y + HEAD_H if lane.start is None else _y(lane.start) + HEAD_H / 2
    end = bottom if lane.end is None else min(_y(lane.end), bottom)
    if end <= top:
        return ""
    return (
        f'<line x1="{_n(x)}" y1="{_n(top)}" x2="{_n(x)}" y2="{_n(end)}" stroke="#9aa4b2" '
        f'stroke-dasharray="4 3"/>'
    )


def _arrow(row: Row, d: Diagram, prefix: str) -> str:
    assert row.dst is not None
    colour = COLOURS.get(row.kind, "#333333")
    y = _y(row.index)
    x1, x2 = _x(row.src), _x(row.dst)
    count = f" ×{row.count}" if row.count > 1 else ""
    dash = ' stroke-dasharray="5 3"' if row.kind in ("reply", "dead_letter") else ""
    parts = [
        f'<g id="{prefix}-row-{row.index}" data-kind="{row.kind}">',
        f"<title>{_t(row.text + count)}</title>",
    ]
    if x1 == x2:  # a message to itself: a small loop to the right
        xr = x1 + 28
        parts.append(
            f'<polyline points="{_n(x1)},{_n(y - 6)} {_n(xr)},{_n(y - 6)} {_n(xr)},{_n(y + 6)} '
            f'{_n(x1 + 4)},{_n(y + 6)}" fill="none" stroke="{colour}" stroke-width="1.4"{dash}/>'
        )
        parts.append(_head(x1 + 4, y + 6, -1, row.kind == "ask", colour))
        label = shorten(row.label, 34) + count
        parts.append(
            f'<text x="{_n(xr + 6)}" y="{_n(y + 4)}" font-size="11" {FONT} '
            f'fill="{colour}">{_t(label)}</text></g>'
        )
        return "".join(parts)
    direction = 1 if x2 > x1 else -1
    tip = x2
    if row.kind == "spawn" and d.lanes[row.dst].start == row.index:
        tip = x2 - direction * BOX_W / 2  # stop at the new lane's header box
    parts.append(
        f'<line x1="{_n(x1)}" y1="{_n(y)}" x2="{_n(tip)}" y2="{_n(y)}" stroke="{colour}" '
        f'stroke-width="1.4"{dash}/>'
    )
    parts.append(_head(tip, y, direction, row.kind in ("ask", "spawn"), colour))
    room = int(abs(tip - x1) / 6.6) - 2
    label = shorten(row.label, max(8, room - len(count))) + count
    parts.append(
        f'<text x="{_n((x1 + tip) / 2)}" y="{_n(y - 5)}" text-anchor="middle" font-size="11" '
        f'{FONT} fill="{colour}">{_t(label)}</text></g>'
    )
    return "".join(parts)


def _mark(row: Row, prefix: str) -> str:
    colour = COLOURS.get(row.kind, "#333333")
    x, y = _x(row.src), _y(row.index)
    count = f" ×{row.count}" if row.count > 1 else ""
    parts = [
        f'<g id="{prefix}-row-{row.index}" data-kind="{row.kind}">',
        f"<title>{_t(row.text + count)}</title>",
    ]
    if row.kind == "fail":
        parts.append(
            f'<path d="M{_n(x - 6)},{_n(y - 6)} L{_n(x + 6)},{_n(y + 6)} M{_n(x + 6)},{_n(y - 6)} '
            f'L{_n(x - 6)},{_n(y + 6)}" stroke="{colour}" stroke-width="3"/>'
        )
    elif row.kind == "restart":
        parts.append(
            f'<circle cx="{_n(x)}" cy="{_n(y)}" r="8" fill="#ffffff" stroke="{colour}" '
            f'stroke-width="2.2"/>'
            f'<text x="{_n(x)}" y="{_n(y + 4)}" text-anchor="middle" font-size="11" {FONT} '
            f'fill="{colour}">↻</text>'
        )
    elif row.kind == "stop":
        parts.append(
            f'<rect x="{_n(x - 6)}" y="{_n(y - 6)}" width="12" height="12" fill="{colour}"/>'
        )
    else:
        parts.append(f'<circle cx="{_n(x)}" cy="{_n(y)}" r="4" fill="{colour}" stroke="{colour}"/>')
    text = row.label.split(" ", 1)[1] if " " in row.label else row.label
    parts.append(
        f'<text x="{_n(x + 12)}" y="{_n(y + 4)}" font-size="11" {FONT} '
        f'fill="{colour}">{_t(shorten(text, 44) + count)}</text></g>'
    )
    return "".join(parts)


def _wait(w: Wait, prefix: str) -> str:
    """An ask's wait: a bracket left of the asker's lifeline; a timeout ends in a red bar."""
    x = _x(w.lane) - 11
    y1, y2 = _y(w.start), _y(w.end)
    if y2 - y1 < 4:
        y2 = y1 + 4
    timeout = w.outcome == "timeout"
    colour = COLOURS["timeout" if timeout else "wait"]
    dash = ' stroke-dasharray="3 3"' if w.outcome == "open" else ""
    parts = [
        f'<g id="{prefix}-wait-{w.ask_id}" data-kind="wait" data-outcome="{w.outcome}">',
        f"<title>{_t(w.label)}</title>",
        f'<path d="M{_n(x + 4)},{_n(y1)} L{_n(x)},{_n(y1)} L{_n(x)},{_n(y2)} '
        f'L{_n(x + 4)},{_n(y2)}" fill="none" stroke="{colour}" stroke-width="1.6"{dash}/>',
    ]
    if timeout:
        parts.append(
            f'<line x1="{_n(x - 7)}" y1="{_n(y2)}" x2="{_n(x + 11)}" y2="{_n(y2)}" '
            f'stroke="{colour}" stroke-width="3"/>'
        )
    if timeout:  # "timeout 1.00 s", beside the bracket (below it is the next row's label)
        text = "timeout " + w.label.split(" after ", 1)[1].split(":", 1)[0]
    elif w.ms is None:
        text = "no reply"
    else:
        text = w.label.split(" waited ", 1)[1]
    parts.append(
        # in the free band under the ask's own arrow (arrow labels sit above their lines)
        f'<text x="{_n(x - 3)}" y="{_n(min(y1 + 13, y2))}" text-anchor="end" font-size="9" '
        f'{FONT} fill="{colour}" {HALO} class="actorlab-trace-{w.outcome}">{_t(text)}</text></g>'
    )
    return "".join(parts)


def _legend(y: float) -> str:
    """What the marks mean, drawn with the same shapes (the tutorials' legend)."""
    c = COLOURS
    items = [
        (
            f'<line x1="0" y1="0" x2="18" y2="0" stroke="{c["tell"]}" stroke-width="1.4"/>'
            + _head(18, 0, 1, False, c["tell"]),
            "tell",
        ),
        (
            f'<line x1="0" y1="0" x2="18" y2="0" stroke="{c["ask"]}" stroke-width="1.4"/>'
            + _head(18, 0, 1, True, c["ask"]),
            "ask",
        ),
        (
            f'<line x1="0" y1="0" x2="18" y2="0" stroke="{c["reply"]}" stroke-width="1.4" '
            f'stroke-dasharray="5 3"/>' + _head(18, 0, 1, False, c["reply"]),
            "reply",
        ),
        (
            '<rect x="6" y="-7" width="8" height="14" fill="#dde6f5" stroke="#4a5a75"/>',
            "handler run (ms)",
        ),
        (
            f'<path d="M14,-7 L10,-7 L10,7 L14,7" fill="none" stroke="{c["wait"]}" '
            f'stroke-width="1.6"/>',
            "ask wait",
        ),
        (
            f'<line x1="4" y1="0" x2="20" y2="0" stroke="{c["timeout"]}" stroke-width="3"/>',
            "timeout",
        ),
        (f'<path d="M4,-6 L16,6 M16,-6 L4,6" stroke="{c["fail"]}" stroke-width="3"/>', "failure"),
        (
            f'<circle cx="10" cy="0" r="7" fill="#ffffff" stroke="{c["restart"]}" '
            f'stroke-width="2.2"/>',
            "restart",
        ),
    ]
    out = [f'<g class="actorlab-trace-legend" transform="translate({LEFT},{_n(y)})">']
    x = 0.0
    for shape, label in items:
        out.append(
            f'<g transform="translate({_n(x)},0)">{shape}<text x="26" y="4" font-size="10" '
            f'{FONT} fill="#57606a">{_t(label)}</text></g>'
        )
        x += 32 + len(label) * 6.2
    out.append("</g>")
    return "".join(out)


def to_svg(
    d: Diagram, *, prefix: str = "trace", highlight: int | None = None, legend: bool = True
) -> str:
    """The diagram as a standalone SVG document (``image/svg+xml``).

    ``highlight``: a row index to mark (the dashboard's time slider); ``legend``: draw the key.
    """
    n_rows = max(1, len(d.rows))
    width = LEFT + len(d.lanes) * LANE_W + NOTE_MARGIN
    bottom = _y(n_rows - 0.5) + 6
    notice_h = 22 if d.notice else 0
    title_h = 20 if d.title else 0
    legend_h = LEGEND_H if legend and d.rows else 0
    height = bottom + 14 + notice_h + legend_h
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{_n(width)}" '
        f'height="{_n(height + title_h)}" viewBox="0 {_n(-title_h)} {_n(width)} '
        f'{_n(height + title_h)}" id="{prefix}" class="actorlab-trace">',
        f'<rect x="0" y="{_n(-title_h)}" width="{_n(width)}" height="{_n(height + title_h)}" '
        f'fill="#ffffff"/>',
    ]
    if d.title:
        out.append(
            f'<text x="{LEFT}" y="4" font-size="13" font-weight="bold" {FONT} '
            f'fill="#1b1f24">{_t(d.title)}</text>'
        )
    if highlight is not None and 0 <= highlight < len(d.rows):
        out.append(
            f'<rect x="0" y="{_n(_y(highlight) - ROW_H / 2)}" width="{_n(width)}" '
            f'height="{ROW_H}" fill="#fff3b0" class="actorlab-trace-now"/>'
        )
    for lane in d.lanes:
        out.append(_lifeline(lane, bottom))
    for act in d.activations:
        x = _x(act.lane)
        y1, y2 = _y(act.start), _y(act.end)
        if y2 - y1 < 6:
            y1, y2 = (y1 + y2) / 2 - 3, (y1 + y2) / 2 + 3
        stroke = "#4a5a75" if act.ok else "#d1242f"
        out.append(
            f'<rect x="{_n(x - 4)}" y="{_n(y1)}" width="8" height="{_n(y2 - y1)}" '
            f'fill="#dde6f5" stroke="{stroke}"><title>{_t(act.label)}</title></rect>'
        )
        took = act.label.rsplit(" ", 2)
        if len(took) == 3 and took[2] == "ms":  # "Add: ok 0.90 ms": the run's duration
            out.append(
                f'<text x="{_n(x + 6)}" y="{_n(y2 + 2)}" font-size="9" {FONT} '
                f'fill="#4a5a75" {HALO} class="actorlab-trace-ms">{_t(took[1])} ms</text>'
            )

    for lane in d.lanes:
        y = HEAD_Y if lane.start is None else _y(lane.start) - HEAD_H / 2
        out.append(_lane_box(lane, y, prefix))
    for row in d.rows:
        out.append(
            f'<text x="4" y="{_n(_y(row.index) + 4)}" font-size="9" {FONT} '
            f'fill="#8c959f">{row.index + 1}</text>'
        )
        out.append(_arrow(row, d, prefix) if row.dst is not None else _mark(row, prefix))
    for w in d.waits:  # above the rows: a wait's label may cross an arrow
        out.append(_wait(w, prefix))
    if not d.rows:
        out.append(
            f'<text x="{LEFT}" y="{_n(_y(0) + 4)}" font-size="11" {FONT} '
            f'fill="#57606a">(no events captured)</text>'
        )
    if d.notice:
        out.append(
            f'<text x="{LEFT}" y="{_n(bottom + 18)}" font-size="12" {FONT} fill="#9a6700" '
            f'class="actorlab-trace-notice">⚠ {_t(d.notice)}</text>'
        )
    if legend_h:
        out.append(_legend(bottom + 14 + notice_h + 8))
    out.append("</svg>")
    return "\n".join(x for x in out if x) + "\n"
