"""The snapshot envelope: every damaged or untrusted snapshot is refused before unpickling."""

from __future__ import annotations

import hashlib
import json
import struct
import sys

import pytest

import actorlab as al
from actorlab.persistence import codec, format, pickling
from actorlab.persistence.format import MAGIC

from .helpers import Touch, dill_site, other_python, run_script

AID = al.ActorId.from_name("counter")


@pytest.fixture
def marker(tmp_path):
    return tmp_path / "UNPICKLED"


@pytest.fixture
def snapshot(marker) -> bytes:
    """A valid snapshot whose unpickling creates ``marker``."""
    return codec.dump({"n": 1, "proof": Touch(str(marker))}, actor_id=AID, actor_class="t.Counter")


def split(data: bytes) -> tuple[dict, bytes]:
    (n,) = struct.unpack_from(">I", data, len(MAGIC))
    start = len(MAGIC) + 4
    return json.loads(data[start : start + n]), data[start + n :]


def join(header: dict, payload: bytes) -> bytes:
    head = json.dumps(header).encode()
    return MAGIC + struct.pack(">I", len(head)) + head + payload


def refused(data: bytes, marker, match: str) -> None:
    with pytest.raises(al.SnapshotError, match=match):
        codec.load(data, expected_id=AID)
    assert not marker.exists(), "the payload was unpickled before the check"


def test_intact_snapshot_loads_and_runs_the_marker(snapshot, marker):
    header, state = codec.load(snapshot, expected_id=AID)
    assert state["n"] == 1 and marker.exists()  # the marker mechanism works
    assert header.actor_id == str(AID) and header.actor_class == "t.Counter"
    assert header.python_tag == format.python_tag() and header.contains_code is False


def test_header_fields(snapshot):
    h = format.read_header(snapshot)
    raw = h.raw
    for key in (
        "format",
        "created",
        "python",
        "python_tag",
        "implementation",
        "dill",
        "serializer",
        "contains_code",
        "payload_len",
        "payload_sha256",
        "actor",
    ):
        assert key in raw
    assert raw["actor"]["class"] == "t.Counter"
    assert h.size == len(snapshot) and h.signed is True  # signed by default


def test_read_header_does_not_unpickle(snapshot, marker):
    format.read_header(snapshot)
    format.verify(snapshot)
    assert not marker.exists()


def test_truncated_payload_is_refused(snapshot, marker):
    refused(
        snapshot[:-5],
        marker,
        r"snapshot of t.Counter \(actor id .*\): the payload is truncated .*Fix: ",
    )


@pytest.mark.parametrize("cut", [0, 5, len(MAGIC) + 2, len(MAGIC) + 30])
def test_snapshot_cut_inside_the_header_is_refused(snapshot, marker, cut):
    refused(snapshot[:cut], marker, f"actor id {AID}.*truncated.*Fix: ")


def test_flipped_payload_byte_is_refused(snapshot, marker):
    data = bytearray(snapshot)
    data[-10] ^= 0x01
    refused(bytes(data), marker, r"corrupt payload \(SHA-256 mismatch\).*Fix: ")


def test_flipped_header_byte_is_refused(snapshot, marker):
    header, payload = split(snapshot)
    header["python"] = header["python"][:-1] + ("8" if header["python"][-1] != "8" else "9")
    refused(join(header, payload), marker, r"corrupt snapshot header .*Fix: ")


