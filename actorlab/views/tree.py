"""The supervision tree: status glyphs, colours, counts, and collapse of large sibling groups.

``build_tree`` turns ``ActorInfo`` records into a small line model; ``to_rich`` and ``to_plain``
draw it (``to_plain`` needs no rich, so the tree still prints when rich is not installed).
"""

from __future__ import annotations

import collections
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from actorlab.ids import ActorId
from actorlab.info import ActorInfo, Status

from ._fmt import STATUS_STYLE, duration, glyph, shorten

SHOW_MODES = ("compact", "full")
#: failing members listed under a collapsed group, at most.
_NOTABLE_MAX = 5
_NOTABLE = (Status.FAILED, Status.RESTARTING)


@dataclass
class Part:
    """A piece of text with a rich style ('' = plain)."""

    text: str
    style: str = ""


@dataclass
class Line:
    """One node of the drawn tree."""

    parts: list[Part]
    children: list[Line] = field(default_factory=list)

    @property
    def text(self) -> str:
        return "".join(p.text for p in self.parts)


def build_tree(
    infos: Sequence[ActorInfo],
    *,
    show: str = "compact",
    depth: int | None = None,
    collapse_over: int = 20,
    title: str = "actorlab",
    root: ActorId | None = None,
) -> Line:
    """The tree of ``infos`` (parents before children) under a title line.

    Args:
        show: ``"compact"`` (glyph, name, class, counts, errors of failed actors) or ``"full"``
            (adds short id, age, current handler, last error, snapshot marker).
        depth: draw at most this many levels; deeper actors are summarized as a count.
        collapse_over: a group of more than this many siblings of one class is drawn as one
            aggregate line (failing members are still listed under it).
        root: draw only the subtree of this actor, without a title line.
    """
    if show not in SHOW_MODES:
        raise ValueError(f"show={show!r} is not a tree mode; use one of {SHOW_MODES}")
    if collapse_over < 1:
        raise ValueError(f"collapse_over must be >= 1, got {collapse_over}")
    ids = {info.id for info in infos}
    kids: dict[ActorId | None, list[ActorInfo]] = collections.defaultdict(list)
    for info in infos:
        kids[info.parent if info.parent in ids else None].append(info)
    builder = _Builder(kids, show, depth, collapse_over)
    if root is not None:
        top = next((i for i in infos if i.id == root), None)
        if top is None:
            return Line([Part(f"■ {root.short} (stopped)", STATUS_STYLE[Status.STOPPED])])
        return builder.actor(top, 1)
    head = Line([Part(title, "bold"), Part(f" · {_summary(infos)}", "dim")])
    head.children = builder.siblings(kids[None], 1)
    return head


def _summary(infos: Sequence[ActorInfo]) -> str:
    if not infos:
        return "no actors (spawn one with al.root().spawn(...))"
    counts = collections.Counter(info.status for info in infos)
    by_status = ", ".join(f"{counts[s]} {s.value}" for s in Status if counts[s])
    noun = "actor" if len(infos) == 1 else "actors"
    return f"{len(infos)} {noun}: {by_status}"


