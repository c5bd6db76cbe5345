"""The trace renderers' common entry point: layout plus the text and mermaid writers.

``layout`` (in ``layout.py``) turns events into a ``Diagram``; ``to_text`` (``text.py``) and
``to_mermaid`` (``mermaid.py``) write it, ``svg.to_svg`` draws it. Kept as one import for the
callers (``from actorlab.trace import render``).
"""

from __future__ import annotations

from .layout import (
    ARROW_KINDS,
    DEAD,
    MARK_KINDS,
    OTHERS,
    SELF,
    Activation,
    Diagram,
    HandledInfo,
    Lane,
    LaneKey,
    MessageLabel,
    Row,
    Wait,
    actor_of,
    default_message_label,
    handled_info,
    lane_label,
    layout,
    row_of_seq,
    shorten,
)
from .mermaid import to_mermaid
from .text import to_text

__all__ = [
    "ARROW_KINDS",
    "DEAD",
    "MARK_KINDS",
    "OTHERS",
    "SELF",
    "Activation",
    "Diagram",
    "HandledInfo",
    "Lane",
    "LaneKey",
    "MessageLabel",
    "Row",
    "Wait",
    "actor_of",
    "default_message_label",
    "handled_info",
    "lane_label",
    "layout",
    "row_of_seq",
    "shorten",
    "to_mermaid",
    "to_text",
]
