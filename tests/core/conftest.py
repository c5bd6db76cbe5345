from __future__ import annotations

import contextlib

import pytest

import actorlab as al
from actorlab import runtime as rt_mod
from actorlab.runtime import current_actor
from actorlab.testing import al_clock, al_root  # noqa: F401  (fixtures)


@pytest.fixture(autouse=True)
def _fresh_runtime():
    """Every core test starts and ends without a runtime (a fresh one per test)."""
    al.shutdown(timeout=2.0)
    al.configure(ask_timeout=5.0)
    yield
    al.shutdown(timeout=2.0)
    al.configure(ask_timeout=5.0)


@pytest.fixture
def origins(monkeypatch):
    """Fake notebook-cell origins: sends from outside capture ``state["next"]``; ``state["in"]``
    is the token of the scope running now, and every scope entered is recorded."""
    state: dict = {"next": "cell-1", "in": None, "entered": []}

    @contextlib.contextmanager
    def enter(token):
        state["entered"].append((current_actor(), token))
        before, state["in"] = state["in"], token
        try:
            yield
        finally:
            state["in"] = before

    monkeypatch.setattr(rt_mod, "_origin_capture", lambda: state["next"])
    monkeypatch.setattr(rt_mod, "_origin_enter", enter)
    return state
