"""The IPython-facing layer: output routing into cells (``kernel_bridge``) and the ``%actor``
magics.

``install()`` is called from ``actorlab/__init__.py``; importing this package imports nothing
from IPython: the kernel bridge activates when a runtime starts inside an ipykernel process, and
the magics load on ``%load_ext actorlab``.
"""

from __future__ import annotations

import sys
from typing import Any

from actorlab import runtime

_MAGICS = ("actor", "actors")


def _route_output_if_in_kernel() -> None:
    if "ipykernel" in sys.modules and not runtime.has_origin_hooks():
        from . import kernel_bridge

        kernel_bridge.install()


def install() -> None:
    """Hook the notebook layer into the core (idempotent)."""
    runtime.add_start_hook(_route_output_if_in_kernel)


def load_ipython_extension(ipython: Any) -> None:
    """Register the magics on ``ipython`` and route actor output into cells (in a kernel)."""
    from . import kernel_bridge
    from .actor_magics import ActorMagics

    ipython.register_magics(ActorMagics(ipython))
    kernel_bridge.install()


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext actorlab``: remove the magics (actors keep running)."""
    table = ipython.magics_manager.magics
    for kind in ("line", "cell"):
        for name in _MAGICS:
            table[kind].pop(name, None)