def test_every_single_byte_flip_is_refused(snapshot, marker):
    for i in range(0, len(snapshot), max(1, len(snapshot) // 150)):
        data = bytearray(snapshot)
        data[i] ^= 0x20
        with pytest.raises(al.SnapshotError):
            codec.load(bytes(data), expected_id=AID)
    assert not marker.exists()


def test_wrong_magic_is_refused(snapshot, marker):
    refused(
        b"GARBAGE-SNAPSHOT!\n" + snapshot[len(MAGIC) :], marker, "not an actorlab snapshot .*Fix: "
    )
    refused(b"\x80\x05K\x01.", marker, "not an actorlab snapshot")  # a raw pickle


def test_newer_format_asks_for_an_upgrade(snapshot, marker):
    header, payload = split(snapshot)
    header["format"] = 2
    refused(join(header, payload), marker, "format 2 is not supported.*upgrade actorlab")


def test_snapshot_of_another_actor_is_refused(snapshot, marker):
    with pytest.raises(
        al.SnapshotError, match="stored under actor id .* is the snapshot of t.Counter"
    ):
        codec.load(snapshot, expected_id=al.ActorId.from_name("other"))
    assert not marker.exists()


def _resign(header: dict, payload: bytes) -> dict:
    """What an attacker without the key can do: fix up every digest."""
    header = dict(header)
    header["payload_len"] = len(payload)
    header["payload_sha256"] = hashlib.sha256(payload).hexdigest()
    header["header_sha256"] = hashlib.sha256(format._canonical(header)).hexdigest()
    return header


def test_tampered_payload_with_hmac_on_is_refused(monkeypatch, marker):
    monkeypatch.setenv("ACTORLAB_SNAPSHOT_KEY", "s3cret")
    good = codec.dump({"n": 1}, actor_id=AID, actor_class="t.Counter")
    assert format.read_header(good).signed
    assert codec.load(good, expected_id=AID)[1] == {"n": 1}
    header, _ = split(good)
    evil = pickling.dumps({"n": 1, "proof": Touch(str(marker))}).data
    refused(join(_resign(header, evil), evil), marker, r"HMAC mismatch.*not unpickled.*Fix: ")


def test_hmac_key_from_configure_wins(monkeypatch, marker):
    monkeypatch.setattr(al.settings(), "snapshot_key", b"configured")
    data = codec.dump({"n": 1}, actor_id=AID, actor_class="t.Counter")
    monkeypatch.setattr(al.settings(), "snapshot_key", b"other")
    refused(data, marker, "HMAC mismatch")


WRITER = """
import sys
sys.path.insert(0, {site!r})
sys.path.insert(0, {repo!r})
from pathlib import Path
import actorlab as al
from actorlab.persistence import codec

class Touch:
    def __init__(self, path): self.path = path
    def __reduce__(self): return (Path.touch, (Path(self.path),))

class Counter:
    def __init__(self): self.n = 41
    def bump(self): return self.n + 1

state = {{"proof": Touch({marker!r}), "counter": Counter(){extra}}}
Path({out!r}).write_bytes(codec.dump(state, actor_id=al.ActorId.from_name("counter"),
                                      actor_class="__main__.Counter"))
print(sys.version_info[:2])
"""


@pytest.fixture
def other(tmp_path):
    found = other_python()
    if found is None:
        pytest.skip("needs CPython 3.12 or 3.13 besides this one (pyenv install 3.12)")
    return found


def _write_with_other_python(tmp_path, other, marker, extra: str) -> bytes:
    from .helpers import REPO

    out = tmp_path / "other.snap"
    src = WRITER.format(
        site=str(dill_site(tmp_path)), repo=str(REPO), marker=str(marker), out=str(out), extra=extra
    )
    stdout = run_script(tmp_path, src, python=other[0], name="writer.py")
    assert other[1].replace(".", ", ") in stdout
    assert not marker.exists()
    return out.read_bytes()


def test_code_from_another_python_minor_is_refused(tmp_path, other, marker):
    data = _write_with_other_python(tmp_path, other, marker, ', "f": lambda x: x + 1')
    h = format.read_header(data)
    assert h.contains_code and h.python_tag != format.python_tag()
    assert "__main__:Counter" in h.code and h.anonymous_code == 1
    refused(
        data,
        marker,
        rf"carries code pickled by value \(__main__:Counter, 1 lambda.*\) written by cpython "
        rf"{other[1]}.*this is cpython {sys.version_info.major}\.{sys.version_info.minor}.*"
        r"not unpickled\. Fix: load it with Python",
    )


def test_named_code_from_another_python_loads_when_this_process_defines_it(tmp_path, other, marker):
    """No bytecode crosses versions: the current definition replaces the by-value copy."""
    data = _write_with_other_python(tmp_path, other, marker, "")
    (tmp_path / "other.snap").write_bytes(data)
    out = run_script(
        tmp_path,
        """
        from pathlib import Path
        from actorlab.persistence import codec
        class Counter:
            def bump(self): return self.n + 100
        header, state = codec.load(Path("other.snap").read_bytes())
        print(type(state["counter"]) is Counter, state["counter"].bump())
    """,
        name="reader.py",
    )
    assert out.split() == ["True", "141"]
    assert marker.exists()  # the snapshot was loaded after all


def test_named_code_from_another_python_is_refused_when_undefined(tmp_path, other, marker):
    data = _write_with_other_python(tmp_path, other, marker, "")
    refused(data, marker, r"carries code pickled by value \(__main__:Counter\).*re-run the cells")
