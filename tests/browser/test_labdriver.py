"""What happens without Chromium: a skip on a developer's machine, a failure under CI."""

from __future__ import annotations

import pytest
from labdriver import require_browser


def test_missing_browser_skips_locally(monkeypatch):
    monkeypatch.delenv("CI", raising=False)
    require_browser(True, "present: nothing happens")
    with pytest.raises(pytest.skip.Exception, match="needs chromium"):
        require_browser(False, "needs chromium")


def test_missing_browser_fails_under_ci(monkeypatch):
    monkeypatch.setenv("CI", "true")
    with pytest.raises(pytest.fail.Exception, match="needs chromium; CI is set"):
        require_browser(False, "needs chromium")
