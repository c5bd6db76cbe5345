"""The info panel of one actor, grouped like recon: meta, links & supervision, work, mailbox,
state, last errors.

``build_info`` is a pure function of one ``ActorInfo`` (plus labels for its parent and children);
``to_rich`` draws a ``Panel`` and ``to_plain`` plain text (see ``panel``).
"""

from __future__ import annotations

import time
from collections.abc import Mapping

from actorlab.ids import ActorId
from actorlab.info import ActorInfo

from ._fmt import DASH, STATUS_STYLE, ago, duration, glyph, ms, shorten
from .panel import PanelModel, Section, to_plain, to_rich

__all__ = ["build_info", "to_plain", "to_rich"]

_MAX_CHILDREN = 8
_MAX_ERRORS = 3
_REPR_WIDTH = 60


def build_info(
    info: ActorInfo,
    *,
    labels: Mapping[ActorId, str] | None = None,
    now: float | None = None,
) -> PanelModel:
    """The panel model of ``info``; ``labels`` names the parent and children (else short ids)."""
    labels = labels or {}
    now = time.time() if now is None else now
    title = f"{glyph(info.status)} {info.label} · {info.actor_type}"
    sections = [
        _meta(info, now),
        _links(info, labels, now),
        _work(info, now),
        _mailbox(info, now),
    ]
    if info.state_preview:
        state = Section("state")
        state.rows = [(k, shorten(v, _REPR_WIDTH), "") for k, v in info.state_preview.items()]
        sections.append(state)
    if info.errors or info.last_error is not None:
        sections.append(_errors(info, now))
    return PanelModel(title, STATUS_STYLE[info.status], sections)


def _meta(info: ActorInfo, now: float) -> Section:
    if not info.persistent:
        persistent = "no"
    elif info.last_snapshot_at is None:
        persistent = "yes, never saved"
    else:
        persistent = f"yes, last saved {ago(info.last_snapshot_at, now)}"
    return Section(
        "meta",
        [
            ("id", str(info.id), ""),
            ("path", info.path, ""),
            ("class", f"{info.module}.{info.actor_type}", ""),
            ("status", f"{glyph(info.status)} {info.status.value}", STATUS_STYLE[info.status]),
            ("age", duration(info.age), ""),
            ("persistent", persistent, ""),
        ],
    )


def _label(aid: ActorId, labels: Mapping[ActorId, str]) -> str:
    return labels.get(aid, f"#{aid.short}")


def _links(info: ActorInfo, labels: Mapping[ActorId, str], now: float) -> Section:
    parent = "root (top-level actor)" if info.parent is None else _label(info.parent, labels)
    names = [_label(c, labels) for c in info.children[:_MAX_CHILDREN]]
    if len(info.children) > _MAX_CHILDREN:
        names.append(f"+{len(info.children) - _MAX_CHILDREN} more")
    children = f"{len(info.children)}: {', '.join(names)}" if names else "none"
    restarts_style = "magenta" if info.restarts else ""
    rows = [
        ("parent", parent, ""),
        ("children", children, ""),
        ("supervises with", info.supervisor, ""),
        ("failures", str(info.failures), "red" if info.failures else ""),
        ("restarts", str(info.restarts), restarts_style),
    ]
    if info.upgrades:  # live code: shown once a re-run cell has upgraded the actor
        rows.append(("upgrades", _upgrades(info, now), "green"))
    return Section("links & supervision", rows)


def _upgrades(info: ActorInfo, now: float) -> str:
    """How often re-run cells upgraded the actor (live code), and when last."""
    if info.last_upgrade_at is None:
        return str(info.upgrades)
    return f"{info.upgrades}, last {ago(info.last_upgrade_at, now)}"


def _work(info: ActorInfo, now: float) -> Section:
    if info.current_handler is None:
        current = DASH
    else:
        current = f"{info.current_handler} for {duration(info.in_handler_for)}"
    timing = (
        f"avg {ms(info.handler_time_mean)} · max {ms(info.handler_time_max)} · "
        f"total {ms(info.handler_time_total)}"
        if info.processed
        else DASH
    )
    return Section(
        "work",
        [
            ("processed", str(info.processed), ""),
            ("handler ms", timing, ""),
            ("current handler", current, "cyan" if info.current_handler else ""),
            ("last message", ago(info.last_message_at, now), ""),
        ],
    )


def _mailbox(info: ActorInfo, now: float) -> Section:
    section = Section(
        "mailbox",
        [("length", f"{info.mailbox} (high-water {info.mailbox_hwm})", "")],
    )
    if info.mailbox_preview:
        section.columns = ("#", "kind", "type", "message", "from", "waiting")
        section.table = [
            (
                str(p.seq),
                p.kind,
                p.msg_type,
                shorten(p.msg_repr, _REPR_WIDTH),
                p.sender or "notebook",
                duration(now - p.enqueued_at),
            )
            for p in info.mailbox_preview
        ]
        if info.mailbox > len(info.mailbox_preview):
            more = info.mailbox - len(info.mailbox_preview)
            section.notes.append((f"… {more} more not shown", "dim"))
    return section


def _errors(info: ActorInfo, now: float) -> Section:
    errors = list(info.errors) or ([info.last_error] if info.last_error else [])
    section = Section("last errors")
    for err in reversed(errors[-_MAX_ERRORS:]):
        where = err.kind if err.msg_type is None else f"{err.kind} on {err.msg_type}"
        section.notes.append((f"{err.type}: {shorten(err.message, 80)}", "red"))
        section.notes.append((f"  in {where}, {ago(err.at, now)}", "dim"))
    if len(errors) > _MAX_ERRORS:
        section.notes.append((f"… {len(errors) - _MAX_ERRORS} earlier", "dim"))
    return section
