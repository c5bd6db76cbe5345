"""What the dashboard shows, as plain data and HTML strings (no ipywidgets here).

Pure functions of the runtime's published data (``ActorInfo`` records, ``Event``s, captured log
lines), so they can be tested without a kernel or a browser.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape

from actorlab.events import Event
from actorlab.ids import ActorId
from actorlab.info import ActorInfo, DeadLetter, MessagePreview, Status
from actorlab.trace.render import handled_info
from actorlab.views._fmt import duration, glyph

from .theme import ADDED_BG, CHANGED_BG, MUTED, REMOVED_BG

#: Face of a node of the fallback button tree per status: a translucent tint over the theme's
#: own button face, so the theme's text colour stays readable in light and dark themes.
STATUS_COLOURS: dict[Status, str] = {
    Status.STARTING: "rgba(0, 150, 136, 0.22)",
    Status.IDLE: "rgba(76, 175, 80, 0.22)",
    Status.PROCESSING: "rgba(33, 150, 243, 0.25)",
    Status.PAUSED: "rgba(255, 152, 0, 0.25)",
    Status.SUSPENDED: "rgba(255, 152, 0, 0.25)",
    Status.FAILED: "rgba(244, 67, 54, 0.25)",
    Status.RESTARTING: "rgba(156, 39, 176, 0.22)",
    Status.STOPPING: "rgba(158, 158, 158, 0.22)",
    Status.STOPPED: "rgba(158, 158, 158, 0.22)",
}


@dataclass(frozen=True)
class TreeRow:
    """One line of the actor tree: the actor and how deep it sits."""

    info: ActorInfo
    depth: int

    @property
    def id(self) -> ActorId:
        return self.info.id


def tree_rows(infos: Sequence[ActorInfo]) -> list[TreeRow]:
    """Depth-first order (children right under their parent), siblings in the given order."""
    by_id = {i.id: i for i in infos}
    kids: dict[ActorId | None, list[ActorInfo]] = {}
    for info in infos:
        parent = info.parent if info.parent in by_id else None
        kids.setdefault(parent, []).append(info)
    out: list[TreeRow] = []
    stack: list[tuple[ActorInfo, int]] = [(i, 0) for i in reversed(kids.get(None, []))]
    while stack:
        info, depth = stack.pop()
        out.append(TreeRow(info, depth))
        stack.extend((k, depth + 1) for k in reversed(kids.get(info.id, [])))
    return out


def node_text(info: ActorInfo) -> str:
    """The tree label: glyph, name, status, mailbox, restarts (``● counter idle ✉0``)."""
    text = f"{glyph(info.status)} {info.label}  {info.status.value}  ✉{info.mailbox}"
    if info.restarts:
        text += f"  ↻{info.restarts}"
    if info.failures and not info.restarts:
        text += f"  ✖{info.failures}"
    return text


def structure_key(rows: Sequence[TreeRow]) -> tuple[tuple[ActorId, int], ...]:
    """Changes only when actors appear, disappear or move (then the tree is rebuilt)."""
    return tuple((r.id, r.depth) for r in rows)


# -- formatting -------------------------------------------------------------------------------


age = duration  # one duration format for every view


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def table(
    headers: Sequence[str], rows: Iterable[Sequence[str]], *, raw: bool = False, cls: str = ""
) -> str:
    """A small HTML table; cells are escaped unless ``raw``."""

    def cell(v: str) -> str:
        return v if raw else escape(v)

    head = "".join(f"<th style='text-align:left;padding:2px 8px'>{escape(h)}</th>" for h in headers)
    body = "".join(
        "<tr>"
        + "".join(f"<td style='padding:2px 8px;vertical-align:top'>{cell(v)}</td>" for v in row)
        + "</tr>"
        for row in rows
    )
    return (
        f"<table class='{cls}' style='border-collapse:collapse;font-size:12px'>"
        f"<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"
    )


def note(text: str) -> str:
    return f"<div style='color:{MUTED};font-size:12px;padding:4px 0'>{escape(text)}</div>"


# -- Info tab -----------------------------------------------------------------------------------


def failure_count(info: ActorInfo) -> int:
    """Failures of any kind: the core's ``failures`` counts handler raises only, while
    ``errors`` also lists injected faults and hook failures (the Info tab said "1 / 4" while
    listing 4 errors)."""
    return max(info.failures, len(info.errors))


def info_html(info: ActorInfo, labels: Mapping[ActorId, str], spark: str = "") -> str:
    """The Info tab: identity, supervision, counters, timing, last errors (and a mailbox
    sparkline, already rendered, when given)."""
    parent = labels.get(info.parent, "root") if info.parent is not None else "root"
    kids = ", ".join(labels.get(c, f"#{c.short}") for c in info.children) or "–"
    rows = [
        ("name", info.label),
        ("path", info.path),
        ("type", f"{info.module}.{info.actor_type}"),
        ("id", str(info.id)),
        ("status", f"{glyph(info.status)} {info.status.value}"),
        ("parent", parent),
        ("children", kids),
        ("supervisor strategy", info.supervisor),
        ("mailbox", f"{info.mailbox} (high-water mark {info.mailbox_hwm})"),
        ("processed", str(info.processed)),
        ("failures", str(failure_count(info))),
        ("restarts", str(info.restarts)),
        ("upgrades", str(int(getattr(info, "upgrades", 0) or 0))),
        ("handler time", f"mean {ms(info.handler_time_mean)}, max {ms(info.handler_time_max)}"),
        ("current handler", info.current_handler or "–"),
        ("in handler for", age(info.in_handler_for)),
        (
            "last message",
            age(time.time() - info.last_message_at) + " ago" if info.last_message_at else "–",
        ),
        ("age", age(info.age)),
        ("persistent", "yes" if info.persistent else "no"),
    ]
    out = table(["field", "value"], rows, cls="actorlab-info")
    if spark:
        out += f"<div style='font-size:12px'>mailbox over time {spark}</div>"
    if info.errors:
        errs = [(e.kind, e.msg_type or "–", f"{e.type}: {e.message}") for e in info.errors]
        total = failure_count(info)
        what = "errors" if len(errs) == total else f"{len(errs)} of {total} errors"
        out += f"<b style='font-size:12px'>last {what}</b>" + table(
            ["where", "message", "error"], errs
        )
    return out


# -- Mailbox tab ---------------------------------------------------------------------------------


def mailbox_html(
    info: ActorInfo,
    previews: Sequence[MessagePreview],
    dead: Sequence[DeadLetter],
    now: float | None = None,
) -> str:
    """Pending messages (oldest first) and this actor's dead letters."""
    now = time.time() if now is None else now
    head = (
        f"<div class='actorlab-mailbox-count' style='font-size:12px'>"
        f"<b>{info.mailbox}</b> pending message{'s' if info.mailbox != 1 else ''}"
        f" · status <b>{escape(info.status.value)}</b></div>"
    )
    if previews:
        rows = [
            (
                str(p.seq + 1),
                p.kind,
                p.msg_type,
                p.sender or "self",
                age(now - p.enqueued_at),
                p.msg_repr,
            )
            for p in previews
        ]
        body = table(["#", "kind", "type", "from", "age", "message"], rows, cls="actorlab-mailbox")
        if info.mailbox > len(previews):
            body += note(f"… and {info.mailbox - len(previews)} more")
    else:
        body = note("The mailbox is empty.")
    if info.status not in (Status.PAUSED, Status.SUSPENDED):
        body += note(
            "Pause the actor to hold its messages here, then step through them one at a time."
        )
    if dead:
        dead_rows = [
            (age(now - d.at) + " ago", repr(d.message)[:120], d.reason) for d in dead[-10:]
        ]
        body += "<b style='font-size:12px'>dead letters</b>" + table(
            ["when", "message", "reason"], dead_rows
        )
    return head + body