class _Builder:
    def __init__(
        self,
        kids: dict[ActorId | None, list[ActorInfo]],
        show: str,
        depth: int | None,
        collapse_over: int,
    ) -> None:
        self.kids = kids
        self.full = show == "full"
        self.depth = depth
        self.collapse_over = collapse_over

    def siblings(self, infos: list[ActorInfo], level: int) -> list[Line]:
        groups: dict[str, list[ActorInfo]] = {}
        for info in infos:
            groups.setdefault(info.actor_type, []).append(info)
        lines: list[Line] = []
        emitted: set[str] = set()
        for info in infos:  # keep spawn order; a collapsed group sits where its first member was
            group = groups[info.actor_type]
            if len(group) <= self.collapse_over:
                lines.append(self.actor(info, level))
            elif info.actor_type not in emitted:
                emitted.add(info.actor_type)
                lines.append(self.group(group, level))
        return lines

    def actor(self, info: ActorInfo, level: int) -> Line:
        line = Line(actor_parts(info, full=self.full))
        children = self.kids.get(info.id, [])
        if not children:
            return line
        if self.depth is not None and level >= self.depth:
            hidden = self.count_below(info.id)
            line.children = [Line([Part(f"… {hidden} more below (depth={self.depth})", "dim")])]
        else:
            line.children = self.siblings(children, level + 1)
        return line

    def group(self, members: list[ActorInfo], level: int) -> Line:
        counts = collections.Counter(m.status for m in members)
        by_status = ", ".join(f"{counts[s]} {s.value}" for s in Status if counts[s])
        parts = [
            Part("≡ ", "bold"),
            Part(f"{members[0].actor_type} ×{len(members)}", "bold"),
            Part(f"  {by_status}", "dim"),
            *_counts(
                sum(m.mailbox for m in members),
                sum(m.processed for m in members),
                sum(m.restarts for m in members),
            ),
        ]
        below = sum(self.count_below(m.id) for m in members)
        if below:
            parts.append(Part(f"  (+{below} below)", "dim"))
        line = Line(parts)
        notable = [m for m in members if m.status in _NOTABLE]
        line.children = [Line(actor_parts(m, full=self.full)) for m in notable[:_NOTABLE_MAX]]
        if len(notable) > _NOTABLE_MAX:
            more = len(notable) - _NOTABLE_MAX
            line.children.append(Line([Part(f"… {more} more failing", "red")]))
        return line

    def count_below(self, actor: ActorId) -> int:
        todo = list(self.kids.get(actor, []))
        n = 0
        while todo:
            info = todo.pop()
            n += 1
            todo.extend(self.kids.get(info.id, []))
        return n


def _counts(mailbox: int, processed: int, restarts: int, upgrades: int = 0) -> list[Part]:
    parts = [
        Part("  "),
        Part(f"mbox={mailbox}", "yellow" if mailbox else "dim"),
        Part(f" done={processed}", "dim"),
    ]
    if restarts:
        parts.append(Part(f" ↻{restarts}", "magenta"))
    if upgrades:  # live code: re-run cells upgraded it
        parts.append(Part(f" ⇪{upgrades}", "green"))
    return parts


def actor_parts(info: ActorInfo, *, full: bool = False) -> list[Part]:
    """The text of one actor's node: ``● acct-1  Account  mbox=3 done=120 ↻2``."""
    style = STATUS_STYLE[info.status]
    name_style = style if "bold" in style else f"bold {style}"
    parts = [Part(f"{glyph(info.status)} ", style), Part(info.label, name_style)]
    if info.name is not None:
        parts.append(Part(f"  {info.actor_type}", "dim"))
    if full and info.name is not None:
        parts.append(Part(f" #{info.id.short}", "dim"))
    parts += _counts(info.mailbox, info.processed, info.restarts, info.upgrades)
    if full:
        parts.append(Part(f"  age {duration(info.age)}", "dim"))
        if info.persistent:
            saved = "saved" if info.last_snapshot_at is not None else "persistent"
            parts.append(Part(f"  [{saved}]", "blue"))
        if info.current_handler is not None:
            spent = duration(info.in_handler_for)
            parts.append(Part(f"  in {info.current_handler} for {spent}", "cyan"))
    if info.status is Status.STOPPED:
        parts.append(Part("  stopped", "dim"))
    if info.last_error is not None and (full or info.status in _NOTABLE):
        parts.append(Part(f"  {shorten(str(info.last_error), 70)}", "red"))
    return parts


def to_rich(line: Line, *, guide_style: str = "dim") -> Any:  # rich.tree.Tree
    """Draw the line model as a ``rich.tree.Tree``."""
    from rich.tree import Tree

    tree = Tree(_text(line), guide_style=guide_style)
    _add(tree, line.children)
    return tree


def _add(node: Any, lines: Iterable[Line]) -> None:
    for line in lines:
        _add(node.add(_text(line)), line.children)


def _text(line: Line) -> Any:  # rich.text.Text
    from rich.text import Text

    return Text.assemble(*((p.text, p.style) for p in line.parts))


def to_plain(line: Line) -> str:
    """Draw the line model as plain text with the same guides rich uses."""
    out = [line.text]
    _plain(line.children, "", out)
    return "\n".join(out) + "\n"


def _plain(lines: list[Line], prefix: str, out: list[str]) -> None:
    for i, line in enumerate(lines):
        last = i == len(lines) - 1
        out.append(f"{prefix}{'└── ' if last else '├── '}{line.text}")
        _plain(line.children, prefix + ("    " if last else "│   "), out)
