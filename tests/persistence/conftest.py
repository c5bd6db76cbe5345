from __future__ import annotations

import pytest

import actorlab as al
from actorlab.testing import al_root  # noqa: F401  (fixture: a fresh runtime per test)


@pytest.fixture(autouse=True)
def snapshot_data_dir(tmp_path_factory, monkeypatch):
    """This user's snapshot key lives in a fresh temporary data dir, never in the real home
    (subprocesses and kernels started by the test inherit it); no key is configured."""
    data = tmp_path_factory.mktemp("actorlab-data")
    monkeypatch.setenv("ACTORLAB_DATA_DIR", str(data))
    monkeypatch.delenv("ACTORLAB_SNAPSHOT_KEY", raising=False)
    monkeypatch.setattr(al.settings(), "snapshot_key", None)
    return data
