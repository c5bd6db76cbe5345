"""Every refusal of the snapshot envelope, word for word, and every decision of the header
checks: what the user reads is part of the contract (and mutation testing sees it)."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import struct
from importlib.metadata import version

import pytest

import actorlab as al
from actorlab.persistence import codec, format, keys, pickling
from actorlab.persistence.format import MAGIC

AID = al.ActorId.from_name("counter")
OTHER = al.ActorId.from_name("other")
SRC = "Store('x')"
FIX = (
    "Fix: the snapshot was damaged or cut short (an interrupted copy, a full disk, a manual "
    "edit); delete it to start from the default args, or restore an older version "
    "(SQLiteStorage keeps every version: storage.versions(actor_id))."
)
WHO = f"snapshot of actor id {AID}, {SRC}"
WHO_CLASS = f"snapshot of t.Counter (actor id {AID}), {SRC}"


def split(data: bytes) -> tuple[dict, bytes]:
    (n,) = struct.unpack_from(">I", data, len(MAGIC))
    start = len(MAGIC) + 4
    return json.loads(data[start : start + n]), data[start + n :]


def join(header: dict, payload: bytes) -> bytes:
    head = json.dumps(header).encode()
    return MAGIC + struct.pack(">I", len(head)) + head + payload


def rehashed(header: dict) -> dict:
    header = dict(header)
    header["header_sha256"] = hashlib.sha256(format._canonical(header)).hexdigest()
    return header


@pytest.fixture
def snap() -> bytes:
    return codec.dump({"n": 1}, actor_id=AID, actor_class="t.Counter")


def message(data: bytes, expected_id: al.ActorId = AID) -> str:
    with pytest.raises(al.SnapshotError) as info:
        codec.load(data, expected_id=expected_id, source=SRC)
    return str(info.value)


def test_not_an_actorlab_snapshot(snap):
    assert message(b"GARBAGE-SNAPSHOT!\n" + snap[len(MAGIC) :]) == (
        f"{WHO}: not an actorlab snapshot (starts with b'GARBAGE-SNAPSHOT!\\n', expected "
        "b'ACTORLAB-SNAPSHOT\\n'). Fix: point the storage at a directory/database written by "
        "actorlab; this data was written by something else (or is damaged): delete or move it."
    )


def test_who_names_what_is_known():
    with pytest.raises(al.SnapshotError, match=r"^snapshot: not an actorlab snapshot"):
        format.read_header(b"junk")
    with pytest.raises(al.SnapshotError, match=r"^snapshot of Store\('x'\): not an actorlab"):
        format.read_header(b"junk", source=SRC)


@pytest.mark.parametrize(
    "cut, text",
    [
        (5, "the snapshot is truncated (5 bytes, not even a header). "),
        (len(MAGIC) + 2, "the snapshot is truncated inside its header. "),
        (
            len(MAGIC) + 30,
            "the snapshot is truncated: its header needs {n} bytes, only 26 are there. ",
        ),
    ],
)
def test_truncated_header(snap, cut, text):
    n = struct.unpack_from(">I", snap, len(MAGIC))[0]
    assert message(snap[:cut]) == f"{WHO}: " + text.format(n=n) + FIX


def test_corrupt_header_length():
    data = MAGIC + struct.pack(">I", (1 << 24) + 1) + b"{}"
    assert message(data) == (
        f"{WHO}: corrupt header length (16777217 bytes, at most 16777216). " + FIX
    )


def test_header_length_at_the_limit_is_read():
    data = MAGIC + struct.pack(">I", 1 << 24) + b"{}"
    assert "truncated: its header needs 16777216 bytes" in message(data)


@pytest.mark.parametrize(
    "head, why",
    [
        (b"{x}", "Expecting property name enclosed in double quotes: line 1 column 2 (char 1)"),
        (b"[]", "the header is not a JSON object"),
    ],
)
def test_corrupt_header_json(head, why):
    data = MAGIC + struct.pack(">I", len(head)) + head
    assert message(data) == f"{WHO}: corrupt snapshot header ({why}). " + FIX


def test_unsupported_formats(snap):
    h, p = split(snap)
    assert message(join({**h, "format": 2}, p)) == (
        f"{WHO}: snapshot format 2 is not supported (this actorlab reads format 1). "
        "Fix: upgrade actorlab to read it."
    )
    assert message(join({**h, "format": 0}, p)) == (
        f"{WHO}: snapshot format 0 is not supported (this actorlab reads format 1). " + FIX
    )


def test_header_digest_and_completeness(snap):
    h, p = split(snap)
    assert message(join({**h, "python": "0.0.0"}, p)) == (
        f"{WHO}: corrupt snapshot header (its SHA-256 does not match). " + FIX
    )
    partial = rehashed({k: v for k, v in h.items() if k != "dill"})
    assert message(join(partial, p)) == (
        f"{WHO}: incomplete snapshot header (missing 'dill'). " + FIX
    )


def test_snapshot_of_another_actor(snap):
    assert message(snap, OTHER) == (
        f"snapshot of actor id {OTHER}, {SRC}: the data stored under actor id {OTHER} is the "
        f"snapshot of t.Counter (actor id {AID}). Fix: the storage was written by hand or files "
        f"were renamed; respawn actor id {AID} instead, or delete the stray snapshot."
    )


def test_payload_length_and_digest(snap):
    assert message(snap + b"xx") == (
        f"{WHO_CLASS}: the payload is followed by extra bytes (23 bytes, the header says 21). "
        + FIX
    )
    assert message(snap[:-3]) == (
        f"{WHO_CLASS}: the payload is truncated (18 bytes, the header says 21). " + FIX
    )
    flipped = bytearray(snap)
    flipped[-3] ^= 1
    assert message(bytes(flipped)) == f"{WHO_CLASS}: corrupt payload (SHA-256 mismatch). " + FIX


TRUST = (
    "Unpickling a snapshot runs its code, so only snapshots signed with your key are loaded. "
    "Fix: if you trust where it came from, sign it with your key: "
    "al.trust_snapshot(storage, actor_id), then load it again"
)


def test_unsigned_and_foreign_signatures():
    payload = pickling.dumps({"n": 1})
    unsigned = format.encode(payload, actor_id=AID, actor_class="t.Counter", key=None)
    assert message(unsigned) == (
        f"{WHO_CLASS}: the snapshot is not signed (written by actorlab before snapshots were "
        "signed by default, or by a tool), so it cannot be trusted; it was not unpickled. "
        + TRUST
        + "."
    )
    foreign = format.encode(payload, actor_id=AID, actor_class="t.Counter", key=b"theirs")
    assert message(foreign) == (
        f"{WHO_CLASS}: HMAC mismatch: its signature does not match your snapshot key "
        f"({keys.key_path()}): it was written by another user or machine, signed with another "
        "key, or modified after it was written; it was not unpickled. "
        + TRUST
        + "; for a store shared with others or CI, use the key it was written with everywhere: "
        "al.configure(snapshot_key=...) or $ACTORLAB_SNAPSHOT_KEY. If it was tampered with, "
        "delete it."
    )
    assert format.verify(foreign, key=b"theirs").header.signed
    assert format.verify(unsigned, key=None).header.signed is False  # tools may read unsigned
    assert format.verify(foreign, trusted=True).payload == payload.data


def test_missing_required_definitions(snap):
    h, p = split(snap)
    data = format.sign(join(rehashed({**h, "requires": ["t.gone:One", "t.gone:Two"]}), p))
    assert message(data) == (
        f"{WHO_CLASS}: the snapshot needs t.gone.One, t.gone.Two, which this process does not "
        "define (enums defined in a notebook cell are saved by name, not copied). It was not "
        "unpickled. Fix: re-run the cell(s) that define them, then load it again."
    )


def test_header_records_how_it_was_written():
    p = pickling.dumps({"n": 1})
    data = format.encode(p, actor_id=AID, actor_class="t.Counter", actor_path="/root/c")
    raw = format.read_header(data).raw
    assert raw["actorlab"] == version("actorlab") and raw["recurse"] is True
    assert raw["serializer"] == "pickle+dill" and raw["protocol"] == pickling.PROTOCOL
    assert raw["requires"] == [] and raw["code"] == [] and raw["anonymous_code"] == 0
    assert raw["actor"] == {"id": str(AID), "class": "t.Counter", "path": "/root/c"}
    head = data[len(MAGIC) + 4 : len(data) - len(p.data)]
    assert head == json.dumps(raw_without_size(raw), sort_keys=True, separators=(",", ":")).encode()
    unsigned = format.encode(p, actor_id=AID, actor_class="t.Counter", key=None)
    resigned = format.sign(unsigned, key=b"k")  # the hmac field is added: still sorted
    head = resigned[len(MAGIC) + 4 : len(resigned) - len(p.data)]
    assert list(json.loads(head)) == sorted(json.loads(head))  # canonical: sorted, compact
    assert b", " not in head and b": " not in head


def raw_without_size(raw: dict) -> dict:
    return {k: v for k, v in raw.items() if k != "_size"}


def test_requires_come_back_in_the_header():
    p = dataclasses.replace(pickling.dumps({"n": 1}), requires=("m:Color",))
    data = format.encode(p, actor_id=AID, actor_class="t.Counter")
    assert format.read_header(data).requires == ("m:Color",)


def test_unknown_actorlab_version(monkeypatch):
    import importlib.metadata

    format._actorlab_version.cache_clear()
    monkeypatch.setattr(importlib.metadata, "version", lambda name: 1 / 0)
    try:
        assert format._actorlab_version() == "unknown"
    finally:
        format._actorlab_version.cache_clear()


def test_size_of_a_header_built_by_hand(snap):
    h = format.read_header(snap)
    assert h.size == len(snap)
    assert dataclasses.replace(h, raw={}).size == 0


def test_verified_is_immutable(snap):
    v = format.verify(snap)
    with pytest.raises(dataclasses.FrozenInstanceError):
        v.allow_code = False  # type: ignore[misc]


# --- which code may be unpickled -------------------------------------------------------------


def header(snap: bytes, **changes) -> format.SnapshotHeader:
    return dataclasses.replace(format.read_header(snap), **changes)


def test_code_of_this_python_may_load(snap):
    h = header(snap, contains_code=True, code=("t:Gone",), anonymous_code=1)
    assert format._check_code(h, "who") is True
    assert format._check_code(header(snap), "who") is True


def test_data_only_from_another_python_may_load(snap):
    assert format._check_code(header(snap, python_tag="cp39"), "who") is True


def test_named_code_from_another_python_must_resolve(snap):
    here = "tests.persistence.test_format_messages:header"
    h = header(snap, python_tag="cp39", contains_code=True, code=(here,), anonymous_code=0)
    assert format._check_code(h, "who") is False  # the current definitions are used


def test_anonymous_code_from_another_python_is_refused(snap, monkeypatch):
    import platform
    import sys

    h = header(
        snap,
        python_tag="cp39",
        python="3.9.1",
        implementation="cpython",
        contains_code=True,
        code=("t.gone:One",),
        anonymous_code=2,
    )
    with pytest.raises(al.SnapshotError) as info:
        format._check_code(h, "who")
    here = f"{sys.implementation.name} {platform.python_version()} ({format.python_tag()})"
    assert str(info.value) == (
        "who: the snapshot carries code pickled by value (t.gone:One, 2 lambda(s)/closure(s)) "
        f"written by cpython 3.9.1 (cp39); this is {here}. Bytecode does not survive a Python "
        "version change (it crashes or misbehaves), so it was not unpickled. Fix: load it with "
        "Python 3.9.1; or define the named classes/functions again (re-run the cells) so the "
        "current definitions are used, and keep lambdas and closures out of saved state (use "
        "module-level functions)."
    )
    only_lambdas = dataclasses.replace(h, code=(), anonymous_code=1)
    with pytest.raises(al.SnapshotError, match=r"by value \(1 lambda\(s\)/closure\(s\)\) written"):
        format._check_code(only_lambdas, "who")
    only_named = dataclasses.replace(h, code=("t.gone:One", "t.gone:Two"), anonymous_code=0)
    with pytest.raises(al.SnapshotError, match=r"by value \(t\.gone:One, t\.gone:Two\) written"):
        format._check_code(only_named, "who")


@pytest.mark.parametrize(
    "written, here, code, warns",
    [
        ("0.3.8", "0.4.1", True, True),
        ("0.4.9", "0.4.1", True, False),
        ("0.3.8", "0.4.1", False, False),
    ],
)
def test_dill_minor_mismatch_warns_for_code(snap, monkeypatch, caplog, written, here, code, warns):
    monkeypatch.setattr(pickling, "dill_version", lambda: here)
    h = header(snap, dill=written, contains_code=code)
    with caplog.at_level(logging.WARNING, logger="actorlab.persistence"):
        assert format._check_code(h, "who") is True
    expected = [
        f"who: written with dill {written}, this is dill {here}; by-value code may not load"
    ]
    assert [r.getMessage() for r in caplog.records] == (expected if warns else [])
    assert all(r.name == "actorlab.persistence" for r in caplog.records)


def test_python_tag_names_implementation_and_minor(monkeypatch):
    import sys
    import types

    minor = f"{sys.version_info.major}{sys.version_info.minor}"
    if sys.implementation.name == "cpython":
        assert format.python_tag() == f"cp{minor}"
    monkeypatch.setattr(sys, "implementation", types.SimpleNamespace(name="pypy"))
    assert format.python_tag() == f"pp{minor}"
    monkeypatch.setattr(sys, "implementation", types.SimpleNamespace(name="graalpy"))
    assert format.python_tag() == f"graalpy{minor}"


def test_header_is_immutable(snap):
    with pytest.raises(dataclasses.FrozenInstanceError):
        format.read_header(snap).actor_id = "x"  # type: ignore[misc]
