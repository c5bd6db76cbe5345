"""W6 adapter: runs the persistence engineer's ``bench.snapshots.run(quick)`` and checks its rows."""

from __future__ import annotations

import importlib
from typing import Any

from bench.common import Cases

ROW_KEYS = ("case", "impl", "save_ms", "load_ms", "bytes")


def available() -> bool:
    """Whether ``bench/snapshots.py`` exists yet."""
    return importlib.util.find_spec("bench.snapshots") is not None


def w6(size: dict[str, Any]) -> Cases:
    snapshots = importlib.import_module("bench.snapshots")
    rows = snapshots.run(bool(size["quick"]))
    if not isinstance(rows, list) or not rows:
        raise TypeError(f"bench.snapshots.run() returned no rows: {rows!r}")
    cases: Cases = {}
    for row in rows:
        missing = [k for k in ROW_KEYS if k not in row]
        if missing:
            raise KeyError(f"bench.snapshots row {row!r} lacks {missing}")
        key = f"{row['case']}|{row['impl']}"
        if key in cases:
            raise ValueError(f"bench.snapshots returned {key!r} twice")
        cases[key] = {k: float(row[k]) for k in ("save_ms", "load_ms", "bytes")}
    return cases
