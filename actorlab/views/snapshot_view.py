"""The snapshot inspector: header fields, state fields, picklability report, and the warning
that a class defined in a notebook cell travels *by value* inside the snapshot.

``build_snapshot`` is a pure function of a snapshot header (``SnapshotHeader`` or its JSON dict),
optionally the decoded state and a picklability report; it returns a ``PanelModel``.
"""

from __future__ import annotations

import reprlib
from collections.abc import Iterable, Mapping
from typing import Any

from ._fmt import compact_table, shorten
from .panel import PanelModel, Section, to_plain, to_rich

__all__ = ["build_snapshot", "by_value_warning", "state_fields", "to_plain", "to_rich"]

_MISSING: Any = object()
_VALUE_WIDTH = 60
_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60
_repr.maxlevel = 3


def _get(header: Any, name: str, default: Any = None) -> Any:
    if isinstance(header, Mapping):
        if name in header:
            return header[name]
        actor = header.get("actor")  # the raw JSON header nests id and class under "actor"
        if isinstance(actor, Mapping) and name.startswith("actor_"):
            return actor.get(name.removeprefix("actor_"), default)
        return default
    return getattr(header, name, default)


def by_value_warning(header: Any) -> str | None:
    """The "class pickled by value (notebook)" warning, or None when all code is by reference."""
    actor_class = str(_get(header, "actor_class", ""))
    code = [str(c).replace(":", ".") for c in _get(header, "code", ()) or ()]  # "module:qualname"
    anonymous = int(_get(header, "anonymous_code", 0) or 0)
    if not (_get(header, "contains_code", False) or actor_class.startswith("__main__.")):
        return None
    them = "them" if len(code) + anonymous > 1 else "it"
    what = ", ".join(code) or actor_class
    if anonymous:
        what += f" (and {anonymous} lambda/closure{'s' if anonymous > 1 else ''})"
    return (
        f"⚠ class pickled by value (notebook): this snapshot carries its own copy of {what}, "
        f"as defined when it was saved. Re-run the cells that define {them} before respawning so "
        f"the actor uses the current code; the saved copy is used only when that name no "
        f"longer exists. The copy only loads on Python {_get(header, 'python_tag', '?')}."
    )


def state_fields(state: Any) -> list[tuple[str, str, str]]:
    """``(name, type, repr)`` for each attribute of a decoded snapshot state."""
    if state is None:
        return [("(value)", "NoneType", "None")]
    if hasattr(state, "__getstate__"):
        try:
            fields = state.__getstate__()
        except TypeError:
            fields = None
    else:
        fields = None
    if not isinstance(fields, Mapping):
        fields = getattr(state, "__dict__", None)
    if not isinstance(fields, Mapping):
        return [("(value)", type(state).__name__, _safe_repr(state))]
    return [
        (str(k), type(v).__name__, _safe_repr(v))
        for k, v in fields.items()
        if not str(k).startswith("_al_")
    ]


def _safe_repr(value: Any) -> str:
    try:
        return shorten(_repr.repr(value), _VALUE_WIDTH)
    except Exception as exc:  # a broken __repr__ must not break the inspector
        return f"<repr failed: {type(exc).__name__}>"


def build_snapshot(
    header: Any,
    state: Any = _MISSING,
    *,
    report: Iterable[Any] | None = None,
    source: str | None = None,
) -> PanelModel:
    """The inspector model.

    Args:
        header: a ``SnapshotHeader`` (or the JSON header dict).
        state: the decoded snapshot state, if it was loaded (omit to show the header only).
        report: a picklability report, one entry per field (see ``_report_row``).
        source: where the snapshot was read from (storage and key), shown in the title.
    """
    actor_class = str(_get(header, "actor_class", "?"))
    title = f"snapshot · {actor_class}" + (f" · {source}" if source else "")
    sections = [_header(header), _code(header)]
    if state is not _MISSING:
        section = Section("state", columns=("field", "type", "value"))
        section.table = list(state_fields(state))
        sections.append(section)
    if report is not None:
        sections.append(_report(report))
    return PanelModel(title, "blue", sections)


def _header(header: Any) -> Section:
    size = _get(header, "size", 0) or 0
    digest = str(_get(header, "payload_sha256", "") or "")
    signed = _get(header, "signed", None)
    rows = [
        ("actor id", str(_get(header, "actor_id", "?")), ""),
        ("class", str(_get(header, "actor_class", "?")), ""),
        ("created", str(_get(header, "created", "?")), ""),
        ("size", f"{size} bytes (payload {_get(header, 'payload_len', '?')})", ""),
        ("payload sha256", digest[:16] + ("…" if len(digest) > 16 else ""), "dim"),
        ("signed (HMAC)", "?" if signed is None else ("yes" if signed else "no"), ""),
        ("format", str(_get(header, "format", "?")), ""),
        (
            "written by",
            f"Python {_get(header, 'python', '?')} ({_get(header, 'python_tag', '?')}, "
            f"{_get(header, 'implementation', '?')}), dill {_get(header, 'dill', '?')}",
            "",
        ),
    ]
    return Section("header", rows)


