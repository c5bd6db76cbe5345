"""A measured "build without the hooks": actorlab's hot path with its hook tests compiled out.

W8 compares actorlab with tracing/monitoring off against the same code with no hooks at all. The
hook tests are ``if <...>.message_events:`` (message events, traces) and ``if <...>.monitors:``
(``al.monitor``). ``stripped()`` recompiles the methods of ``ActorRef`` and ``ActorCell`` that
contain such tests with each test partially evaluated as false (``if X: a else: b`` -> ``b``,
``if not X: a`` -> ``a``), installs them for the duration of the block, and restores the
originals. Working from the current source keeps the comparison honest as the core evolves.
"""

from __future__ import annotations
import __future__

import ast
import inspect
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

HOOK_ATTRS = frozenset({"message_events", "monitors"})


def _hook_test(node: ast.expr) -> bool | None:
    """True for ``X.<hook>``, False for ``not X.<hook>``, None for anything else."""
    if isinstance(node, ast.Attribute) and node.attr in HOOK_ATTRS:
        return True
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
        inner = node.operand
        if isinstance(inner, ast.Attribute) and inner.attr in HOOK_ATTRS:
            return False
    return None


class _Strip(ast.NodeTransformer):
    def __init__(self) -> None:
        self.changed = 0

    def visit_If(self, node: ast.If) -> Any:
        self.generic_visit(node)
        kind = _hook_test(node.test)
        if kind is None:
            return node
        self.changed += 1
        kept = node.orelse if kind else node.body  # the branch taken when the hook is off
        return kept or ast.Pass()


def _compile_without_hooks(fn: Any) -> Any | None:
    """``fn`` recompiled with its hook tests stripped, or None if it has none."""
    func = inspect.unwrap(fn.__func__ if isinstance(fn, (staticmethod, classmethod)) else fn)
    if not inspect.isfunction(func) or func.__closure__:
        return None
    source = textwrap.dedent(inspect.getsource(func))
    if not any(attr in source for attr in HOOK_ATTRS):
        return None
    tree = ast.parse(source)
    stripper = _Strip()
    tree = ast.fix_missing_locations(stripper.visit(tree))
    if not stripper.changed:
        return None
    code = compile(
        tree,
        f"<no-hooks {func.__qualname__}>",
        "exec",
        flags=__future__.annotations.compiler_flag,
        dont_inherit=True,
    )
    namespace: dict[str, Any] = {}
    exec(code, func.__globals__, namespace)
    return namespace[func.__name__]


def _replacements() -> list[tuple[type, str, Any, Any]]:
    from actorlab.cell import ActorCell
    from actorlab.ref import ActorRef

    out = []
    for cls in (ActorRef, ActorCell):
        for name, attr in list(vars(cls).items()):
            new = _compile_without_hooks(attr)
            if new is not None:
                out.append((cls, name, attr, new))
    return out


@contextmanager
def stripped() -> Iterator[list[str]]:
    """Run the block with the hook-free methods installed; yields their qualified names."""
    swaps = _replacements()
    if not swaps:
        raise RuntimeError(
            "found no hook tests to strip in ActorRef/ActorCell: update bench/nohooks.py"
        )
    for cls, name, _old, new in swaps:
        setattr(cls, name, new)
    try:
        yield [f"{cls.__name__}.{name}" for cls, name, _old, _new in swaps]
    finally:
        for cls, name, old, _new in swaps:
            setattr(cls, name, old)
