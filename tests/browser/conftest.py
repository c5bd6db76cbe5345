"""Browser fixtures: one JupyterLab and one headless Chromium per test session.

Without /usr/bin/chromium (or the playwright package) the browser tests are skipped, except when
the CI environment variable is set: CI installs Chromium (.ci/run), so there they fail instead.
Never `playwright install`: Playwright drives Debian's Chromium through `executable_path`.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
from pathlib import Path

import pytest
from labdriver import (
    CHROMIUM,
    CHROMIUM_FLAGS,
    VIEWPORT,
    LabServer,
    require_browser,
    save_screenshot,
)

HERE = Path(__file__).resolve().parent
# Copied into the server root: tests' own notebooks as fixtures/, the tutorials as notebooks/.
FIXTURES = [HERE / "fixtures", HERE.parents[1] / "notebooks"]


@pytest.fixture(scope="session")
def chromium() -> Path:
    require_browser(os.access(CHROMIUM, os.X_OK), f"browser tests need Debian's {CHROMIUM}")
    require_browser(bool(importlib.util.find_spec("playwright")), "browser tests need `playwright`")
    return CHROMIUM


@pytest.fixture(scope="session")
def lab(chromium, tmp_path_factory, artifacts_dir):
    """A running JupyterLab; `lab.root` is its temp root, `lab.add_notebook()` writes into it."""
    server = LabServer(tmp_path_factory.mktemp("jupyterlab"), [p for p in FIXTURES if p.exists()])
    server.start()
    yield server
    server.stop()
    shutil.copy(server.log_path, artifacts_dir / "jupyterlab.log")


@pytest.fixture(scope="session")
def browser_context(chromium, tmp_path_factory):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        context = playwright.chromium.launch_persistent_context(
            str(tmp_path_factory.mktemp("chromium-profile")),
            executable_path=str(chromium),
            headless=True,
            args=CHROMIUM_FLAGS,
            viewport=VIEWPORT,
        )
        yield context
        context.close()


@pytest.fixture
def page(browser_context, lab, request, artifacts_dir):
    """A fresh tab; a screenshot lands in test-artifacts/ if the test fails. The kernels the
    test started are shut down afterwards, so no test's actors run on into the next one."""
    page = browser_context.new_page()
    yield page
    report = getattr(request.node, "rep_call", None)
    if report is not None and report.failed:
        save_screenshot(page, artifacts_dir, f"FAILED-{request.node.name}")
    page.close()
    lab.shutdown_kernels()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.rep_call = report
    return report
