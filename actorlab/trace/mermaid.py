"""A trace ``Diagram`` as mermaid ``sequenceDiagram`` source (shown only on request)."""

from __future__ import annotations

from .layout import DEAD, SELF, Diagram, shorten

#: Mermaid's entity codes for the characters its grammar would read as syntax.
_ENTITIES = str.maketrans(
    {"#": "#35;", ";": "#59;", "<": "#lt;", ">": "#gt;", "%": "#37;", "{": "#123;", "}": "#125;"}
)


def _mermaid_text(text: str) -> str:
    """Escape text for a mermaid message or note (entity codes for the special characters)."""
    return " ".join(text.split()).translate(_ENTITIES)


def to_mermaid(d: Diagram) -> str:
    """The diagram as mermaid ``sequenceDiagram`` source (JupyterLab >= 4.1 renders it)."""
    ids = {lane.index: ("nb" if lane.key == SELF else f"a{lane.index}") for lane in d.lanes}
    ids.update({lane.index: "dl" for lane in d.lanes if lane.key == DEAD})
    lines = ["sequenceDiagram"]
    if d.title:
        lines.append(f"    title {_mermaid_text(d.title)}")
    created_later = {lane.index for lane in d.lanes if lane.start is not None}
    for lane in d.lanes:
        if lane.index not in created_later:
            lines.append(f"    participant {ids[lane.index]} as {_mermaid_text(lane.label)}")
    arrow = {
        "tell": "-)",
        "ask": "->>",
        "reply": "-->>",
        "spawn": "->>",
        "dead_letter": "--x",
        "escalate": "-x",
    }
    for row in d.rows:
        count = f" ×{row.count}" if row.count > 1 else ""
        label = _mermaid_text(shorten(row.label, 60) + count)
        src = ids[row.src]
        if row.dst is None:
            lines.append(f"    Note over {src}: {label}")
            continue
        dst = ids[row.dst]
        if row.kind == "spawn" and row.dst in created_later and d.lanes[row.dst].start == row.index:
            lines.append(f"    create participant {dst} as {_mermaid_text(d.lanes[row.dst].label)}")
        lines.append(f"    {src}{arrow[row.kind]}{dst}: {label}")
    if d.notice:
        lines.append(f"    Note over {ids[0]}: ⚠ {_mermaid_text(d.notice)}")
    return "\n".join(lines) + "\n"