# -- State tab -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldDiff:
    name: str
    old: str | None  # None: the field is new
    new: str | None  # None: the field is gone

    @property
    def kind(self) -> str:
        if self.old is None:
            return "added"
        if self.new is None:
            return "removed"
        return "changed" if self.old != self.new else "same"


def field_diff(old: Mapping[str, str] | None, new: Mapping[str, str]) -> list[FieldDiff]:
    """Field-by-field comparison of two state previews (``old`` None: nothing to compare)."""
    if old is None:
        return [FieldDiff(k, v, v) for k, v in new.items()]
    names = list(new) + [k for k in old if k not in new]
    return [FieldDiff(k, old.get(k), new.get(k)) for k in names]


class StateTracker:
    """Remembers each actor's previous state preview, to show what the last message changed.

    ``observe(info)`` with a fresh preview returns the diff against the preview seen at the
    previous *processed* count (not the previous refresh), plus how many messages lie between.
    """

    def __init__(self) -> None:
        self._last: dict[ActorId, tuple[int, dict[str, str]]] = {}
        self._prev: dict[ActorId, tuple[int, dict[str, str]]] = {}

    def observe(self, info: ActorInfo) -> tuple[list[FieldDiff], int | None]:
        cur = (info.processed, dict(info.state_preview))
        last = self._last.get(info.id)
        if last is None:
            self._last[info.id] = cur
        elif last[0] != cur[0]:
            self._prev[info.id] = last
            self._last[info.id] = cur
        elif last[1] != cur[1]:  # changed without a message (restart, direct poke)
            self._last[info.id] = cur
        prev = self._prev.get(info.id)
        if prev is None:
            return field_diff(None, cur[1]), None
        return field_diff(prev[1], cur[1]), cur[0] - prev[0]

    def forget(self, keep: Iterable[ActorId]) -> None:
        keep = set(keep)
        for d in (self._last, self._prev):
            for k in [k for k in d if k not in keep]:
                del d[k]


