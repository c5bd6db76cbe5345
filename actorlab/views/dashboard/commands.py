"""The dashboard's commands: what its buttons do (pause, step, tell, ask, restart, save ...).

A mixin of ``Dashboard``: every command runs on the runtime loop through ``ActionRunner`` and
reports back in the status line; none blocks the kernel.
"""

from __future__ import annotations

from collections.abc import Callable
from html import escape
from typing import Any

from actorlab.runtime import Runtime

from . import snapshots as dashboard_snapshots
from .actions import Outcome, evaluate, short, user_namespace
from .theme import ERROR, OK


class Commands:
    """Button handlers; the host provides ``tree``, ``actions``, ``destructive``, ``expr``,
    ``namespace``, ``snapshots``, ``status`` and ``_runtime()``."""

    tree: Any
    actions: Any
    destructive: Any
    expr: Any
    namespace: Any
    snapshots: Any
    status: Any

    def _runtime(self) -> Runtime | None:  # provided by Dashboard
        raise NotImplementedError

    def _target(self) -> tuple[Runtime, Any] | None:
        rt = self._runtime()
        aid = self.tree.selected
        cell = rt.cells.get(aid) if rt is not None and aid is not None else None
        if rt is None or cell is None:
            self._show(
                Outcome(
                    "select an actor", False, "no live actor is selected; click one in the tree"
                )
            )
            return None
        return rt, cell.ref

    def _control(self, what: str) -> None:
        target = self._target()
        if target is None:
            return
        rt, ref = target
        ops: dict[str, Callable[[], Any]] = {
            "pause": ref.pause,
            "resume": ref.resume,
            "step": ref.step,
            "restart": ref.restart,
            "inject_fault": ref.inject_fault,
            "stop": ref.stop_async,
        }
        if what in ("restart", "inject_fault", "stop") and not self.destructive.value:
            self._show(
                Outcome(f"{what} {ref.label}", False, "tick 'allow destructive actions' first")
            )
            return
        self._show(Outcome(f"{what} {ref.label}", True, "sent…"))
        self.actions.submit(rt, f"{what.replace('_', ' ')} {ref.label}", ops[what])

    def _send(self, kind: str) -> None:
        target = self._target()
        if target is None:
            return
        rt, ref = target
        try:
            msg = evaluate(self.expr.value, user_namespace(self.namespace))
        except ValueError as exc:
            self._show(Outcome(f"{kind} {ref.label}", False, str(exc)))
            return
        label = f"{kind} {ref.label} {short(msg, 60)}"
        if kind == "tell":
            try:
                ref.tell(msg)  # never blocks: a thread-safe hand-off to the runtime
            except Exception as exc:
                self._show(Outcome(label, False, f"{type(exc).__name__}: {exc}"))
                return
            self._show(Outcome(label, True, "sent"))
            return
        self._show(Outcome(label, True, "waiting for the reply…"))
        self.actions.submit(rt, label, lambda: ref.ask(msg), lambda v: f"→ {short(v)}")

    def _save_snapshot(self) -> None:
        target = self._target()
        if target is None:
            return
        rt, ref = target
        try:
            fn = dashboard_snapshots.saver(ref, self.snapshots.storage)
        except RuntimeError as exc:
            self._show(Outcome(f"save {ref.label}", False, str(exc)))
            return
        self.actions.submit(
            rt, f"save snapshot of {ref.label}", fn, lambda h: f"saved ({h.size} B)"
        )

    def _respawn(self) -> None:
        target = self._target()
        if target is None:
            return
        rt, ref = target
        if not self.destructive.value:
            self._show(
                Outcome(f"respawn {ref.label}", False, "tick 'allow destructive actions' first")
            )
            return
        try:
            fn = dashboard_snapshots.respawner(rt.cells[ref.id], self.snapshots.storage)
        except RuntimeError as exc:
            self._show(Outcome(f"respawn {ref.label}", False, str(exc)))
            return
        self.actions.submit(
            rt, f"respawn {ref.label} from snapshot", fn, lambda v: f"respawned as {short(v)}"
        )

    def _show(self, outcome: Outcome) -> None:
        colour = OK if outcome.ok else ERROR
        mark = "✔" if outcome.ok else "✖"
        self.status.value = (
            f"<span style='font-size:12px;color:{colour}' class='actorlab-outcome'>"
            f"{mark} {escape(outcome.label, quote=False)}: {escape(outcome.text, quote=False)}</span>"
        )
