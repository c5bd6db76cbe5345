from __future__ import annotations

import pytest

import actorlab as al
from actorlab.testing import al_root  # noqa: F401  (fixture)


@pytest.fixture(autouse=True)
def _fresh_runtime():
    """Every dashboard test starts and ends without a runtime (a fresh one per test)."""
    al.shutdown(timeout=2.0)
    yield
    al.shutdown(timeout=2.0)


@pytest.fixture
def open_dashboards():
    """Dashboards made by a test are closed afterwards, even when it fails."""
    made = []

    def make(**options):
        d = al.dashboard(**options)
        made.append(d)
        return d

    yield make
    for d in made:
        d.close()
