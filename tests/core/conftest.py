from __future__ import annotations

import pytest

import actorlab as al
from actorlab.testing import al_clock, al_root  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def _fresh_runtime():
    """Every core test starts and ends without a runtime (a fresh one per test)."""
    al.shutdown(timeout=2.0)
    al.configure(ask_timeout=5.0)
    yield
    al.shutdown(timeout=2.0)
    al.configure(ask_timeout=5.0)
