"""Make dill safe to run on the runtime thread while other threads print.

``dill.detect.nestedglobals`` (called for every function pickled with ``recurse=True``) finds a
code object's globals by swapping the process-wide ``sys.stdout`` for a ``StringIO`` around
``dis.dis(code)``. Whatever another thread prints meanwhile goes into that buffer and is lost:
in Jupyter, a cell's ``print()`` during an autosave vanished. ``install(dill)`` replaces it with
the same computation over ``dis.get_instructions``, which writes nothing anywhere.
"""

from __future__ import annotations

import dis
import types
from typing import Any


def _code_objects(code: types.CodeType) -> list[types.CodeType]:
    """``code`` and every code object nested in it (what ``dis.dis`` disassembles)."""
    found, todo = [], [code]
    while todo:
        co = todo.pop()
        found.append(co)
        todo.extend(c for c in co.co_consts if isinstance(c, types.CodeType))
    return found


def nestedglobals(func: Any, recurse: bool = True) -> list[str]:
    """The names of the globals ``func`` (a function, method or code object) uses.

    Same result as dill's version (every ``*_GLOBAL*`` instruction of the code and its nested
    code objects), without touching ``sys.stdout``.
    """
    from dill.detect import code as as_code

    co = as_code(func)
    if co is None:
        return []
    names: set[str] = set()
    for each in _code_objects(co):
        for ins in dis.get_instructions(each):
            if "_GLOBAL" in ins.opname and isinstance(ins.argval, str):
                names.add(ins.argval)
    return list(names)


def install(dill: Any) -> None:
    """Use the stdout-free ``nestedglobals`` in ``dill.detect`` (idempotent)."""
    dill.detect.nestedglobals = nestedglobals
