"""Fixtures shared by every test directory. Stdlib + pytest only at import time: the core tests
also run in a venv without the notebook stack (make test-core-313)."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """`test-artifacts/` at the repo root (gitignored; CI keeps it): screenshots and the like."""
    path = REPO / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


@pytest.fixture
def kernel_session(tmp_path):
    """A real kernel (this venv's python) working in `tmp_path`; shut down after the test.

    Mark the test `@pytest.mark.kernel`. See tests/notebook_utils.py for the session API.
    """
    from notebook_utils import KernelSession

    with KernelSession(tmp_path) as session:
        yield session


def pytest_collection_modifyitems(config, items):
    """Run the browser tests last: Playwright's sync API keeps an asyncio loop running in the
    main thread while its session-scoped fixtures live, which would break later tests that
    call asyncio.run()."""
    items.sort(key=lambda item: item.get_closest_marker("browser") is not None)


@pytest.fixture(autouse=True, scope="session")
def _snapshot_key_out_of_home(tmp_path_factory):
    """Snapshots are signed with a per-user key created on first use: keep it out of the real
    home (kernels and subprocesses inherit the variable). tests/persistence uses one per test."""
    import os

    if "ACTORLAB_DATA_DIR" in os.environ:
        yield
        return
    os.environ["ACTORLAB_DATA_DIR"] = str(tmp_path_factory.mktemp("actorlab-data"))
    yield
    os.environ.pop("ACTORLAB_DATA_DIR", None)
