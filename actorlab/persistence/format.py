"""The snapshot envelope: magic, header length, JSON header, payload.

```
b"ACTORLAB-SNAPSHOT\\n" | uint32 big-endian header length | UTF-8 JSON header | payload
```
The header says who the snapshot belongs to and how it was written (Python, dill, whether the
payload carries code), and protects itself and the payload with SHA-256 digests and an
HMAC-SHA256 with the key in force (``keys``: this user's own key unless one is configured).
``read_header`` and ``verify`` never unpickle anything: every check (magic, format, truncation,
digests, HMAC, Python version when code is carried) happens before the payload reaches the
unpickler. ``sign`` re-signs a snapshot the user trusts, without unpickling it.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import json
import logging
import platform
import struct
import sys
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any

from actorlab.display import Displayable
from actorlab.errors import SnapshotError
from actorlab.ids import ActorId
from actorlab.persistence import keys, pickling

log = logging.getLogger("actorlab.persistence")

MAGIC = b"ACTORLAB-SNAPSHOT\n"
FORMAT_VERSION = 1
SERIALIZER = "pickle+dill"
_LEN = struct.Struct(">I")
_PREFIX = len(MAGIC) + _LEN.size
_MAX_HEADER = 1 << 24
_HMAC_CONTEXT = b"actorlab-snapshot-hmac-v1\n"

_USE_CONFIGURED = object()


def python_tag() -> str:
    """``cp311`` style: implementation and minor version, what bytecode compatibility needs."""
    impl = sys.implementation.name
    short = {"cpython": "cp", "pypy": "pp"}.get(impl, impl)
    return f"{short}{sys.version_info.major}{sys.version_info.minor}"


@functools.lru_cache(maxsize=1)
def _actorlab_version() -> str:
    try:
        from importlib.metadata import version

        return version("actorlab")
    except Exception:
        return "unknown"


@dataclass(frozen=True)
class SnapshotHeader(Displayable):
    """What a snapshot says about itself, readable without unpickling."""

    actor_id: str
    actor_class: str
    created: str
    python: str
    python_tag: str
    implementation: str
    dill: str
    contains_code: bool
    code: tuple[str, ...]
    anonymous_code: int
    requires: tuple[str, ...]
    payload_len: int
    payload_sha256: str
    signed: bool
    format: int
    raw: dict[str, Any]

    @property
    def size(self) -> int:
        """Total size of the snapshot in bytes."""
        return int(self.raw.get("_size", 0))

    @property
    def label(self) -> str:
        return f"{self.actor_class} (actor id {self.actor_id})"


    @classmethod
    def from_json(cls, h: dict[str, Any], size: int) -> SnapshotHeader:
        actor = h["actor"]
        return cls(
            actor_id=str(actor["id"]),
            actor_class=str(actor["class"]),
            created=str(h["created"]),
            python=str(h["python"]),
            python_tag=str(h["python_tag"]),
            implementation=str(h["implementation"]),
            dill=str(h["dill"]),
            contains_code=bool(h["contains_code"]),
            code=tuple(str(c) for c in h["code"]),
            anonymous_code=int(h["anonymous_code"]),
            requires=tuple(str(c) for c in h.get("requires", ())),
            payload_len=int(h["payload_len"]),
            payload_sha256=str(h["payload_sha256"]),
            signed="hmac" in h,
            format=int(h["format"]),
            raw={**h, "_size": size},
        )


def _canonical(h: dict[str, Any]) -> bytes:
    body = {k: v for k, v in h.items() if k not in ("header_sha256", "hmac")}
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode("utf-8")


def _mac(key: bytes, header_sha: str, payload_sha: str) -> str:
    msg = _HMAC_CONTEXT + header_sha.encode() + b"\n" + payload_sha.encode()
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


def encode(
    pickled: pickling.Pickled,
    *,
    actor_id: ActorId,
    actor_class: str,
    actor_path: str | None = None,
    key: Any = _USE_CONFIGURED,
) -> bytes:
    """Wrap a pickled payload in the envelope, signed with the key in force (``key=None``:
    unsigned, as actorlab before 0.2 wrote them; for tests and tools)."""
    signing_key: bytes | None = keys.current_key() if key is _USE_CONFIGURED else key
    payload = pickled.data
    header: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "created": datetime.now(timezone.utc).isoformat(timespec="milliseconds"),
        "actorlab": _actorlab_version(),
        "python": platform.python_version(),
        "python_tag": python_tag(),
        "implementation": sys.implementation.name,
        "serializer": SERIALIZER,
        "dill": pickling.dill_version(),
        "protocol": pickling.PROTOCOL,
        "recurse": True,
        "contains_code": pickled.contains_code,
        "code": list(pickled.code),
        "anonymous_code": pickled.anonymous_code,
        "requires": list(pickled.requires),
        "actor": {"id": str(actor_id), "class": actor_class, "path": actor_path},
        "payload_len": len(payload),
        "payload_sha256": hashlib.sha256(payload).hexdigest(),
    }
    header["header_sha256"] = hashlib.sha256(_canonical(header)).hexdigest()
    if signing_key is not None:
        header["hmac"] = _mac(signing_key, header["header_sha256"], header["payload_sha256"])
    head = json.dumps(header, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return b"".join((MAGIC, _LEN.pack(len(head)), head, payload))


def _who(actor_id: ActorId | str | None, source: str | None) -> str:
    parts = []
    if actor_id is not None:
        parts.append(f"actor id {actor_id}")
    if source:
        parts.append(source)
    return "snapshot of " + ", ".join(parts) if parts else "snapshot"


_FIX_CORRUPT = (
    "Fix: the snapshot was damaged or cut short (an interrupted copy, a full disk, a manual "
    "edit); delete it to start from the default args, or restore an older version "
    "(SQLiteStorage keeps every version: storage.versions(actor_id))."
)


def read_header(
    data: bytes, *, expected_id: ActorId | None = None, source: str | None = None
) -> SnapshotHeader:
    """Parse and check the header (magic, format, header digest). Never unpickles."""
    who = _who(expected_id, source)
    if not data.startswith(MAGIC):
        if MAGIC.startswith(data[: len(MAGIC)]):
            raise SnapshotError(
                f"{who}: the snapshot is truncated ({len(data)} bytes, not even a header). "
                + _FIX_CORRUPT
            )
        raise SnapshotError(
            f"{who}: not an actorlab snapshot (starts with {data[: len(MAGIC)]!r}, expected "
            f"{MAGIC!r}). Fix: point the storage at a directory/database written by actorlab; "
            "this data was written by something else (or is damaged): delete or move it."
        )
    if len(data) < _PREFIX:
        raise SnapshotError(f"{who}: the snapshot is truncated inside its header. " + _FIX_CORRUPT)
    (hlen,) = _LEN.unpack_from(data, len(MAGIC))
    if hlen > _MAX_HEADER:
        raise SnapshotError(
            f"{who}: corrupt header length ({hlen} bytes, at most {_MAX_HEADER}). " + _FIX_CORRUPT
        )
    if len(data) < _PREFIX + hlen:
        raise SnapshotError(
            f"{who}: the snapshot is truncated: its header needs {hlen} bytes, only "
            f"{len(data) - _PREFIX} are there. " + _FIX_CORRUPT
        )
    try:
        h = json.loads(data[_PREFIX : _PREFIX + hlen].decode("utf-8"))
        if not isinstance(h, dict):
            raise ValueError("the header is not a JSON object")
        fmt = h.get("format")
    except ValueError as e:
        raise SnapshotError(f"{who}: corrupt snapshot header ({e}). " + _FIX_CORRUPT) from None
    if fmt != FORMAT_VERSION:
        newer = isinstance(fmt, int) and fmt > FORMAT_VERSION
        raise SnapshotError(
            f"{who}: snapshot format {fmt!r} is not supported (this actorlab reads format "
            f"{FORMAT_VERSION}). "
            + ("Fix: upgrade actorlab to read it." if newer else _FIX_CORRUPT)
        )
    if hashlib.sha256(_canonical(h)).hexdigest() != h.get("header_sha256"):
        raise SnapshotError(
            f"{who}: corrupt snapshot header (its SHA-256 does not match). " + _FIX_CORRUPT
        )
    try:
        header = SnapshotHeader.from_json(h, len(data))
    except (KeyError, TypeError, ValueError) as e:
        raise SnapshotError(
            f"{who}: incomplete snapshot header (missing {e}). " + _FIX_CORRUPT
        ) from None
    if expected_id is not None and header.actor_id != str(expected_id):
        raise SnapshotError(
            f"{who}: the data stored under actor id {expected_id} is the snapshot of "
            f"{header.label}. Fix: the storage was written by hand or files were renamed; "
            f"respawn actor id {header.actor_id} instead, or delete the stray snapshot."
        )
    return header


@dataclass(frozen=True)
class Verified:
    """A snapshot that passed every check, ready to unpickle."""

    header: SnapshotHeader
    payload: bytes
    allow_code: bool
    """False when named code must resolve to current definitions (another Python version)."""


def _intact(
    data: bytes, expected_id: ActorId | None, source: str | None
) -> tuple[SnapshotHeader, str, bytes]:
    """Header and payload checks (truncation, digests): ``(header, who, payload)``."""
    header = read_header(data, expected_id=expected_id, source=source)
    who = f"snapshot of {header.label}" + (f", {source}" if source else "")
    start = _PREFIX + _LEN.unpack_from(data, len(MAGIC))[0]
    payload = data[start:]
    if len(payload) != header.payload_len:
        what = "truncated" if len(payload) < header.payload_len else "followed by extra bytes"
        raise SnapshotError(
            f"{who}: the payload is {what} ({len(payload)} bytes, the header says "
            f"{header.payload_len}). " + _FIX_CORRUPT
        )
    if hashlib.sha256(payload).hexdigest() != header.payload_sha256:
        raise SnapshotError(f"{who}: corrupt payload (SHA-256 mismatch). " + _FIX_CORRUPT)
    return header, who, payload


def verify(
    data: bytes,
    *,
    expected_id: ActorId | None = None,
    source: str | None = None,
    key: Any = _USE_CONFIGURED,
    trusted: bool = False,
) -> Verified:
    """Every check before unpickling: header, truncation, digest, HMAC, code compatibility.

    ``trusted=True`` skips the HMAC check only (the caller vouches for the source).
    """
    header, who, payload = _intact(data, expected_id, source)
    if not trusted:
        _check_hmac(header, who, keys.current_key() if key is _USE_CONFIGURED else key)
    missing = pickling.missing_code(header.requires)
    if missing:
        names = ", ".join(n.replace(":", ".") for n in missing)
        raise SnapshotError(
            f"{who}: the snapshot needs {names}, which this process does not define (enums "
            "defined in a notebook cell are saved by name, not copied). It was not unpickled. "
            "Fix: re-run the cell(s) that define them, then load it again."
        )
    return Verified(header, payload, _check_code(header, who))


def sign(
    data: bytes,
    *,
    expected_id: ActorId | None = None,
    source: str | None = None,
    key: Any = _USE_CONFIGURED,
) -> bytes:
    """``data`` signed with ``key`` (default: the key in force), whoever signed it before.

    Checks that the snapshot is intact (header, digests) but never unpickles it: signing says
    "I trust where this came from", which only the user can decide.
    """
    header, _, payload = _intact(data, expected_id, source)
    h = {k: v for k, v in header.raw.items() if k != "_size"}
    signing_key: bytes = keys.current_key() if key is _USE_CONFIGURED else key
    h["hmac"] = _mac(signing_key, str(h["header_sha256"]), header.payload_sha256)
    head = json.dumps(h, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return b"".join((MAGIC, _LEN.pack(len(head)), head, payload))


_FIX_TRUST = (
    "Unpickling a snapshot runs its code, so only snapshots signed with your key are loaded. "
    "Fix: if you trust where it came from, sign it with your key: "
    "al.trust_snapshot(storage, actor_id), then load it again"
)


def _check_hmac(header: SnapshotHeader, who: str, key: bytes | None) -> None:
    if key is None:
        return  # an explicit key=None (tools and tests): unsigned reading
    stored = header.raw.get("hmac")
    if stored is None:
        raise SnapshotError(
            f"{who}: the snapshot is not signed (written by actorlab before snapshots were "
            f"signed by default, or by a tool), so it cannot be trusted; it was not unpickled. "
            f"{_FIX_TRUST}."
        )
    expected = _mac(key, str(header.raw["header_sha256"]), header.payload_sha256)
    if not hmac.compare_digest(expected, str(stored)):
        raise SnapshotError(
            f"{who}: HMAC mismatch: its signature does not match {keys.source()}: it was written "
            "by another user or machine, signed with another key, or modified after it was written; "
            f"it was not unpickled. {_FIX_TRUST}; for a store shared with others or CI, use the "
            f"key it was written with everywhere: al.configure(snapshot_key=...) or "
            f"${keys.ENV_VAR}. If it was tampered with, delete it."
        )


def _check_code(header: SnapshotHeader, who: str) -> bool:
    """May by-value code be unpickled? Refuse when it would be bytecode of another Python."""
    here = python_tag()
    if not header.contains_code or header.python_tag == here:
        if header.contains_code and _minor(header.dill) != _minor(pickling.dill_version()):
            log.warning(
                "%s: written with dill %s, this is dill %s; by-value code may not load",
                who,
                header.dill,
                pickling.dill_version(),
            )
        return True
    missing = pickling.missing_code(header.code)
    if header.anonymous_code == 0 and not missing:
        return False  # every class/function resolves to a current definition: no bytecode
    what = ", ".join(missing) if missing else ""
    if header.anonymous_code:
        what += (", " if what else "") + f"{header.anonymous_code} lambda(s)/closure(s)"
    raise SnapshotError(
        f"{who}: the snapshot carries code pickled by value ({what}) written by "
        f"{header.implementation} {header.python} ({header.python_tag}); this is "
        f"{sys.implementation.name} {platform.python_version()} ({here}). Bytecode does not "
        "survive a Python version change (it crashes or misbehaves), so it was not unpickled. "
        f"Fix: load it with Python {header.python}; or define the named classes/functions "
        "again (re-run the cells) so the current definitions are used, and keep lambdas and "
        "closures out of saved state (use module-level functions)."
    )


def _minor(version: str) -> str:
    return ".".join(version.split(".")[:2])
