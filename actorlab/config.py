"""Process-wide settings: ``al.configure(ask_timeout=..., ...)``."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from . import timeouts as _timeouts


@dataclass
class Settings:
    """Current settings. Change them with ``al.configure``; read them with ``al.settings()``."""

    #: Default timeout of ``ask``/``ask_sync`` in seconds (theta has none; a notebook needs one).
    ask_timeout: float = 5.0
    #: How long ``al.shutdown()`` waits for actors to stop before cancelling them.
    shutdown_timeout: float = 5.0
    #: Capacity of the event ring (``al.events()``).
    event_capacity: int = 10_000
    #: Capacity of the dead-letter list (``al.dead_letters()``).
    dead_letter_capacity: int = 1_000
    #: HMAC key that signs snapshots (else $ACTORLAB_SNAPSHOT_KEY, else this user's own key,
    #: created on first use in the actorlab data dir; see actorlab.persistence.keys).
    snapshot_key: bytes | None = None
    #: Live code: defining an actor class again upgrades its live actors in place (``al.upgrade``).
    live_upgrade: bool = True


_settings = Settings()


def settings() -> Settings:
    """The settings in force."""
    return _settings


def configure(**changes: Any) -> Settings:
    """Change settings, e.g. ``al.configure(ask_timeout=10)``; returns the new settings."""
    fields = {f.name: f for f in dataclasses.fields(Settings)}
    for key, value in changes.items():
        if key not in fields:
            raise TypeError(
                f"al.configure() got an unknown setting {key!r}; "
                f"the settings are: {', '.join(sorted(fields))}"
            )
        if key in ("ask_timeout", "shutdown_timeout"):  # math.inf: no limit
            _timeouts.timeout(value, key, "al.configure(): ")
            value = float(value)
        elif key in ("event_capacity", "dead_letter_capacity"):
            if not isinstance(value, int) or value <= 0:
                raise ValueError(f"al.configure({key}=...) needs a positive int, got {value!r}")
        elif key == "live_upgrade":
            if not isinstance(value, bool):
                raise ValueError(f"al.configure(live_upgrade=...) needs True or False, got {value!r}")
        elif key == "snapshot_key" and value is not None:
            if isinstance(value, str):
                value = value.encode()
            if not isinstance(value, bytes) or not value:
                raise ValueError("al.configure(snapshot_key=...) needs non-empty bytes or str")
        setattr(_settings, key, value)
    return _settings
