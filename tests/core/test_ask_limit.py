"""How long an ask waits (``ref._ask_limit``): the configured default is taken as checked by
``al.configure``; an explicit timeout is checked on each call."""

from __future__ import annotations

import math

import pytest

import actorlab as al
from actorlab.ref import _ask_limit


def test_the_configured_default_and_no_limit() -> None:
    before = al.settings().ask_timeout
    try:
        al.configure(ask_timeout=0.25)
        assert _ask_limit(None) == 0.25
        al.configure(ask_timeout=math.inf)
        assert _ask_limit(None) is None  # math.inf: wait without limit
    finally:
        al.configure(ask_timeout=before)


def test_an_explicit_timeout_is_checked() -> None:
    assert _ask_limit(2) == 2.0
    assert _ask_limit(math.inf) is None
    with pytest.raises(TypeError):
        _ask_limit("5")  # type: ignore[arg-type]
    with pytest.raises(ValueError):
        _ask_limit(0)
