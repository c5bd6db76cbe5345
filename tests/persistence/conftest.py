from __future__ import annotations

from actorlab.testing import al_root  # noqa: F401  (fixture: a fresh runtime per test)