def _code(header: Any) -> Section:
    actor_class = str(_get(header, "actor_class", "?"))
    warning = by_value_warning(header)
    module = actor_class.rpartition(".")[0] or "?"
    source = f"by reference (module {module})" if warning is None else "by value (notebook)"
    section = Section("code", [("class source", source, "yellow" if warning else "green")])
    if warning:
        section.notes.append((warning, "yellow"))
    return section


def _report(report: Iterable[Any]) -> Section:
    section = Section("picklability", columns=("field", "type", "ok", "problem"))
    section.table = [_report_row(entry) for entry in report]
    failed = sum(1 for row in section.table if row[2] == "NO")
    warned = sum(1 for row in section.table if row[2] == "warn")
    if not section.table:
        section.notes.append(("nothing to check", "dim"))
    elif failed:
        section.notes.append((f"{failed} field(s) cannot be saved; see the problems above", "red"))
    else:
        section.notes.append(("every field pickles", "green"))
    if warned:
        section.notes.append(
            (f"{warned} value(s) pickle but will not mean the same after loading", "yellow")
        )
    return section


def _report_row(entry: Any) -> tuple[str, str, str, str]:
    """One report entry: a ``PicklabilityItem`` (``path``, ``type``, ``ok``, ``error``), a
    mapping with those keys (or ``field``/``problem``), or a ``(path, ok, problem)`` tuple.
    ``ok`` with a problem is a warning (pickles, but will not mean the same after loading)."""
    if isinstance(entry, tuple) and not hasattr(entry, "_fields"):
        path, ok, problem = (*entry, "", "")[:3]
        kind = ""
    else:
        path = _get(entry, "path", None) or _get(entry, "field", "?")
        kind = _get(entry, "type", "") or ""
        ok = _get(entry, "ok", None)
        problem = _get(entry, "error", None) or _get(entry, "problem", None) or ""
        if ok is None:
            ok = not problem
    status = ("warn" if problem else "yes") if ok else "NO"
    return (str(path), str(kind), status, shorten(str(problem or ""), 80))


LIST_COLUMNS = ("id", "path", "class", "created (UTC)", "bytes", "code")


def list_rows(entries: Iterable[Any]) -> list[tuple[str, ...]]:
    """One row per snapshot: ``al.snapshots()`` entries (``SnapshotEntry``: ``actor_id``,
    ``header`` or ``error``, ``version``) or bare headers."""
    rows: list[tuple[str, ...]] = []
    for entry in entries:
        header = _get(entry, "header", entry) if not isinstance(entry, Mapping) else entry
        actor_id = str(_get(entry, "actor_id", None) or _get(header, "actor_id", "?"))[:8]
        version = _get(entry, "version", None)
        if version is not None:
            actor_id += f" v{version}"
        if header is None:
            error = shorten(str(_get(entry, "error", "unreadable")), 60)
            rows.append((actor_id, "–", "unreadable", error, "", ""))
            continue
        raw = _get(header, "raw", None) or (header if isinstance(header, Mapping) else {})
        actor = raw.get("actor", {}) if isinstance(raw, Mapping) else {}
        path = actor.get("path") if isinstance(actor, Mapping) else None
        rows.append(
            (
                actor_id,
                str(path or "–"),
                str(_get(header, "actor_class", "?")),
                str(_get(header, "created", "?"))[:19].replace("T", " "),
                str(_get(header, "size", "") or _get(header, "payload_len", "?")),
                "by value" if by_value_warning(header) else "by reference",
            )
        )
    return rows


def snapshot_list(headers: Iterable[Any], *, source: str | None = None) -> Any:
    """A ``View`` listing snapshot headers as a table."""
    from .mimebundle import View

    rows: list[tuple[str, ...]] = list_rows(headers)
    title = f"{len(rows)} snapshot{'s' if len(rows) != 1 else ''}" + (
        f" in {source}" if source else ""
    )

    def rich() -> Any:
        from rich.console import Group
        from rich.text import Text

        table = compact_table()
        for col in LIST_COLUMNS:
            table.add_column(col, justify="right" if col == "bytes" else "left")
        for row in rows:
            table.add_row(*(Text(c) for c in row))
        return Group(Text(title, style="bold"), table)

    def plain() -> str:
        cells: list[tuple[str, ...]] = [LIST_COLUMNS, *rows]
        widths = [max(len(r[c]) for r in cells) for c in range(len(LIST_COLUMNS))]
        lines = [title] + [
            "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in cells
        ]
        return "\n".join(lines) + "\n"

    return View(rich, plain)
