"""Drive a real JupyterLab (started on 127.0.0.1 by the tests) from headless Debian Chromium.

`LabServer` runs `python -m jupyterlab` on a temp root with its own config, settings and
workspaces (no news toast, no update check, no virtualised notebook) and stops it with its kernels.
`run_notebook(page, lab, name)` opens a notebook, runs all cells and waits until the kernel is idle
with every code cell executed. See jupyter-integration.md §3.5 for the recipe this follows.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest
from notebook_utils import write_notebook

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VIEWPORT = {"width": 1280, "height": 1000}
# Lab user settings, written into a private JUPYTERLAB_SETTINGS_DIR.
SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false"},
    # Every cell stays in the DOM (no virtual scrolling), so tests find every output.
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}
WIDGET_ERROR = "Error displaying widget"

PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"  # the notebook tab in front
# JavaScript run in the page through `window.jupyterapp` (--LabApp.expose_app_in_browser), as
# Galata drives Lab. Clicking Run > Run All Cells once the toolbar showed "idle" silently ran
# nothing in 3 of 12 openings here; waiting for the kernel connection itself fixed it.
_FIND = "[...(window.jupyterapp?.shell.widgets('main') ?? [])].find(w => w.context?.path === name)"
_KERNEL_READY = f"""(name) => {{
  const kernel = {_FIND}?.sessionContext.session?.kernel;
  return kernel?.connectionStatus === 'connected' && kernel.status === 'idle';
}}"""
_RUN_ALL = f"""async (name) => {{
  const panel = {_FIND};
  await panel.sessionContext.ready;
  window.jupyterapp.shell.activateById(panel.id);
  await window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs');
  window.jupyterapp.commands.execute('notebook:run-all-cells');  // not awaited: polled below
}}"""
# {errors: [...]} once the kernel is idle and every code cell ran or one failed; else false.
_RUN_STATE = f"""(name) => {{
  const panel = {_FIND};
  if (panel?.sessionContext.session?.kernel?.status !== 'idle') return false;
  const cells = panel.content.widgets.filter(c => c.model.type === 'code');
  const errors = cells.flatMap(c => c.model.outputs.toJSON())
    .filter(o => o.output_type === 'error').map(o => `${{o.ename}}: ${{o.evalue}}`);
  return errors.length || cells.every(c => c.model.executionCount !== null) ? {{errors}} : false;
}}"""


class LabServer:
    """A JupyterLab server on 127.0.0.1:<free port> with a token, rooted at `home/root`."""

    def __init__(self, home: Path, fixtures: Iterable[Path] = ()):
        self.home = home
        self.root = home / "root"
        self.token = secrets.token_hex(16)
        self.port = 0
        self.log_path = home / "lab.log"
        self.proc: subprocess.Popen | None = None
        self.root.mkdir(parents=True)
        for src in fixtures:
            copy = shutil.copytree if src.is_dir() else shutil.copy2
            copy(src, self.root / src.name)

    def url(self, path: str = "lab") -> str:
        sep = "&" if "?" in path else "?"
        return f"http://127.0.0.1:{self.port}/{path}{sep}token={self.token}"

    def add_notebook(self, name: str, cells: Iterable[str | tuple[str, Sequence[str]]]) -> Path:
        """Write a notebook of code cells (for this venv's kernel) into the server's root."""
        return write_notebook(self.root / name, cells)

    def start(self, timeout: float = 60) -> None:
        env = dict(os.environ)
        for var, sub in [
            ("JUPYTER_CONFIG_DIR", "config"),
            ("JUPYTER_RUNTIME_DIR", "runtime"),
            ("JUPYTER_DATA_DIR", "data"),
            ("JUPYTERLAB_SETTINGS_DIR", "settings"),
            ("JUPYTERLAB_WORKSPACES_DIR", "workspaces"),
        ]:
            env[var] = str(self.home / sub)
        for plugin, values in SETTINGS.items():
            path = self.home / "settings" / f"{plugin}.jupyterlab-settings"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(json.dumps(values))
        for attempt in range(3):  # a free port may be taken between probing and binding
            self.port = _free_port()
            with self.log_path.open("w") as log:
                self.proc = subprocess.Popen(
                    self._command(), env=env, stdout=log, stderr=subprocess.STDOUT, cwd=self.home
                )
            if self._wait_ready(timeout):
                return
            if attempt == 2 or "already in use" not in self.log():
                break
        self.stop()
        raise RuntimeError(f"JupyterLab did not start within {timeout} s:\n{self.log()[-3000:]}")

    def _command(self) -> list[str]:
        return [
            sys.executable, "-m", "jupyterlab",
            "--allow-root", "--no-browser", "--ip=127.0.0.1", f"--port={self.port}",
            "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            f"--ServerApp.root_dir={self.root}",
            "--ServerApp.terminals_enabled=False",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.extension_manager=readonly",
            "--LabApp.expose_app_in_browser=True",
            # Notebook 7 (when installed) is served by the same server under /tree, /notebooks.
            "--JupyterNotebookApp.expose_app_in_browser=True",
        ]  # fmt: skip

    def _wait_ready(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and self.proc.poll() is None:
            try:
                with urllib.request.urlopen(self.url("api/status"), timeout=2) as response:
                    if response.status == 200:
                        return True
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.1)  # polling the HTTP endpoint against a deadline
        return False

    def shutdown_kernels(self) -> None:
        """End every notebook session and its kernel (what a test opened)."""
        with urllib.request.urlopen(self.url("api/sessions"), timeout=10) as response:
            sessions = json.load(response)
        for session in sessions:
            request = urllib.request.Request(
                self.url(f"api/sessions/{session['id']}"), method="DELETE"
            )
            urllib.request.urlopen(request, timeout=30).close()

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def stop(self, timeout: float = 20) -> None:
        """Ask the server to shut down (it stops its kernels), then make sure it is gone."""
        proc, self.proc = self.proc, None
        if proc is None or proc.poll() is not None:
            return
        try:
            request = urllib.request.Request(self.url("api/shutdown"), method="POST")
            urllib.request.urlopen(request, timeout=5).close()
            proc.wait(timeout)
        except (OSError, subprocess.TimeoutExpired):
            proc.terminate()
            try:
                proc.wait(timeout)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def require_browser(ok: bool, missing: str) -> None:
    """Skip when a browser prerequisite is `missing`, but fail under CI (it installs them)."""
    if ok:
        return
    if os.environ.get("CI"):
        pytest.fail(f"{missing}; CI is set, so the browser tests must run (.ci/run installs it)")
    pytest.skip(f"{missing} (apt-get install chromium; never `playwright install`)")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def run_notebook(page, lab: LabServer, name: str, timeout: float = 60):
    """Open `name` (relative to the server root) in Lab, clear it, Run All Cells, and wait until
    the kernel is idle with every code cell executed; a cell error fails at once. Returns the page.
    """
    page.goto(lab.url(f"lab/tree/{name}?reset"))  # reset: only this notebook, no restored tabs
    page.wait_for_function(_KERNEL_READY, arg=name, timeout=60_000)
    page.evaluate(_RUN_ALL, name)
    try:
        state = page.wait_for_function(_RUN_STATE, arg=name, timeout=timeout * 1000).json_value()
    except Exception as exc:
        raise AssertionError(f"{name}: cells still running after {timeout} s") from exc
    assert not state["errors"], f"{name}: a cell failed in JupyterLab: {state['errors']}"
    return page


def run_notebook7(page, lab: LabServer, name: str, timeout: float = 60):
    """`run_notebook` in Notebook 7 (``/notebooks/<name>``); skips if Notebook 7 is missing."""
    import importlib.util

    if importlib.util.find_spec("notebook") is None:
        pytest.skip("Notebook 7 is not installed (pip install 'notebook>=7')")
    page.goto(lab.url(f"notebooks/{name}"))
    page.wait_for_function(_KERNEL_READY, arg=name, timeout=60_000)
    page.evaluate(_RUN_ALL, name)
    try:
        state = page.wait_for_function(_RUN_STATE, arg=name, timeout=timeout * 1000).json_value()
    except Exception as exc:
        raise AssertionError(f"{name}: cells still running after {timeout} s (Notebook 7)") from exc
    assert not state["errors"], f"{name}: a cell failed in Notebook 7: {state['errors']}"
    return page


def widget_errors(page) -> int:
    """How many "Error displaying widget" placeholders the page shows."""
    return page.get_by_text(WIDGET_ERROR).count()


def save_screenshot(page, artifacts: Path, name: str) -> Path:
    path = artifacts / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path
