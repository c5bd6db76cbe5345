"""Actor identities: UUIDs, random per spawn or derived from a stable name."""

from __future__ import annotations

import os
import random
import uuid
from typing import Any

# Namespace for ``ActorId.from_name``: the same name gives the same id in every process.
_NAMESPACE = uuid.UUID("6f1d3c1e-8a4b-5c2d-9e0f-a1b2c3d4e5f6")

# Fresh ids: random version-4 UUIDs from a private generator seeded by the OS (a user's
# ``random.seed()`` must not repeat ids; a forked child reseeds), kept as their 128-bit number:
# the ``UUID`` object is made on demand (``.uuid``, ``str``), so a spawn makes no UUID and an
# id is one small object for the garbage collector to track, not two.
_rng = random.Random()
if hasattr(os, "register_at_fork"):
    os.register_at_fork(after_in_child=_rng.seed)
_bits = _rng.getrandbits
_V4_MASK = ~((0xF000 << 64) | (0xC000 << 48))
_V4_BITS = (4 << 76) | (0x8000 << 48)
_new_obj = object.__new__


class ActorId:
    """The identity of an actor. Compares and hashes by its UUID; survives restarts."""

    __slots__ = ("_hash", "_int", "_uuid")
    _al_atom = True  # immutable: copying an actor's state shares it

    def __init__(self, value: uuid.UUID | str | ActorId) -> None:
        if isinstance(value, ActorId):
            value = value.uuid
        elif isinstance(value, str):
            try:
                value = uuid.UUID(value)
            except ValueError:
                raise ValueError(
                    f"{value!r} is not an actor id (a UUID string); "
                    f"use ActorId.from_name({value!r}) for a stable id derived from a name"
                ) from None
        self._uuid: uuid.UUID | None = value
        self._int: int = value.int
        self._hash = hash(self._int)  # ids key every registry: hash once

    @classmethod
    def new(cls) -> ActorId:
        """A fresh random id (what every plain spawn gets): a version-4 UUID."""
        return cls._of_int((_bits(128) & _V4_MASK) | _V4_BITS)

    @classmethod
    def _of_int(cls, n: int) -> ActorId:
        """The id whose UUID is the number ``n`` (no checks: ``n`` comes from an id)."""
        aid: ActorId = _new_obj(cls)
        aid._int = n
        aid._uuid = None
        aid._hash = hash(n)
        return aid

    @classmethod
    def from_name(cls, name: str) -> ActorId:
        """A stable id derived from ``name`` (UUIDv5), the same in every process."""
        if not isinstance(name, str) or not name:
            raise ValueError(f"ActorId.from_name needs a non-empty string, got {name!r}")
        return cls(uuid.uuid5(_NAMESPACE, name))

    @property
    def uuid(self) -> uuid.UUID:
        u = self._uuid
        if u is None:
            u = self._uuid = uuid.UUID(int=self._int)
        return u

    @property
    def short(self) -> str:
        """The first 8 hex digits, for display."""
        return f"{self._int:032x}"[:8]

    def __str__(self) -> str:
        h = f"{self._int:032x}"  # (what str(UUID) gives, without making the UUID)
        return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"

    def __repr__(self) -> str:
        return f"ActorId('{self}')"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, ActorId) and other._int == self._int

    def __hash__(self) -> int:
        return self._hash

    def __lt__(self, other: ActorId) -> bool:
        return self._int < other._int

    def __reduce__(self) -> tuple[Any, ...]:
        return (ActorId, (str(self),))

    def __copy__(self) -> ActorId:
        return self

    def __deepcopy__(self, memo: dict[int, Any]) -> ActorId:
        return self
