"""Synthetic ActorInfo records with stable ids and times, for golden-text view tests."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from actorlab.ids import ActorId
from actorlab.info import ActorInfo, ErrorInfo, MessagePreview, Status

NOW = 1_700_000_000.0  # the wall clock every synthetic record is relative to


def aid(name: str) -> ActorId:
    return ActorId.from_name(name)


def info(
    name: str | None,
    actor_type: str = "Counter",
    *,
    key: str | None = None,
    parent: str | None = None,
    children: tuple[str, ...] = (),
    path: str | None = None,
    **fields: Any,
) -> ActorInfo:
    """One record; ``key`` seeds the id when ``name`` is None; parent/children are keys."""
    key = key or name or actor_type
    base = ActorInfo(
        id=aid(key),
        name=name,
        actor_type=actor_type,
        module="__main__",
        path=path or f"/{name or key}",
        parent=aid(parent) if parent else None,
        children=tuple(aid(c) for c in children),
        status=Status.IDLE,
        mailbox=0,
        mailbox_hwm=0,
        processed=0,
        failures=0,
        restarts=0,
        last_error=None,
        errors=(),
        current_handler=None,
        in_handler_for=None,
        handler_time_total=0.0,
        handler_time_max=0.0,
        last_message_at=None,
        started_at=NOW - 60.0,
        age=60.0,
        persistent=False,
        supervisor="default (terminate the failing child)",
    )
    return replace(base, **fields)


def error(
    kind: str = "handler",
    type_: str = "ZeroDivisionError",
    message: str = "division by zero",
    at: float = NOW - 2.0,
    msg_type: str | None = "Add",
) -> ErrorInfo:
    return ErrorInfo(
        kind=kind, type=type_, message=message, traceback="Traceback ...", at=at, msg_type=msg_type
    )


def preview(
    seq: int, msg_repr: str, kind: str = "tell", sender: str | None = None, waited: float = 1.5
) -> MessagePreview:
    return MessagePreview(
        seq=seq,
        kind=kind,
        msg_type=msg_repr.split("(")[0],
        msg_repr=msg_repr,
        sender=sender,
        enqueued_at=NOW - waited,
    )


def bank() -> list[ActorInfo]:
    """A small system: a bank with two accounts (one failed), a logger and an unnamed counter."""
    failed = error()
    return [
        info(
            "bank",
            "Bank",
            children=("acct-1", "acct-2"),
            processed=12,
            mailbox_hwm=2,
            supervisor="OneForOne(max_restarts=3, within=10.0)",
        ),
        info(
            "acct-1",
            "Account",
            parent="bank",
            path="/bank/acct-1",
            mailbox=3,
            mailbox_hwm=7,
            processed=120,
            restarts=2,
            handler_time_total=0.24,
            handler_time_max=0.011,
            last_message_at=NOW - 0.5,
        ),
        info(
            "acct-2",
            "Account",
            parent="bank",
            path="/bank/acct-2",
            status=Status.FAILED,
            processed=4,
            failures=1,
            last_error=failed,
            errors=(failed,),
        ),
        info(
            "logger",
            "Logger",
            status=Status.PROCESSING,
            processed=7,
            current_handler="write",
            in_handler_for=1.25,
            handler_time_total=0.07,
            handler_time_max=0.02,
        ),
        info(None, "Counter", key="anon", path="/Counter#" + aid("anon").short),
    ]


def rich_text(renderable: Any, width: int = 100) -> str:
    """What a colourless 100-column console prints for ``renderable`` (line ends stripped)."""
    import io

    from rich.console import Console

    console = Console(
        record=True,
        width=width,
        color_system=None,
        file=io.StringIO(),
        force_terminal=False,
        force_jupyter=False,
        legacy_windows=False,
    )
    console.print(renderable)
    return "".join(line.rstrip() + "\n" for line in console.export_text().splitlines())
