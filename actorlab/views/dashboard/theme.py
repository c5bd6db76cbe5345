"""Colours of the dashboard's HTML panes: JupyterLab CSS variables with light-theme fallbacks.

Every colour the dashboard writes is one of these, so the light and dark themes both stay
readable (a variable follows the theme; the fallback is used outside JupyterLab).
"""

from __future__ import annotations

FG = "var(--jp-ui-font-color1, #1b1f24)"
MUTED = "var(--jp-ui-font-color2, #57606a)"
OK = "var(--jp-success-color1, #1a7f37)"
ERROR = "var(--jp-error-color1, #cf222e)"
WARN = "var(--jp-warn-color1, #9a6700)"
BRAND = "var(--jp-brand-color1, #1976d2)"
LINE = "var(--jp-border-color2, #d0d7de)"
#: Backgrounds of changed / added / removed state fields: translucent tints, readable under the
#: light theme's dark text and the dark theme's light text (the themes' pale ``--jp-*-color3``
#: are light in both themes, which is what made white-on-pale-green nodes unreadable).
CHANGED_BG = "rgba(255, 152, 0, 0.28)"
ADDED_BG = "rgba(76, 175, 80, 0.28)"
REMOVED_BG = "rgba(244, 67, 54, 0.25)"
#: Node face of the (fallback) button tree: one neutral face, the status is in the text.
NODE_BG = "var(--jp-layout-color2, #eeeeee)"


def small(html: str, *, colour: str = MUTED, cls: str = "") -> str:
    """``html`` in 12px text of ``colour`` (already escaped by the caller)."""
    klass = f" class='{cls}'" if cls else ""
    return f"<span{klass} style='font-size:12px;color:{colour}'>{html}</span>"
