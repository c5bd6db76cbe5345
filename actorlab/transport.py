"""Hooks for actors that live in other processes: the core asks, the cluster layer answers.

A core hook (like the clock and the scheduler): with no transport installed (the default) every
actor is local and none of this costs anything. ``actorlab.cluster`` installs one on
``connect()``; the core then uses it where an actor may be elsewhere:

- ``spawn(..., placement=...)`` hands the spawn to ``transport.spawn``;
- a ref pickled here carries ``transport.home`` (this process's address), and a ref unpickled
  here whose actor is not local is resolved by ``transport.resolve``;
- ``al.lookup`` asks ``transport.lookup`` for names bound elsewhere;
- ``al.inspect`` adds ``transport.infos()`` (the actors of other processes);
- ``al.shutdown`` calls ``transport.shutdown`` (top-level actors started elsewhere stop too);
- ``root.save_snapshot(ref)`` of an actor elsewhere runs ``transport.save_snapshot`` where it
  lives, and ``spawn_persistent``/``respawn``/``respawn_or`` with ``placement=...`` hand the
  decoded args to ``transport.spawn_persistent``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    import concurrent.futures

    from .ids import ActorId
    from .info import ActorInfo
    from .persistence.format import SnapshotHeader
    from .ref import ActorRef


class Transport(Protocol):
    home: str | None  # this process's address, for refs pickled here

    def spawn(self, parent: Any, args: Any, name: str | None, placement: Any) -> ActorRef[Any]:
        """Start an actor where ``placement`` says; ``parent`` is the spawning cell (or root)."""
        ...

    def resolve(self, actor_id: ActorId, home: str, class_key: Any) -> ActorRef[Any] | None:
        """A ref to the actor ``actor_id`` living at ``home``."""
        ...

    def lookup(self, name: str) -> ActorRef[Any] | None:
        """The actor bound to ``name`` in another process, or None."""
        ...

    def infos(self) -> list[ActorInfo]:
        """The actors living in other processes."""
        ...

    def shutdown(self, timeout: float | None) -> None:
        """``al.shutdown()``: stop the top-level actors this process started elsewhere."""
        ...

    def save_snapshot(
        self, ref: ActorRef[Any], storage: Any
    ) -> concurrent.futures.Future[SnapshotHeader] | None:
        """Start saving the actor behind ``ref`` where it lives; None if it lives here."""
        ...

    def spawn_persistent(
        self,
        parent: Any,
        args: Any,
        name: str | None,
        placement: Any,
        actor_id: ActorId,
        storage: Any,
        autosave: Any,
    ) -> ActorRef[Any]:
        """``spawn`` with a fixed id, the storage ``ctx.save_snapshot()`` uses, and autosave."""
        ...


_transport: Transport | None = None


def set_transport(transport: Transport | None) -> None:
    """Install (or, with None, remove) the transport to other processes."""
    global _transport
    _transport = transport


def get_transport() -> Transport | None:
    return _transport