_DIFF_STYLE = {
    "changed": f"background:{CHANGED_BG}",
    "added": f"background:{ADDED_BG}",
    "removed": f"background:{REMOVED_BG};text-decoration:line-through",
    "same": "",
}


def state_html(diffs: Sequence[FieldDiff], messages_between: int | None) -> str:
    """Live fields, with the ones the last message changed highlighted."""
    if not diffs:
        return note("No state fields (the actor's __dict__ is empty, or it is not running).")
    rows = []
    for d in diffs:
        style = _DIFF_STYLE[d.kind] if messages_between is not None else ""
        was = escape(d.old) if d.kind in ("changed", "removed") and d.old is not None else ""
        now = escape(d.new) if d.new is not None else ""
        rows.append(
            (
                f"<span style='{style}'>{escape(d.name)}</span>",
                f"<span style='{style}' class='actorlab-state-{d.kind}'>{now}</span>",
                was,
            )
        )
    if messages_between is None:
        caption = "Live fields. Changes show up highlighted after the next message."
    elif messages_between == 1:
        caption = "Highlighted: what the last message changed."
    else:
        caption = (
            f"Highlighted: what changed over the last {messages_between} messages "
            f"(the view refreshes at most 10×/s)."
        )
    return note(caption) + table(["field", "value", "before"], rows, raw=True, cls="actorlab-state")


# -- Messages tab --------------------------------------------------------------------------------


def messages_html(
    events: Sequence[Event],
    labels: Mapping[ActorId, str],
    recording: bool,
    now: float | None = None,
) -> str:
    """Recently handled messages (newest first): type, sender, outcome, handler time."""
    rows = []
    for ev in reversed(events):
        info = handled_info(ev)
        sender = labels.get(ev.src, f"#{ev.src.short}") if ev.src is not None else "self"
        outcome = info.outcome if info.ok else f"✖ {info.outcome}"
        rows.append(
            (
                ev.msg_type or "?",
                sender,
                outcome,
                f"{info.ms:.3f} ms" if info.ms is not None else "–",
                ev.msg_repr or "",
            )
        )
    head = note(
        "Recording handled messages while this tab is open."
        if recording
        else "Open this tab to record handled messages (costs a little throughput)."
    )
    if not rows:
        return head + note("No handled messages recorded yet.")
    summary: dict[str, list[float]] = {}
    errors: dict[str, int] = {}
    for ev in events:
        info = handled_info(ev)
        summary.setdefault(ev.msg_type or "?", []).append(info.ms or 0.0)
        errors[ev.msg_type or "?"] = errors.get(ev.msg_type or "?", 0) + (not info.ok)
    per_type = [
        (t, str(len(v)), f"{sum(v) / len(v):.3f} ms", f"{max(v):.3f} ms", str(errors[t]))
        for t, v in sorted(summary.items())
    ]
    return (
        head
        + table(["type", "from", "outcome", "time", "message"], rows[:50], cls="actorlab-messages")
        + "<b style='font-size:12px'>per message type</b>"
        + table(["type", "count", "mean", "max", "errors"], per_type)
    )


def log_html(lines: Sequence[str]) -> str:
    if not lines:
        return note(
            "No log records from this actor's handlers yet (logging calls made while "
            "it handles a message land here; print() goes to the cell that sent it)."
        )
    body = escape("\n".join(lines[-200:]))
    # column-reverse keeps a scrolled box pinned to its end: the newest line shows, with
    # the older ones above it (a plain overflow box opened at the oldest line).
    return (
        "<div class='actorlab-log-scroll' style='max-height:300px;overflow:auto;"
        "display:flex;flex-direction:column-reverse'>"
        f"<pre class='actorlab-log' style='font-size:11px;margin:0'>{body}</pre></div>"
    )
