"""The IPython-facing layer: output routing into cells, and the ``%actor`` magics.

``install()`` is called from ``actorlab/__init__.py``; it imports nothing from IPython itself:
the kernel bridge activates when a runtime starts inside an ipykernel process, and the magics
load on ``%load_ext actorlab``.
"""

from __future__ import annotations

import sys

from actorlab import runtime


def _route_output_if_in_kernel() -> None:
    if "ipykernel" in sys.modules and not runtime.has_origin_hooks():
        from . import kernel_bridge

        kernel_bridge.install()


def install() -> None:
    """Hook the notebook layer into the core (idempotent)."""
    runtime.add_start_hook(_route_output_if_in_kernel)
