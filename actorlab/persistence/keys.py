"""The snapshot signing key: ``al.configure(snapshot_key=...)``, else ``$ACTORLAB_SNAPSHOT_KEY``.

With a key, every snapshot written carries an HMAC-SHA256 and every snapshot read must carry a
valid one: tampering is detected before anything is unpickled.
"""

from __future__ import annotations

import os

from actorlab.config import settings

ENV_VAR = "ACTORLAB_SNAPSHOT_KEY"


def current_key() -> bytes | None:
    """The key in force: the configured one if set, else the environment variable, else None."""
    key = settings().snapshot_key
    if key:
        return key
    env = os.environ.get(ENV_VAR)
    return env.encode("utf-8") if env else None
