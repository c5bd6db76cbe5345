"""``%load_ext actorlab`` registers ``%actor``/``%actors`` (IPython loads on that call)."""

from __future__ import annotations

from typing import Any

_MAGICS = ("actor", "actors")


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics on ``ipython`` and route actor output into cells (in a kernel)."""
    from .. import kernel_bridge
    from .actor_magics import ActorMagics

    ipython.register_magics(ActorMagics(ipython))
    kernel_bridge.install()


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext actorlab``: remove the magics (actors keep running)."""
    table = ipython.magics_manager.magics
    for kind in ("line", "cell"):
        for name in _MAGICS:
            table[kind].pop(name, None)
