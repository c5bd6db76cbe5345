"""The snapshot signing key: every snapshot is signed (HMAC-SHA256), as Jupyter signs notebooks.

The key in force, first found:
1. ``al.configure(snapshot_key=...)`` (a key shared by a team store or CI);
2. the ``$ACTORLAB_SNAPSHOT_KEY`` environment variable;
3. this user's own key, created on first use in the actorlab data directory (``snapshot_key``,
   mode 0600): ``$ACTORLAB_DATA_DIR``, else ``$XDG_DATA_HOME/actorlab`` or
   ``~/.local/share/actorlab`` (Linux), ``~/Library/Application Support/actorlab`` (macOS),
   ``%APPDATA%\\actorlab`` (Windows).

A snapshot whose HMAC does not match the key in force (another user's, an older actorlab's, a
tampered file) is refused before anything is unpickled; ``al.trust_snapshot`` signs one the user
has decided to trust.
"""

from __future__ import annotations

import logging
import os
import secrets
import sys
import threading
from collections.abc import Mapping
from pathlib import Path, PurePath, PurePosixPath, PureWindowsPath

from actorlab.config import settings
from actorlab.errors import SnapshotError

ENV_VAR = "ACTORLAB_SNAPSHOT_KEY"
DATA_DIR_VAR = "ACTORLAB_DATA_DIR"
KEY_FILE = "snapshot_key"

log = logging.getLogger("actorlab.persistence")

_cache: dict[Path, bytes] = {}
_lock = threading.Lock()


def data_dir() -> Path:
    """actorlab's per-user data directory (where the snapshot key lives)."""
    explicit = os.environ.get(DATA_DIR_VAR)
    if explicit:
        return Path(explicit).expanduser()
    return Path(platform_data_dir(str(Path.home()), sys.platform, os.environ))


def platform_data_dir(home: str, platform: str, env: Mapping[str, str]) -> PurePath:
    """The platform's per-user data directory for actorlab (as Jupyter's ``jupyter_data_dir``)."""
    if platform == "darwin":
        return PurePosixPath(home, "Library", "Application Support", "actorlab")
    if platform == "win32":
        appdata = env.get("APPDATA")
        base = PureWindowsPath(appdata) if appdata else PureWindowsPath(home, "AppData", "Roaming")
        return base / "actorlab"
    xdg = env.get("XDG_DATA_HOME")
    return PurePosixPath(xdg if xdg else PurePosixPath(home, ".local", "share"), "actorlab")


def key_path() -> Path:
    """Where this user's snapshot key is kept."""
    return data_dir() / KEY_FILE


def source() -> str:
    """Where the key in force comes from, for error messages."""
    if settings().snapshot_key:
        return "al.configure(snapshot_key=...)"
    if os.environ.get(ENV_VAR):
        return f"${ENV_VAR}"
    return f"your snapshot key ({key_path()})"


def current_key() -> bytes:
    """The key in force: configured, else the environment variable, else this user's key."""
    key = settings().snapshot_key
    if key:
        return key
    env = os.environ.get(ENV_VAR)
    if env:
        return env.encode("utf-8")
    return user_key()


def user_key() -> bytes:
    """This user's key, read from ``key_path()`` or created there on first use (mode 0600)."""
    path = key_path()
    with _lock:
        cached = _cache.get(path)
        if cached is None:
            cached = _cache[path] = _read_or_create(path)
        return cached


def _read_or_create(path: Path) -> bytes:
    try:
        return _read(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise _unusable(path, "read", exc) from exc
    try:
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        _create(path)
    except FileExistsError:
        pass  # another process created it first: use theirs
    except OSError as exc:
        raise _unusable(path, "create", exc) from exc
    else:
        log.info("created the snapshot signing key %s (keep it private)", path)
    return _read(path)


def _unusable(path: Path, what: str, exc: OSError) -> SnapshotError:
    return SnapshotError(
        f"cannot {what} the snapshot signing key {path} ({type(exc).__name__}: {exc}). "
        f"Fix: set ${DATA_DIR_VAR} to a writable directory of yours, or give a key with "
        f"al.configure(snapshot_key=...) or ${ENV_VAR}"
    )


def _create(path: Path) -> None:
    """Write a new random key atomically: complete or absent, never overwriting another."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(secrets.token_hex(32) + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)  # FileExistsError if another process won the race
        except FileExistsError:
            raise
        except OSError:  # no hard links here (some network/Windows filesystems)
            _create_in_place(path)
    finally:
        tmp.unlink(missing_ok=True)


def _create_in_place(path: Path) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as f:
        f.write(secrets.token_hex(32) + "\n")


def _read(path: Path) -> bytes:
    text = path.read_text(encoding="utf-8").strip()
    if not text:
        raise SnapshotError(
            f"the snapshot signing key {path} is empty. Fix: delete it (a new one is created; "
            "snapshots signed with the old one then need al.trust_snapshot), or restore it"
        )
    if os.name == "posix" and path.stat().st_mode & 0o077:
        log.warning(
            "the snapshot signing key %s is readable by other users: anyone who can read it can "
            "make snapshots that run code as you. Fix: chmod 600 %s",
            path,
            path,
        )
    return text.encode("utf-8")
