"""``al.Remote``: where an actor should run on a cluster."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Remote:
    """Run the actor in a node runtime of the connected cluster (``al.cluster.connect()``).

    ``node``: a node id (``cluster.nodes()``) to pin it to; None lets the cluster choose (the
    node runtime with the fewest actors). ``resources``: Ray resources the node runtime needs,
    e.g. ``{"GPU": 1}``; actors with the same resources share a node runtime. Many actors share
    one node runtime (a Ray worker process), each with its own mailbox, one message at a time.
    """

    node: str | None = None
    resources: dict[str, float] | None = None

    def __post_init__(self) -> None:
        if self.node is not None and not isinstance(self.node, str):
            raise TypeError(f"al.Remote(node=...) takes a node id string, got {self.node!r}")
        if self.resources is not None and not (
            isinstance(self.resources, dict)
            and all(isinstance(k, str) and isinstance(v, (int, float)) for k, v in self.resources.items())
        ):
            raise TypeError(
                f"al.Remote(resources=...) takes a dict of resource name -> amount, e.g. "
                f'{{"CPU": 1}}, got {self.resources!r}'
            )

    def key(self) -> tuple[Any, ...]:
        """Which node runtime: actors with equal keys share one."""
        return (self.node, tuple(sorted((self.resources or {}).items())))
