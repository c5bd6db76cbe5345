"""IPython integration: ``%load_ext actorlab`` registers ``%actor``/``%actors``.

This package's ``__init__`` imports nothing from IPython, so the core can reach
``actorlab.magics.kernel_bridge`` cheaply; the magics themselves load on ``%load_ext``.
"""

from __future__ import annotations

import importlib
from typing import Any

_MAGICS = ("actor", "actors")


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics on ``ipython`` and route actor output into cells (in a kernel)."""
    magics = importlib.import_module("actorlab.magics.actor_magics")
    ipython.register_magics(magics.ActorMagics(ipython))
    importlib.import_module("actorlab.magics.kernel_bridge").install()


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext actorlab``: remove the magics (actors keep running)."""
    table = ipython.magics_manager.magics
    for kind in ("line", "cell"):
        for name in _MAGICS:
            table[kind].pop(name, None)
